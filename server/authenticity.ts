/**
 * Authenticity confirmation (SCO Art. 5(3)): a recipient in doubt asks the sending party to
 * confirm a packet; a contact or officer of the sender answers with a canonical confirmation,
 * signed, that binds the manifest digest the hub holds. Compare-and-set on the answer.
 * It never answers about a packet the caller may not see (server/policy/visibility.ts), and
 * keeps no content: the confirmation binds the manifest digest, not the documents.
 */
import { randomUUID } from 'node:crypto';
import { readPublicKey } from '../keys/identity.ts';
import { verifyStatement } from '../keys/statements.ts';
import { manifestDigest } from '../protocol/manifest.ts';
import { AuthenticityConfirmation, type AuthenticityView } from '../protocol/requests.ts';
import type { AuthenticityRequestRecord, MemberRecord, PacketRecord } from '../storage/records.ts';
import { verifiedOrRefuse } from './validate.ts';
import { Problem, notFound, treatyRefusal } from './errors.ts';
import type { Hub } from './hub.ts';
import { visiblePacket, visiblePage } from './packets.ts';
import type { PlainListQuery } from '../protocol/api.ts';
import type { Page } from '../storage/listings.ts';
import { agreementOf, ruleOrRefuse } from './policy/agreements.ts';
import { requireSignedNear } from './policy/clock.ts';
import { isContact, isOfficer, requireContact } from './policy/roles.ts';
import { authenticityVisibleTo } from './policy/visibility.ts';


export function authenticityView(hub: Hub, a: AuthenticityRequestRecord, packet: PacketRecord): AuthenticityView {
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  return {
    id: a.id,
    packetId: a.packetId,
    requestingParty: a.requestingParty,
    senderParty: packet.senderParty,
    requestedAt: a.requestedAt,
    ...(a.confirmation ? { confirmation: a.confirmation } : {}),
    ...(a.confirmationSignature ? { signature: a.confirmationSignature } : {}),
    ...(a.confirmedBy ? { confirmedBy: a.confirmedBy } : {}),
    ...(a.confirmedAt ? { confirmedAt: a.confirmedAt } : {}),
    article: agreement.workflow?.authenticity?.article ?? agreement.status.article,
  };
}

/** A recipient in doubt asks the sender to confirm the packet. */
export async function askAuthenticity(hub: Hub, member: MemberRecord, packetId: string): Promise<AuthenticityView> {
  const { packet, relation } = await visiblePacket(hub, member, packetId);
  if (relation === 'sent') throw new Problem('bad-request', 'the sender does not ask itself to confirm its own packet');
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  const rule = ruleOrRefuse(agreement, agreement.workflow?.authenticity, 'authenticity confirmation');
  requireContact(member, 'asking for confirmation');
  const record = { id: randomUUID(), packetId, requestedBy: member.fingerprint, requestingParty: member.party, requestedAt: hub.now().toISOString() };
  await hub.store.transaction(async () => {
    await hub.store.requests.insertAuthenticity(record);
    await hub.audit({ actor: member.fingerprint, party: member.party, action: 'authenticity.ask', object: record.id, outcome: 'allow', detail: { packetId, senderParty: packet.senderParty, article: rule.article } });
  });
  return authenticityView(hub, record, packet);
}

/** One page of a packet's authenticity requests as `member` may see them (authenticityVisibleTo), oldest first. */
export async function listAuthenticity(hub: Hub, member: MemberRecord, packetId: string, query: PlainListQuery): Promise<Page<AuthenticityView>> {
  const { packet, releases } = await visiblePacket(hub, member, packetId);
  const now = hub.now();
  const page = await hub.store.requests.authenticityPage({ packetId, limit: query.limit, cursor: query.cursor });
  return visiblePage(page, (a) => authenticityVisibleTo(member, packet, a, releases, now), (a) => authenticityView(hub, a, packet));
}

/** The sender answers with a canonical confirmation signed by a contact or officer of the sending party. */
export async function answerAuthenticity(hub: Hub, member: MemberRecord, requestId: string, body: { confirmation: string; signature: string }): Promise<AuthenticityView> {
  const { a, packet } = await visibleAuthenticity(hub, member, requestId);
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  const article = agreement.workflow?.authenticity?.article ?? agreement.status.article;
  if (member.party !== packet.senderParty) throw treatyRefusal(article, `only ${packet.senderParty}, which sent the packet, can confirm it`, 'forbidden');
  if (!isContact(member) && !isOfficer(member)) throw new Problem('forbidden', 'confirming a packet needs the contact or officer role');
  const now = hub.now();
  const verification = await verifyStatement('authenticity', AuthenticityConfirmation, { statement: body.confirmation, signature: body.signature }, [await readPublicKey(member.publicKey)], now, { namedSigner: (v) => v.confirmedBy });
  const c = verifiedOrRefuse(verification, 'confirmation', 'the confirmation must name the member who signs it');
  if (c.requestId !== a.id || c.packetId !== packet.id) throw new Problem('bad-request', 'the confirmation is for another request or packet');
  if (c.manifestSha256 !== manifestDigest(packet.manifest)) throw new Problem('bad-request', 'the confirmation does not cover the packet as the hub holds it (manifest SHA-256 differs)');
  requireSignedNear(now, c.confirmedAt, 'confirmation date (confirmedAt)');
  if (a.confirmedAt) throw new Problem('conflict', 'this request was already answered');
  await hub.store.transaction(async () => {
    // Compare-and-set: of two answers checked at once, only the first is recorded.
    if (!await hub.store.requests.recordAuthenticityConfirmation(a.id, { confirmation: body.confirmation, signature: body.signature, confirmedBy: member.fingerprint, confirmedAt: now.toISOString() })) {
      throw new Problem('conflict', 'this request was already answered');
    }
    await hub.audit({ actor: member.fingerprint, party: member.party, action: 'authenticity.confirm', object: a.id, outcome: 'allow', detail: { packetId: packet.id, article } });
  });
  return authenticityView(hub, (await hub.store.requests.getAuthenticity(a.id))!, packet);
}

/** An authenticity request as `member` may see it: someone who may see the packet, of the sending or the asking party; else like a missing one. */
async function visibleAuthenticity(hub: Hub, member: MemberRecord, requestId: string): Promise<{ a: AuthenticityRequestRecord; packet: PacketRecord }> {
  const a = await hub.store.requests.getAuthenticity(requestId);
  const packet = a ? await hub.store.packets.get(a.packetId) : undefined;
  if (!a || !packet || !authenticityVisibleTo(member, packet, a, await hub.store.releases.ofPacket(packet.id), hub.now())) throw notFound('authenticity request');
  return { a, packet };
}

export async function getAuthenticity(hub: Hub, member: MemberRecord, requestId: string): Promise<AuthenticityView> {
  const { a, packet } = await visibleAuthenticity(hub, member, requestId);
  return authenticityView(hub, a, packet);
}
