/**
 * Attack: ask the hub, without logging in, whether a key is enrolled, revoked, expired or not yet
 * valid. `POST /v1/auth/challenge` answered 401 "not enrolled" or "revoked at
 * <date>" to anyone. Now every key gets the same kind of answer, and a failed token exchange says
 * the same for every reason; only the audit log keeps the real one.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRevocation } from '../../client/core/officer.ts';
import { signDetached } from '../../keys/signatures.ts';
import { login } from '../helpers/packets.ts';
import { makePerson, type Person } from '../helpers/world.ts';
import { RU_PK_CAST, expectProblem, post, setUp, tearDown, type Cast } from './support.ts';

const CAST = { ...RU_PK_CAST, pkRevoked: { name: 'Kamran Siddiqui', party: 'PK', roles: ['contact'], clearance: 'SECRET' } } as const;
type Key = keyof typeof CAST;
let cast: Cast<Key>;
let stranger: Person;
const now = () => cast.world.clock.now();

beforeAll(async () => {
  cast = await setUp(CAST);
  stranger = await makePerson('Nobody Unknown', 'PK', now());
  const officer = cast.world.officers.get('PK')!;
  const officerToken = await login(cast.app, officer, now());
  await post(cast.app, `/v1/members/${cast.people.pkRevoked.fingerprint}/revocation`, officerToken).send(await signRevocation(officer, cast.people.pkRevoked, 'Ключ утерян / key lost', now())).expect(200);
});
afterAll(() => tearDown(cast));

/** What an anonymous caller can observe of an answer: status, header names, body field names and shapes. */
function shape(res: request.Response): unknown {
  const body = res.body as Record<string, unknown>;
  return {
    status: res.status,
    type: res.headers['content-type'],
    fields: Object.keys(body).sort(),
    challenge: typeof body.challenge === 'string' ? body.challenge.replace(/key=[0-9A-F]{40}/, 'key=K').replace(/nonce=\S+/, 'nonce=N').replace(/issued=\S+/, 'issued=I').replace(/expires=\S+/, 'expires=E') : body.challenge,
  };
}

describe('the login routes tell an anonymous caller nothing about who is enrolled', () => {
  it('a challenge for an active, unknown or revoked key looks the same', async () => {
    const ask = (fingerprint: string) => request(cast.app).post('/v1/auth/challenge').send({ fingerprint });
    const active = shape(await ask(cast.people.pkContact.fingerprint));
    expect(shape(await ask(stranger.fingerprint))).toEqual(active);
    expect(shape(await ask(cast.people.pkRevoked.fingerprint))).toEqual(active);
    expect(JSON.stringify(await ask(cast.people.pkRevoked.fingerprint).then((r) => r.body as unknown))).not.toMatch(/revoked|enrolled/i);
  });

  it('a failed exchange says the same whatever the reason; the audit log keeps the reason', async () => {
    const attempt = async (person: Person, sign: boolean) => {
      const { challenge } = (await request(cast.app).post('/v1/auth/challenge').send({ fingerprint: person.fingerprint }).expect(200)).body as { challenge: string };
      const signer = sign ? person : stranger;
      return request(cast.app).post('/v1/auth/token').send({ fingerprint: person.fingerprint, challenge, signature: await signDetached('login', challenge, signer.key, now()) });
    };
    const wrongSigner = expectProblem(await attempt(cast.people.pkContact, false), 401).detail;
    expect(expectProblem(await attempt(stranger, true), 401).detail).toBe(wrongSigner);
    expect(expectProblem(await attempt(cast.people.pkRevoked, true), 401).detail).toBe(wrongSigner);
    // Anonymous denials are audited in aggregate (one window's summary lands when the window closes).
    cast.world.clock.advance(61_000);
    await request(cast.app).get('/v1/me').expect(401);
    const reasons = JSON.stringify((await cast.hub.hub.store.audit.events()).filter((e) => e.action === 'auth.login' && e.outcome === 'deny').map((e) => e.detail));
    expect(reasons).toMatch(/does not verify/);
    expect(reasons).toMatch(/unknown or was already used/);
  });
});
