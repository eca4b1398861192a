/**
 * Attack: read, in one's own audit export or evidence bundle, events one may not see:
 * denials that name a packet above the viewer's clearance, and release requests of a
 * packet to other third parties that were never executed. An event is shown only to someone who
 * may see every object it names, by the same rules as the objects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditExport, EvidenceBundle } from '../../protocol/evidence.ts';
import type { Release } from '../../protocol/release.ts';
import type { BuiltPacket } from '../helpers/packets.ts';
import { RU_PK_CAST, decision, get, post, sendPacket, setUp, tearDown, wrapsFor, type Cast, type CastMember } from './support.ts';

const CAST = { ...RU_PK_CAST, byContact: { name: 'Andrei Kovalenko', party: 'BY', roles: ['contact'], clearance: 'TOP SECRET' } } as const satisfies Record<string, CastMember>;
type Key = keyof typeof CAST;
let cast: Cast<Key>;
let packet: BuiltPacket;
let toKz: Release, toBy: Release;
const now = () => cast.world.clock.now();
const id = () => packet.manifest.packetId;
const names = (e: { object: string; detail: string }, what: string) => e.object.includes(what) || e.detail.includes(what);

beforeAll(async () => {
  cast = await setUp(CAST);
  packet = await sendPacket(cast, 'ruContact', ['ruContact', 'ruClerk', 'pkContact']);
  const ask = async (thirdParty: string) => (await post(cast.app, `/v1/packets/${id()}/releases`, cast.tokens.pkContact).send({ thirdParty, purpose: 'Совместное расследование' }).expect(201)).body as Release;
  toKz = await ask('KZ');
  toBy = await ask('BY');
  await post(cast.app, `/v1/releases/${toKz.id}/decision`, cast.tokens.ruOfficer).send(await decision(toKz, cast.people.ruOfficer, 'consent', now())).expect(200);
  await post(cast.app, `/v1/releases/${toKz.id}/execute`, cast.tokens.pkContact).send({ wraps: await wrapsFor(packet, cast.people.pkContact, [cast.people.kzContact], now()) }).expect(200);
  // A member cleared below the marking tries the packet, its part and its releases.
  await get(cast.app, `/v1/packets/${id()}`, cast.tokens.pkLow).expect(404);
  await get(cast.app, `/v1/packets/${id()}/parts/p1`, cast.tokens.pkLow).expect(404);
  await get(cast.app, `/v1/releases/${toBy.id}`, cast.tokens.pkLow).expect(404);
});
afterAll(() => tearDown(cast));

describe('the audit export', () => {
  it('shows a member cleared below the marking no event naming the packet, not even its own denials', async () => {
    const view = (await get(cast.app, '/v1/audit', cast.tokens.pkLow).expect(200)).body as AuditExport;
    const all = await cast.hub.hub.store.audit.events();
    expect(all.some((e) => e.actor === cast.people.pkLow.fingerprint && e.outcome === 'deny' && names(e, id()))).toBe(true);
    expect(view.events.filter((e) => names(e.event, id()) || names(e.event, toBy.id) || names(e.event, toKz.id))).toEqual([]);
    // Its own login is still there (the control).
    expect(view.events.some((e) => e.event.action === 'auth.login' && e.event.actor === cast.people.pkLow.fingerprint)).toBe(true);
  });

  it('shows the third party its own executed release, not the request to another third party', async () => {
    const view = (await get(cast.app, '/v1/audit', cast.tokens.kzContact).expect(200)).body as AuditExport;
    expect(view.events.some((e) => names(e.event, toKz.id) && e.event.action === 'release.execute')).toBe(true);
    expect(view.events.filter((e) => names(e.event, toBy.id) || e.event.detail.includes('"BY"'))).toEqual([]);
  });
});

describe('the evidence bundle', () => {
  it('for the third party holds its own release only, and no event about the other', async () => {
    const bundle = (await get(cast.app, `/v1/packets/${id()}/evidence`, cast.tokens.kzContact).expect(200)).body as EvidenceBundle;
    expect(bundle.releases.map((r) => r.id)).toEqual([toKz.id]);
    expect(bundle.events.filter((e) => names(e.event, toBy.id))).toEqual([]);
    expect(bundle.events.some((e) => e.event.action === 'packet.upload')).toBe(true);
  });

  it('for the originator and the requester holds both releases (the control)', async () => {
    for (const token of [cast.tokens.ruContact, cast.tokens.pkContact]) {
      const bundle = (await get(cast.app, `/v1/packets/${id()}/evidence`, token).expect(200)).body as EvidenceBundle;
      expect(bundle.releases.map((r) => r.id).sort()).toEqual([toKz.id, toBy.id].sort());
      expect(bundle.events.some((e) => names(e.event, toBy.id) && e.event.action === 'release.request')).toBe(true);
    }
  });
});
