/**
 * The security headers every answer carries, computed once at start: helmet's middleware is run
 * against a recording response, and the headers it sets are then added to each response as its
 * head is written (helmet's thirteen small middlewares, each a `next()` and a
 * `setHeader` with its validation, were a measured part of a metadata GET). `install` puts them in
 * the app's response prototype (`writeHead`): a header a handler set itself (the web client's own
 * CSP) wins, as it did when helmet ran first; an answer written whole by `writeHeadWith` (JSON
 * answers: server/http/route.ts) gets them in one array, without a `setHeader` each.
 *
 * Only for a helmet configuration whose headers do not depend on the request (no CSP nonces, no
 * functions in directives): `fixedHeaders` refuses one that reads the request or answers
 * asynchronously. Never sets a header helmet would not.
 */
import { ServerResponse } from 'node:http';
import type { Express, RequestHandler } from 'express';

export interface FixedHeaders {
  /** The headers, as helmet set them (name as given, value). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Headers helmet removes (X-Powered-By). */
  readonly removed: readonly string[];
  /** Add the headers to every response of `app` as its head is written. */
  install(app: Express): void;
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
  const flat = list.flatMap(([name, value]) => [name, value]);
  // node:http's own writeHead, called with the response as `this`.
  const write = Reflect.get(ServerResponse.prototype, 'writeHead') as (this: ServerResponse, ...args: unknown[]) => ServerResponse;
  return {
    headers: list,
    removed,
    install(app) {
      const response = app.response as unknown as ServerResponse;
      response.writeHead = function writeHead(this: ServerResponse, statusCode: number, ...rest: unknown[]) {
        const message = typeof rest[0] === 'string' ? rest[0] : undefined;
        const given = message === undefined ? rest[0] : rest[1];
        // The fast case: the whole head given here, nothing set before.
        if (Array.isArray(given) && this.getHeaderNames().length === 0) {
          const all = [...flat, ...(given as string[])];
          return message === undefined ? write.call(this, statusCode, all) : write.call(this, statusCode, message, all);
        }
        for (const [name, value] of list) if (!this.hasHeader(name)) this.setHeader(name, value);
        return write.call(this, statusCode, ...rest);
      };
    },
  };
}
