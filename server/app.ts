/**
 * The hub's HTTP application: `createApp(config)` opens the hub and returns an express app that
 * does not listen (tests drive it with supertest; `main.ts` listens). Routes are thin: parse with
 * zod, call one domain function, render. Every 4xx is audited as a denial, every body and token
 * stays out of the log.
 */
import express, { type Request, type Response, type NextFunction } from 'express';
import helmet from 'helmet';
import { z } from 'zod';
import {
  AwaitingWrapsQuery,
  ChallengeRequest,
  EnrollBody,
  MembersQuery,
  PacketListQuery,
  RewrapBody,
  RotationBody,
  StatementBody,
  ReleaseDecisionBody,
  ReleaseExecuteBody,
  ReleaseListQuery,
  ReleaseRequestBody,
  TokenRequest,
  type Member,
} from '../protocol/api.ts';
import { AgreementId, Fingerprint, PacketId, PartyId, ReleaseId } from '../protocol/ids.ts';
import { PartId } from '../protocol/manifest.ts';
import type { MemberRecord } from '../storage/store.ts';
import { exchangeChallenge, issueChallenge, logout, memberOf, requireMember } from './auth.ts';
import { parseHubConfig, type Clock, type HubConfigInput } from './config.ts';
import { Problem, problemMiddleware, toProblem } from './errors.ts';
import { NoQuery, PacketParams, parse } from './validate.ts';
import { openHub, type Hub } from './hub.ts';
import { addMemberWraps, listAwaitingWraps, listPackets, openPart, packetDetail, receivePacket, submitPacket } from './packets.ts';
import { enrollByOfficer, recordContact, restateMember, revokeMember, rotateOfficer } from './members.ts';
import { decideRelease, executeRelease, getRelease, listReleases, pendingReleases, requestRelease } from './releases.ts';
import { evidenceRoutes } from './routes/evidence.ts';
import { evidenceSettled, settleEvidence } from './evidence.ts';
import { workflowRoutes } from './routes/workflow.ts';
import { webClient } from './web.ts';
import { agreementRules } from '../protocol/agreement.ts';


const PartParams = z.strictObject({ id: PacketId, partId: PartId });
const ReleaseParams = z.strictObject({ id: ReleaseId });
const PartyParams = z.strictObject({ party: PartyId });
const MemberParams = z.strictObject({ fingerprint: Fingerprint });
const AgreementParams = z.strictObject({ id: AgreementId });

export function publicMember(m: MemberRecord): Member {
  return {
    fingerprint: m.fingerprint,
    party: m.party,
    name: m.name,
    roles: m.roles,
    clearance: m.clearance,
    publicKey: m.publicKey,
    enrolledAt: m.enrolledAt,
    ...(m.revokedAt ? { revokedAt: m.revokedAt, revocationReason: m.revocationReason } : {}),
    ...(m.statement ? { statement: m.statement, statementSignature: m.statementSignature } : {}),
    ...(m.validUntil ? { validUntil: m.validUntil } : {}),
    ...(m.keyExpiresAt ? { keyExpiresAt: m.keyExpiresAt } : {}),
  };
}

export function buildApp(hub: Hub): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Every answer is Cache-Control: no-store, so an ETag is never used; computing one hashes every
  // response body (issue 9: request overhead).
  app.set('etag', false);
  app.set('trust proxy', false);
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } },
      crossOriginResourcePolicy: { policy: 'same-origin' },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  // Everything the API returns is packet data or session state: never cache it.
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  // Method, route pattern, status and duration only: never bodies, headers, tokens or query values.
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // Sign what this request's writes left unsigned (receipts, due checkpoints), after it and never in a GET.
      void settleEvidence(hub);
      const route = (req.route as { path?: string } | undefined)?.path;
      hub.logger.info({ method: req.method, route: route ? `${req.baseUrl}${route}` : 'unmatched', status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request');
    });
    next();
  });
  const json = express.json({ limit: '256kb', strict: true, type: 'application/json' });
  const auth = requireMember(hub);
  const v1 = express.Router();

  v1.get('/hub', (req, res) => {
    parse(NoQuery, req.query, 'query');
    res.json({ fingerprint: hub.hubFingerprint, publicKey: hub.hubPublicKey.armor(), parties: hub.store.parties() });
  });
  // The agreements are loaded once at start and never change while the hub runs: serialise once.
  const agreementList = JSON.stringify([...hub.agreements.values()].map((a) => ({ id: a.id, title: a.title, status: a.status.state, provisional: a.provisional, parties: a.parties.map((p) => p.id) })));
  v1.get('/agreements', (req, res) => {
    parse(NoQuery, req.query, 'query');
    res.type('application/json').send(agreementList);
  });
  v1.get('/agreements/:id', (req, res) => {
    const { id } = parse(AgreementParams, req.params, 'agreement id');
    const agreement = hub.agreements.get(id);
    // Agreement ids are public (GET /v1/agreements): say which ones there are.
    if (!agreement) throw new Problem('not-found', `the hub has no agreement ${id}; it has ${[...hub.agreements.keys()].join(', ')}`);
    res.json({ agreement, rules: agreementRules(agreement) });
  });

  v1.post('/auth/challenge', json, (req, res) => {
    const body = parse(ChallengeRequest, req.body, 'body');
    res.json(issueChallenge(hub, body.fingerprint, addressOf(req)));
  });
  v1.post('/auth/token', json, async (req, res) => {
    const body = parse(TokenRequest, req.body, 'body');
    const session = await exchangeChallenge(hub, body, addressOf(req));
    res.json({ token: session.token, expiresAt: session.expiresAt, member: publicMember(session.member) });
  });
  v1.post('/auth/logout', auth, (_req, res) => {
    logout(hub, res.locals.token as string);
    res.status(204).end();
  });

  v1.get('/me', auth, (_req, res) => {
    res.json(publicMember(memberOf(res)));
  });
  v1.get('/parties/:party/members', auth, (req, res) => {
    const { party } = parse(PartyParams, req.params, 'party');
    const { include } = parse(MembersQuery, req.query, 'query');
    res.json(hub.store.membersOf(party, { includeRevoked: include === 'revoked' }).map(publicMember));
  });
  v1.get('/parties/:party/rotations', auth, (req, res) => {
    const { party } = parse(PartyParams, req.params, 'party');
    res.json(hub.store.rotationsOf(party));
  });
  v1.get('/parties/:party/contacts', auth, (req, res) => {
    const { party } = parse(PartyParams, req.params, 'party');
    res.json(hub.store.contactsOf(party));
  });
  v1.post('/parties/:party/contacts', auth, json, async (req, res) => {
    const { party } = parse(PartyParams, req.params, 'party');
    const body = parse(StatementBody, req.body, 'body');
    const officer = memberOf(res);
    if (officer.party !== party) throw new Problem('forbidden', `only a security officer of ${party} can record its contacts`);
    res.status(201).json(await recordContact(hub, officer, body));
  });
  v1.post('/members', auth, json, async (req, res) => {
    const body = parse(EnrollBody, req.body, 'body');
    res.status(201).json(publicMember(await enrollByOfficer(hub, memberOf(res), body)));
  });
  v1.post('/members/:fingerprint/statements', auth, json, async (req, res) => {
    const { fingerprint } = parse(MemberParams, req.params, 'fingerprint');
    const body = parse(StatementBody, req.body, 'body');
    res.json(publicMember(await restateMember(hub, memberOf(res), fingerprint, body)));
  });
  v1.get('/members/:fingerprint/awaiting-wraps', auth, (req, res) => {
    const { fingerprint } = parse(MemberParams, req.params, 'fingerprint');
    res.json(listAwaitingWraps(hub, memberOf(res), fingerprint, parse(AwaitingWrapsQuery, req.query, 'query')));
  });
  v1.post('/members/:fingerprint/revocation', auth, json, async (req, res) => {
    const { fingerprint } = parse(MemberParams, req.params, 'fingerprint');
    const body = parse(StatementBody, req.body, 'body');
    res.json(publicMember(await revokeMember(hub, memberOf(res), fingerprint, body)));
  });
  v1.post('/officers/rotation', auth, json, async (req, res) => {
    const body = parse(RotationBody, req.body, 'body');
    res.status(201).json(publicMember(await rotateOfficer(hub, memberOf(res), body)));
  });

  v1.get('/packets', auth, (req, res) => {
    res.json(listPackets(hub, memberOf(res), parse(PacketListQuery, req.query, 'query')));
  });
  v1.post('/packets', auth, async (req, res) => {
    parse(NoQuery, req.query, 'query');
    requireMultipart(req);
    res.status(201).json(await receivePacket(hub, memberOf(res), req, res));
  });
  v1.get('/packets/:id', auth, (req, res) => {
    const { id } = parse(PacketParams, req.params, 'packet id');
    res.json(packetDetail(hub, memberOf(res), id));
  });
  v1.post('/packets/:id/revisions', auth, async (req, res) => {
    const { id } = parse(PacketParams, req.params, 'packet id');
    requireMultipart(req);
    res.status(201).json(await receivePacket(hub, memberOf(res), req, res, id));
  });
  v1.post('/packets/:id/submit', auth, (req, res) => {
    const { id } = parse(PacketParams, req.params, 'packet id');
    res.json(submitPacket(hub, memberOf(res), id));
  });
  v1.get('/packets/:id/parts/:partId', auth, async (req, res) => {
    const { id, partId } = parse(PartParams, req.params, 'part');
    const part = openPart(hub, memberOf(res), id, partId);
    res.set({
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(part.wrap.length + part.size),
      // The client strips this many leading bytes (extra key wraps) before checking the signed hash.
      'Liaison-Wrap-Length': String(part.wrap.length),
      'Liaison-Part-Sha256': part.sha256,
    });
    res.write(part.wrap);
    part.stream.pipe(res);
    await new Promise<void>((resolve) => {
      part.stream.on('error', () => {
        res.destroy();
        resolve();
      });
      res.on('close', () => {
        part.stream.destroy();
        resolve();
      });
    });
  });
  v1.post('/packets/:id/wraps', auth, json, async (req, res) => {
    const { id } = parse(PacketParams, req.params, 'packet id');
    const body = parse(RewrapBody, req.body, 'body');
    res.status(201).json(await addMemberWraps(hub, memberOf(res), id, body));
  });
  v1.get('/packets/:id/releases', auth, (req, res) => {
    const { id } = parse(PacketParams, req.params, 'packet id');
    res.json(listReleases(hub, memberOf(res), id));
  });
  v1.post('/packets/:id/releases', auth, json, (req, res) => {
    const { id } = parse(PacketParams, req.params, 'packet id');
    const body = parse(ReleaseRequestBody, req.body, 'body');
    res.status(201).json(requestRelease(hub, memberOf(res), id, body));
  });
  v1.get('/releases', auth, (req, res) => {
    res.json(pendingReleases(hub, memberOf(res), parse(ReleaseListQuery, req.query, 'query')));
  });
  v1.get('/releases/:id', auth, (req, res) => {
    const { id } = parse(ReleaseParams, req.params, 'release id');
    res.json(getRelease(hub, memberOf(res), id));
  });
  v1.post('/releases/:id/decision', auth, json, async (req, res) => {
    const { id } = parse(ReleaseParams, req.params, 'release id');
    const body = parse(ReleaseDecisionBody, req.body, 'body');
    res.json(await decideRelease(hub, memberOf(res), id, body));
  });
  v1.post('/releases/:id/execute', auth, json, async (req, res) => {
    const { id } = parse(ReleaseParams, req.params, 'release id');
    const body = parse(ReleaseExecuteBody, req.body, 'body');
    res.json(await executeRelease(hub, memberOf(res), id, body));
  });

  v1.use(evidenceRoutes(hub, auth));
  v1.use(workflowRoutes(hub, auth));
  app.use('/v1', v1);
  app.use(webClient());
  app.use((_req, _res, next) => next(new Problem('not-found', 'no such route')));
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    auditDenial(hub, err, req, res);
    next(err);
  });
  app.use(problemMiddleware(hub.logger));
  return app;
}

function requireMultipart(req: Request): void {
  if (!req.is('multipart/form-data')) throw new Problem('unsupported-media-type', 'a packet is uploaded as multipart/form-data');
}

/** The caller's address as the socket reports it (`trust proxy` is off: a header cannot change it). */
export function addressOf(req: Request): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * Every refused request on an authenticated route is a security decision: record it. A refusal to
 * someone not logged in is recorded in aggregate (server/limits.ts), so anonymous callers cannot
 * grow the append-only log without bound; the login routes record their own.
 */
function auditDenial(hub: Hub, err: unknown, req: Request, res: Response): void {
  const problem = toProblem(err);
  if (!problem || req.path.startsWith('/v1/auth/') || !req.path.startsWith('/v1/')) return;
  const member = res.locals.member as MemberRecord | undefined;
  const action = `${req.method} ${(req.route as { path?: string } | undefined)?.path ?? req.path.split('/').slice(0, 3).join('/')}`;
  if (!member) {
    hub.auditUnauthenticated({ address: addressOf(req), action, code: problem.code, subject: req.originalUrl.split('?')[0]!.slice(0, 200) });
    return;
  }
  try {
    hub.audit({
      actor: member?.fingerprint ?? '-',
      party: member?.party ?? '-',
      action: `${req.method} ${(req.route as { path?: string } | undefined)?.path ?? req.path.split('/').slice(0, 3).join('/')}`,
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
