/**
 * The one shape of a hub route: what it answers (method, path, access, the zod schemas of its
 * parameters, query and body, its answer and the problems it can give) and the handler that maps
 * the parsed request onto one domain call. `mountRoute` turns a route into express middleware
 * (authentication, body parser, zod parsing, rendering); `server/openapi.ts` turns the same
 * objects into the OpenAPI document, so what is documented is what is parsed.
 *
 * Only handlers in `server/routes/` see express `req`/`res` (through `http`), and only for what
 * is HTTP (an address, a stream, a multipart body); a domain function never receives them.
 */
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { z } from 'zod';
import type { MemberRecord } from '../../storage/records.ts';
import type { ProblemCode } from '../errors.ts';
import type { Hub } from '../hub.ts';
import { NoQuery, parse } from '../validate.ts';

/** 'public': no login; 'login': the login exchange itself; 'member': a live session of an active member. */
export type Access = 'public' | 'login' | 'member';

/** Agreement rules (fields of an agreement file) whose article a route's refusals cite. */
export type AgreementRuleName = 'status' | 'markings' | 'languages' | 'thirdPartyRelease' | 'purposeLimitation' | 'refusalReasons' | 'deadlines' | 'workflow';

interface RouteAnswer {
  status: number;
  description: string;
  /** The JSON body; absent for an answer without one (204) or a byte stream (`contentType`). */
  schema?: z.ZodType;
  /** A non-JSON answer (a part's bytes). */
  contentType?: string;
  headers?: Record<string, { description: string; schema: z.ZodType }>;
}

/** Handler input: the parsed values (never the raw request) and, for HTTP-only concerns, the exchange. */
interface RouteInput<P, Q, B> {
  hub: Hub;
  params: P;
  query: Q;
  body: B;
  /** The caller (routes with access 'member' only; reading it elsewhere is a programming error). */
  readonly member: MemberRecord;
  http: { req: Request; res: Response };
}

/** A handler that wrote its own answer (a stream) returns this, so nothing more is rendered. */
export const ANSWERED = Symbol('answered');

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<PS extends z.ZodType | undefined = z.ZodType | undefined, QS extends z.ZodType | undefined = z.ZodType | undefined, BS extends z.ZodType | undefined = z.ZodType | undefined> {
  method: 'get' | 'post';
  /** Express path under /v1, e.g. `/packets/:id`. */
  path: string;
  /** OpenAPI operationId: unique, camelCase. */
  operationId: string;
  /** The resource this route belongs to (its file under server/routes/, the OpenAPI tag). */
  tag: string;
  summary: string;
  access: Access;
  params?: PS;
  /** What a bad path parameter is called in the problem's detail ("packet id", "release id"). */
  paramsLabel?: string;
  /** Defaults to no query at all (unknown query fields are refused). */
  query?: QS;
  body?: BS;
  /** A JSON body's size limit (express.json); the default is 256kb. */
  bodyLimit?: string;
  /** A multipart upload instead of a JSON body: the text fields' schema, parsed by the handler's domain call. */
  multipart?: { fields: z.ZodType; files: string };
  answer: RouteAnswer;
  /** Every problem type the route can answer besides the generic ones (401 for member routes, 400 for bad input). */
  problems: readonly ProblemCode[];
  /** The agreement rules whose articles its refusals cite. */
  rules?: readonly AgreementRuleName[];
  handle(input: RouteInput<Out<PS>, QS extends z.ZodType ? z.output<QS> : Record<string, never>, Out<BS>>): unknown;
}

/** A route, typed by its schemas so the handler sees the parsed types. */
export function defineRoute<PS extends z.ZodType | undefined = undefined, QS extends z.ZodType | undefined = undefined, BS extends z.ZodType | undefined = undefined>(spec: RouteSpec<PS, QS, BS>): RouteSpec {
  return spec;
}

/** Register `route` on `router`: authentication first (so a stranger learns nothing from a bad body), then the body parser, then zod. */
export function mountRoute(router: Router, hub: Hub, auth: RequestHandler, route: RouteSpec): void {
  const chain: RequestHandler[] = [];
  if (route.access === 'member') chain.push(auth);
  if (route.body) chain.push(express.json({ limit: route.bodyLimit ?? '256kb', strict: true, type: 'application/json' }));
  chain.push(async (req, res) => {
    const params = route.params ? parse(route.params, req.params, route.paramsLabel ?? 'path') : undefined;
    const query = parse(route.query ?? NoQuery, req.query, 'query');
    const body = route.body ? parse(route.body, req.body, 'body') : undefined;
    const input = {
      hub,
      params,
      query,
      body,
      get member(): MemberRecord {
        const member = res.locals.member as MemberRecord | undefined;
        if (!member) throw new Error(`route ${route.operationId} reads the member but is not a member route`);
        return member;
      },
      http: { req, res },
    };
    const value: unknown = await route.handle(input);
    if (value === ANSWERED) return;
    if (route.answer.schema === undefined) {
      res.status(route.answer.status).end();
      return;
    }
    sendJson(res, route.answer.status, value);
  });
  router[route.method](route.path, ...chain);
}

/**
 * Answer `value` as JSON: what express's `res.json` sends (same Content-Type, Content-Length, body),
 * without its per-answer work (reading and re-formatting the Content-Type, freshness checks), the
 * head given whole to writeHead, and the body as one string, so node:http writes the head and the
 * body in one socket write (a body over 1,000 characters became a Buffer in `res.send`,
 * and the head and body two writes).
 */
function sendJson(res: Response, status: number, value: unknown): void {
  const body = JSON.stringify(value) ?? '';
  // One array: the fixed security headers join it (server/http/fixed-headers.ts) without a setHeader each.
  res.writeHead(status, ['Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(Buffer.byteLength(body))]);
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** The caller's address as the socket reports it (`trust proxy` is off: a header cannot change it). */
export function addressOf(req: Request): string {
  return req.socket.remoteAddress ?? 'unknown';
}
