/**
 * Attack: change the ciphertext of a part after the sender signed the manifest (a hub-side or
 * on-path attacker substituting, truncating or corrupting data). The signed manifest fixes every
 * part's size and SHA-256, so any changed byte must make the hub refuse the whole upload with a
 * problem+json 400 and keep nothing: no blob, no temp file, no packet. Tried on a tiny part and
 * on a multi-megabyte one (the OpenTDF practice), at the first, a middle and the last byte.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPacket, encryptBytes, keysOf, uploadRequest, type BuiltPacket } from '../helpers/packets.ts';
import { CANARY } from '../helpers/world.ts';
import { RU_PK_CAST, blobFiles, downloadBytes, expectNothingStored, expectProblem, plaintextOf, setUp, tearDown, type Cast } from './support.ts';

let cast: Cast<keyof typeof RU_PK_CAST>;
const TINY = `Запрос о правовой помощи. ${CANARY}`;
const EN = `Request for legal assistance. ${CANARY}`;
/** About 3 MiB of text: large enough that the part streams through many chunks on the way in. */
const LARGE = `${'Сведения о движении денежных средств по счетам подозреваемого. '.repeat(27_000)}${CANARY}`;

beforeAll(async () => {
  cast = await setUp(RU_PK_CAST);
});
afterAll(() => tearDown(cast));

const readers = () => [cast.people.ruContact, cast.people.ruClerk, cast.people.pkContact];

function flipped(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
}

function withFile(packet: BuiltPacket, partId: string, bytes: Buffer): BuiltPacket {
  return { ...packet, files: packet.files.map((f) => (f.partId === partId ? { partId, bytes } : f)) };
}

async function expectRefusedAndNothingKept(packet: BuiltPacket, partId: string) {
  const blobsBefore = blobFiles(cast.world.dataDir);
  const res = await uploadRequest(cast.app, cast.tokens.ruContact, packet, true);
  const problem = expectProblem(res, 400);
  expect(problem.detail).toMatch(new RegExp(`part ${partId} does not match the signed manifest`));
  await expectNothingStored(cast, blobsBefore, packet.manifest.packetId, cast.tokens.ruContact);
}

describe.each([
  { size: 'tiny', original: TINY },
  { size: 'about 3 MiB', original: LARGE },
])('a $size part', ({ original }) => {
  let packet: BuiltPacket;

  beforeAll(async () => {
    packet = await buildPacket({
      sender: cast.people.ruContact,
      readers: readers(),
      date: cast.world.clock.now(),
      parts: [
        { role: 'original', lang: 'ru', text: original },
        { role: 'translation', lang: 'en', text: EN },
      ],
    });
    if (original === LARGE) expect(packet.files[0]!.bytes.length).toBeGreaterThan(3 * 1024 * 1024);
  });

  const p1 = () => packet.files[0]!.bytes;

  it.each([
    { where: 'first', at: (_b: Buffer) => 0 },
    { where: 'middle', at: (b: Buffer) => Math.floor(b.length / 2) },
    { where: 'last', at: (b: Buffer) => b.length - 1 },
  ])('one flipped bit in the $where byte of the original is refused and nothing is kept', async ({ at }) => {
    await expectRefusedAndNothingKept(withFile(packet, 'p1', flipped(p1(), at(p1()))), 'p1');
  });

  it('a part cut short by one byte, or lengthened by one, is refused', async () => {
    await expectRefusedAndNothingKept(withFile(packet, 'p1', p1().subarray(0, p1().length - 1)), 'p1');
    await expectRefusedAndNothingKept(withFile(packet, 'p1', Buffer.concat([p1(), Buffer.from([0])])), 'p1');
  });

  it('the two parts swapped (original uploaded as the translation) are refused', async () => {
    const swapped = { ...packet, files: [{ partId: 'p1', bytes: packet.files[1]!.bytes }, { partId: 'p2', bytes: packet.files[0]!.bytes }] };
    await expectRefusedAndNothingKept(swapped, 'p1');
  });

  it('a substitute part, properly encrypted to the same readers but saying something else, is refused', async () => {
    const substitute = await encryptBytes(Buffer.from(`Запрос отозван. ${CANARY}`), cast.people.ruContact, await keysOf(readers()), cast.world.clock.now());
    await expectRefusedAndNothingKept(withFile(packet, 'p1', substitute), 'p1');
  });

  it('the untouched packet is accepted and reads back exactly (the control: the refusals above were the tampering)', async () => {
    const res = await uploadRequest(cast.app, cast.tokens.ruContact, packet, true).expect(201);
    expect(res.body).toMatchObject({ packetId: packet.manifest.packetId, state: 'submitted' });
    expect(blobFiles(cast.world.dataDir).some((f) => f.endsWith(packet.manifest.parts[0]!.sha256))).toBe(true);
    const part = await downloadBytes(cast.app, `/v1/packets/${packet.manifest.packetId}/parts/p1`, cast.tokens.pkContact).expect(200);
    expect(await plaintextOf(part.body as Buffer, cast.people.pkContact, cast.people.ruContact, cast.world.clock.now())).toBe(original);
  });
});
