/**
 * Use for another purpose (SCO Art. 7(2)): a recipient asks the originator's consent to use a
 * packet for another purpose. It is a release whose "third party" is the recipient itself, so
 * the signed consent or refusal goes through exactly the release decision.
 * It has no decision path of its own: a second way to consent would be a second rule.
 */
import type { Release } from '../protocol/release.ts';
import type { MemberRecord } from '../storage/records.ts';
import { Problem } from './errors.ts';
import type { Hub } from './hub.ts';
import { visiblePacket, visiblePage } from './packets.ts';
import type { PlainListQuery } from '../protocol/api.ts';
import type { Page } from '../storage/listings.ts';
import { agreementOf } from './policy/agreements.ts';
import { requireContact } from './policy/roles.ts';
import { purposeChangeVisibleTo } from './policy/visibility.ts';
import { getRelease, releaseRequest } from './releases.ts';


/**
 * A recipient asks the originator's consent to use a packet for another purpose. It is a release
 * whose "third party" is the recipient itself, so the originating officer's signed consent or
 * refusal goes through exactly the release decision (`POST /v1/releases/:id/decision`).
 */
export async function requestPurposeChange(hub: Hub, member: MemberRecord, packetId: string, body: { purpose: string }): Promise<Release> {
  const { packet, relation } = await visiblePacket(hub, member, packetId);
  if (relation !== 'received') throw new Problem('bad-request', 'consent to another use is asked by a party that received the packet');
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  const rule = agreement.purposeLimitation;
  if (!rule) throw new Problem('conflict', `${agreement.id} limits disclosure to third parties but not the purpose of use; no consent is needed`);
  requireContact(member, 'asking consent to another use');
  const record = releaseRequest(hub, member, packetId, member.party, body.purpose);
  await hub.store.transaction(async () => {
    await hub.store.releases.insert(record);
    await hub.store.releases.insertPurposeChange(record.id, packetId, member.party);
    await hub.audit({ at: record.requestedAt, actor: member.fingerprint, party: member.party, action: 'purpose.request', object: record.id, outcome: 'allow', detail: { packetId, article: rule.article } });
  });
  return await getRelease(hub, member, record.id);
}

/** One page of a packet's purpose changes as `member` may see them (purposeChangeVisibleTo), oldest first. */
export async function listPurposeChanges(hub: Hub, member: MemberRecord, packetId: string, query: PlainListQuery): Promise<Page<Release>> {
  const { packet } = await visiblePacket(hub, member, packetId);
  const page = await hub.store.releases.pageOfPacket({ packetId, purposeChangesOnly: true, limit: query.limit, cursor: query.cursor });
  return visiblePage(page, (r) => purposeChangeVisibleTo(member, packet, r), (r) => getRelease(hub, member, r.id));
}
