/**
 * Every route of the hub, and who may call it. A route added without a row here fails the test,
 * so nobody adds an endpoint without deciding its authorization. Every member route refuses a
 * missing token, a revoked key and an expired membership on the very next request.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRevocation } from '../../client/core/officer.ts';
import type { LiaisonApp } from '../../server/app.ts';
import { login } from '../helpers/packets.ts';
import { makePerson, makeWorld, type Person, type World } from '../helpers/world.ts';

/** 'public': no login needed; 'login': the login exchange itself; 'member': a live session of an active member. */
const ROUTES: Record<string, 'public' | 'login' | 'member'> = {
  'GET /v1/hub': 'public',
  'GET /v1/agreements': 'public',
  'GET /v1/agreements/:id': 'public',
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

type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle: { stack?: Layer[] } };

/** Every route the app answers, read from express's own router. */
function routesOf(app: LiaisonApp['app']): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) for (const method of Object.keys(layer.route.methods)) out.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
      else if (layer.handle.stack) walk(layer.handle.stack, '/v1');
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out.sort();
}

const SAMPLE: Record<string, string> = {
  ':id': '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b',
  ':partId': 'p1',
  ':party': 'PK',
  ':fingerprint': 'A'.repeat(40),
};
const concrete = (path: string) => path.replace(/:[a-zA-Z]+/g, (p) => SAMPLE[p] ?? 'x');

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
  it('has a row for every route the hub serves, and no row for a route it does not', () => {
    expect(routesOf(hub.app)).toEqual(Object.keys(ROUTES).sort());
  });

  const memberRoutes = Object.entries(ROUTES).filter(([, access]) => access === 'member').map(([route]) => route);

  it.each(memberRoutes)('%s refuses no token, a revoked key and an expired membership with 401', async (route) => {
    const [method, path] = route.split(' ') as [string, string];
    const call = (token?: string) => {
      const r = request(hub.app)[method.toLowerCase() as 'get' | 'post'](concrete(path));
      return token ? r.set('Authorization', `Bearer ${token}`) : r;
    };
    for (const token of [undefined, 'not-a-real-token-aaaaaaaaaaaaaaaaaaaa', revokedToken, expiringToken]) {
      const res = await call(token);
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });

  it('public routes answer without a session', async () => {
    await request(hub.app).get('/v1/hub').expect(200);
    await request(hub.app).get('/v1/agreements').expect(200);
    await request(hub.app).get('/v1/agreements/RU-PK').expect(200);
  });
});
