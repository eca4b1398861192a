/**
 * Who sees what: the one rule for a packet (drafts to their own party, a third party only after
 * an executed release, clearance covering the marking) and the one rule for everything about a
 * packet (releases, and through them receipts, audit events and evidence bundles), so each is
 * exactly as visible as the packet. Pure; the caller reads the records.
 * It never reads storage, the clock or the request: everything comes in as arguments.
 */
import { clearanceCovers, LEVELS, type Level } from '../../protocol/levels.ts';
import type { MemberRecord, PacketRecord, ReleaseRecord } from '../../storage/records.ts';
import { isActive } from './roles.ts';

export type Relation = 'sent' | 'received' | 'released';

/**
 * How `member` may see `packet`, or null. Drafts are visible only to the sending party;
 * a third party only after an executed, consented release. Clearance must cover the marking.
 */
export function readRelation(member: MemberRecord, packet: PacketRecord, releases: ReleaseRecord[], at: Date): Relation | null {
  if (!isActive(member, at) || !clearanceCovers(member.clearance, packet.level)) return null;
  if (member.party === packet.senderParty) return 'sent';
  if (packet.state !== 'submitted') return null;
  if (packet.recipients.includes(member.party)) return 'received';
  if (releases.some((r) => r.thirdParty === member.party && r.state === 'executed')) return 'released';
  return null;
}

/**
 * Whether `member` may see a release record (and so act on it): only someone who may see the
 * packet at all (readRelation: active, cleared for the marking, a party to it), and of them the
 * originating party, the requesting party, and the third party once its release was executed.
 * The one rule for GET /v1/releases*, decisions, execution, evidence bundles and the audit view.
 */
export function releaseVisibleTo(member: MemberRecord, packet: PacketRecord, release: ReleaseRecord, releases: ReleaseRecord[], at: Date): boolean {
  if (!readRelation(member, packet, releases, at)) return false;
  return member.party === packet.senderParty || member.party === release.requestingParty || (member.party === release.thirdParty && release.state === 'executed');
}

/** The levels a member may read: a packet marked above them is not listed at all. */
export function readableLevels(member: MemberRecord): Level[] {
  return LEVELS.filter((level) => clearanceCovers(member.clearance, level));
}

/**
 * Which packets wait for a colleague's key says which packets a party holds: only the colleague's
 * own party may ask, and it sees them at the levels both the asker and the colleague are cleared
 * for. Null for anyone else (answered as for a missing member).
 */
export function awaitingWrapLevels(asker: MemberRecord, colleague: MemberRecord): Level[] | null {
  if (asker.party !== colleague.party) return null;
  return readableLevels(asker).filter((level) => clearanceCovers(colleague.clearance, level));
}

/** An authenticity request: seen by whoever sees the packet, of the sending party or the asking one. */
export function authenticityVisibleTo(member: MemberRecord, packet: PacketRecord, request: { requestingParty: string }, releases: ReleaseRecord[], at: Date): boolean {
  if (!readRelation(member, packet, releases, at)) return false;
  return member.party === packet.senderParty || member.party === request.requestingParty;
}

/** An oral request names no packet: it is seen by its two parties. */
export function oralVisibleTo(member: MemberRecord, oral: { requestingParty: string; requestedParty: string }): boolean {
  return member.party === oral.requestingParty || member.party === oral.requestedParty;
}

/** A purpose change (a release to the recipient itself): seen by the originator and the party that asked. */
export function purposeChangeVisibleTo(member: MemberRecord, packet: PacketRecord, release: ReleaseRecord): boolean {
  return member.party === packet.senderParty || member.party === release.requestingParty;
}

/**
 * A receipt of a packet the member may see: the sending party sees every receipt of its packet;
 * anyone else those concerning its own party (its availability, its retrievals, its releases).
 */
export function receiptVisibleTo(member: MemberRecord, packet: PacketRecord, receipt: { party: string }): boolean {
  return member.party === packet.senderParty || receipt.party === member.party;
}
