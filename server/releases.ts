/**
 * Onward release to a third party (RU-PK Art. 7(4), SCO Art. 7(3), IR-KG Art. 4): a request that
 * stays blocked until the originating party's security officer records a signed consent, or a
 * refusal; then the releasing party's client re-wraps the session keys for the third party's
 * cleared members. Consent check and release happen in one transaction.
 * The hub never re-encrypts or sees content: it checks the wraps name exactly the cleared
 * members, and never lets a release be seen beyond its packet (server/policy/visibility.ts).
 */
import { releaseDecisionAction } from '../protocol/evidence.ts';
import { randomUUID } from 'node:crypto';
import { readPublicKey } from '../keys/identity.ts';
import { verifyStatement } from '../keys/statements.ts';
import { ReleaseDecision, type Release } from '../protocol/release.ts';
import type { MemberRecord, PacketRecord, ReleaseRecord } from '../storage/records.ts';
import { verifiedOrRefuse } from './validate.ts';
import { Problem, notFound, treatyRefusal } from './errors.ts';
import { recordReleaseReceipts } from './evidence.ts';
import type { Hub } from './hub.ts';
import { agreementOf } from './policy/agreements.ts';
import { clearedReceivers } from './policy/packets.ts';
import { isDirectParty, requireStandingConsent } from './policy/releases.ts';
import { isContact, isOfficerOf, isReader } from './policy/roles.ts';
import { readableLevels, releaseVisibleTo } from './policy/visibility.ts';
import { requireSignedNear } from './policy/clock.ts';
import { checkWraps, listed, visiblePacket, visiblePage } from './packets.ts';
import type { PlainListQuery, ReleaseListQuery } from '../protocol/api.ts';
import type { Page } from '../storage/listings.ts';


/**
 * A new release request by `member` of `packetId` to `thirdParty` for `purpose`, as it is first
 * recorded. A request to use a packet for another purpose is one to the asking party itself
 * (server/purpose-changes.ts).
 */
export function releaseRequest(hub: Hub, member: MemberRecord, packetId: string, thirdParty: string, purpose: string): ReleaseRecord {
  return { id: randomUUID(), packetId, requestedBy: member.fingerprint, requestingParty: member.party, thirdParty, purpose, state: 'requested', requestedAt: hub.now().toISOString() };
}

function toRelease(r: ReleaseRecord, packet: PacketRecord): Release {
  const { decidedBy: _d, ...rest } = r;
  return { ...rest, agreementId: packet.agreementId, originParty: packet.senderParty };
}

/**
 * A release as `member` may see it (policy.ts: releaseVisibleTo): only someone who may see the
 * packet, and of them the originating and requesting parties, and the third party once executed.
 * Anyone else gets exactly the answer for a release that does not exist.
 */
async function visibleRelease(hub: Hub, member: MemberRecord, releaseId: string): Promise<{ release: ReleaseRecord; packet: PacketRecord }> {
  const release = await hub.store.releases.get(releaseId);
  const packet = release ? await hub.store.packets.get(release.packetId) : undefined;
  if (!release || !packet || !releaseVisibleTo(member, packet, release, await hub.store.releases.ofPacket(packet.id), hub.now())) throw notFound('release');
  return { release, packet };
}

export async function requestRelease(hub: Hub, member: MemberRecord, packetId: string, body: { thirdParty: string; purpose: string }): Promise<Release> {
  const { packet, relation } = await visiblePacket(hub, member, packetId);
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  const article = agreement.thirdPartyRelease.article;
  if (relation === 'released') throw treatyRefusal(article, 'material received through a release cannot be released onward again without a new request by a direct party', 'forbidden');
  if (!isContact(member)) throw new Problem('forbidden', 'requesting a release needs the contact role');
  if (isDirectParty(packet, body.thirdParty)) {
    throw new Problem('bad-request', `${body.thirdParty} is not a third party to this packet (it is its originator or a recipient)`);
  }
  if ((await hub.store.members.ofParty(body.thirdParty)).length === 0) throw new Problem('bad-request', `${body.thirdParty} has no members on this hub`);
  if (packet.state !== 'submitted') throw new Problem('conflict', 'only a submitted packet can be released');
  const record = releaseRequest(hub, member, packetId, body.thirdParty, body.purpose);
  await hub.store.transaction(async () => {
    await hub.store.releases.insert(record);
    await hub.audit({ at: record.requestedAt, actor: member.fingerprint, party: member.party, action: 'release.request', object: record.id, outcome: 'allow', detail: { packetId, thirdParty: body.thirdParty, article } });
    await recordReleaseReceipts(hub, record.id, 'release-requested');
  });
  return toRelease(record, packet);
}

export async function getRelease(hub: Hub, member: MemberRecord, releaseId: string): Promise<Release> {
  const { release, packet } = await visibleRelease(hub, member, releaseId);
  return toRelease(release, packet);
}

/** One page of a packet's releases as `member` may see them (releaseVisibleTo), oldest request first. */
export async function listReleases(hub: Hub, member: MemberRecord, packetId: string, query: PlainListQuery): Promise<Page<Release>> {
  const { packet, releases } = await visiblePacket(hub, member, packetId);
  const now = hub.now();
  const page = await hub.store.releases.pageOfPacket({ packetId, purposeChangesOnly: false, limit: query.limit, cursor: query.cursor });
  return visiblePage(page, (r) => releaseVisibleTo(member, packet, r, releases, now), (r) => toRelease(r, packet));
}

/** Record the originating officer's signed consent or refusal. */
export async function decideRelease(hub: Hub, member: MemberRecord, releaseId: string, body: { decision: string; signature: string }): Promise<Release> {
  const { release, packet } = await visibleRelease(hub, member, releaseId);
  const article = agreementOf(hub.agreements, packet.agreementId).thirdPartyRelease.article;
  if (!isOfficerOf(member, packet.senderParty, hub.now())) {
    throw treatyRefusal(article, `only a security officer of the originating party (${packet.senderParty}) can consent to or refuse this release`, 'forbidden');
  }
  const now = hub.now();
  const verification = await verifyStatement('releaseDecision', ReleaseDecision, { statement: body.decision, signature: body.signature }, [await readPublicKey(member.publicKey)], now, { namedSigner: (v) => v.officer });
  const d = verifiedOrRefuse(verification, 'decision', 'the decision must name the officer who signs it');
  if (d.releaseId !== release.id || d.packetId !== release.packetId || d.thirdParty !== release.thirdParty || d.purpose !== release.purpose) {
    throw new Problem('bad-request', 'the decision does not match this release (id, packet, third party and purpose must be as requested)');
  }
  requireSignedNear(now, d.decidedAt, 'decision date (decidedAt)');
  if (d.expiresAt && d.expiresAt <= now.toISOString()) throw new Problem('bad-request', 'the consent would already have expired');
  if (release.state !== 'requested') throw new Problem('conflict', `this release was already ${release.state}`);
  const state = d.decision === 'consent' ? 'consented' : 'refused';
  await hub.store.transaction(async () => {
    // Compare-and-set in the transaction that records it: a decision that lost the race to
    // another one (checked while this signature was verified) changes nothing and answers 409.
    // One instant for the record and its audit event, so the signed log proves decidedAt.
    const decidedAt = hub.now().toISOString();
    const landed = await hub.store.releases.recordDecision(release.id, {
      state,
      decision: body.decision,
      signature: body.signature,
      decidedBy: member.fingerprint,
      decidedAt,
      ...(d.expiresAt ? { expiresAt: d.expiresAt } : {}),
    });
    if (!landed) throw new Problem('conflict', `this release was already ${(await hub.store.releases.get(release.id))?.state ?? 'decided'}`);
    await hub.audit({ at: decidedAt, actor: member.fingerprint, party: member.party, action: releaseDecisionAction(d.decision), object: release.id, outcome: 'allow', detail: { packetId: release.packetId, thirdParty: release.thirdParty, article } });
    await recordReleaseReceipts(hub, release.id, d.decision === 'consent' ? 'release-consented' : 'release-refused');
  });
  return await getRelease(hub, member, releaseId);
}

/**
 * Execute a consented release: store the new session-key wraps, which must be for exactly the
 * third party's cleared members, one per part. Refused before consent, after refusal, after the
 * consent expired, or by anyone but a contact of the requesting party.
 */
export async function executeRelease(hub: Hub, member: MemberRecord, releaseId: string, body: { wraps: Array<{ partId: string; pkesk: string }> }): Promise<Release> {
  const { release, packet } = await visibleRelease(hub, member, releaseId);
  const article = agreementOf(hub.agreements, packet.agreementId).thirdPartyRelease.article;
  if (member.party !== release.requestingParty || !isContact(member) || !isReader(member)) {
    throw treatyRefusal(article, `only a contact person of ${release.requestingParty}, which asked for this release, can execute it`, 'forbidden');
  }
  if (isDirectParty(packet, release.thirdParty)) {
    throw new Problem('conflict', 'this is a consent to use the packet for another purpose (SCO Art. 7(2)); there are no keys to release');
  }
  const parts = await hub.store.packets.partsOf(packet.id);
  const expected = new Set(clearedReceivers(await hub.store.members.ofParty(release.thirdParty), packet.level, hub.now()).map((m) => m.encryptionKeyId));
  if (expected.size === 0) throw new Problem('conflict', `${release.thirdParty} has no member cleared for ${packet.level}`);
  const wraps = await checkWraps(parts, body.wraps, expected, `the cleared members of ${release.thirdParty}`);

  const now = hub.now().toISOString();
  // Re-read inside the transaction: the consent must still stand at the moment of release.
  await hub.store.transaction(async () => {
    const current = (await hub.store.releases.get(release.id))!;
    requireStandingConsent(current, packet, now, article);
    // The executor's standing is re-read too: revoked or downgraded while the wraps were checked, it stops here.
    const executor = await hub.store.members.get(member.fingerprint);
    if (!executor || !releaseVisibleTo(executor, packet, current, await hub.store.releases.ofPacket(packet.id), hub.now())) throw notFound('release');
    if (!await hub.store.releases.markExecuted(release.id, now)) throw new Problem('conflict', 'this release was already executed');
    for (const [partId, pkesk] of wraps) {
      await hub.store.packets.insertWrap({ packetId: packet.id, partId, party: release.thirdParty, pkesk, keyIds: expected, releaseId: release.id, createdAt: now });
    }
    await hub.audit({ at: now, actor: member.fingerprint, party: member.party, action: 'release.execute', object: release.id, outcome: 'allow', detail: { packetId: packet.id, thirdParty: release.thirdParty, article } });
    await recordReleaseReceipts(hub, release.id, 'release-executed');
  });
  return await getRelease(hub, member, releaseId);
}

/**
 * One page of the releases the caller's party is party to (as the packet's originator, as the
 * requester, or as the third party once executed), newest first, for packets the caller is cleared to see: one indexed query.
 */
export async function pendingReleases(hub: Hub, member: MemberRecord, query: ReleaseListQuery): Promise<Page<Release>> {
  const page = await listed(() =>
    hub.store.releases.page({
      party: member.party,
      levels: readableLevels(member),
      state: query.state,
      packetId: query.packet,
      since: query.since,
      limit: query.limit,
      cursor: query.cursor,
    }),
  );
  // The query applies the visibility rule itself (storage/listings.ts): every row is the caller's to see, and a page is never short.
  return { items: page.items.map(({ decidedBy: _d, ...rest }) => rest), nextCursor: page.nextCursor };
}
