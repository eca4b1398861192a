/**
 * The security headers every answer carries, computed once at start: helmet's middleware is run
 * against a recording response, and the headers it sets are then set on each response from a
 * prepared list (issue 9: helmet's thirteen small middlewares, each a `next()` and a `setHeader`,
 * were a measured part of a metadata GET). Only for a helmet configuration whose headers do not
 * depend on the request (no CSP nonces, no functions in directives): `fixedHeaders` refuses one
 * that reads the request or answers asynchronously. Never sets a header helmet would not.
 */
import type { RequestHandler } from 'express';

export interface FixedHeaders {
  /** The headers, as helmet set them (name as given, value). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Headers helmet removes (X-Powered-By). */
  readonly removed: readonly string[];
  middleware: RequestHandler;
}

/** Record what `helmetMiddleware` does to a response; `extra` headers are appended (Cache-Control). */
export function fixedHeaders(helmetMiddleware: RequestHandler, extra: ReadonlyArray<readonly [string, string]> = []): FixedHeaders {
  const headers = new Map<string, readonly [string, string]>();
  const removed: string[] = [];
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers.set(name.toLowerCase(), [name, String(value)]);
      return recorder;
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
      removed.push(name);
    },
  };
  // A request that throws on every read: a configuration that depends on it cannot be fixed.
  const request = new Proxy(
    {},
    {
      get(_target, property) {
        throw new Error(`helmet read req.${String(property)}: its headers depend on the request and cannot be fixed at start`);
      },
    },
  );
  let finished = false;
  helmetMiddleware(request as never, recorder as never, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error('helmet refused its own configuration');
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish synchronously: its headers cannot be fixed at start');
  for (const [name, value] of extra) headers.set(name.toLowerCase(), [name, value]);
  const list = [...headers.values()];
  return {
    headers: list,
    removed,
    middleware: (_req, res, next) => {
      for (let i = 0; i < list.length; i++) res.setHeader(list[i]![0], list[i]![1]);
      next();
    },
  };
}
