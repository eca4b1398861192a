/**
 * The hub's routes as the tests iterate them: read from the server's route table
 * (server/routes/index.ts, the table the app mounts and the OpenAPI document describes), never
 * written out by hand in a test. A test keeps only its own expectations, keyed by route, and
 * `expectEveryRouteCovered` fails when a route has none (so a new route cannot go untested) or
 * when an expectation names a route that no longer exists.
 */
import type { Express } from 'express';
import { expect } from 'vitest';
import type { Access } from '../../server/http/route.ts';
import { ROUTES } from '../../server/routes/index.ts';
import { routesOf } from './http.ts';

export interface HubRoute {
  /** "METHOD /v1/path", the key every expectation table uses (and what `routesOf` reads from express). */
  key: string;
  method: 'get' | 'post';
  /** The express pattern under the host, e.g. `/v1/packets/:id`. */
  path: string;
  /** What the server declares; a test that checks authorization compares it with its own expectation. */
  access: Access;
}

export const HUB_ROUTES: readonly HubRoute[] = ROUTES.map((r) => ({ key: `${r.method.toUpperCase()} /v1${r.path}`, method: r.method, path: `/v1${r.path}`, access: r.access }));

/** The app mounts exactly the routes of the table: what express answers is what the tests iterate. */
export function expectAppServesTheTable(app: Express): void {
  expect(routesOf(app)).toEqual(HUB_ROUTES.map((r) => r.key).sort());
}

/** Every route has an entry in `expectations` and every entry is a route; the message names the ones that do not. */
export function expectEveryRouteCovered(expectations: Readonly<Record<string, unknown>>, what: string): void {
  const keys = new Set(HUB_ROUTES.map((r) => r.key));
  const missing = [...keys].filter((k) => !(k in expectations));
  const stale = Object.keys(expectations).filter((k) => !keys.has(k));
  expect(missing, `routes without ${what}: add an expectation for each`).toEqual([]);
  expect(stale, `${what} for routes the hub no longer has`).toEqual([]);
}

/** The expectation of `route`, which `expectEveryRouteCovered` has shown to exist. */
export function expectationOf<T>(expectations: Readonly<Record<string, T>>, route: string): T {
  if (!(route in expectations)) throw new Error(`no expectation for ${route}`);
  return expectations[route]!;
}

/** A concrete path for a pattern: each `:param` replaced by its sample (every parameter must have one). */
export function concretePath(path: string, samples: Readonly<Record<string, string>>): string {
  return path.replace(/:([a-zA-Z]+)/g, (_whole, name: string) => {
    const sample = samples[name];
    if (sample === undefined) throw new Error(`no sample for the path parameter :${name} of ${path}`);
    return sample;
  });
}
