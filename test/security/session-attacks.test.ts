/**
 * Attack: get a session without holding the enrolled key, or keep one longer than allowed:
 * replay an answered challenge, answer with another key, answer a challenge issued to someone
 * else, answer too late, reuse a token after idle or absolute expiry or logout, present a
 * garbage token, a token hash read from the database, or no token at all. Every protected route
 * must answer 401 problem+json: the routes are read from the server's route table
 * (test/helpers/routes.ts), so a new route is probed as soon as it exists; which access each
 * route must have is decided in test/trust/route-authorization.test.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDetached } from '../../keys/signatures.ts';
import { login } from '../helpers/packets.ts';
import { makePerson, type Person } from '../helpers/world.ts';
import { RU_PK_CAST, expectProblem, get, post, setUp, tearDown, type Cast } from './support.ts';
import { HUB_ROUTES, concretePath, expectAppServesTheTable } from '../helpers/routes.ts';

const CAST = { ruContact: RU_PK_CAST.ruContact, pkContact: RU_PK_CAST.pkContact };
let cast: Cast<keyof typeof CAST>;
let stranger: Person;
const now = () => cast.world.clock.now();
const ANY_ID = '00000000-0000-4000-8000-000000000000';
const ANY_FINGERPRINT = '0'.repeat(40);

beforeAll(async () => {
  cast = await setUp(CAST);
  stranger = await makePerson('Not Enrolled', 'RU', now());
});
afterAll(() => tearDown(cast));

const challengeFor = async (person: Person) =>
  (await request(cast.app).post('/v1/auth/challenge').send({ fingerprint: person.fingerprint }).expect(200)).body as { challenge: string; expiresAt: string };
const answer = (fingerprint: string, challenge: string, signature: string) => request(cast.app).post('/v1/auth/token').send({ fingerprint, challenge, signature });

describe('login by signed challenge', () => {
  it('a challenge answered twice: the second answer is refused', async () => {
    const { challenge } = await challengeFor(cast.people.ruContact);
    const signature = await signDetached('login', challenge, cast.people.ruContact.key, now());
    await answer(cast.people.ruContact.fingerprint, challenge, signature).expect(200);
    const replay = await answer(cast.people.ruContact.fingerprint, challenge, signature);
    expect(expectProblem(replay, 401).detail).toMatch(/unknown or was already used/);
  });

  it('a challenge signed by another key (enrolled or not) is refused, and burnt', async () => {
    for (const signer of [cast.people.pkContact, stranger]) {
      const { challenge } = await challengeFor(cast.people.ruContact);
      const forged = await signDetached('login', challenge, signer.key, now());
      expectProblem(await answer(cast.people.ruContact.fingerprint, challenge, forged), 401);
      // The attempt used the challenge up: the real owner must ask again.
      const genuine = await signDetached('login', challenge, cast.people.ruContact.key, now());
      expectProblem(await answer(cast.people.ruContact.fingerprint, challenge, genuine), 401);
    }
  });

  it("a challenge issued to someone else cannot be answered with one's own key", async () => {
    const { challenge } = await challengeFor(cast.people.ruContact);
    const signature = await signDetached('login', challenge, cast.people.pkContact.key, now());
    expectProblem(await answer(cast.people.pkContact.fingerprint, challenge, signature), 401);
  });

  it('a challenge text altered before signing (not the one issued) is refused', async () => {
    const { challenge } = await challengeFor(cast.people.ruContact);
    const altered = challenge.replace(/expires=\S+/, 'expires=2999-01-01T00:00:00.000Z');
    const signature = await signDetached('login', altered, cast.people.ruContact.key, now());
    expectProblem(await answer(cast.people.ruContact.fingerprint, altered, signature), 401);
  });

  it('a challenge answered after it expired is refused', async () => {
    const { challenge, expiresAt } = await challengeFor(cast.people.ruContact);
    cast.world.clock.advance(Date.parse(expiresAt) - now().getTime() + 1000);
    const signature = await signDetached('login', challenge, cast.people.ruContact.key, now());
    expect(expectProblem(await answer(cast.people.ruContact.fingerprint, challenge, signature), 401).detail).toMatch(/expired/);
  });

  it('a key that is not enrolled gets a challenge like any other (no enrolment oracle), which no signature turns into a token', async () => {
    const { challenge } = await challengeFor(stranger);
    expectProblem(await answer(stranger.fingerprint, challenge, await signDetached('login', challenge, stranger.key, now())), 401);
  });

  it('a correct answer gets a token (the control)', async () => {
    const token = await login(cast.app, cast.people.ruContact, now());
    await get(cast.app, '/v1/me', token).expect(200);
  });
});

describe('tokens', () => {
  it('a token unused for longer than the idle timeout is refused, and stays refused', async () => {
    const token = await login(cast.app, cast.people.ruContact, now());
    cast.world.clock.advance(29 * 60_000);
    await get(cast.app, '/v1/me', token).expect(200);
    cast.world.clock.advance(31 * 60_000);
    expect(expectProblem(await get(cast.app, '/v1/me', token), 401).detail).toMatch(/expired/);
    expectProblem(await get(cast.app, '/v1/me', token), 401);
  });

  it('a token kept busy is refused after the absolute expiry (8 hours)', async () => {
    const token = await login(cast.app, cast.people.ruContact, now());
    for (let minutes = 25; minutes < 8 * 60; minutes += 25) {
      cast.world.clock.advance(25 * 60_000);
      await get(cast.app, '/v1/me', token).expect(200);
    }
    cast.world.clock.advance(25 * 60_000);
    expectProblem(await get(cast.app, '/v1/me', token), 401);
  });

  it('a token is refused after logout', async () => {
    const token = await login(cast.app, cast.people.ruContact, now());
    await post(cast.app, '/v1/auth/logout', token).expect(204);
    expectProblem(await get(cast.app, '/v1/me', token), 401);
  });

  it.each([
    { what: 'garbage', header: 'Bearer garbage' },
    { what: 'a well-formed random token', header: `Bearer ${randomBytes(32).toString('base64url')}` },
    { what: 'an empty bearer', header: 'Bearer ' },
    { what: 'another scheme', header: `Basic ${Buffer.from('ruContact:password').toString('base64')}` },
    { what: 'a token with a trailing injection', header: `Bearer ${randomBytes(32).toString('base64url')}, admin` },
  ])('$what is refused', async ({ header }) => {
    expectProblem(await request(cast.app).get('/v1/me').set('Authorization', header), 401);
  });

  it('the token hash stored in the database is not a token', async () => {
    const token = await login(cast.app, cast.people.ruContact, now());
    const db = new Database(join(cast.world.dataDir, 'hub.db'), { readonly: true });
    try {
      const hashes = (db.prepare('SELECT token_hash FROM sessions').all() as Array<{ token_hash: string }>).map((r) => r.token_hash);
      expect(hashes).toContain(createHash('sha256').update(token).digest('hex'));
      expect(hashes).not.toContain(token);
      for (const hash of hashes) expectProblem(await get(cast.app, '/v1/me', hash), 401);
    } finally {
      db.close();
    }
  });

  it('a token in the query string or a cookie is not accepted in place of the header', async () => {
    const token = await login(cast.app, cast.people.ruContact, now());
    expectProblem(await request(cast.app).get(`/v1/me?token=${token}`), 401);
    expectProblem(await request(cast.app).get('/v1/me').set('Cookie', `token=${token}`), 401);
  });
});

/** A value for every path parameter of the table; a visitor's probe names an agreement that exists. */
const SAMPLES: Record<string, string> = { id: ANY_ID, partId: 'p1', party: 'RU', fingerprint: ANY_FINGERPRINT };
const VISITOR_SAMPLES: Record<string, string> = { ...SAMPLES, id: 'RU-PK' };

describe('every route', () => {
  it('probes exactly the routes the app has', () => {
    expectAppServesTheTable(cast.app);
  });

  const protectedRoutes = HUB_ROUTES.filter((r) => r.access === 'member').map((r) => ({ method: r.method, route: r.key, path: concretePath(r.path, SAMPLES) }));
  const bodies = { json: { thirdParty: 'KZ', purpose: 'probe' } };

  it.each(protectedRoutes)('$route without a token answers 401 problem+json', async ({ method, path }) => {
    const res = await request(cast.app)[method](path).send(method === 'post' ? bodies.json : undefined);
    expectProblem(res, 401);
  });

  it.each(protectedRoutes)('$route with a garbage token answers 401 problem+json', async ({ method, path }) => {
    const res = await request(cast.app)[method](path).set('Authorization', `Bearer ${randomBytes(32).toString('base64url')}`).send(method === 'post' ? bodies.json : undefined);
    expectProblem(res, 401);
  });

  it.each(protectedRoutes)('$route with an expired token answers 401 problem+json', async ({ method, path }) => {
    const token = await login(cast.app, cast.people.pkContact, now());
    cast.world.clock.advance(31 * 60_000);
    const res = await request(cast.app)[method](path).set('Authorization', `Bearer ${token}`).send(method === 'post' ? bodies.json : undefined);
    expectProblem(res, 401);
  });

  it.each(HUB_ROUTES.filter((r) => r.access !== 'member' && r.method === 'get').map((r) => ({ route: r.key, path: concretePath(r.path, VISITOR_SAMPLES) })))('$route answers a visitor (the control: the probes reach the routes)', async ({ path }) => {
    await request(cast.app).get(path).expect(200);
  });
});
