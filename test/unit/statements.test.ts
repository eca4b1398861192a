/**
 * keys/statements.ts, the one way a statement is signed and read: a table of what must not
 * verify (another context, another schema, a valid signature over text its schema refuses, extra
 * fields, a signer not offered, a date out of bounds, a statement naming another signer), with real
 * openpgp.js keys; and the list of the only modules that still sign or verify detached text that
 * is not a statement.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePersonKey, readPublicKey, unlockPrivateKey, type PrivateKey, type PublicKey } from '../../keys/identity.ts';
import { signDetached } from '../../keys/signatures.ts';
import { signCanonicalText, signStatement, verifyStatement, type SignedText, type StatementKind } from '../../keys/statements.ts';
import { canonicalize, canonicalStatement, StatementError } from '../../protocol/canonical.ts';
import { SIGNED_DATE_TOLERANCE_MS } from '../../protocol/signing.ts';
import { CONTACT_FORMAT, ContactEntry, MEMBERSHIP_FORMAT, MembershipStatement, RevocationStatement } from '../../protocol/statements.ts';

const date = new Date();
type Person = { key: PrivateKey; pub: PublicKey; fingerprint: string };
let officer: Person, stranger: Person, other: Person;

async function person(name: string): Promise<Person> {
  const g = await generatePersonKey({ name, passphrase: 'long enough passphrase', date: new Date(date.getTime() - 3600_000) });
  return { key: await unlockPrivateKey(g.armoredPrivateKey, 'long enough passphrase'), pub: await readPublicKey(g.armoredPublicKey), fingerprint: g.fingerprint };
}

const membership = () => ({
  format: MEMBERSHIP_FORMAT as typeof MEMBERSHIP_FORMAT,
  party: 'PK',
  fingerprint: other.fingerprint,
  name: 'Аиша Хан — عایشه',
  roles: ['contact' as const],
  clearance: 'SECRET' as const,
  validFrom: date.toISOString(),
  issuedAt: date.toISOString(),
  officer: officer.fingerprint,
});

beforeAll(async () => {
  [officer, stranger, other] = await Promise.all([person('Officer'), person('Stranger'), person('Other')]);
});

describe('signStatement', () => {
  it('signs the canonical text of the parsed value, defaults filled in, which verifyStatement reads back', async () => {
    const entry = { format: CONTACT_FORMAT as typeof CONTACT_FORMAT, party: 'PK', agreementId: 'RU-PK', kind: 'contact-person' as const, name: '王伟', effectiveFrom: date.toISOString(), issuedAt: date.toISOString(), officer: officer.fingerprint };
    const signed = await signStatement('contact', ContactEntry, entry, officer.key, date);
    expect(signed.statement).toBe(canonicalize({ ...entry, withdrawn: false }));
    const read = await verifyStatement('contact', ContactEntry, signed, [officer.pub], date, { namedSigner: (e) => e.officer });
    expect(read).toMatchObject({ valid: true, signer: officer.fingerprint, value: { ...entry, withdrawn: false } });
  });

  it('signs nothing its schema refuses, and says why in a sentence', async () => {
    await expect(signStatement('membership', MembershipStatement, { ...membership(), clearance: 'COSMIC' as 'SECRET' }, officer.key, date)).rejects.toThrow(StatementError);
    await expect(signStatement('membership', MembershipStatement, { ...membership(), extra: 1 } as ReturnType<typeof membership>, officer.key, date)).rejects.toThrow(/membership statement is invalid/);
  });
});

describe('signCanonicalText', () => {
  it('signs kept canonical text as it is, which verifyStatement reads back; refuses text that is not canonical or not of the schema', async () => {
    const text = canonicalStatement(MembershipStatement, membership(), 'membership statement');
    const signed = await signCanonicalText('membership', MembershipStatement, text, officer.key, date);
    expect(signed.statement).toBe(text);
    expect(await verifyStatement('membership', MembershipStatement, signed, [officer.pub], date)).toMatchObject({ valid: true, value: membership() });
    await expect(signCanonicalText('membership', MembershipStatement, JSON.stringify(JSON.parse(text), null, 1), officer.key, date)).rejects.toThrow(/canonical/);
    await expect(signCanonicalText('membership', MembershipStatement, canonicalize({ ...membership(), clearance: 'COSMIC' }), officer.key, date)).rejects.toThrow(StatementError);
  });
});

describe('verifyStatement refuses', () => {
  const signedAs = async (kind: StatementKind, text: string, by = officer, at = date): Promise<SignedText> => ({ statement: text, signature: await signDetached(kind, text, by.key, at) });

  const cases: Array<{ name: string; make: () => Promise<SignedText>; kind?: StatementKind; schema?: typeof MembershipStatement | typeof RevocationStatement; keys?: () => PublicKey[]; at?: () => Date; named?: boolean; failure: string }> = [
    { name: 'a signature made for another kind (wrong context)', make: () => signedAs('contact', canonicalize(membership())), failure: 'wrong-context' },
    { name: 'a statement of another schema', make: () => signStatement('membership', MembershipStatement, membership(), officer.key, date), schema: RevocationStatement, failure: 'not-a-statement' },
    { name: 'a valid signature over text the schema refuses', make: () => signedAs('membership', canonicalize({ ...membership(), roles: [] })), failure: 'not-a-statement' },
    { name: 'a valid signature over a statement with an extra field', make: () => signedAs('membership', canonicalize({ ...membership(), clearanceOverride: 'TOP SECRET' })), failure: 'not-a-statement' },
    { name: 'a valid signature over text that is not JSON', make: () => signedAs('membership', 'clearance: TOP SECRET'), failure: 'not-a-statement' },
    { name: 'a valid signature over JSON that is not canonical', make: () => signedAs('membership', JSON.stringify(membership(), null, 1)), failure: 'not-a-statement' },
    { name: 'a signer who is not among the keys offered', make: () => signStatement('membership', MembershipStatement, membership(), stranger.key, date), failure: 'unknown-signer' },
    { name: 'no key at all', make: () => signStatement('membership', MembershipStatement, membership(), officer.key, date), keys: () => [], failure: 'no-key' },
    // openpgp.js already refuses a signature newer than the verifier's date; our own bound (the context check) backs it.
    { name: 'a signature dated ahead of the verifier beyond the tolerance', make: () => signStatement('membership', MembershipStatement, membership(), officer.key, date), at: () => new Date(date.getTime() - SIGNED_DATE_TOLERANCE_MS - 60_000), failure: 'key-unusable' },
    { name: 'a statement that names another signer than the key that signed', make: () => signStatement('membership', MembershipStatement, membership(), other.key, date), keys: () => [officer.pub, other.pub], named: true, failure: 'signer-mismatch' },
    { name: 'a signature block that is not a signature', make: () => Promise.resolve({ statement: canonicalize(membership()), signature: '-----BEGIN PGP SIGNATURE-----\n\nbm90\n-----END PGP SIGNATURE-----' }), failure: 'malformed' },
    { name: 'the signed text changed by one byte', make: async () => { const s = await signStatement('membership', MembershipStatement, membership(), officer.key, date); return { ...s, statement: s.statement.replace('SECRET', 'SECRES') }; }, failure: 'bad-signature' },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const result = await verifyStatement(c.kind ?? 'membership', c.schema ?? MembershipStatement, await c.make(), c.keys?.() ?? [officer.pub, other.pub], c.at?.() ?? date, c.named ? { namedSigner: (s: object) => ('officer' in s ? String(s.officer) : '') } : {});
      expect(result).toMatchObject({ valid: false, failure: c.failure });
      expect('value' in result).toBe(false);
      if (!result.valid) expect(result.reason).toMatch(/^[a-z]/);
    });
  }

  it('finds the signer among extra keys offered, and only then reads the value', async () => {
    const signed = await signStatement('membership', MembershipStatement, membership(), officer.key, date);
    const result = await verifyStatement('membership', MembershipStatement, signed, [stranger.pub, other.pub, officer.pub], date, { namedSigner: (s) => s.officer });
    expect(result).toMatchObject({ valid: true, signer: officer.fingerprint, value: { clearance: 'SECRET', name: 'Аиша Хан — عایشه' } });
  });
});

describe('signDetached and verifyDetached outside keys/statements.ts', () => {
  const root = resolve(import.meta.dirname, '../..');
  // Text that is not a statement: the login challenge (a one-line format) and label.xml. And the
  // hub's signature thread, which runs them for keys/statements.ts (its DetachedVerifier and
  // DetachedSigner, typed to statement kinds), off the event loop.
  const ALLOWED = new Set(['keys/statements.ts', 'client/core/session.ts', 'server/auth.ts', 'client/node/stamped.ts', 'server/signature-thread.ts']);
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) return [];
      const path = join(dir, e.name);
      return e.isDirectory() ? sources(path) : /\.tsx?$/.test(e.name) ? [path] : [];
    });

  it('are called only where the signed text is not a statement', () => {
    const callers = ['keys', 'protocol', 'server', 'storage', 'client', 'scripts', 'bin']
      .flatMap((d) => sources(join(root, d)))
      .filter((f) => /\b(signDetached|verifyDetached)\(/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f))
      .filter((f) => f !== 'keys/signatures.ts');
    expect(callers.filter((f) => !ALLOWED.has(f))).toEqual([]);
  });
});
