/**
 * Attack: a sender (or a colleague) signs a manifest whose marking is wrong on purpose: a
 * national label that is not the agreement's equivalent of the level (a quiet downgrade in one
 * party's terms), a level above the signer's own clearance, or a level a recipient party has no
 * equivalent for. The signature is valid, so only the agreement's marking table can catch it;
 * each refusal names the article the table comes from and keeps nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEVELS, type Level } from '../../protocol/levels.ts';
import type { Manifest } from '../../protocol/manifest.ts';
import { RU_PK_LABELS, buildPacket, buildRevision, uploadRequest, type BuiltPacket } from '../helpers/packets.ts';
import { CANARY, type Person } from '../helpers/world.ts';
import { RU_PK_CAST, blobFiles, expectNothingStored, expectProblem, get, post, setUp, tearDown, type Cast, type CastMember } from './support.ts';

const MEMBERS = {
  ...RU_PK_CAST,
  ruSecretContact: { name: 'Dmitri Orlov', party: 'RU', roles: ['contact'], clearance: 'SECRET' },
  ruLowClerk: { name: 'Nina Kuznetsova', party: 'RU', roles: ['clerk'], clearance: 'RESTRICTED' },
  ruLowContact: { name: 'Pavel Sokolov', party: 'RU', roles: ['contact'], clearance: 'RESTRICTED' },
  pkTopSecret: { name: 'Imran Qureshi', party: 'PK', roles: ['contact'], clearance: 'TOP SECRET' },
  cnContact: { name: 'Wang Lei', party: 'CN', roles: ['contact'], clearance: 'SECRET' },
} as const satisfies Record<string, CastMember>;
type Key = keyof typeof MEMBERS;

let cast: Cast<Key>;
const now = () => cast.world.clock.now();

beforeAll(async () => {
  cast = await setUp(MEMBERS);
});
afterAll(() => tearDown(cast));

/** Who must be able to read `level` in `parties`: the rule of DESIGN.md, restated here on the test's own data. */
function readersFor(level: Level, parties: string[]): Person[] {
  const rank = (l: Level) => LEVELS.indexOf(l);
  return (Object.keys(MEMBERS) as Key[])
    .filter((k) => parties.includes(MEMBERS[k].party) && MEMBERS[k].roles.some((r) => r === 'contact' || r === 'clerk') && rank(MEMBERS[k].clearance) >= rank(level))
    .map((k) => cast.people[k]);
}

const TEXTS = [
  { role: 'original' as const, lang: 'ru', text: `Запрос о правовой помощи. ${CANARY}` },
  { role: 'translation' as const, lang: 'en', text: `Request for legal assistance. ${CANARY}` },
];

async function ruPkPacket(sender: Person, level: Level, labels: Record<string, string>): Promise<BuiltPacket> {
  return buildPacket({ sender, readers: readersFor(level, ['RU', 'PK']), date: now(), level, labels, parts: TEXTS });
}

async function expectRefusal(token: string, packet: BuiltPacket, status: number, article: string | undefined, detail: RegExp) {
  const blobsBefore = blobFiles(cast.world.dataDir);
  const res = await uploadRequest(cast.app, token, packet, true);
  const problem = expectProblem(res, status, article);
  expect(problem.detail).toMatch(detail);
  await expectNothingStored(cast, blobsBefore, packet.manifest.packetId, token);
}

describe('a national label that is not the agreement equivalent of the level (RU-PK Art. 7(2))', () => {
  const wrong: Array<{ what: string; labels: Record<string, string>; party: string }> = [
    { what: 'the RU label of the level below (a downgrade in Russian terms only)', labels: { RU: 'СЕКРЕТНО', PK: 'SECRET' }, party: 'RU' },
    { what: 'the PK label of the level below', labels: { RU: 'СОВЕРШЕННО СЕКРЕТНО', PK: 'CONFIDENTIAL' }, party: 'PK' },
    { what: 'the English word where the Russian label belongs', labels: { RU: 'SECRET', PK: 'SECRET' }, party: 'RU' },
    { what: 'the right label with a trailing space', labels: { RU: 'СОВЕРШЕННО СЕКРЕТНО ', PK: 'SECRET' }, party: 'RU' },
    { what: 'the right label in another case', labels: { RU: 'СОВЕРШЕННО СЕКРЕТНО', PK: 'Secret' }, party: 'PK' },
  ];

  it.each(wrong)('$what is refused with the article', async ({ labels, party }) => {
    const packet = await ruPkPacket(cast.people.ruContact, 'SECRET', labels);
    await expectRefusal(cast.tokens.ruContact, packet, 422, 'RU-PK Art. 7(2)', new RegExp(`marking label for ${party} must be "${RU_PK_LABELS.SECRET![party]}"`));
  });

  it('labels naming a party that is neither sender nor recipient are refused', async () => {
    const packet = await ruPkPacket(cast.people.ruContact, 'SECRET', { ...RU_PK_LABELS.SECRET!, KZ: 'СОВЕРШЕННО СЕКРЕТНО' });
    await expectRefusal(cast.tokens.ruContact, packet, 400, undefined, /KZ, which is neither sender nor recipient/);
  });

  it('the agreement labels are accepted (the control)', async () => {
    const packet = await ruPkPacket(cast.people.ruContact, 'SECRET', RU_PK_LABELS.SECRET!);
    await uploadRequest(cast.app, cast.tokens.ruContact, packet, true).expect(201);
  });
});

describe("a level above the sender's clearance", () => {
  it('a SECRET-cleared contact cannot send TOP SECRET, even with the right labels and readers', async () => {
    const packet = await ruPkPacket(cast.people.ruSecretContact, 'TOP SECRET', RU_PK_LABELS['TOP SECRET']!);
    await expectRefusal(cast.tokens.ruSecretContact, packet, 403, 'RU-PK Art. 7(2)', /clearance \(SECRET\) does not cover TOP SECRET/);
  });

  it('the same contact can send SECRET (the control)', async () => {
    const packet = await ruPkPacket(cast.people.ruSecretContact, 'SECRET', RU_PK_LABELS.SECRET!);
    await uploadRequest(cast.app, cast.tokens.ruSecretContact, packet, true).expect(201);
  });

  it('a later revision cannot change the marking (a clerk re-signing the draft at a lower level)', async () => {
    const draftOnly: BuiltPacket = await buildPacket({ sender: cast.people.ruContact, readers: readersFor('SECRET', ['RU', 'PK']), date: now(), kind: 'information', parts: [TEXTS[0]!] });
    await uploadRequest(cast.app, cast.tokens.ruContact, draftOnly, false).expect(201);
    const downgraded: Manifest = { ...draftOnly.manifest, marking: { level: 'CONFIDENTIAL', labels: RU_PK_LABELS.CONFIDENTIAL! } };
    const revision = await buildRevision(downgraded, cast.people.ruClerk, readersFor('CONFIDENTIAL', ['RU', 'PK']), { role: 'translation', lang: 'en', text: TEXTS[1]!.text }, now());
    const blobsBefore = blobFiles(cast.world.dataDir);
    const res = await uploadRequest(cast.app, cast.tokens.ruClerk, revision, false, `/v1/packets/${draftOnly.manifest.packetId}/revisions`);
    expect(expectProblem(res, 400).detail).toMatch(/may only add parts/);
    expect(blobFiles(cast.world.dataDir)).toEqual(blobsBefore);
    const stored = await get(cast.app, `/v1/packets/${draftOnly.manifest.packetId}`, cast.tokens.ruContact).expect(200);
    expect(stored.body).toMatchObject({ level: 'SECRET', revision: 1, labels: RU_PK_LABELS.SECRET });
  });

  // A draft above a member's clearance does not exist for them: they can neither add to it nor submit it.
  it('a clerk cleared below the marking cannot add a part to a draft they may not see', async () => {
    const draft = await buildPacket({ sender: cast.people.ruContact, readers: readersFor('SECRET', ['RU', 'PK']), date: now(), kind: 'information', parts: [TEXTS[0]!] });
    await uploadRequest(cast.app, cast.tokens.ruContact, draft, false).expect(201);
    await get(cast.app, `/v1/packets/${draft.manifest.packetId}`, cast.tokens.ruLowClerk).expect(404);
    const revision = await buildRevision(draft.manifest, cast.people.ruLowClerk, readersFor('SECRET', ['RU', 'PK']), { role: 'translation', lang: 'en', text: TEXTS[1]!.text }, now());
    const res = await uploadRequest(cast.app, cast.tokens.ruLowClerk, revision, false, `/v1/packets/${draft.manifest.packetId}/revisions`);
    expectProblem(res, 404);
  });

  it('a contact cleared below the marking cannot submit a draft they may not see', async () => {
    const draft = await ruPkPacket(cast.people.ruContact, 'SECRET', RU_PK_LABELS.SECRET!);
    await uploadRequest(cast.app, cast.tokens.ruContact, draft, false).expect(201);
    await get(cast.app, `/v1/packets/${draft.manifest.packetId}`, cast.tokens.ruLowContact).expect(404);
    const res = await post(cast.app, `/v1/packets/${draft.manifest.packetId}/submit`, cast.tokens.ruLowContact);
    expectProblem(res, 404);
  });
});

describe('a level a recipient party has no equivalent for (SCO: China has no RESTRICTED label)', () => {
  const scoPacket = (level: Level, to: string[], labels: Record<string, string>) =>
    buildPacket({ sender: cast.people.ruContact, readers: readersFor(level, ['RU', ...to]), date: now(), agreementId: 'SCO', to, level, labels, parts: [TEXTS[0]!] });

  it('RESTRICTED to CN is refused, naming the article of the marking table', async () => {
    const packet = await scoPacket('RESTRICTED', ['CN'], { RU: 'ДЛЯ СЛУЖЕБНОГО ПОЛЬЗОВАНИЯ', CN: '内部' });
    await expectRefusal(cast.tokens.ruContact, packet, 422, 'SCO Art. 7(1)', /CN has no equivalent of RESTRICTED under SCO/);
  });

  it('RESTRICTED to KZ and CN together is refused as well', async () => {
    const packet = await scoPacket('RESTRICTED', ['KZ', 'CN'], { RU: 'ДЛЯ СЛУЖЕБНОГО ПОЛЬЗОВАНИЯ', KZ: 'ДЛЯ СЛУЖЕБНОГО ПОЛЬЗОВАНИЯ', CN: '内部' });
    await expectRefusal(cast.tokens.ruContact, packet, 422, 'SCO Art. 7(1)', /CN has no equivalent of RESTRICTED/);
  });

  it('CONFIDENTIAL to CN, which CN does label, is accepted and reaches the CN member (the control)', async () => {
    const packet = await scoPacket('CONFIDENTIAL', ['CN'], { RU: 'СЕКРЕТНО', CN: '秘密' });
    await uploadRequest(cast.app, cast.tokens.ruContact, packet, true).expect(201);
    await get(cast.app, `/v1/packets/${packet.manifest.packetId}`, cast.tokens.cnContact).expect(200);
  });
});
