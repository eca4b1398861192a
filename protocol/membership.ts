/**
 * Who reads what: the one rule both the sending client and the hub apply to decide the
 * recipients of a packet (DESIGN.md, trust model 2). Clearance is enforced by cryptography
 * because the sender encrypts to exactly these members, and again by the hub on download.
 */
import { RECEIVING_ROLES, type Role } from './ids.ts';
import { clearanceCovers, type Level } from './levels.ts';

export interface MemberLike {
  roles: readonly Role[];
  clearance: Level;
  revokedAt?: string | undefined;
  validFrom?: string | undefined;
  validUntil?: string | undefined;
  keyExpiresAt?: string | undefined;
}

/** Why a member cannot act at `at` (revoked, not yet valid, statement or key expired), or null if they can. */
export function inactiveReason(member: MemberLike, at: Date): string | null {
  const now = at.toISOString();
  if (member.revokedAt && member.revokedAt <= now) return `revoked at ${member.revokedAt}`;
  if (member.validFrom && member.validFrom > now) return `membership not valid before ${member.validFrom}`;
  if (member.validUntil && member.validUntil <= now) return `membership expired at ${member.validUntil}`;
  if (member.keyExpiresAt && member.keyExpiresAt <= now) return `key expired at ${member.keyExpiresAt}`;
  return null;
}

/** A member who must be able to read material marked `level` sent by or to their party, at `at`. */
export function isClearedReceiver(member: MemberLike, level: Level, at: Date): boolean {
  return inactiveReason(member, at) === null && member.roles.some((r) => RECEIVING_ROLES.includes(r)) && clearanceCovers(member.clearance, level);
}
