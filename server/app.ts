/**
 * The hub's HTTP application: `createApp(config)` opens the hub and returns an express app that
 * does not listen (tests drive it with supertest; `main.ts` listens). This file holds the
 * middleware and the error chain only; the routes are in server/routes/ (one file per resource),
 * mounted from their table. Every 4xx is audited as a denial, every body and token stays out of
 * the log.
 */
import express, { type Request, type Response, type NextFunction } from 'express';
import helmet from 'helmet';
import type { DenialAction } from '../protocol/evidence.ts';
import type { MemberRecord } from '../storage/records.ts';
import { requireMember } from './auth.ts';
import { parseHubConfig, type Clock, type HubConfigInput } from './config.ts';
import { Problem, problemMiddleware, toProblem } from './errors.ts';
import { evidenceSettled, settleEvidence } from './evidence.ts';
import { openHub, type Hub } from './hub.ts';
import { fixedHeaders } from './http/fixed-headers.ts';
import { addressOf, mountRoute } from './http/route.ts';
import { ROUTES } from './routes/index.ts';
import { webClient } from './web.ts';

/** The API's helmet configuration: its headers do not depend on the request (server/http/fixed-headers.ts). */
export const API_HELMET = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  referrerPolicy: { policy: 'no-referrer' },
} as const satisfies Parameters<typeof helmet>[0];

function buildApp(hub: Hub): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Every answer is Cache-Control: no-store, so an ETag is never used; computing one hashes every
  // response body (request overhead).
  app.set('etag', false);
  app.set('trust proxy', false);
  // helmet's headers do not depend on the request: computed once, added to every answer as its head is written.
  const security = fixedHeaders(
    helmet(API_HELMET),
    // Everything the API returns is packet data or session state: never cache it.
    [['Cache-Control', 'no-store']],
  );
  security.install(app);
  // Method, route pattern, status and duration only: never bodies, headers, tokens or query values.
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // After every request, GETs included (cheap when nothing is due), sign what writes left unsigned:
      // receipts and due checkpoints. This runs after the answer; no handler signs while it answers
      // (a GET waits for the settling in flight, then only reads: server/evidence.ts).
      void settleEvidence(hub);
      const route = (req.route as { path?: string } | undefined)?.path;
      hub.logger.info({ method: req.method, route: route ? `${req.baseUrl}${route}` : 'unmatched', status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request');
    });
    next();
  });
  const auth = requireMember(hub);
  const v1 = express.Router();
  for (const route of ROUTES) mountRoute(v1, hub, auth, route);
  app.use('/v1', v1);
  // The web client's files: serve-static writes its own Cache-Control unless one is set already,
  // and the fixed headers are added only as the head is written, so no-store is set here first.
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(webClient());
  app.use((_req, _res, next) => next(new Problem('not-found', 'no such route')));
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    auditDenial(hub, err, req, res).then(() => next(err), next);
  });
  app.use(problemMiddleware(hub.logger));
  return app;
}

/**
 * Every refused request on an authenticated route is a security decision: record it. A refusal to
 * someone not logged in is recorded in aggregate (server/limits.ts), so anonymous callers cannot
 * grow the append-only log without bound; the login routes record their own.
 */
async function auditDenial(hub: Hub, err: unknown, req: Request, res: Response): Promise<void> {
  const problem = toProblem(err);
  if (!problem || req.path.startsWith('/v1/auth/') || !req.path.startsWith('/v1/')) return;
  const member = res.locals.member as MemberRecord | undefined;
  const action: DenialAction = `${req.method} ${(req.route as { path?: string } | undefined)?.path ?? req.path.split('/').slice(0, 3).join('/')}` as DenialAction;
  if (!member) {
    hub.auditUnauthenticated({ address: addressOf(req), action, code: problem.code, subject: req.originalUrl.split('?')[0]!.slice(0, 200) });
    return;
  }
  try {
    await hub.audit({
      actor: member.fingerprint,
      party: member.party,
      action,
      // The path names the packet, part or release asked for (route params are gone by now).
      object: req.originalUrl.split('?')[0]!.slice(0, 200),
      outcome: 'deny',
      detail: { status: problem.status, code: problem.code, ...(problem.extra.article ? { article: problem.extra.article } : {}) },
    });
  } catch (error) {
    hub.logger.error({ err: (error as Error).message }, 'could not audit a denial');
  }
}

export interface LiaisonApp {
  app: express.Express;
  hub: Hub;
  close(): Promise<void>;
}

/** Open the hub in `config.dataDir` and build its app. */
export async function createApp(config: HubConfigInput, now: Clock = () => new Date()): Promise<LiaisonApp> {
  const hub = await openHub(parseHubConfig(config), now);
  // Receipts or checkpoints a crash left unsigned are signed before the first request is answered.
  await settleEvidence(hub);
  return {
    app: buildApp(hub),
    hub,
    close: async () => {
      await evidenceSettled(hub);
      await hub.close();
    },
  };
}
