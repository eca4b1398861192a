/**
 * Attack: grow the append-only audit log, and the table of login challenges, without logging in.
 * Before the fix 600 unauthenticated requests added 480 rows in 3 s. Now an
 * anonymous denial is recorded as the first of its kind per window plus one counted summary when
 * the window closes (server/limits.ts), login challenges are capped per key, and login attempts
 * are rate-limited per key and per address (429 with Retry-After).
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type LiaisonApp } from '../../server/app.ts';
import { AGREEMENTS_DIR } from '../helpers/world.ts';
import { RU_PK_CAST, expectProblem, setUp, tearDown, type Cast } from './support.ts';

type Key = keyof typeof RU_PK_CAST;
let cast: Cast<Key>;
const randomFingerprint = () => randomBytes(20).toString('hex').toUpperCase();
const FLOOD = 600;

/** Move the clock to just after the start of a minute, so one test's requests fall in one window of every limit. */
function startOfWindow(): void {
  const t = cast.world.clock.now().getTime();
  cast.world.clock.advance(60_000 - (t % 60_000) + 10);
}

beforeAll(async () => {
  cast = await setUp(RU_PK_CAST);
});
afterAll(() => tearDown(cast));

describe('a flood of unauthenticated requests', () => {
  it(`${FLOOD} of them add a handful of audit events, and the counts an investigator needs`, async () => {
    const store = cast.hub.hub.store;
    startOfWindow();
    const before = (await store.audit.events()).length;
    const kinds = [
      () => request(cast.app).get('/v1/packets'),
      () => request(cast.app).get('/v1/packets').set('Authorization', `Bearer ${randomBytes(32).toString('base64url')}`),
      () => request(cast.app).post('/v1/auth/challenge').send({ fingerprint: randomFingerprint() }),
      () => request(cast.app).post('/v1/auth/token').send({ fingerprint: randomFingerprint(), challenge: 'liaison-login/1 forged', signature: '-----BEGIN PGP SIGNATURE-----\n\n=abcd\n-----END PGP SIGNATURE-----' }),
    ];
    for (let i = 0; i < FLOOD; i += 20) await Promise.all(Array.from({ length: 20 }, (_, j) => kinds[(i + j) % kinds.length]!()));
    const during = (await store.audit.events()).length - before;
    expect(during).toBeLessThanOrEqual(kinds.length);

    // When the window closes, one summary per kind says how many there were, and of which keys.
    cast.world.clock.advance(cast.hub.hub.settings.denialWindowSeconds * 1000 + 1000);
    await request(cast.app).get('/v1/me').expect(401);
    const added = (await store.audit.events()).slice(before);
    expect(added.length).toBeLessThanOrEqual(2 * kinds.length + 1);
    const denials = added.filter((e) => e.outcome === 'deny' && e.actor === '-');
    const counted = denials.reduce((n, e) => n + ((JSON.parse(e.detail) as { count?: number }).count ?? 1), 0);
    expect(counted).toBeGreaterThanOrEqual(FLOOD);
    const summary = denials.find((e) => e.action === 'auth.challenge' && e.object === 'unauthenticated denials')!;
    expect(JSON.parse(summary.detail)).toMatchObject({ address: expect.stringContaining('127.0.0.1'), count: FLOOD / kinds.length - 1 });
  });
});

describe('login challenges and attempts are bounded', () => {
  it('asking for many challenges for one key keeps only the newest few, then is refused with 429', async () => {
    const store = cast.hub.hub.store;
    startOfWindow();
    const answers: number[] = [];
    for (let i = 0; i < 40; i++) answers.push((await request(cast.app).post('/v1/auth/challenge').send({ fingerprint: cast.people.pkLow.fingerprint })).status);
    expect(await store.sessions.challengeCount()).toBeLessThanOrEqual(cast.hub.hub.settings.maxChallengesPerKey * Object.keys(RU_PK_CAST).length);
    const limited = answers.indexOf(429);
    expect(limited).toBe(cast.hub.hub.settings.authPerKeyPerMinute);
    const res = await request(cast.app).post('/v1/auth/challenge').send({ fingerprint: cast.people.pkLow.fingerprint });
    expectProblem(res, 429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // Another key from the same address is not affected.
    await request(cast.app).post('/v1/auth/challenge').send({ fingerprint: cast.people.pkContact.fingerprint }).expect(200);
  });

  it('one address is refused with 429 once over its own limit, whatever keys it names', async () => {
    let strict: LiaisonApp | undefined;
    try {
      strict = await createApp({ dataDir: cast.world.dataDir, agreementsDir: AGREEMENTS_DIR, logLevel: 'silent', authPerAddressPerMinute: 20 }, cast.world.clock.now);
      startOfWindow();
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) statuses.push((await request(strict.app).post('/v1/auth/challenge').send({ fingerprint: randomFingerprint() })).status);
      expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
      expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    } finally {
      await strict?.close();
    }
  });
});
