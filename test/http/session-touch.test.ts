/**
 * An authenticated GET does not write (one commit, so one fsync, per GET was the largest
 * cost of a read). The session's last use is kept exactly in memory and persisted at most once a
 * minute; idle and absolute expiry keep their meaning (test/security/session-attacks.test.ts).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../helpers/packets.ts';
import { get, setUp, tearDown, type Cast } from '../security/support.ts';
import { sqliteOf } from '../helpers/world.ts';

const CAST = { ruContact: { name: 'Ivan Petrov', party: 'RU', roles: ['contact'], clearance: 'SECRET' } } as const;
let cast: Cast<keyof typeof CAST>;
const now = () => cast.world.clock.now();

beforeAll(async () => {
  cast = await setUp(CAST);
});
afterAll(() => tearDown(cast));

const changes = () => (sqliteOf(cast.hub).db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
const lastUsed = async (token: string) => (await cast.hub.hub.store.sessions.get(tokenHash(token)))!.lastUsedAt;

describe('session use', () => {
  it('a burst of GETs writes no row at all', async () => {
    const token = await login(cast.app, cast.people.ruContact, now());
    const before = changes();
    for (let i = 0; i < 50; i++) await get(cast.app, '/v1/me', token).expect(200);
    await get(cast.app, '/v1/packets?box=inbox', token).expect(200);
    expect(changes()).toBe(before);
  });

  it('the persisted last use moves on once it is a minute old, and idle expiry counts from the real last use', async () => {
    const token = await login(cast.app, cast.people.ruContact, now());
    const first = await lastUsed(token);
    cast.world.clock.advance(30_000);
    await get(cast.app, '/v1/me', token).expect(200);
    expect(await lastUsed(token)).toBe(first);
    cast.world.clock.advance(31_000);
    await get(cast.app, '/v1/me', token).expect(200);
    expect((await lastUsed(token)) > first).toBe(true);
    // Used again 50 s later (only in memory), then idle for 29 minutes 30 s: still inside 30 minutes.
    cast.world.clock.advance(50_000);
    await get(cast.app, '/v1/me', token).expect(200);
    cast.world.clock.advance(29 * 60_000 + 30_000);
    await get(cast.app, '/v1/me', token).expect(200);
    cast.world.clock.advance(30 * 60_000 + 1_000);
    await get(cast.app, '/v1/me', token).expect(401);
  });
});
