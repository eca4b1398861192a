/**
 * Use for another purpose (SCO Art. 7(2)): a recipient asks the originator's consent to use a
 * packet for another purpose. It is a release whose "third party" is the recipient itself, so
 * the signed consent or refusal goes through exactly the release decision.
 */
import { randomUUID } from 'node:crypto';
import type { Release } from '../protocol/release.ts';
import type { MemberRecord, ReleaseRecord } from '../storage/store.ts';
import { Problem } from './errors.ts';
import type { Hub } from './hub.ts';
import { visiblePacket } from './packets.ts';
import { agreementOf } from './policy/agreements.ts';
import { requireContact } from './policy/roles.ts';
import { purposeChangeVisibleTo } from './policy/visibility.ts';
import { getRelease } from './releases.ts';


/**
 * A recipient asks the originator's consent to use a packet for another purpose. It is a release
 * whose "third party" is the recipient itself, so the originating officer's signed consent or
 * refusal goes through exactly the release decision (`POST /v1/releases/:id/decision`).
 */
export function requestPurposeChange(hub: Hub, member: MemberRecord, packetId: string, body: { purpose: string }): Release {
  const { packet, relation } = visiblePacket(hub, member, packetId);
  if (relation !== 'received') throw new Problem('bad-request', 'consent to another use is asked by a party that received the packet');
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  const rule = agreement.purposeLimitation;
  if (!rule) throw new Problem('conflict', `${agreement.id} limits disclosure to third parties but not the purpose of use; no consent is needed`);
  requireContact(member, 'asking consent to another use');
  const record: ReleaseRecord = {
    id: randomUUID(),
    packetId,
    requestedBy: member.fingerprint,
    requestingParty: member.party,
    thirdParty: member.party,
    purpose: body.purpose,
    state: 'requested',
    requestedAt: hub.now().toISOString(),
  };
  hub.store.transaction(() => {
    hub.store.insertRelease(record);
    hub.store.insertPurposeChange(record.id, packetId, member.party);
    hub.audit({ at: record.requestedAt, actor: member.fingerprint, party: member.party, action: 'purpose.request', object: record.id, outcome: 'allow', detail: { packetId, article: rule.article } });
  });
  return getRelease(hub, member, record.id);
}

export function listPurposeChanges(hub: Hub, member: MemberRecord, packetId: string): Release[] {
  const { packet } = visiblePacket(hub, member, packetId);
  return hub.store
    .releasesOf(packetId)
    .filter((r) => hub.store.isPurposeChange(r.id) && purposeChangeVisibleTo(member, packet, r))
    .map((r) => getRelease(hub, member, r.id));
}
