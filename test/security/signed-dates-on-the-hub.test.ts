/**
 * Attack (hub side): statements signed with dates far outside reason: a release decision
 * dated 1970, a manifest dated year 0000 or 9999, a revocation back-dated to year 0001, a
 * membership statement or contact entry issued decades ago or in the future, a retrieval receipt
 * from 2100. The hub bounds every signed date by its own clock (server/policy/clock.ts,
 * SIGNED_DATE_TOLERANCE) and refuses the rest with a 400 naming the date.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signContact, signMembership, signRevocation } from '../../client/core/officer.ts';
import { signDetached } from '../../keys/signatures.ts';
import type { SignedKind } from '../../protocol/signing.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import type { MembershipStatement, RevocationStatement } from '../../protocol/statements.ts';
import type { Release } from '../../protocol/release.ts';
import { SIGNED_DATE_TOLERANCE } from '../../server/policy/clock.ts';
import { buildPacket, login, uploadRequest } from '../helpers/packets.ts';
import { makePerson } from '../helpers/world.ts';
import { RU_PK_CAST, decision, expectProblem, post, sendPacket, setUp, tearDown, type Cast } from './support.ts';

type Key = keyof typeof RU_PK_CAST;
let cast: Cast<Key>;
const now = () => cast.world.clock.now();
const readers = () => [cast.people.ruContact, cast.people.ruClerk, cast.people.pkContact];
const FAR = ['1970-01-01T00:00:00.000Z', '0000-01-01T00:00:00.000Z', '0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'];
const tooLate = () => new Date(now().getTime() + SIGNED_DATE_TOLERANCE.aheadMs + 60_000).toISOString();
const tooEarly = () => new Date(now().getTime() - SIGNED_DATE_TOLERANCE.behindMs - 60_000).toISOString();

beforeAll(async () => {
  cast = await setUp(RU_PK_CAST);
});
afterAll(() => tearDown(cast));

/** Re-sign a canonical statement with one field changed. */
async function resigned<T extends Record<string, unknown>>(kind: SignedKind, statement: string, change: Partial<T>, signer: { key: Parameters<typeof signDetached>[2] }) {
  const text = canonicalize({ ...(JSON.parse(statement) as T), ...change });
  return { statement: text, signature: await signDetached(kind, text, signer.key, now()) };
}

describe('signed dates are bounded by the hub clock', () => {
  it('a manifest dated year 0000, 1970, 9999 or just beyond the tolerance is refused', async () => {
    for (const createdAt of [...FAR, tooLate(), tooEarly()]) {
      const packet = await buildPacket({ sender: cast.people.ruContact, readers: readers(), date: now(), parts: [{ role: 'original', lang: 'en', text: 'x' }], tamperManifest: (m) => void (m.createdAt = createdAt) });
      const res = await uploadRequest(cast.app, cast.tokens.ruContact, packet, false);
      expect(expectProblem(res, 400).detail, createdAt).toMatch(/createdAt/);
    }
  });

  it('a release decision dated 1970 or in the future is refused; one dated now is recorded', async () => {
    const packet = await sendPacket(cast, 'ruContact', ['ruContact', 'ruClerk', 'pkContact']);
    const release = (await post(cast.app, `/v1/packets/${packet.manifest.packetId}/releases`, cast.tokens.pkContact).send({ thirdParty: 'KZ', purpose: 'joint investigation' }).expect(201)).body as Release;
    for (const decidedAt of [...FAR, tooLate(), tooEarly()]) {
      const d = await decision(release, cast.people.ruOfficer, 'consent', now());
      const body = await resigned('releaseDecision', d.decision, { decidedAt }, cast.people.ruOfficer);
      expect(expectProblem(await post(cast.app, `/v1/releases/${release.id}/decision`, cast.tokens.ruOfficer).send({ decision: body.statement, signature: body.signature }), 400).detail, decidedAt).toMatch(/decidedAt/);
    }
    await post(cast.app, `/v1/releases/${release.id}/decision`, cast.tokens.ruOfficer).send(await decision(release, cast.people.ruOfficer, 'consent', now())).expect(200);
  });

  it('a revocation back-dated to year 0001 or before the key was enrolled, or post-dated, is refused', async () => {
    const officer = cast.world.officers.get('PK')!;
    const token = await login(cast.app, officer, now());
    const base = await signRevocation(officer, cast.people.pkLow, 'Ключ скомпрометирован', now());
    for (const revokedAt of [...FAR, '2001-01-01T00:00:00.000Z', tooLate()]) {
      const body = await resigned<RevocationStatement>('revocation', base.statement, { revokedAt }, officer);
      expect(expectProblem(await post(cast.app, `/v1/members/${cast.people.pkLow.fingerprint}/revocation`, token).send(body), 400).detail, revokedAt).toMatch(/revokedAt/);
    }
  });

  it('a membership statement issued in 1970 or in 9999 is refused', async () => {
    const officer = cast.world.officers.get('PK')!;
    const token = await login(cast.app, officer, now());
    const person = await makePerson('Zara Qureshi', 'PK', now());
    const base = await signMembership(officer, person.armoredPublicKey, { party: 'PK', roles: ['contact'], clearance: 'SECRET' }, now());
    for (const issuedAt of [...FAR.slice(0, 3), tooEarly(), '9999-12-31T23:59:59.999Z']) {
      const body = await resigned<MembershipStatement>('membership', base.statement, { issuedAt, validFrom: issuedAt < '2000' ? issuedAt : now().toISOString() }, officer);
      expect(expectProblem(await post(cast.app, '/v1/members', token).send({ publicKey: person.armoredPublicKey, ...body }), 400).detail, issuedAt).toMatch(/issuedAt/);
    }
  });

  it('a contact entry issued in 1970 or in 9999 is refused', async () => {
    const officer = cast.world.officers.get('PK')!;
    const token = await login(cast.app, officer, now());
    const base = await signContact(officer, { party: 'PK', agreementId: 'RU-PK', kind: 'contact-person', name: 'Ayesha Khan', effectiveFrom: now().toISOString() }, now());
    for (const issuedAt of ['1970-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', tooLate(), tooEarly()]) {
      const body = await resigned('contact', base.statement, { issuedAt }, officer);
      expect(expectProblem(await post(cast.app, '/v1/parties/PK/contacts', token).send(body), 400).detail, issuedAt).toMatch(/issuedAt/);
    }
    await post(cast.app, '/v1/parties/PK/contacts', token).send(base).expect(201);
  });
});
