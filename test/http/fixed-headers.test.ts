/**
 * The security headers computed once at start (server/http/fixed-headers.ts) are exactly what
 * helmet itself sets with the same configuration, on every kind of answer: a JSON answer written
 * whole, a problem, an unknown route, a HEAD, and the web client's files (whose own CSP wins).
 * And a configuration whose headers would depend on the request is refused at start.
 */
import express from 'express';
import helmet from 'helmet';
import supertest from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_HELMET, type LiaisonApp } from '../../server/app.ts';
import { fixedHeaders } from '../../server/http/fixed-headers.ts';
import { makeWorld, type World } from '../helpers/world.ts';

let world: World;
let hub: LiaisonApp;
beforeAll(async () => {
  world = await makeWorld();
  hub = await world.open();
});
afterAll(async () => {
  await hub.close();
  world.cleanup();
});

/** What helmet sets, run as middleware on a real response. */
async function helmetsOwn(): Promise<Record<string, string>> {
  const reference = express();
  reference.use(helmet(API_HELMET));
  reference.get('/', (_req, res) => res.json({}));
  const res = await supertest(reference).get('/').expect(200);
  const names = Object.keys(res.headers).filter((n) => !['content-type', 'content-length', 'date', 'connection', 'etag', 'x-powered-by', 'keep-alive'].includes(n));
  expect(names.length).toBeGreaterThanOrEqual(10);
  return Object.fromEntries(names.map((n) => [n, res.headers[n] as string]));
}

it('sets exactly helmet headers and no-store on JSON answers, problems, unknown routes and HEADs', async () => {
  const expected = { ...(await helmetsOwn()), 'cache-control': 'no-store' };
  const answers = [
    await supertest(hub.app).get('/v1/agreements').expect(200),
    await supertest(hub.app).head('/v1/agreements').expect(200),
    await supertest(hub.app).get('/v1/me').expect(401),
    await supertest(hub.app).get('/v1/no-such-route').expect(404),
    await supertest(hub.app).post('/v1/auth/challenge').set('Content-Type', 'application/json').send('{not json').expect(400),
  ];
  answers.forEach((res, i) => {
    for (const [name, value] of Object.entries(expected)) expect([i, name, res.headers[name]]).toEqual([i, name, value]);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
  expect(answers[0]!.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(Number(answers[0]!.headers['content-length'])).toBe(Buffer.byteLength(answers[0]!.text));
  expect(answers[1]!.text ?? '').toBe('');
});

it('lets a header the answer sets itself win: the web client keeps its own CSP', async () => {
  const page = await supertest(hub.app).get('/').expect(200);
  expect(page.headers['content-security-policy']).toContain("default-src 'self'");
  expect(page.headers['x-content-type-options']).toBe('nosniff');
  expect(page.headers['cache-control']).toBe('no-store');
});

it('refuses, at start, a configuration whose headers depend on the request', () => {
  const nonce = helmet({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'", (req) => `'nonce-${String((req as { url?: string }).url)}'`] } } });
  expect(() => fixedHeaders(nonce)).toThrow(/depend on the request/);
});
