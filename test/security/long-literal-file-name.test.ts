/**
 * Attack (or accident): a file name longer than 255 UTF-8 bytes. The OpenPGP literal data packet
 * writes the name's length in one byte, so such a name made a part its recipients could not
 * verify. keys/parts.ts, the one place the literal packet is made, now shortens the name first:
 * at most 255 bytes, still valid UTF-8, whole characters only, the extension kept. A name that is
 * not valid Unicode text is refused before anything is encrypted.
 */
import { Readable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPublicKey } from '../../keys/identity.ts';
import { decryptPart, encryptPartForRecipients, literalFileName, MAX_LITERAL_FILENAME_BYTES, PartError, type ByteStream } from '../../keys/parts.ts';
import { GnuPG } from '../helpers/gpg.ts';
import { makePerson, PASSPHRASE, type Person } from '../helpers/world.ts';

let sender: Person, reader: Person;
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const TEXT = 'Запрос о правовой помощи. درخواست همکاری حقوقی. 司法协助请求。';

async function roundTrip(filename: string): Promise<{ filename: string; text: string; valid: boolean; ciphertext: Buffer }> {
  const date = new Date();
  const encrypted = await encryptPartForRecipients(Readable.toWeb(Readable.from([Buffer.from(TEXT)])) as ByteStream, { filename, signingKey: sender.key, recipientKeys: [await readPublicKey(reader.armoredPublicKey)], date });
  const chunks: Buffer[] = [];
  for await (const c of Readable.fromWeb(encrypted as import('node:stream/web').ReadableStream<Uint8Array>)) chunks.push(c as Buffer);
  const ciphertext = Buffer.concat(chunks);
  const part = await decryptPart(Readable.toWeb(Readable.from([ciphertext])) as ByteStream, { decryptionKey: reader.key, senderKeys: [await readPublicKey(sender.armoredPublicKey)], date });
  const out: Buffer[] = [];
  for await (const c of Readable.fromWeb(part.data as import('node:stream/web').ReadableStream<Uint8Array>)) out.push(c as Buffer);
  return { filename: part.filename, text: Buffer.concat(out).toString('utf8'), valid: (await part.verification).valid, ciphertext };
}

beforeAll(async () => {
  [sender, reader] = await Promise.all([makePerson('Ivan Petrov', 'RU'), makePerson('Ayesha Khan', 'PK')]);
});

describe('a literal file name longer than the packet can hold', () => {
  const cases: Array<[string, string]> = [
    ['Cyrillic, 2 bytes a letter', `${'запрос-о-правовой-помощи-'.repeat(8)}.docx`],
    ['Persian, with a long stem', `${'درخواست-همکاری-حقوقی-'.repeat(9)}.pdf`],
    ['Chinese, 3 bytes a character', `${'司法协助请求'.repeat(20)}.txt`],
    ['emoji and combining marks that must not be split', `${'👩🏽‍⚖️é'.repeat(40)}.txt`],
    ['ASCII with no extension', 'a'.repeat(400)],
    ['an over-long "extension" that is not one', `report.${'x'.repeat(300)}`],
  ];

  it.each(cases)('%s: shortened to at most 255 valid UTF-8 bytes, and the part still verifies', async (_what, name) => {
    expect(bytes(name)).toBeGreaterThan(MAX_LITERAL_FILENAME_BYTES);
    const result = await roundTrip(name);
    expect(result.valid).toBe(true);
    expect(result.text).toBe(TEXT);
    expect(result.filename).toBe(literalFileName(name));
    expect(bytes(result.filename)).toBeLessThanOrEqual(MAX_LITERAL_FILENAME_BYTES);
    expect(Buffer.from(result.filename, 'utf8').toString('utf8')).toBe(result.filename);
    const dot = name.lastIndexOf('.');
    const extension = dot > 0 && bytes(name.slice(dot)) <= 32 ? name.slice(dot) : '';
    expect(result.filename.endsWith(`…${extension}`)).toBe(true);
    const stem = result.filename.slice(0, result.filename.length - extension.length - 1);
    expect(name.startsWith(stem)).toBe(true);
    // Whole grapheme clusters: the stem ends where one of the original's clusters ends.
    const clusters = Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(name), (s) => s.index);
    expect([...clusters, name.length]).toContain(stem.length);
  });

  it('keeps a name of exactly 255 bytes as it is', async () => {
    const name = `${'я'.repeat(125)}.txt.`;
    expect(bytes(name)).toBe(255);
    expect((await roundTrip(name)).filename).toBe(name);
  });

  it('refuses, before encrypting, a name that is not valid Unicode text', async () => {
    await expect(roundTrip(`report-\uD800.txt`)).rejects.toThrow(PartError);
    await expect(roundTrip(`report-\uD800.txt`)).rejects.toThrow(/not valid Unicode text/);
  });

  it('GnuPG 2.2 decrypts the part with the shortened name and verifies its signature', async () => {
    const name = `${'запрос'.repeat(40)}.txt`;
    const { ciphertext } = await roundTrip(name);
    const gpg = new GnuPG(PASSPHRASE);
    const dir = mkdtempSync(join(tmpdir(), 'liaison-longname-'));
    try {
      writeFileSync(join(dir, 'reader.asc'), reader.armoredPrivateKey);
      writeFileSync(join(dir, 'sender.asc'), sender.armoredPublicKey);
      writeFileSync(join(dir, 'part.pgp'), ciphertext);
      gpg.ok(['--import', join(dir, 'reader.asc')]);
      gpg.ok(['--import', join(dir, 'sender.asc')]);
      const r = gpg.run(['--status-fd', '2', '--trust-model', 'always', '--decrypt', join(dir, 'part.pgp')]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.toString('utf8')).toBe(TEXT);
      expect(r.stderr).toContain('[GNUPG:] GOODSIG');
      expect(r.stderr).toContain(`[GNUPG:] PLAINTEXT 62`);
    } finally {
      gpg.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

