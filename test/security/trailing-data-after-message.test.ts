/**
 * Attack: a sender (or anyone who can sign a manifest) appends something after a valid encrypted
 * message, or puts something before it, so that the stored part carries more than the message
 * the hub checked: plaintext in the clear beside the ciphertext, a second message for a party
 * that is not entitled, a password-only message, a second data packet, the message twice, or
 * arbitrary bytes. The manifest hash covers all of it, so hashing is not enough: the hub walks
 * the whole part as it streams in, and a part must be exactly one sequence of PKESK packets
 * followed by exactly one integrity-protected data packet, and nothing after it.
 * Each is refused with a 400 naming the part and what was wrong, and nothing is kept.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOpenpgp } from '../../keys/openpgp.ts';
import { PartWalker } from '../../keys/part-walker.ts';
import { buildPacket, encryptBytes, keysOf, uploadRequest, type BuiltPacket } from '../helpers/packets.ts';
import { CANARY, type Person } from '../helpers/world.ts';
import { RU_PK_CAST, blobFiles, expectNothingStored, expectProblem, get, setUp, tearDown, withPart, type Cast } from './support.ts';

const openpgp = await loadOpenpgp();

let cast: Cast<keyof typeof RU_PK_CAST>;
const now = () => cast.world.clock.now();
const RU = `Запрос о правовой помощи. ${CANARY}`;
const EN = `Request for legal assistance. ${CANARY}`;
/** About 2 MiB: the data packet then spans many partial body chunks and many upload chunks. */
const LARGE = `${'Сведения о движении денежных средств по счетам. '.repeat(24_000)}${CANARY}`;

const cleared = (): Person[] => [cast.people.ruContact, cast.people.ruClerk, cast.people.pkContact];
let good: BuiltPacket;
let message: Buffer;
let largeMessage: Buffer;

beforeAll(async () => {
  cast = await setUp(RU_PK_CAST);
  good = await buildPacket({ sender: cast.people.ruContact, readers: cleared(), date: now(), parts: [{ role: 'original', lang: 'ru', text: RU }, { role: 'translation', lang: 'en', text: EN }] });
  message = good.files[0]!.bytes;
  largeMessage = await encryptBytes(Buffer.from(LARGE), cast.people.ruContact, await keysOf(cleared()), now());
}, 60_000);
afterAll(() => tearDown(cast));

/** A message cut where its data packet starts: its PKESK packets, and the SEIPD packet. */
function split(bytes: Buffer): { pkesks: Buffer; data: Buffer } {
  let at = 0;
  while ((bytes[at]! & 0x3f) !== 18) {
    const [length, header] = bodyLength(bytes, at + 1);
    at += 1 + header + length;
  }
  return { pkesks: bytes.subarray(0, at), data: bytes.subarray(at) };
}

/** A new-format, non-partial body length (RFC 4880 4.2.2): the length and the octets it took. */
function bodyLength(bytes: Buffer, at: number): [number, number] {
  const first = bytes[at]!;
  if (first < 192) return [first, 1];
  if (first < 224) return [((first - 192) << 8) + bytes[at + 1]! + 192, 2];
  if (first === 255) return [bytes.readUInt32BE(at + 1), 5];
  throw new Error('a session key packet with a partial length');
}

/** A literal data packet (tag 11, new format) in the clear: binary, no file name, date 0. */
function literalPacket(text: string): Buffer {
  const body = Buffer.concat([Buffer.from([0x62, 0]), Buffer.alloc(4), Buffer.from(text, 'utf8')]);
  if (body.length >= 192) throw new Error('keep the test literal short');
  return Buffer.concat([Buffer.from([0xc0 | 11, body.length]), body]);
}

async function passwordOnly(bytes: Buffer): Promise<Buffer> {
  const encrypted = await openpgp.encrypt({ message: await openpgp.createMessage({ binary: new Uint8Array(bytes) }), passwords: ['told to KZ by phone'], format: 'binary', date: now() });
  return Buffer.from(encrypted);
}

/** The good packet with `part` as p1, under a new packet id, signed again by its sender. */
async function withFirstPart(part: Buffer): Promise<BuiltPacket> {
  return withPart({ ...good, manifest: { ...good.manifest, packetId: randomUUID() } }, 'p1', part, cast.people.ruContact, now());
}

async function expectRefused(part: Buffer, detail: RegExp) {
  const packet = await withFirstPart(part);
  const blobsBefore = blobFiles(cast.world.dataDir);
  const res = await uploadRequest(cast.app, cast.tokens.ruContact, packet, true);
  expect(expectProblem(res, 400).detail).toMatch(new RegExp(`part p1 is not one message encrypted to the recipients' keys: .*(${detail.source})`));
  await expectNothingStored(cast, blobsBefore, packet.manifest.packetId, cast.tokens.ruContact);
}

describe('after a valid message', () => {
  it.each([
    { what: 'a plaintext literal packet', tail: () => literalPacket(`the plaintext, in the clear ${CANARY}`), detail: /the part has data after its encrypted message/ },
    { what: "a message for a third party's member (KZ)", tail: async () => encryptBytes(Buffer.from(RU), cast.people.ruContact, await keysOf([cast.people.kzContact]), now()), detail: /a second message after its encrypted data|data after its encrypted message/ },
    { what: 'a password-only message', tail: () => passwordOnly(Buffer.from(RU)), detail: /data after its encrypted message/ },
    { what: 'a second encrypted-data packet', tail: () => split(message).data, detail: /data after its encrypted message/ },
    { what: 'the whole message again', tail: () => message, detail: /data after its encrypted message/ },
    { what: 'one zero byte', tail: () => Buffer.from([0]), detail: /data after its encrypted message/ },
    { what: 'arbitrary bytes', tail: () => randomBytes(4096), detail: /data after its encrypted message/ },
  ])('$what is refused', async ({ tail, detail }) => {
    await expectRefused(Buffer.concat([message, await tail()]), detail);
  });

  it('anything after a multi-megabyte message is refused too (the walk spans upload chunks)', async () => {
    await expectRefused(Buffer.concat([largeMessage, literalPacket('tail')]), /data after its encrypted message/);
  });
});

describe('other shapes that are not one message encrypted to public keys', () => {
  it.each([
    { what: 'a password-only message', part: () => passwordOnly(Buffer.from(RU)), detail: /can also be opened with a password/ },
    { what: 'a literal packet before the message', part: () => Buffer.concat([literalPacket('before'), message]), detail: /literal data in the clear/ },
    { what: 'session keys with no encrypted data', part: () => split(message).pkesks, detail: /no integrity-protected encrypted data/ },
    { what: 'encrypted data with no session key', part: () => split(message).data, detail: /not encrypted to any public key/ },
    { what: 'the message cut short by one byte', part: () => message.subarray(0, message.length - 1), detail: /cut short/ },
    { what: 'a large message cut short in the middle', part: () => largeMessage.subarray(0, Math.floor(largeMessage.length / 2)), detail: /cut short/ },
    { what: 'bytes that are not OpenPGP', part: () => Buffer.from(`not openpgp ${CANARY}`), detail: /not binary OpenPGP data/ },
    { what: 'the message armored', part: () => Buffer.from(openpgp.armor(openpgp.enums.armor.message, new Uint8Array(message))), detail: /not binary OpenPGP data/ },
  ])('$what is refused', async ({ part, detail }) => {
    await expectRefused(await part(), detail);
  });
});

describe('the walker on its own', () => {
  it('reads the same key IDs whatever the chunking, down to one byte at a time', () => {
    const whole = new PartWalker();
    whole.push(largeMessage);
    const ids = whole.finish();
    expect(ids).toHaveLength(3);
    for (const size of [1, 7, 511, 65_536]) {
      const walker = new PartWalker();
      const bytes = size === 1 ? largeMessage.subarray(0, 70_000) : largeMessage;
      for (let i = 0; i < bytes.length; i += size) walker.push(bytes.subarray(i, i + size));
      if (size === 1) expect(() => walker.finish()).toThrow(/cut short/);
      else expect(walker.finish()).toEqual(ids);
    }
  });

  it('accepts session keys with old-format headers, as GnuPG writes them (0x84/0x85)', () => {
    const { pkesks, data } = split(message);
    const oldFormat: Buffer[] = [];
    for (let at = 0; at < pkesks.length; ) {
      const [length, header] = bodyLength(pkesks, at + 1);
      const body = pkesks.subarray(at + 1 + header, at + 1 + header + length);
      oldFormat.push(Buffer.from([0x80 | (1 << 2) | 1, body.length >> 8, body.length & 0xff]), body);
      at += 1 + header + length;
    }
    const walker = new PartWalker();
    walker.push(Buffer.concat([...oldFormat, data]));
    expect(walker.finish()).toHaveLength(3);
  });
});

it('the control: the same message with nothing around it is accepted', async () => {
  const packet = await withFirstPart(message);
  await uploadRequest(cast.app, cast.tokens.ruContact, packet, true).expect(201);
  await get(cast.app, `/v1/packets/${packet.manifest.packetId}`, cast.tokens.pkContact).expect(200);
});
