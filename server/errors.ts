/**
 * The hub's few error classes, each with a stable code, and the one middleware that renders
 * them as RFC 9457 problem+json. This is the single place that decides what is the client's
 * fault (4xx) and what is ours (500, logged without request data, never with a stack to the client).
 */
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { CursorError } from '../storage/listings.ts';
import type { ProblemCode } from '../protocol/error-codes.ts';

/** The stable codes of the hub's problems (protocol/error-codes.ts); each is also the last segment of the problem's `type`. */
export type { ProblemCode };

/** Every problem `type` is this base followed by its `code`. */
export const PROBLEM_TYPE_BASE = 'https://liaison.invalid/problems/';

export const STATUS: Record<ProblemCode, number> = {
  'bad-request': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  'unsupported-media-type': 415,
  'too-many-requests': 429,
  'treaty-rule': 422,
};

export const TITLE: Record<ProblemCode, string> = {
  'bad-request': 'The request is malformed',
  unauthenticated: 'Authentication is required',
  forbidden: 'This action is not permitted',
  'not-found': 'No such resource',
  conflict: 'The request conflicts with the current state',
  'too-large': 'The request is too large',
  'too-many-requests': 'Too many requests',
  'unsupported-media-type': 'Unsupported media type',
  'treaty-rule': 'Refused under the agreement',
};

export class Problem extends Error {
  override name = 'Problem';
  readonly status: number;

  readonly code: ProblemCode;
  readonly detail: string;
  readonly extra: { article?: string; errors?: unknown; retryAfter?: number };

  constructor(code: ProblemCode, detail: string, extra: { article?: string; errors?: unknown; retryAfter?: number } = {}, options?: { cause?: unknown }) {
    super(detail, options);
    this.code = code;
    this.detail = detail;
    this.extra = extra;
    this.status = STATUS[code];
  }
}

/** A refusal under an agreement rule; `article` is the rule's source, e.g. "RU-PK Art. 7(4)". */
export function treatyRefusal(article: string, detail: string, code: ProblemCode = 'treaty-rule'): Problem {
  return new Problem(code, detail, { article });
}

/** 404 for both a missing and a forbidden object, so the answer reveals nothing. */
export function notFound(what: string): Problem {
  return new Problem('not-found', `${what} does not exist or is not available to you`);
}

function problemBody(p: Problem): Record<string, unknown> {
  return {
    type: `${PROBLEM_TYPE_BASE}${p.code}`,
    code: p.code,
    title: TITLE[p.code],
    status: p.status,
    detail: p.detail,
    ...(p.extra.article ? { article: p.extra.article } : {}),
    ...(p.extra.errors ? { errors: p.extra.errors } : {}),
  };
}

/**
 * The client went away mid-request (closed the socket, aborted an upload): an ordinary event, not
 * a fault of the hub. Node, body-parser, busboy and stream pipelines each say it their own way.
 */
function isClientAbort(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { type?: string; code?: string; message?: string };
  if (e.type === 'request.aborted') return true;
  if (e.code === 'ECONNRESET' || e.code === 'ECONNABORTED' || e.code === 'EPIPE' || e.code === 'ERR_STREAM_PREMATURE_CLOSE') return true;
  return typeof e.message === 'string' && /^(request )?aborted$|client aborted|Request aborted/i.test(e.message);
}

/** The problem for an error, translating express's parsers and multer; undefined for a fault of ours. */
export function toProblem(err: unknown): Problem | undefined {
  if (err instanceof Problem) return err;
  // A cursor that is not one this hub handed out for the list (storage/listings.ts parses it strictly).
  if (err instanceof CursorError) return new Problem('bad-request', `invalid query: cursor: ${err.message}`);
  if (typeof err !== 'object' || err === null) return undefined;
  if (isClientAbort(err)) return new Problem('bad-request', 'the client closed the connection before the request was complete');
  const e = err as { type?: string; code?: string; status?: number; message?: string; field?: string; name?: string };
  if (e.type === 'entity.too.large') return new Problem('too-large', 'the request body is too large');
  if (e.type === 'entity.parse.failed') return new Problem('bad-request', 'the request body is not valid JSON');
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return new Problem('unsupported-media-type', 'unsupported body encoding');
  if (typeof e.code === 'string' && e.code.startsWith('LIMIT_')) {
    const field = e.field ? ` (${e.field})` : '';
    // More text fields than an upload has is a malformed request, not a large one.
    if (e.code === 'LIMIT_FIELD_COUNT') return new Problem('bad-request', 'the upload has more text fields than manifest, signature and submit');
    return e.code === 'LIMIT_FILE_SIZE'
      ? new Problem('too-large', `a part is larger than this hub accepts${field}`)
      : new Problem('too-large', `the upload exceeds a limit: ${e.message ?? e.code}${field}`);
  }
  // Every other multer error (a file part without a field name, an unexpected field...) is the upload's fault.
  if (e.name === 'MulterError') return new Problem('bad-request', `the upload is malformed: ${e.message ?? e.code ?? 'multipart error'}${e.field ? ` (${e.field.slice(0, 64)})` : ''}`);
  // busboy/multer: malformed multipart bodies.
  if (typeof e.message === 'string' && /multipart|boundary|Unexpected end of form|Malformed part header/i.test(e.message)) {
    return new Problem('bad-request', `the multipart body is malformed: ${e.message}`);
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return new Problem('bad-request', e.message ?? 'bad request');
  }
  return undefined;
}

export function problemMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) {
      // Too late for a problem body: end the response, and log a fault of ours (an abort is ordinary).
      if (isClientAbort(err)) logger.info({ method: req.method }, 'client aborted the request');
      else logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message, stack: (err as Error)?.stack }, method: req.method }, 'internal error after the answer began');
      res.destroy();
      return;
    }
    const problem = toProblem(err);
    if (isClientAbort(err)) {
      // Nobody is listening for an answer; say what happened, without a stack.
      logger.info({ method: req.method, path: req.route ? String((req.route as { path: string }).path) : undefined, code: (err as { code?: string }).code }, 'client aborted the request');
      if (!req.socket.destroyed) res.status(400).type('application/problem+json').json(problemBody(problem!));
      return;
    }
    if (!problem) {
      // A fault of ours: log what and where, never the request's body, headers or token.
      logger.error({ err: { name: (err as Error)?.name, message: (err as Error)?.message, stack: (err as Error)?.stack }, method: req.method, path: req.route ? String((req.route as { path: string }).path) : undefined }, 'internal error');
      res.status(500).type('application/problem+json').json({
        type: `${PROBLEM_TYPE_BASE}internal`,
        code: 'internal',
        title: 'Internal error',
        status: 500,
        detail: 'the hub could not complete the request; nothing was changed',
      });
      return;
    }
    if (problem.extra.retryAfter) res.set('Retry-After', String(problem.extra.retryAfter));
    res.status(problem.status).type('application/problem+json').json(problemBody(problem));
  };
}
