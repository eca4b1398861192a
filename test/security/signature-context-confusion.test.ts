/**
 * Attack: take a signature made for one purpose and present it as another (a login signature as
 * a membership statement, a receipt as a release decision, ...). Every signature now carries its
 * context as a hashed, non-critical `context@liaison` notation, and verification of kind Y
 * requires exactly Y's context in the verified packet: the full matrix X x Y verifies only on the
 * diagonal. A signature without a context (plain `gpg --detach-sign`) verifies as nothing, and
 * GnuPG 2.2 still verifies every Liaison signature (the notation is not critical).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { readPublicKey, type PublicKey } from '../../keys/identity.ts';
import { decryptPart, type ByteStream } from '../../keys/parts.ts';
import { signDetached, verifyDetached } from '../../keys/signatures.ts';
import { SIGNATURE_CONTEXTS, SIGNED_KINDS } from '../../protocol/signing.ts';
import { GnuPG } from '../helpers/gpg.ts';
import { makePerson, PASSPHRASE, type Person } from '../helpers/world.ts';

let alice: Person;
let alicePub: PublicKey;
let gpg: GnuPG;
let dir: string;
const date = new Date();
// Multilingual bytes, as the statements carry names in these scripts.
const text = '{"format":"liaison-membership/1","name":"Сергей Волков · آیشه خان · 王伟"}';
const signatures = new Map<string, string>();

beforeAll(async () => {
  alice = await makePerson('Alice Officer', 'RU', new Date(date.getTime() - 60_000));
  alicePub = await readPublicKey(alice.armoredPublicKey);
  for (const kind of SIGNED_KINDS) signatures.set(kind, await signDetached(kind, text, alice.key, date));
  gpg = new GnuPG(PASSPHRASE);
  dir = mkdtempSync(join(tmpdir(), 'liaison-context-'));
  writeFileSync(join(dir, 'key.asc'), alice.armoredPrivateKey);
  gpg.ok(['--import', join(dir, 'key.asc')]);
  writeFileSync(join(dir, 'statement.json'), text);
});

afterAll(() => {
  gpg.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('a signature of one kind never verifies as another', () => {
  const pairs = SIGNED_KINDS.flatMap((made) => SIGNED_KINDS.map((checked) => [made, checked] as const));

  it(`checks all ${pairs.length} pairs of ${SIGNED_KINDS.length} kinds: valid exactly on the diagonal`, async () => {
    const wrong: string[] = [];
    for (const [made, checked] of pairs) {
      const v = await verifyDetached(checked, text, signatures.get(made)!, [alicePub], date);
      if (v.valid !== (made === checked)) wrong.push(`${made} as ${checked}: ${v.valid ? 'valid' : v.reason}`);
      if (!v.valid && made !== checked) expect(v.reason).toContain(SIGNATURE_CONTEXTS[checked]);
    }
    expect(wrong).toEqual([]);
  });

  it('every context value is distinct', () => {
    expect(new Set(Object.values(SIGNATURE_CONTEXTS)).size).toBe(SIGNED_KINDS.length);
  });

  it('a signature with no context (plain gpg --detach-sign by the same key) verifies as no kind', async () => {
    const plain = gpg.ok(['--armor', '--detach-sign', '--local-user', alice.fingerprint, '--output', '-', join(dir, 'statement.json')]).toString('utf8');
    for (const kind of SIGNED_KINDS) {
      const v = await verifyDetached(kind, text, plain, [alicePub], new Date());
      expect(v, kind).toMatchObject({ valid: false, reason: expect.stringContaining('carries no context') });
    }
  });

  it('a gpg signature that carries the right name with a different value is refused', async () => {
    const forged = gpg
      .ok(['--armor', '--detach-sign', '--local-user', alice.fingerprint, '--sig-notation', 'context@liaison=liaison.login.v1 extra', '--output', '-', join(dir, 'statement.json')])
      .toString('utf8');
    expect((await verifyDetached('login', text, forged, [alicePub], new Date())).valid).toBe(false);
  });

  it('two signatures in one block are refused, even when one of them is of the right kind', async () => {
    const packets = (armored: string) => Buffer.from(armored.trim().split('\n').filter((l) => l && !l.startsWith('-----') && !l.startsWith('=')).join(''), 'base64');
    const both = `-----BEGIN PGP SIGNATURE-----\n\n${Buffer.concat([packets(signatures.get('login')!), packets(signatures.get('membership')!)]).toString('base64')}\n-----END PGP SIGNATURE-----\n`;
    for (const kind of ['login', 'membership'] as const) {
      expect(await verifyDetached(kind, text, both, [alicePub], date)).toMatchObject({ valid: false, reason: expect.stringContaining('exactly one signature') });
    }
  });

  it('a part signed without the part context (gpg --sign --encrypt) is decrypted but its signature refused', async () => {
    const ciphertext = gpg.ok(['--trust-model', 'always', '--local-user', alice.fingerprint, '--recipient', alice.fingerprint, '--sign', '--encrypt', '--output', '-', join(dir, 'statement.json')]);
    const part = await decryptPart(Readable.toWeb(Readable.from([ciphertext])) as ByteStream, { decryptionKey: alice.key, senderKeys: [alicePub], date: new Date() });
    for await (const chunk of Readable.fromWeb(part.data as import('node:stream/web').ReadableStream<Uint8Array>)) void chunk;
    expect(await part.verification).toMatchObject({ valid: false, reason: expect.stringContaining('carries no context; expected a liaison.part.v1 signature') });
  });

  it('GnuPG 2.2 still verifies a Liaison signature of every kind and shows its context', () => {
    for (const kind of SIGNED_KINDS) {
      writeFileSync(join(dir, `${kind}.asc`), signatures.get(kind)!);
      const r = gpg.run(['--status-fd', '1', '--verify-options', 'show-notations', '--trust-model', 'always', '--verify', join(dir, `${kind}.asc`), join(dir, 'statement.json')]);
      expect(r.code, `${kind}: ${r.stderr}`).toBe(0);
      expect(r.stdout.toString('utf8')).toContain('[GNUPG:] GOODSIG');
      expect(r.stderr).toContain(`context@liaison=${SIGNATURE_CONTEXTS[kind]}`);
    }
  });
});
