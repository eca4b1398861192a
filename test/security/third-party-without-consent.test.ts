/**
 * Attack: get RU-PK material to Kazakhstan, a third party to that agreement, without the written
 * consent of the originating party (RU-PK Art. 7(4)). Tried directly (addressing KZ), by reading
 * as a KZ member while a release is only requested or was refused, by a KZ member executing the
 * release, and by forwarding the received ciphertext under another agreement. KZ must see exactly
 * what it would see of a packet that does not exist, until the consented release is executed.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Release } from '../../protocol/release.ts';
import { buildPacket, uploadRequest, type BuiltPacket } from '../helpers/packets.ts';
import { CANARY, type Person } from '../helpers/world.ts';
import {
  RU_PK_CAST,
  blobFiles,
  decision,
  downloadBytes,
  expectNothingStored,
  expectProblem,
  get,
  listIds,
  plaintextOf,
  post,
  setUp,
  signManifest,
  tearDown,
  wrapsFor,
  type Cast,
  type CastMember,
} from './support.ts';

const MEMBERS = {
  ...RU_PK_CAST,
  kzClerk: { name: 'Daulet Serikov', party: 'KZ', roles: ['clerk'], clearance: 'TOP SECRET' },
  kzOfficer: { name: 'Saule Akhmetova', party: 'KZ', roles: ['officer'], clearance: 'TOP SECRET' },
  byContact: { name: 'Andrei Kovalenko', party: 'BY', roles: ['contact'], clearance: 'TOP SECRET' },
} as const satisfies Record<string, CastMember>;
type Key = keyof typeof MEMBERS;

let cast: Cast<Key>;
let packet: BuiltPacket;
const now = () => cast.world.clock.now();
const RU = `Запрос о правовой помощи: сведения об источнике. ${CANARY}`;
const EN = `Request for legal assistance: details of the source. ${CANARY}`;
const MISSING = '00000000-0000-4000-8000-000000000000';
const KZ: Key[] = ['kzContact', 'kzClerk', 'kzOfficer'];

beforeAll(async () => {
  cast = await setUp(MEMBERS);
  packet = await buildPacket({ sender: cast.people.ruContact, readers: secretReaders(), date: now(), parts: [{ role: 'original', lang: 'ru', text: RU }, { role: 'translation', lang: 'en', text: EN }] });
  await uploadRequest(cast.app, cast.tokens.ruContact, packet, true).expect(201);
});
afterAll(() => tearDown(cast));

function secretReaders(): Person[] {
  return [cast.people.ruContact, cast.people.ruClerk, cast.people.pkContact];
}
/** The KZ members cleared to read a SECRET release (receiving role and clearance): kzContact and kzClerk. */
const kzReaders = () => [cast.people.kzContact, cast.people.kzClerk];

/** Everything a KZ member could try, answered exactly as for a packet that does not exist. */
async function expectInvisibleToKz(packetId: string, releaseId?: string) {
  for (const k of KZ) {
    const token = cast.tokens[k];
    const seen = await get(cast.app, `/v1/packets/${packetId}`, token);
    const missing = await get(cast.app, `/v1/packets/${MISSING}`, token);
    expectProblem(seen, 404);
    expect(seen.body).toEqual(missing.body);
    for (const partId of ['p1', 'p2']) {
      const part = await downloadBytes(cast.app, `/v1/packets/${packetId}/parts/${partId}`, token);
      expectProblem({ ...part, body: JSON.parse((part.body as Buffer).toString('utf8')) as unknown }, 404);
    }
    expectProblem(await get(cast.app, `/v1/packets/${packetId}/releases`, token), 404);
    for (const box of ['all', 'inbox', 'sent', 'drafts']) expect(await listIds(cast.app, token, box)).not.toContain(packetId);
    if (releaseId) expectProblem(await get(cast.app, `/v1/releases/${releaseId}`, token), 404);
    const pending = await get(cast.app, '/v1/releases', token).expect(200);
    expect((pending.body as { items: Release[] }).items.map((r) => r.packetId)).not.toContain(packetId);
  }
}

const askRelease = async (purpose: string) =>
  (await post(cast.app, `/v1/packets/${packet.manifest.packetId}/releases`, cast.tokens.pkContact).send({ thirdParty: 'KZ', purpose }).expect(201)).body as Release;

describe('addressing the third party directly', () => {
  it.each([
    { who: 'RU (the originator)', sender: 'ruContact' as const, to: ['KZ'] },
    { who: 'RU, with PK as a second recipient', sender: 'ruContact' as const, to: ['PK', 'KZ'] },
    { who: 'PK', sender: 'pkContact' as const, to: ['KZ'] },
  ])('a RU-PK packet from $who addressed to KZ is refused, citing RU-PK Art. 7(4)', async ({ sender, to }) => {
    const from = cast.people[sender];
    const labels: Record<string, string> = { [from.party]: from.party === 'RU' ? 'СОВЕРШЕННО СЕКРЕТНО' : 'SECRET', KZ: 'СОВЕРШЕННО СЕКРЕТНО' };
    if (to.includes('PK')) labels.PK = 'SECRET';
    const parties = [from.party, ...to];
    const readers = [...secretReaders().filter((p) => parties.includes(p.party)), ...kzReaders()];
    const direct = await buildPacket({ sender: from, readers, date: now(), to, labels, parts: [{ role: 'original', lang: from.party === 'RU' ? 'ru' : 'en', text: from.party === 'RU' ? RU : EN }, { role: 'translation', lang: 'en', text: EN }] });
    const blobsBefore = blobFiles(cast.world.dataDir);
    const res = await uploadRequest(cast.app, cast.tokens[sender], direct, true);
    expect(expectProblem(res, 422, 'RU-PK Art. 7(4)').detail).toMatch(/KZ is not a party of RU-PK/);
    await expectNothingStored(cast, blobsBefore, direct.manifest.packetId, cast.tokens[sender]);
    await expectInvisibleToKz(direct.manifest.packetId);
  });
});

describe('a packet KZ was never sent', () => {
  it('is invisible to every KZ member: no detail, no part, not listed, no releases', async () => {
    await expectInvisibleToKz(packet.manifest.packetId);
  });

  it('a KZ member cannot even ask for its release', async () => {
    const res = await post(cast.app, `/v1/packets/${packet.manifest.packetId}/releases`, cast.tokens.kzContact).send({ thirdParty: 'KZ', purpose: 'We would like to read it' });
    expectProblem(res, 404);
  });
});

describe('a release that is requested but not consented', () => {
  let release: Release;
  beforeAll(async () => {
    release = await askRelease('Joint investigation of the same network');
  });

  it('keeps the packet invisible to KZ', async () => {
    expect(release.state).toBe('requested');
    await expectInvisibleToKz(packet.manifest.packetId, release.id);
  });

  it('cannot be executed by the requesting party, even with well-formed wraps for KZ (RU-PK Art. 7(4))', async () => {
    const res = await post(cast.app, `/v1/releases/${release.id}/execute`, cast.tokens.pkContact).send({ wraps: await wrapsFor(packet, cast.people.pkContact, kzReaders(), now()) });
    expect(expectProblem(res, 403, 'RU-PK Art. 7(4)').detail).toMatch(/blocked until RU records its written consent/);
    await expectInvisibleToKz(packet.manifest.packetId, release.id);
  });

  it('cannot be consented to by KZ, by PK, or by an RU member who is not a security officer', async () => {
    const kz = await post(cast.app, `/v1/releases/${release.id}/decision`, cast.tokens.kzOfficer).send(await decision(release, cast.people.kzOfficer, 'consent', now()));
    expectProblem(kz, 404);
    const pk = await post(cast.app, `/v1/releases/${release.id}/decision`, cast.tokens.pkContact).send(await decision(release, cast.people.pkContact, 'consent', now()));
    expectProblem(pk, 403, 'RU-PK Art. 7(4)');
    const ru = await post(cast.app, `/v1/releases/${release.id}/decision`, cast.tokens.ruContact).send(await decision(release, cast.people.ruContact, 'consent', now()));
    expectProblem(ru, 403, 'RU-PK Art. 7(4)');
    const state = await get(cast.app, `/v1/releases/${release.id}`, cast.tokens.ruOfficer).expect(200);
    expect(state.body.state).toBe('requested');
    await expectInvisibleToKz(packet.manifest.packetId, release.id);
  });
});

describe('a refused release', () => {
  it('keeps the packet invisible to KZ and cannot be executed', async () => {
    const release = await askRelease('Share with partners');
    await post(cast.app, `/v1/releases/${release.id}/decision`, cast.tokens.ruOfficer).send(await decision(release, cast.people.ruOfficer, 'refuse', now(), { reason: 'The source must stay protected.' })).expect(200);
    const res = await post(cast.app, `/v1/releases/${release.id}/execute`, cast.tokens.pkContact).send({ wraps: await wrapsFor(packet, cast.people.pkContact, kzReaders(), now()) });
    expect(expectProblem(res, 403, 'RU-PK Art. 7(4)').detail).toMatch(/refused/);
    // A refusal is final: a consent recorded afterwards does not reopen it.
    const late = await post(cast.app, `/v1/releases/${release.id}/decision`, cast.tokens.ruOfficer).send(await decision(release, cast.people.ruOfficer, 'consent', now()));
    expectProblem(late, 409);
    await expectInvisibleToKz(packet.manifest.packetId, release.id);
  });
});

describe('forwarding the received ciphertext under another agreement', () => {
  it('PK re-sending the RU parts to Belarus as a new PK-BY packet is refused, and BY sees nothing', async () => {
    const forwarded = await signManifest(
      {
        ...packet.manifest,
        packetId: randomUUID(),
        agreementId: 'PK-BY',
        sender: { party: 'PK', fingerprint: cast.people.pkContact.fingerprint },
        signedBy: cast.people.pkContact.fingerprint,
        recipients: ['BY'],
        marking: { level: 'SECRET', labels: { PK: 'SECRET', BY: 'СОВЕРШЕННО СЕКРЕТНО' } },
        parts: packet.manifest.parts.map((p, i) => ({ ...p, role: i === 0 ? 'original' : 'translation' })),
      },
      cast.people.pkContact,
      now(),
    );
    const manifest = JSON.parse(forwarded.manifestText) as BuiltPacket['manifest'];
    const blobsBefore = blobFiles(cast.world.dataDir);
    const res = await uploadRequest(cast.app, cast.tokens.pkContact, { ...forwarded, files: packet.files }, true);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    await expectNothingStored(cast, blobsBefore, manifest.packetId, cast.tokens.pkContact);
    await request(cast.app).get(`/v1/packets/${manifest.packetId}`).set('Authorization', `Bearer ${cast.tokens.byContact}`).expect(404);
    expect(await listIds(cast.app, cast.tokens.byContact)).toEqual([]);
  });
});

describe('a consented release', () => {
  let release: Release;
  beforeAll(async () => {
    release = await askRelease('Joint investigation, consented');
    await post(cast.app, `/v1/releases/${release.id}/decision`, cast.tokens.ruOfficer).send(await decision(release, cast.people.ruOfficer, 'consent', now(), { expiresAt: new Date(now().getTime() + 86_400_000).toISOString() })).expect(200);
  });

  it('is still invisible to KZ before execution, and a KZ member cannot execute it', async () => {
    await expectInvisibleToKz(packet.manifest.packetId);
    const wraps = await wrapsFor(packet, cast.people.pkContact, kzReaders(), now());
    for (const k of KZ) {
      const res = await post(cast.app, `/v1/releases/${release.id}/execute`, cast.tokens[k]).send({ wraps });
      expect([403, 404]).toContain(res.status);
      expectProblem(res, res.status);
    }
    // Nor may the originator's own contact execute it in PK's place: only the party that asked does.
    expectProblem(await post(cast.app, `/v1/releases/${release.id}/execute`, cast.tokens.ruContact).send({ wraps: await wrapsFor(packet, cast.people.ruContact, kzReaders(), now()) }), 403, 'RU-PK Art. 7(4)');
    const state = await get(cast.app, `/v1/releases/${release.id}`, cast.tokens.pkContact).expect(200);
    expect(state.body.state).toBe('consented');
    await expectInvisibleToKz(packet.manifest.packetId);
  });

  it('once executed by PK, KZ can read it (the control: the blocks above were the missing consent)', async () => {
    await post(cast.app, `/v1/releases/${release.id}/execute`, cast.tokens.pkContact).send({ wraps: await wrapsFor(packet, cast.people.pkContact, kzReaders(), now()) }).expect(200);
    const seen = await get(cast.app, `/v1/packets/${packet.manifest.packetId}`, cast.tokens.kzContact).expect(200);
    expect(seen.body.relation).toBe('released');
    const part = await downloadBytes(cast.app, `/v1/packets/${packet.manifest.packetId}/parts/p2`, cast.tokens.kzContact).expect(200);
    expect(await plaintextOf(part.body as Buffer, cast.people.kzContact, cast.people.ruContact, now())).toBe(EN);
    // Officers manage consents; they do not read, released material included.
    await downloadBytes(cast.app, `/v1/packets/${packet.manifest.packetId}/parts/p2`, cast.tokens.kzOfficer).expect(404);
  });
});
