/**
 * Attack (client side): signed dates far outside reason. A decision dated 1970, a manifest or a
 * receipt dated year 9999, a statement back-dated to year 0001 were accepted by the verifying
 * client. Now every signature's own time, and every instant a verified statement records, must
 * lie between EARLIEST_SIGNED_DATE and the injected clock plus SIGNED_DATE_TOLERANCE_MS
 * (protocol/signing.ts); an expiry may lie at most 50 years ahead. Tested on a shifted clock.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it, beforeAll } from 'vitest';
import { verifiedCheckpoint, verifyReceipts } from '../../client/core/evidence.ts';
import { generateHubKey, readPublicKey, readUnlockedPrivateKey, type PrivateKey, type PublicKey } from '../../keys/identity.ts';
import { signDetached, verifyDetached } from '../../keys/signatures.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import { CHECKPOINT_FORMAT, RECEIPT_FORMAT, type Receipt } from '../../protocol/evidence.ts';
import { EARLIEST_SIGNED_DATE, SIGNED_DATE_TOLERANCE_MS, SIGNED_KINDS, signedExpiryProblem, signedInstantProblem } from '../../protocol/signing.ts';
import { makePerson, TestClock, type Person } from '../helpers/world.ts';

const clock = new TestClock();
let reader: Person;
let readerKey: PublicKey;
let hubKey: PrivateKey;
let hubPublic: PublicKey;
let hubFingerprint: string;
let oldPerson: Person;

beforeAll(async () => {
  reader = await makePerson('Ayesha Khan', 'PK', new Date(clock.now().getTime() - 60_000));
  readerKey = await readPublicKey(reader.armoredPublicKey);
  // A key made (by its own clock) in 2019, before any Liaison signature could exist.
  oldPerson = await makePerson('Old Clock', 'RU', new Date('2019-06-01T00:00:00Z'));
  const hub = await generateHubKey({ hubName: 'hub', date: new Date(clock.now().getTime() - 60_000) });
  hubKey = await readUnlockedPrivateKey(hub.armoredPrivateKey);
  hubPublic = await readPublicKey(hub.armoredPublicKey);
  hubFingerprint = hub.fingerprint;
});

function receipt(at: string): Receipt {
  return { format: RECEIPT_FORMAT, id: randomUUID(), kind: 'retrieved', issuer: { role: 'person', fingerprint: reader.fingerprint }, packetId: '6f1c1a52-5d0e-4b53-9d7c-3a2c1f9b8e11', revision: 1, manifestSha256: '0'.repeat(64), party: 'PK', parts: [], at };
}

describe('signed dates out of reason are refused by the client', () => {
  it('the bounds are one named constant each, and follow the injected clock', () => {
    const now = clock.now();
    expect(signedInstantProblem(now, now, 'x')).toBeUndefined();
    expect(signedInstantProblem(new Date(now.getTime() + SIGNED_DATE_TOLERANCE_MS - 1000), now, 'x')).toBeUndefined();
    expect(signedInstantProblem(new Date(now.getTime() + SIGNED_DATE_TOLERANCE_MS + 1000), now, 'the decision')).toMatch(/the decision .* is in the future/);
    for (const date of ['1970-01-01T00:00:00.000Z', '0001-01-01T00:00:00.000Z', '0000-01-01T00:00:00.000Z']) expect(signedInstantProblem(date, now, 'the date')).toMatch(/before 2020-01-01/);
    expect(signedInstantProblem('9999-12-31T23:59:59.999Z', now, 'the date')).toMatch(/in the future/);
    expect(signedInstantProblem(EARLIEST_SIGNED_DATE, now, 'x')).toBeUndefined();
    expect(signedExpiryProblem('9999-12-31T23:59:59.999Z', now, 'the expiry')).toMatch(/more than 50 years ahead/);
    expect(signedExpiryProblem(new Date(now.getTime() + 365 * 86_400_000).toISOString(), now, 'the expiry')).toBeUndefined();
    // What is fine today is "in the future" for a verifier whose clock is a day behind.
    const behind = new TestClock(now.getTime() - 86_400_000);
    expect(signedInstantProblem(now, behind.now(), 'x')).toMatch(/in the future/);
  });

  it('a signature made by a clock set before 2020 verifies as no kind', async () => {
    const date = new Date('2019-07-01T00:00:00Z');
    const key = await readPublicKey(oldPerson.armoredPublicKey);
    for (const kind of SIGNED_KINDS) {
      const signature = await signDetached(kind, 'statement', oldPerson.key, date);
      expect(await verifyDetached(kind, 'statement', signature, [key], clock.now())).toMatchObject({ valid: false, reason: expect.stringContaining('before 2020-01-01') });
    }
    // The key itself is fine: only the signature's date was out of reason.
    const today = await signDetached('manifest', 'statement', oldPerson.key, clock.now());
    expect(await verifyDetached('manifest', 'statement', today, [key], clock.now())).toMatchObject({ valid: true });
  });

  it('a signature dated tomorrow does not verify today', async () => {
    const tomorrow = new Date(clock.now().getTime() + 86_400_000);
    const signature = await signDetached('releaseDecision', 'decision', reader.key, tomorrow);
    expect((await verifyDetached('releaseDecision', 'decision', signature, [readerKey], clock.now())).valid).toBe(false);
  });

  it.each(['1970-01-01T00:00:00.000Z', '0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'])('a receipt stating %s, signed now, is refused', async (at) => {
    const statement = canonicalize(receipt(at));
    const signed = { statement, signature: await signDetached('retrievalReceipt', statement, reader.key, clock.now()) };
    const [check] = await verifyReceipts(receipt(at).packetId, [signed], hubPublic, new Map([[reader.fingerprint, readerKey]]), clock.now());
    expect(check).toMatchObject({ valid: false, reason: expect.stringMatching(/its time .*(before 2020|in the future)/) });
    const fine = canonicalize(receipt(clock.now().toISOString()));
    const [ok] = await verifyReceipts(receipt(at).packetId, [{ statement: fine, signature: await signDetached('retrievalReceipt', fine, reader.key, clock.now()) }], hubPublic, new Map([[reader.fingerprint, readerKey]]), clock.now());
    expect(ok).toMatchObject({ valid: true });
  });

  it.each(['1970-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'])('a checkpoint stating %s, signed now by the hub, is refused', async (at) => {
    const statement = canonicalize({ format: CHECKPOINT_FORMAT, hub: hubFingerprint, size: 1, root: '0'.repeat(64), head: '0'.repeat(64), at });
    const signed = { statement, signature: await signDetached('checkpoint', statement, hubKey, clock.now()) };
    await expect(verifiedCheckpoint(signed, hubPublic, clock.now())).rejects.toThrow(/the checkpoint time .*(before 2020|in the future)/);
  });
});
