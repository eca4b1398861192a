/**
 * Attack: reach what is around a packet one may not see. A member cleared below
 * the marking got 404 for the packet but was served its release records and authenticity
 * requests; an uncleared contact could execute a consented release with decoy wraps (blocking the
 * real execution); a security officer (no receiving role) could add wraps; and a member who
 * cannot download could file a retrieval receipt. Every object about a packet is as visible as the
 * packet, and answers exactly like a missing one otherwise.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Release } from '../../protocol/release.ts';
import type { BuiltPacket } from '../helpers/packets.ts';
import { RU_PK_CAST, decision, expectProblem, get, post, retrievalReceipt, sendPacket, setUp, tearDown, wrapsFor, type Cast, type CastMember } from './support.ts';

const CAST = {
  ...RU_PK_CAST,
  pkOfficer: { name: 'Farhan Malik', party: 'PK', roles: ['officer'], clearance: 'TOP SECRET' },
  byContact: { name: 'Andrei Kovalenko', party: 'BY', roles: ['contact'], clearance: 'TOP SECRET' },
  byLow: { name: 'Olga Ivanova', party: 'BY', roles: ['contact', 'clerk'], clearance: 'CONFIDENTIAL' },
} as const satisfies Record<string, CastMember>;
type Key = keyof typeof CAST;
let cast: Cast<Key>;
let packet: BuiltPacket;
let release: Release;
const now = () => cast.world.clock.now();

/** The answer for `path` is exactly the answer for the same kind of object that does not exist. */
async function expectLikeMissing(token: string, path: string, id: string, method: 'get' | 'post' = 'get', body: object = {}) {
  const call = (p: string) => (method === 'get' ? get(cast.app, p, token) : post(cast.app, p, token).send(body));
  const seen = await call(path);
  const missing = await call(path.replace(id, randomUUID()));
  expectProblem(seen, 404);
  expect(seen.body).toEqual(missing.body);
}

beforeAll(async () => {
  cast = await setUp(CAST);
  packet = await sendPacket(cast, 'ruContact', ['ruContact', 'ruClerk', 'pkContact']);
  release = (await post(cast.app, `/v1/packets/${packet.manifest.packetId}/releases`, cast.tokens.pkContact).send({ thirdParty: 'KZ', purpose: 'Совместное расследование' }).expect(201)).body as Release;
});
afterAll(() => tearDown(cast));

describe('release records of a packet above the caller\'s clearance', () => {
  it('are not listed, not served, and answer like missing ones', async () => {
    const low = cast.tokens.pkLow;
    await expectLikeMissing(low, `/v1/packets/${packet.manifest.packetId}`, packet.manifest.packetId);
    await expectLikeMissing(low, `/v1/releases/${release.id}`, release.id);
    await expectLikeMissing(low, `/v1/packets/${packet.manifest.packetId}/releases`, packet.manifest.packetId);
    const pending = ((await get(cast.app, '/v1/releases', low).expect(200)).body as { items: Release[] }).items;
    expect(pending.map((r) => r.id)).not.toContain(release.id);
    // The cleared colleague sees it (the control).
    expect(((await get(cast.app, '/v1/releases', cast.tokens.pkContact).expect(200)).body as { items: Release[] }).items.map((r) => r.id)).toContain(release.id);
  });

  it('cannot be executed by an uncleared contact, whose decoy wraps would block the real release', async () => {
    await post(cast.app, `/v1/releases/${release.id}/decision`, cast.tokens.ruOfficer).send(await decision(release, cast.people.ruOfficer, 'consent', now())).expect(200);
    const wraps = await wrapsFor(packet, cast.people.pkContact, [cast.people.kzContact], now());
    await expectLikeMissing(cast.tokens.pkLow, `/v1/releases/${release.id}/execute`, release.id, 'post', { wraps });
    expect((await cast.hub.hub.store.releases.get(release.id))!.state).toBe('consented');
    await post(cast.app, `/v1/releases/${release.id}/execute`, cast.tokens.pkContact).send({ wraps }).expect(200);
  });
});

describe('wraps and receipts from members who cannot read', () => {
  it('an officer (no receiving role) cannot add wraps to a packet of its party', async () => {
    const wraps = await wrapsFor(packet, cast.people.ruContact, [cast.people.ruClerk], now());
    const before = (await cast.hub.hub.store.packets.wrapsFor(packet.manifest.packetId, 'p1', 'RU')).length;
    await expectLikeMissing(cast.tokens.ruOfficer, `/v1/packets/${packet.manifest.packetId}/wraps`, packet.manifest.packetId, 'post', { fingerprint: cast.people.ruClerk.fingerprint, wraps });
    expect((await cast.hub.hub.store.packets.wrapsFor(packet.manifest.packetId, 'p1', 'RU')).length).toBe(before);
  });

  it('a retrieval receipt from a member who cannot download is refused like a missing packet', async () => {
    const path = `/v1/packets/${packet.manifest.packetId}/receipts`;
    const res = await post(cast.app, path, cast.tokens.pkOfficer).send(await retrievalReceipt(cast.people.pkOfficer, packet, now()));
    expectProblem(res, 404);
    expect((await cast.hub.hub.store.receipts.ofPacket(packet.manifest.packetId)).filter((r) => r.kind === 'retrieved')).toEqual([]);
  });
});

describe('authenticity requests of a packet above the caller\'s clearance (PK-BY Art. on authenticity)', () => {
  it('are served and answered only to members cleared for the packet', async () => {
    const pkBy = await sendPacket(cast, 'pkContact', ['pkContact', 'byContact'], { agreementId: 'PK-BY', to: ['BY'] });
    const asked = await post(cast.app, `/v1/packets/${pkBy.manifest.packetId}/authenticity`, cast.tokens.byContact).expect(201);
    const id = (asked.body as { id: string }).id;
    await get(cast.app, `/v1/authenticity/${id}`, cast.tokens.byContact).expect(200);
    await expectLikeMissing(cast.tokens.byLow, `/v1/authenticity/${id}`, id);
    await expectLikeMissing(cast.tokens.byLow, `/v1/packets/${pkBy.manifest.packetId}/authenticity`, pkBy.manifest.packetId);
    await expectLikeMissing(cast.tokens.pkLow, `/v1/authenticity/${id}/confirm`, id, 'post', { confirmation: '{}', signature: '-----BEGIN PGP SIGNATURE-----' });
  });
});
