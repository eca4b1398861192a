/**
 * Every route of the hub, and who may call it. The routes come from the server's route table
 * (test/helpers/routes.ts); the access each must have is written here, apart from the server, one
 * row per route. A route without a row fails the test, so nobody adds an endpoint without deciding
 * its authorization; the access the route table declares (and the OpenAPI document publishes)
 * must be the one written here; every member route refuses a missing token, a revoked key and an
 * expired membership on the very next request; every public and login route answers a visitor.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRevocation } from '../../client/core/officer.ts';
import type { LiaisonApp } from '../../server/app.ts';
import type { Access } from '../../server/http/route.ts';
import { HUB_ROUTES, concretePath, expectAppServesTheTable, expectEveryRouteCovered, expectationOf } from '../helpers/routes.ts';
import { login } from '../helpers/packets.ts';
import { makePerson, makeWorld, type Person, type World } from '../helpers/world.ts';

/** 'public': no login needed; 'login': the login exchange itself; 'member': a live session of an active member. */
const ACCESS: Record<string, Access> = {
  'GET /v1/hub': 'public',
  'GET /v1/agreements': 'public',
  'GET /v1/agreements/:id': 'public',
  'GET /v1/openapi.json': 'public',
  'GET /v1/docs': 'public',
  'GET /v1/docs/reference.css': 'public',
  'POST /v1/auth/challenge': 'login',
  'POST /v1/auth/token': 'login',
  'POST /v1/auth/logout': 'member',
  'GET /v1/me': 'member',
  'GET /v1/parties/:party/members': 'member',
  'GET /v1/parties/:party/rotations': 'member',
  'GET /v1/parties/:party/contacts': 'member',
  'POST /v1/parties/:party/contacts': 'member',
  'POST /v1/members': 'member',
  'POST /v1/members/:fingerprint/statements': 'member',
  'GET /v1/members/:fingerprint/awaiting-wraps': 'member',
  'POST /v1/members/:fingerprint/revocation': 'member',
  'POST /v1/officers/rotation': 'member',
  'GET /v1/packets': 'member',
  'POST /v1/packets': 'member',
  'GET /v1/packets/:id': 'member',
  'POST /v1/packets/:id/revisions': 'member',
  'POST /v1/packets/:id/submit': 'member',
  'GET /v1/packets/:id/parts/:partId': 'member',
  'POST /v1/packets/:id/wraps': 'member',
  'GET /v1/packets/:id/releases': 'member',
  'POST /v1/packets/:id/releases': 'member',
  'GET /v1/releases': 'member',
  'GET /v1/releases/:id': 'member',
  'POST /v1/releases/:id/decision': 'member',
  'POST /v1/releases/:id/execute': 'member',
  'GET /v1/packets/:id/receipts': 'member',
  'POST /v1/packets/:id/receipts': 'member',
  'GET /v1/packets/:id/evidence': 'member',
  'GET /v1/audit': 'member',
  'GET /v1/audit/checkpoints/latest': 'member',
  'POST /v1/audit/checkpoints': 'member',
  'GET /v1/requests': 'member',
  'GET /v1/requests/:id': 'member',
  'POST /v1/requests/:id/state': 'member',
  'POST /v1/requests/:id/delay': 'member',
  'GET /v1/deadlines': 'member',
  'GET /v1/oral-requests': 'member',
  'POST /v1/oral-requests': 'member',
  'POST /v1/oral-requests/:id/demand': 'member',
  'POST /v1/oral-requests/:id/confirm': 'member',
  'GET /v1/packets/:id/authenticity': 'member',
  'POST /v1/packets/:id/authenticity': 'member',
  'GET /v1/authenticity/:id': 'member',
  'POST /v1/authenticity/:id/confirm': 'member',
  'GET /v1/packets/:id/purpose-changes': 'member',
  'POST /v1/packets/:id/purpose-changes': 'member',
};

const SAMPLES: Record<string, string> = {
  id: '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b',
  partId: 'p1',
  party: 'PK',
  fingerprint: 'A'.repeat(40),
};
/** A visitor's probe of a public route names something that exists (an agreement this hub loaded). */
const VISITOR_SAMPLES: Record<string, string> = { ...SAMPLES, id: 'RU-PK' };

let world: World;
let hub: LiaisonApp;
let revoked: Person, expiring: Person;
let revokedToken: string, expiringToken: string;

beforeAll(async () => {
  world = await makeWorld();
  const date = world.clock.now();
  [revoked, expiring] = await Promise.all([makePerson('Revoked Member', 'PK', date), makePerson('Expiring Member', 'PK', date)]);
  await world.enroll(revoked, ['contact', 'clerk'], 'TOP SECRET');
  await world.enroll(expiring, ['contact', 'clerk'], 'TOP SECRET', { validUntil: new Date(date.getTime() + 600_000).toISOString() });
  hub = await world.open();
  revokedToken = await login(hub.app, revoked, world.clock.now());
  expiringToken = await login(hub.app, expiring, world.clock.now());
  const officer = world.officers.get('PK')!;
  const officerToken = await login(hub.app, officer, world.clock.now());
  await request(hub.app).post(`/v1/members/${revoked.fingerprint}/revocation`).set('Authorization', `Bearer ${officerToken}`).send(await signRevocation(officer, revoked, 'test', world.clock.now())).expect(200);
  world.clock.advance(600_000);
});

afterAll(async () => {
  await hub.close();
  world.cleanup();
});

describe('route authorization', () => {
  it('has a row for every route of the route table, and no row for a route it does not have', () => {
    expectEveryRouteCovered(ACCESS, 'an access decision');
  });

  it('the app serves exactly the routes of its table', () => {
    expectAppServesTheTable(hub.app);
  });

  it.each(HUB_ROUTES.map((r) => [r.key, r] as const))('%s is declared with the access decided here', (key, route) => {
    expect(route.access).toBe(expectationOf(ACCESS, key));
  });

  const memberRoutes = HUB_ROUTES.filter((r) => ACCESS[r.key] === 'member');

  it.each(memberRoutes.map((r) => [r.key, r] as const))('%s refuses no token, a revoked key and an expired membership with 401', async (_key, route) => {
    const call = (token?: string) => {
      const r = request(hub.app)[route.method](concretePath(route.path, SAMPLES));
      return token ? r.set('Authorization', `Bearer ${token}`) : r;
    };
    for (const token of [undefined, 'not-a-real-token-aaaaaaaaaaaaaaaaaaaa', revokedToken, expiringToken]) {
      const res = await call(token);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it.each(HUB_ROUTES.filter((r) => ACCESS[r.key] === 'public' && r.method === 'get').map((r) => [r.key, r] as const))('%s answers a visitor without a session', async (_key, route) => {
    await request(hub.app).get(concretePath(route.path, VISITOR_SAMPLES)).expect(200);
  });

  it('the login routes answer a visitor: a challenge for any key; an answer that is not a signature is a 400 problem', async () => {
    expect(HUB_ROUTES.filter((r) => ACCESS[r.key] === 'login').map((r) => r.key).sort()).toEqual(['POST /v1/auth/challenge', 'POST /v1/auth/token']);
    await request(hub.app).post('/v1/auth/challenge').send({ fingerprint: revoked.fingerprint }).expect(200);
    const res = await request(hub.app).post('/v1/auth/token').send({ fingerprint: revoked.fingerprint, challenge: 'liaison-login/1 probe', signature: 'not a signature' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });
});
