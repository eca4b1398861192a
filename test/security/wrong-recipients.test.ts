/**
 * Attack: a part encrypted to the wrong people. Clearance is enforced by cryptography (DESIGN.md,
 * trust model 2): each part must be readable by exactly the members of the sending and receiving
 * parties who hold a receiving role and a clearance at or above the marking. A part that leaves
 * one of them out, or lets anyone else in (a member cleared too low, an officer, a member of a
 * third party, a key the hub does not know, a password), is refused with 400 and nothing is kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOpenpgp } from '../../keys/openpgp.ts';
import type { PublicKey } from '../../keys/identity.ts';
import { buildPacket, buildRevision, encryptBytes, keysOf, uploadRequest, type BuiltPacket } from '../helpers/packets.ts';
import { CANARY, makePerson, type Person } from '../helpers/world.ts';
import { RU_PK_CAST, blobFiles, expectNothingStored, expectProblem, get, setUp, tearDown, withPart, type Cast } from './support.ts';

const openpgp = await loadOpenpgp();

let cast: Cast<keyof typeof RU_PK_CAST>;
let stranger: Person;
const now = () => cast.world.clock.now();
const RU = `Запрос о правовой помощи. ${CANARY}`;
const EN = `Request for legal assistance. ${CANARY}`;

beforeAll(async () => {
  cast = await setUp(RU_PK_CAST);
  stranger = await makePerson('Not Enrolled', 'PK', now());
});
afterAll(() => tearDown(cast));

/** The readers of a SECRET RU-PK packet: the receiving, SECRET-cleared members of RU and PK. */
const cleared = () => [cast.people.ruContact, cast.people.ruClerk, cast.people.pkContact];

async function packetFor(readers: Person[]): Promise<BuiltPacket> {
  return buildPacket({ sender: cast.people.ruContact, readers, date: now(), parts: [{ role: 'original', lang: 'ru', text: RU }, { role: 'translation', lang: 'en', text: EN }] });
}

async function expectRefused(packet: BuiltPacket, detail: RegExp, token = cast.tokens.ruContact, path?: string) {
  const blobsBefore = blobFiles(cast.world.dataDir);
  const res = await uploadRequest(cast.app, token, packet, true, path);
  expect(expectProblem(res, 400).detail).toMatch(detail);
  await expectNothingStored(cast, blobsBefore, path ? undefined : packet.manifest.packetId, token);
}

describe('a part that leaves out a cleared member', () => {
  it.each([
    { who: 'the recipient party (pkContact)', omit: 'pkContact' as const },
    { who: "the sender's own party (ruClerk, who reads sent items)", omit: 'ruClerk' as const },
    { who: 'the sender', omit: 'ruContact' as const },
  ])('missing a member of $who is refused', async ({ omit }) => {
    const packet = await packetFor(cleared().filter((p) => p !== cast.people[omit]));
    await expectRefused(packet, new RegExp(`must be encrypted to exactly the cleared members of RU, PK; missing ${cast.people[omit].fingerprint}`));
  });
});

describe('a part that lets in someone else', () => {
  it.each([
    { who: 'a PK member cleared only CONFIDENTIAL', extra: () => cast.people.pkLow },
    { who: 'an RU security officer (cleared, but no receiving role)', extra: () => cast.people.ruOfficer },
    { who: 'a member of a third party (KZ)', extra: () => cast.people.kzContact },
    { who: 'a key the hub has never enrolled', extra: () => stranger },
  ])('an extra recipient, $who, is refused', async ({ extra }) => {
    const packet = await packetFor([...cleared(), extra()]);
    await expectRefused(packet, /not entitled: [0-9A-F]{16}/);
  });

  it('only one of two parts with an extra recipient is enough to refuse the whole packet', async () => {
    const good = await packetFor(cleared());
    const leaky = await encryptBytes(Buffer.from(EN), cast.people.ruContact, await keysOf([...cleared(), cast.people.kzContact]), now());
    await expectRefused(await withPart(good, 'p2', leaky, cast.people.ruContact, now()), /part p2 .*not entitled/);
  });

  it('a hidden ("wildcard", key ID 0) recipient is refused', async () => {
    const good = await packetFor(cleared());
    const hidden = await encryptRaw(Buffer.from(RU), [...(await keysOf(cleared()))], { wildcard: true });
    await expectRefused(await withPart(good, 'p1', hidden, cast.people.ruContact, now()), /part p1 must be encrypted to exactly/);
  });

  // A password-encrypted session key would let anyone with the password read the part.
  it('a part also readable with a password is refused', async () => {
    const good = await packetFor(cleared());
    const withPassword = await encryptRaw(Buffer.from(RU), await keysOf(cleared()), { passwords: ['shared with KZ by phone'] });
    await expectRefused(await withPart(good, 'p1', withPassword, cast.people.ruContact, now()), /part p1/);
  });
});

describe('the same rule holds for a part attached later', () => {
  it("a clerk's translation encrypted to a KZ member as well is refused, and the draft stays as it was", async () => {
    const draft = await buildPacket({ sender: cast.people.ruContact, readers: cleared(), date: now(), kind: 'information', parts: [{ role: 'original', lang: 'ru', text: RU }] });
    await uploadRequest(cast.app, cast.tokens.ruContact, draft, false).expect(201);
    const revision = await buildRevision(draft.manifest, cast.people.ruClerk, [...cleared(), cast.people.kzContact], { role: 'translation', lang: 'en', text: EN }, now());
    await expectRefused(revision, /part p2 .*not entitled/, cast.tokens.ruClerk, `/v1/packets/${draft.manifest.packetId}/revisions`);
    const stored = await get(cast.app, `/v1/packets/${draft.manifest.packetId}`, cast.tokens.ruContact).expect(200);
    expect(stored.body).toMatchObject({ revision: 1, state: 'draft' });
    expect(stored.body.parts).toHaveLength(1);
  });
});

it('a part encrypted to exactly the cleared members is accepted (the control)', async () => {
  const packet = await packetFor(cleared());
  await uploadRequest(cast.app, cast.tokens.ruContact, packet, true).expect(201);
  await get(cast.app, `/v1/packets/${packet.manifest.packetId}`, cast.tokens.pkContact).expect(200);
});

/** Sign-then-encrypt with options the project's own helpers never use (a hostile client). */
async function encryptRaw(bytes: Buffer, keys: PublicKey[], extra: { wildcard?: boolean; passwords?: string[] }): Promise<Buffer> {
  const message = await openpgp.createMessage({ binary: new Uint8Array(bytes) });
  const encrypted = await openpgp.encrypt({ message, encryptionKeys: keys, signingKeys: cast.people.ruContact.key, format: 'binary', date: now(), ...extra });
  return Buffer.from(encrypted);
}
