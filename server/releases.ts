/**
 * Onward release to a third party (RU-PK Art. 7(4), SCO Art. 7(3), IR-KG Art. 4): a request that
 * stays blocked until the originating party's security officer records a signed consent, or a
 * refusal; then the releasing party's client re-wraps the session keys for the third party's
 * cleared members. Consent check and release happen in one transaction.
 */
import { randomUUID } from 'node:crypto';
import { readPublicKey } from '../keys/identity.ts';
import { verifyDetached } from '../keys/signatures.ts';
import { parseCanonical } from '../protocol/canonical.ts';
import { ReleaseDecision, type Release } from '../protocol/release.ts';
import type { MemberRecord, PacketRecord, ReleaseRecord } from '../storage/store.ts';
import { Problem, notFound, treatyRefusal } from './errors.ts';
import { recordReleaseReceipts } from './evidence.ts';
import type { Hub } from './hub.ts';
import { agreementOf, canDownload, canRequestRelease, clearedReceivers, isOfficerOf, releaseVisibleTo } from './policy.ts';
import { requireSignedNear } from './signed-dates.ts';
import { checkWraps, listed, readableLevels, visiblePacket } from './packets.ts';
import type { ReleaseListQuery } from '../protocol/api.ts';
import type { Page } from '../storage/listings.ts';


function toRelease(r: ReleaseRecord, packet: PacketRecord): Release {
  const { decidedBy: _d, ...rest } = r;
  return { ...rest, agreementId: packet.agreementId, originParty: packet.senderParty };
}

/**
 * A release as `member` may see it (policy.ts: releaseVisibleTo): only someone who may see the
 * packet, and of them the originating and requesting parties, and the third party once executed.
 * Anyone else gets exactly the answer for a release that does not exist.
 */
function visibleRelease(hub: Hub, member: MemberRecord, releaseId: string): { release: ReleaseRecord; packet: PacketRecord } {
  const release = hub.store.getRelease(releaseId);
  const packet = release ? hub.store.getPacket(release.packetId) : undefined;
  if (!release || !packet || !releaseVisibleTo(member, packet, release, hub.store.releasesOf(packet.id), hub.now())) throw notFound('release');
  return { release, packet };
}

export function requestRelease(hub: Hub, member: MemberRecord, packetId: string, body: { thirdParty: string; purpose: string }): Release {
  const { packet, relation } = visiblePacket(hub, member, packetId);
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  const article = agreement.thirdPartyRelease.article;
  if (relation === 'released') throw treatyRefusal(article, 'material received through a release cannot be released onward again without a new request by a direct party', 'forbidden');
  if (!canRequestRelease(member)) throw new Problem('forbidden', 'requesting a release needs the contact role');
  if (body.thirdParty === packet.senderParty || packet.recipients.includes(body.thirdParty)) {
    throw new Problem('bad-request', `${body.thirdParty} is not a third party to this packet (it is its originator or a recipient)`);
  }
  if (hub.store.membersOf(body.thirdParty).length === 0) throw new Problem('bad-request', `${body.thirdParty} has no members on this hub`);
  if (packet.state !== 'submitted') throw new Problem('conflict', 'only a submitted packet can be released');
  const record: ReleaseRecord = {
    id: randomUUID(),
    packetId,
    requestedBy: member.fingerprint,
    requestingParty: member.party,
    thirdParty: body.thirdParty,
    purpose: body.purpose,
    state: 'requested',
    requestedAt: hub.now().toISOString(),
  };
  hub.store.transaction(() => {
    hub.store.insertRelease(record);
    hub.audit({ at: record.requestedAt, actor: member.fingerprint, party: member.party, action: 'release.request', object: record.id, outcome: 'allow', detail: { packetId, thirdParty: body.thirdParty, article } });
    recordReleaseReceipts(hub, record.id, 'release-requested');
  });
  return toRelease(record, packet);
}

export function getRelease(hub: Hub, member: MemberRecord, releaseId: string): Release {
  const { release, packet } = visibleRelease(hub, member, releaseId);
  return toRelease(release, packet);
}

export function listReleases(hub: Hub, member: MemberRecord, packetId: string): Release[] {
  const { packet } = visiblePacket(hub, member, packetId);
  const releases = hub.store.releasesOf(packetId);
  return releases.filter((r) => releaseVisibleTo(member, packet, r, releases, hub.now())).map((r) => toRelease(r, packet));
}

/** Record the originating officer's signed consent or refusal. */
export async function decideRelease(hub: Hub, member: MemberRecord, releaseId: string, body: { decision: string; signature: string }): Promise<Release> {
  const { release, packet } = visibleRelease(hub, member, releaseId);
  const article = agreementOf(hub.agreements, packet.agreementId).thirdPartyRelease.article;
  if (!isOfficerOf(member, packet.senderParty)) {
    throw treatyRefusal(article, `only a security officer of the originating party (${packet.senderParty}) can consent to or refuse this release`, 'forbidden');
  }
  const parsed = parseCanonical(ReleaseDecision, body.decision, 'decision');
  if (!parsed.ok) throw new Problem('bad-request', parsed.error);
  const d = parsed.value;
  if (d.releaseId !== release.id || d.packetId !== release.packetId || d.thirdParty !== release.thirdParty || d.purpose !== release.purpose) {
    throw new Problem('bad-request', 'the decision does not match this release (id, packet, third party and purpose must be as requested)');
  }
  if (d.officer !== member.fingerprint) throw new Problem('bad-request', 'the decision must name the officer who signs it');
  const now = hub.now();
  requireSignedNear(now, d.decidedAt, 'decision date (decidedAt)');
  if (d.expiresAt && d.expiresAt <= now.toISOString()) throw new Problem('bad-request', 'the consent would already have expired');
  if (release.state !== 'requested') throw new Problem('conflict', `this release was already ${release.state}`);
  const verification = await verifyDetached('releaseDecision', body.decision, body.signature, [await readPublicKey(member.publicKey)], now);
  if (!verification.valid) throw new Problem('bad-request', `the decision signature does not verify: ${verification.reason}`);
  const state = d.decision === 'consent' ? 'consented' : 'refused';
  hub.store.transaction(() => {
    // Compare-and-set in the transaction that records it: a decision that lost the race to
    // another one (checked while this signature was verified) changes nothing and answers 409.
    // One instant for the record and its audit event, so the signed log proves decidedAt.
    const decidedAt = hub.now().toISOString();
    const landed = hub.store.recordDecision(release.id, {
      state,
      decision: body.decision,
      signature: body.signature,
      decidedBy: member.fingerprint,
      decidedAt,
      ...(d.expiresAt ? { expiresAt: d.expiresAt } : {}),
    });
    if (!landed) throw new Problem('conflict', `this release was already ${hub.store.getRelease(release.id)?.state ?? 'decided'}`);
    hub.audit({ at: decidedAt, actor: member.fingerprint, party: member.party, action: `release.${d.decision}`, object: release.id, outcome: 'allow', detail: { packetId: release.packetId, thirdParty: release.thirdParty, article } });
    recordReleaseReceipts(hub, release.id, d.decision === 'consent' ? 'release-consented' : 'release-refused');
  });
  return getRelease(hub, member, releaseId);
}

/**
 * Execute a consented release: store the new session-key wraps, which must be for exactly the
 * third party's cleared members, one per part. Refused before consent, after refusal, after the
 * consent expired, or by anyone but a contact of the requesting party.
 */
export async function executeRelease(hub: Hub, member: MemberRecord, releaseId: string, body: { wraps: Array<{ partId: string; pkesk: string }> }): Promise<Release> {
  const { release, packet } = visibleRelease(hub, member, releaseId);
  const article = agreementOf(hub.agreements, packet.agreementId).thirdPartyRelease.article;
  if (member.party !== release.requestingParty || !canRequestRelease(member) || !canDownload(member)) {
    throw treatyRefusal(article, `only a contact person of ${release.requestingParty}, which asked for this release, can execute it`, 'forbidden');
  }
  if (release.thirdParty === packet.senderParty || packet.recipients.includes(release.thirdParty)) {
    throw new Problem('conflict', 'this is a consent to use the packet for another purpose (SCO Art. 7(2)); there are no keys to release');
  }
  const parts = hub.store.partsOf(packet.id);
  const expected = new Set(clearedReceivers(hub.store.membersOf(release.thirdParty), packet.level, hub.now()).map((m) => m.encryptionKeyId));
  if (expected.size === 0) throw new Problem('conflict', `${release.thirdParty} has no member cleared for ${packet.level}`);
  const wraps = await checkWraps(parts, body.wraps, expected, `the cleared members of ${release.thirdParty}`);

  const now = hub.now().toISOString();
  // Re-read inside the transaction: the consent must still stand at the moment of release.
  hub.store.transaction(() => {
    const current = hub.store.getRelease(release.id)!;
    if (current.state === 'requested') throw treatyRefusal(article, `the release to ${release.thirdParty} is blocked until ${packet.senderParty} records its written consent`, 'forbidden');
    if (current.state === 'refused') throw treatyRefusal(article, `${packet.senderParty} refused this release`, 'forbidden');
    if (current.state === 'executed') throw new Problem('conflict', 'this release was already executed');
    if (current.expiresAt && current.expiresAt <= now) throw treatyRefusal(article, `the consent expired at ${current.expiresAt}`, 'forbidden');
    // The executor's standing is re-read too: revoked or downgraded while the wraps were checked, it stops here.
    const executor = hub.store.getMember(member.fingerprint);
    if (!executor || !releaseVisibleTo(executor, packet, current, hub.store.releasesOf(packet.id), hub.now())) throw notFound('release');
    if (!hub.store.markExecuted(release.id, now)) throw new Problem('conflict', 'this release was already executed');
    for (const [partId, pkesk] of wraps) {
      hub.store.insertWrap({ packetId: packet.id, partId, party: release.thirdParty, pkesk, keyIds: expected, releaseId: release.id, createdAt: now });
    }
    hub.audit({ at: now, actor: member.fingerprint, party: member.party, action: 'release.execute', object: release.id, outcome: 'allow', detail: { packetId: packet.id, thirdParty: release.thirdParty, article } });
    recordReleaseReceipts(hub, release.id, 'release-executed');
  });
  return getRelease(hub, member, releaseId);
}

/**
 * One page of the releases the caller's party is party to (as the packet's originator, as the
 * requester, or as the third party once executed), newest first, for packets the caller is cleared to see: one indexed query.
 */
export function pendingReleases(hub: Hub, member: MemberRecord, query: ReleaseListQuery): Page<Release> {
  const page = listed(() =>
    hub.store.listings.releases({
      party: member.party,
      levels: readableLevels(member),
      state: query.state,
      packetId: query.packet,
      since: query.since,
      limit: query.limit,
      cursor: query.cursor,
    }),
  );
  // The page is read by one indexed query; each release is then held to the visibility rule.
  const now = hub.now();
  const items = page.items.filter((r) => {
    const packet = hub.store.getPacket(r.packetId);
    return packet !== undefined && releaseVisibleTo(member, packet, r, hub.store.releasesOf(r.packetId), now);
  });
  return { items: items.map(({ decidedBy: _d, ...rest }) => rest), nextCursor: page.nextCursor };
}
