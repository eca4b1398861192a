/**
 * Attack: an officer changes one thing of a member (their roles), and the client builds the new
 * statement on the member's current one. A lying hub serves a second, unsigned copy of that
 * statement with a higher clearance; a client that read the base from that copy (as it did: the
 * directory verified one answer, the base came from another) would have the officer sign TOP
 * SECRET for a SECRET member, and the hub would accept it, signed by the right officer.
 *
 * The base is now the statement the directory verified against the pins, never a second copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentStatement, signRestatement } from '../../client/core/officer.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import type { Member } from '../../protocol/api.ts';
import { MembershipStatement } from '../../protocol/statements.ts';
import type { LiaisonApp } from '../../server/app.ts';
import { clientContext, pinnedTrust } from '../helpers/client.ts';
import { startLyingHub, type LyingHub } from '../helpers/lying-hub.ts';
import { login } from '../helpers/packets.ts';
import { makePerson, makeWorld, type Person, type World } from '../helpers/world.ts';

let world: World;
let hub: LiaisonApp;
let lying: LyingHub;
let ayesha: Person;
let officer: Person;
let token: string;

beforeAll(async () => {
  world = await makeWorld();
  ayesha = await makePerson('Ayesha Khan', 'PK', world.clock.now());
  await world.enroll(ayesha, ['contact'], 'SECRET');
  hub = await world.open();
  lying = await startLyingHub(hub.app);
  officer = world.officers.get('PK')!;
  token = await login(hub.app, officer, world.clock.now());
});

afterAll(async () => {
  await lying.close();
  await hub.close();
  world.cleanup();
});

/** Every answer about PK's members after the first `honest` ones carries Ayesha's statement raised to TOP SECRET, its signature unchanged. */
function raiseAfter(honest: number): void {
  let answers = 0;
  lying.rewrite = (path, body) => {
    if (path.split('?')[0] !== '/v1/parties/PK/members' || answers++ < honest) return body;
    const page = body as { items: Member[] };
    return {
      ...page,
      items: page.items.map((m) => {
        if (m.fingerprint !== ayesha.fingerprint || !m.statement) return m;
        const raised = { ...MembershipStatement.parse(JSON.parse(m.statement)), clearance: 'TOP SECRET' as const };
        return { ...m, clearance: 'TOP SECRET', statement: canonicalize(raised) };
      }),
    };
  };
}

describe('an officer restating a member on a lying hub', () => {
  it('builds on the verified statement, so a swapped copy cannot raise the clearance the officer signs', async () => {
    raiseAfter(1);
    const ctx = clientContext(officer, { url: lying.url, token, clock: world.clock, trust: pinnedTrust(world.officers.values(), world.clock.now()), me: { fingerprint: officer.fingerprint, party: 'PK', name: officer.name, roles: ['officer'], clearance: 'TOP SECRET', publicKey: officer.armoredPublicKey, enrolledAt: world.clock.now().toISOString() } });
    const base = await currentStatement(ctx, ayesha.fingerprint);
    expect(base.clearance).toBe('SECRET');
    world.clock.advance(1000);
    const restated = await signRestatement(officer, base, { roles: ['contact', 'clerk'] }, world.clock.now());
    const member = await ctx.api.restate(ayesha.fingerprint, restated);
    expect(member).toMatchObject({ roles: ['contact', 'clerk'], clearance: 'SECRET' });
  });

  it('refuses the swapped copy outright when it is the only one the hub serves', async () => {
    raiseAfter(0);
    const ctx = clientContext(officer, { url: lying.url, token, clock: world.clock, trust: pinnedTrust(world.officers.values(), world.clock.now()) });
    await expect(currentStatement({ ...ctx, me: { ...ctx.me, party: 'PK' } }, ayesha.fingerprint)).rejects.toThrow(/does not verify/);
  });
});
