/**
 * The hub's packet rules over real HTTP (supertest on the exported app), with real keys, real
 * OpenPGP messages and a real SQLite store in a temp directory.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Release } from '../../protocol/release.ts';
import type { LiaisonApp } from '../../server/app.ts';
import { CANARY, makeWorld, type Person, type World } from '../helpers/world.ts';
import { buildPacket, buildRevision, login, uploadRequest } from '../helpers/packets.ts';
import { blobFiles, decision, downloadBytes, plaintextOf, wrapsFor } from '../helpers/http.ts';
import { enrollCast } from '../helpers/cast.ts';

let world: World;
let hub: LiaisonApp;
let ruContact: Person, ruClerk: Person, ruOfficer: Person, pkContact: Person, pkLowClearance: Person, kzContact: Person;
const tokens: Record<string, string> = {};

const RU_TEXT = `Запрос о правовой помощи по уголовному делу. Просим предоставить сведения о банковских счетах подозреваемого. ${CANARY}`;
const EN_TEXT = `Request for legal assistance in a criminal case. We ask you to provide information on the bank accounts of the suspect. ${CANARY}`;

const app = () => hub.app;

beforeAll(async () => {
  world = await makeWorld();
  ({ ruContact, ruClerk, ruOfficer, pkContact, pkLowClearance, kzContact } = await enrollCast(world, {
    ruContact: { name: 'Ivan Petrov', party: 'RU', roles: ['contact'], clearance: 'TOP SECRET' },
    ruClerk: { name: 'Olga Smirnova', party: 'RU', roles: ['clerk'], clearance: 'SECRET' },
    ruOfficer: { name: 'Sergei Volkov', party: 'RU', roles: ['officer'], clearance: 'TOP SECRET' },
    pkContact: { name: 'Ayesha Khan', party: 'PK', roles: ['contact'], clearance: 'SECRET' },
    pkLowClearance: { name: 'Bilal Ahmed', party: 'PK', roles: ['contact'], clearance: 'CONFIDENTIAL' },
    kzContact: { name: 'Aigerim Nurlanovna', party: 'KZ', roles: ['contact'], clearance: 'SECRET' },
  }));
  hub = await world.open();
  for (const p of [ruContact, ruClerk, ruOfficer, pkContact, pkLowClearance, kzContact]) tokens[p.name] = await login(hub.app, p, world.clock.now());
});

afterAll(async () => {
  await hub.close();
  world.cleanup();
});

const secretReaders = () => [ruContact, ruClerk, pkContact];

describe('sending a packet', () => {
  it('accepts a complete, signed packet and delivers it to the cleared recipients only', async () => {
    const packet = await buildPacket({
      sender: ruContact,
      readers: secretReaders(),
      date: world.clock.now(),
      parts: [
        { role: 'original', lang: 'ru', text: RU_TEXT },
        { role: 'translation', lang: 'en', text: EN_TEXT },
      ],
    });
    const res = await uploadRequest(app(), tokens[ruContact.name]!, packet, true).expect(201);
    expect(res.body).toEqual({ packetId: packet.manifest.packetId, state: 'submitted', revision: 1 });
    expect(res.headers['cache-control']).toBe('no-store');

    const inbox = await request(app()).get('/v1/packets?box=inbox').set('Authorization', `Bearer ${tokens[pkContact.name]}`).expect(200);
    expect(inbox.body.nextCursor).toBeNull();
    expect(inbox.body.items.map((p: { packetId: string }) => p.packetId)).toContain(packet.manifest.packetId);
    const entry = inbox.body.items.find((p: { packetId: string }) => p.packetId === packet.manifest.packetId);
    expect(entry).toMatchObject({ senderParty: 'RU', level: 'SECRET', labels: { RU: 'СОВЕРШЕННО СЕКРЕТНО', PK: 'SECRET' }, kind: 'request', relation: 'received' });

    const part = await downloadBytes(app(), `/v1/packets/${packet.manifest.packetId}/parts/p2`, tokens[pkContact.name]!).expect(200);
    expect(part.headers['liaison-wrap-length']).toBe('0');
    expect(Buffer.compare(part.body as Buffer, packet.files[1]!.bytes)).toBe(0);
    expect(await plaintextOf(part.body as Buffer, pkContact, ruContact, world.clock.now())).toBe(EN_TEXT);

    // Below the marking: the packet does not exist for this member, exactly like a missing one.
    const low = await request(app()).get(`/v1/packets/${packet.manifest.packetId}`).set('Authorization', `Bearer ${tokens[pkLowClearance.name]}`).expect(404);
    const missing = await request(app()).get(`/v1/packets/00000000-0000-4000-8000-000000000000`).set('Authorization', `Bearer ${tokens[pkLowClearance.name]}`).expect(404);
    expect(low.body).toEqual(missing.body);
    // A third party sees nothing.
    await request(app()).get(`/v1/packets/${packet.manifest.packetId}`).set('Authorization', `Bearer ${tokens[kzContact.name]}`).expect(404);
  });

  it('refuses to submit a packet without the English translation (RU-PK Art. 6) and keeps nothing', async () => {
    const before = blobFiles(world.dataDir).length;
    const packet = await buildPacket({ sender: ruContact, readers: secretReaders(), date: world.clock.now(), parts: [{ role: 'original', lang: 'ru', text: RU_TEXT }] });
    const res = await uploadRequest(app(), tokens[ruContact.name]!, packet, true).expect(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, article: 'RU-PK Art. 6' });
    expect(res.body.detail).toMatch(/translation into en is required/);
    expect(blobFiles(world.dataDir).length).toBe(before);
    expect(readdirSync(join(world.dataDir, 'tmp'))).toEqual([]);
    await request(app()).get(`/v1/packets/${packet.manifest.packetId}`).set('Authorization', `Bearer ${tokens[ruContact.name]}`).expect(404);
  });

  it('keeps a draft invisible to the recipients until a clerk attaches the translation and it is submitted', async () => {
    const draft = await buildPacket({ sender: ruContact, readers: secretReaders(), date: world.clock.now(), parts: [{ role: 'original', lang: 'ru', text: RU_TEXT }] });
    await uploadRequest(app(), tokens[ruContact.name]!, draft, false).expect(201);
    const id = draft.manifest.packetId;
    await request(app()).get(`/v1/packets/${id}`).set('Authorization', `Bearer ${tokens[pkContact.name]}`).expect(404);
    const drafts = await request(app()).get('/v1/packets?box=drafts').set('Authorization', `Bearer ${tokens[ruClerk.name]}`).expect(200);
    expect(drafts.body.items.map((p: { packetId: string }) => p.packetId)).toContain(id);

    // Submitting the incomplete draft is refused with the article.
    const early = await request(app()).post(`/v1/packets/${id}/submit`).set('Authorization', `Bearer ${tokens[ruContact.name]}`).expect(422);
    expect(early.body.article).toBe('RU-PK Art. 6');

    // The clerk signs revision 2 that only adds the translation.
    const revision = await buildRevision(draft.manifest, ruClerk, secretReaders(), { role: 'translation', lang: 'en', text: EN_TEXT }, world.clock.now());
    await uploadRequest(app(), tokens[ruClerk.name]!, revision, false, `/v1/packets/${id}/revisions`).expect(201);

    // A clerk cannot submit; the contact can.
    await request(app()).post(`/v1/packets/${id}/submit`).set('Authorization', `Bearer ${tokens[ruClerk.name]}`).expect(403);
    await request(app()).post(`/v1/packets/${id}/submit`).set('Authorization', `Bearer ${tokens[pkContact.name]}`).expect(404);
    await request(app()).post(`/v1/packets/${id}/submit`).set('Authorization', `Bearer ${tokens[ruContact.name]}`).expect(200);
    const seen = await request(app()).get(`/v1/packets/${id}`).set('Authorization', `Bearer ${tokens[pkContact.name]}`).expect(200);
    expect(seen.body.revision).toBe(2);
    expect(seen.body.parts.map((p: { role: string }) => p.role)).toEqual(['original', 'request-form', 'translation']);
  });
});

describe('onward release to a third party', () => {
  let packetId: string;
  let releaseId: string;

  beforeAll(async () => {
    const packet = await buildPacket({ sender: ruContact, readers: secretReaders(), date: world.clock.now(), parts: [{ role: 'original', lang: 'ru', text: RU_TEXT }, { role: 'translation', lang: 'en', text: EN_TEXT }] });
    await uploadRequest(app(), tokens[ruContact.name]!, packet, true).expect(201);
    packetId = packet.manifest.packetId;
  });

  it('records a request that stays blocked until the originator consents (RU-PK Art. 7(4))', async () => {
    const res = await request(app()).post(`/v1/packets/${packetId}/releases`).set('Authorization', `Bearer ${tokens[pkContact.name]}`).send({ thirdParty: 'KZ', purpose: 'Joint investigation of the same network' }).expect(201);
    releaseId = res.body.id as string;
    expect(res.body).toMatchObject({ state: 'requested', thirdParty: 'KZ', originParty: 'RU', requestingParty: 'PK' });
    const early = await request(app()).post(`/v1/releases/${releaseId}/execute`).set('Authorization', `Bearer ${tokens[pkContact.name]}`).send({ wraps: [{ partId: 'p1', pkesk: 'AAAA' }] });
    expect(early.status).toBeGreaterThanOrEqual(400);
    await request(app()).get(`/v1/packets/${packetId}`).set('Authorization', `Bearer ${tokens[kzContact.name]}`).expect(404);
  });
});

describe('consent and execution of a release', () => {
  let packet: Awaited<ReturnType<typeof buildPacket>>;

  beforeAll(async () => {
    packet = await buildPacket({ sender: ruContact, readers: secretReaders(), date: world.clock.now(), parts: [{ role: 'original', lang: 'ru', text: RU_TEXT }, { role: 'translation', lang: 'en', text: EN_TEXT }] });
    await uploadRequest(app(), tokens[ruContact.name]!, packet, true).expect(201);
  });

  const ask = async (purpose = 'Joint investigation of the same network') =>
    (await request(app()).post(`/v1/packets/${packet.manifest.packetId}/releases`).set('Authorization', `Bearer ${tokens[pkContact.name]}`).send({ thirdParty: 'KZ', purpose }).expect(201)).body as Release;

  it('only an officer of the originating party can decide, and the third party reads only after execution', async () => {
    const release = await ask();
    // The requesting party's own people cannot consent for the originator.
    const byPk = await request(app()).post(`/v1/releases/${release.id}/decision`).set('Authorization', `Bearer ${tokens[pkContact.name]}`).send(await decision(release, pkContact, 'consent', world.clock.now()));
    expect(byPk.status).toBe(403);
    expect(byPk.body.article).toBe('RU-PK Art. 7(4)');
    const byRuContact = await request(app()).post(`/v1/releases/${release.id}/decision`).set('Authorization', `Bearer ${tokens[ruContact.name]}`).send(await decision(release, ruContact, 'consent', world.clock.now()));
    expect(byRuContact.status).toBe(403);

    const decided = await request(app()).post(`/v1/releases/${release.id}/decision`).set('Authorization', `Bearer ${tokens[ruOfficer.name]}`).send(await decision(release, ruOfficer, 'consent', world.clock.now())).expect(200);
    expect(decided.body.state).toBe('consented');
    // Consent alone does not release: nothing is readable by KZ until the keys are re-wrapped.
    await request(app()).get(`/v1/packets/${packet.manifest.packetId}`).set('Authorization', `Bearer ${tokens[kzContact.name]}`).expect(404);

    // Wraps for the wrong people are refused.
    const wrong = await request(app()).post(`/v1/releases/${release.id}/execute`).set('Authorization', `Bearer ${tokens[pkContact.name]}`).send({ wraps: await wrapsFor(packet, pkContact, [pkLowClearance], world.clock.now()) });
    expect(wrong.status).toBe(400);
    // Only the requesting party executes.
    const byRu = await request(app()).post(`/v1/releases/${release.id}/execute`).set('Authorization', `Bearer ${tokens[ruContact.name]}`).send({ wraps: await wrapsFor(packet, ruContact, [kzContact], world.clock.now()) });
    expect(byRu.status).toBe(403);

    await request(app()).post(`/v1/releases/${release.id}/execute`).set('Authorization', `Bearer ${tokens[pkContact.name]}`).send({ wraps: await wrapsFor(packet, pkContact, [kzContact], world.clock.now()) }).expect(200);
    const seen = await request(app()).get(`/v1/packets/${packet.manifest.packetId}`).set('Authorization', `Bearer ${tokens[kzContact.name]}`).expect(200);
    expect(seen.body.relation).toBe('released');
    const part = await downloadBytes(app(), `/v1/packets/${packet.manifest.packetId}/parts/p2`, tokens[kzContact.name]!).expect(200);
    const wrapLength = Number(part.headers['liaison-wrap-length']);
    expect(wrapLength).toBeGreaterThan(0);
    // The stored ciphertext is untouched: the signed hash still holds after the wrap.
    expect(Buffer.compare((part.body as Buffer).subarray(wrapLength), packet.files[1]!.bytes)).toBe(0);
    expect(await plaintextOf(part.body as Buffer, kzContact, ruContact, world.clock.now())).toBe(EN_TEXT);
    // Executed once only.
    await request(app()).post(`/v1/releases/${release.id}/execute`).set('Authorization', `Bearer ${tokens[pkContact.name]}`).send({ wraps: await wrapsFor(packet, pkContact, [kzContact], world.clock.now()) }).expect(409);
  });

  it('a refusal carries reasons and blocks the release for good', async () => {
    const release = await ask('Share with partners');
    const noReason = await decision(release, ruOfficer, 'refuse', world.clock.now());
    await request(app()).post(`/v1/releases/${release.id}/decision`).set('Authorization', `Bearer ${tokens[ruOfficer.name]}`).send(noReason).expect(400);
    await request(app()).post(`/v1/releases/${release.id}/decision`).set('Authorization', `Bearer ${tokens[ruOfficer.name]}`).send(await decision(release, ruOfficer, 'refuse', world.clock.now(), { reason: 'The source must stay protected.' })).expect(200);
    const blocked = await request(app()).post(`/v1/releases/${release.id}/execute`).set('Authorization', `Bearer ${tokens[pkContact.name]}`).send({ wraps: await wrapsFor(packet, pkContact, [kzContact], world.clock.now()) });
    expect(blocked.status).toBe(403);
    expect(blocked.body).toMatchObject({ article: 'RU-PK Art. 7(4)' });
    expect(blocked.body.detail).toMatch(/refused/);
  });

  it('an expired consent blocks what was not yet released (shifted clock)', async () => {
    const release = await ask('Time-limited sharing');
    const expiresAt = new Date(world.clock.now().getTime() + 3600_000).toISOString();
    await request(app()).post(`/v1/releases/${release.id}/decision`).set('Authorization', `Bearer ${tokens[ruOfficer.name]}`).send(await decision(release, ruOfficer, 'consent', world.clock.now(), { expiresAt })).expect(200);
    world.clock.advance(2 * 3600_000);
    const pk = await login(hub.app, pkContact, world.clock.now());
    const late = await request(app()).post(`/v1/releases/${release.id}/execute`).set('Authorization', `Bearer ${pk}`).send({ wraps: await wrapsFor(packet, pkContact, [kzContact], world.clock.now()) });
    expect(late.status).toBe(403);
    expect(late.body.detail).toMatch(/expired/);
  });
});
