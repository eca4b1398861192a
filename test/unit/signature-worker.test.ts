/**
 * server/signature-worker.ts: the hub's signature checks and signatures in a worker thread give
 * exactly what keys/signatures.ts gives in this thread (it is the same code over there): with real
 * openpgp.js keys, a good manifest verifies and names its signer; a tampered text, a signature of
 * another kind, a signature by a key not offered and a malformed signature are refused with the
 * same failure as in this thread; the hub's signatures made over there verify here; requests in
 * flight at once are each answered with their own result; after `close` nothing is answered as valid.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateHubKey, generatePersonKey, readPublicKey, unlockPrivateKey, type PrivateKey, type PublicKey } from '../../keys/identity.ts';
import { signDetached, verifyDetached } from '../../keys/signatures.ts';
import { signStatement, verifyStatement } from '../../keys/statements.ts';
import { CONTACT_FORMAT, ContactEntry } from '../../protocol/statements.ts';
import { SignatureWorker } from '../../server/signature-worker.ts';

const date = new Date();
let member: { key: PrivateKey; armored: string; fingerprint: string };
let stranger: { key: PrivateKey; armored: string };
let hub: { armoredPrivate: string; pub: PublicKey };
let worker: SignatureWorker;

async function person(name: string) {
  const g = await generatePersonKey({ name, passphrase: 'long enough passphrase', date: new Date(date.getTime() - 3600_000) });
  return { key: await unlockPrivateKey(g.armoredPrivateKey, 'long enough passphrase'), armored: g.armoredPublicKey, fingerprint: g.fingerprint };
}

const entry = () => ({
  format: CONTACT_FORMAT as typeof CONTACT_FORMAT,
  party: 'PK',
  agreementId: 'RU-PK',
  kind: 'contact-person' as const,
  name: 'Аиша Хан',
  effectiveFrom: date.toISOString(),
  withdrawn: false,
  issuedAt: date.toISOString(),
  officer: member.fingerprint,
});

beforeAll(async () => {
  [member, stranger] = await Promise.all([person('Member'), person('Stranger')]);
  const h = await generateHubKey({ hubName: 'test hub', date: new Date(date.getTime() - 3600_000) });
  hub = { armoredPrivate: h.armoredPrivateKey, pub: await readPublicKey(h.armoredPublicKey) };
  worker = new SignatureWorker(hub.armoredPrivate);
});

afterAll(async () => {
  await worker.close();
});

describe('the signature thread', () => {
  it('verifies what this thread verifies, and refuses what it refuses, for the same reason', async () => {
    const text = 'the bytes a member signed';
    const good = await signDetached('contact', text, member.key, date);
    const otherKind = await signDetached('membership', text, member.key, date);
    const byStranger = await signDetached('contact', text, stranger.key, date);
    const cases: Array<[string, string, string]> = [
      ['good', text, good],
      ['tampered text', `${text}.`, good],
      ['another kind', text, otherKind],
      ['a key not offered', text, byStranger],
      ['not a signature', text, '-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n'],
    ];
    const here = await readPublicKey(member.armored);
    for (const [name, data, signature] of cases) {
      const there = await worker.verifier([member.armored])('contact', data, signature, date);
      const local = await verifyDetached('contact', data, signature, [here], date);
      expect(there, name).toEqual(local);
      expect(there.valid, name).toBe(name === 'good');
    }
  });

  it('reads a statement through verifyStatement exactly as with the key in this thread', async () => {
    const signed = await signStatement('contact', ContactEntry, entry(), member.key, date);
    const there = await verifyStatement('contact', ContactEntry, signed, worker.verifier([member.armored]), date, { namedSigner: (v) => v.officer });
    expect(there).toMatchObject({ valid: true, signer: member.fingerprint, value: entry() });
    const wrongSigner = await verifyStatement('contact', ContactEntry, signed, worker.verifier([member.armored]), date, { namedSigner: () => 'F'.repeat(40) });
    expect(wrongSigner).toMatchObject({ valid: false, failure: 'signer-mismatch' });
  });

  it("signs with the hub's key: the signatures verify here, each request gets its own", async () => {
    const texts = Array.from({ length: 12 }, (_, i) => `receipt ${i}`);
    const signatures = await Promise.all(texts.map((t) => worker.signer('hubReceipt', t, date)));
    for (const [i, t] of texts.entries()) {
      expect(await verifyDetached('hubReceipt', t, signatures[i]!, [hub.pub], date)).toMatchObject({ valid: true });
      expect((await verifyDetached('hubReceipt', texts[(i + 1) % texts.length]!, signatures[i]!, [hub.pub], date)).valid).toBe(false);
    }
  });

  it('answers nothing as valid once closed', async () => {
    const closing = new SignatureWorker(hub.armoredPrivate);
    const signature = await signDetached('contact', 'x', member.key, date);
    expect((await closing.verifier([member.armored])('contact', 'x', signature, date)).valid).toBe(true);
    await closing.close();
    await expect(closing.verifier([member.armored])('contact', 'x', signature, date)).rejects.toThrow(/closing/);
    await expect(closing.signer('hubReceipt', 'x', date)).rejects.toThrow(/closing/);
  });
});
