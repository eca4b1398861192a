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
}

/** A member who must be able to read material marked `level` sent by or to their party. */
export function isClearedReceiver(member: MemberLike, level: Level): boolean {
  return !member.revokedAt && member.roles.some((r) => RECEIVING_ROLES.includes(r)) && clearanceCovers(member.clearance, level);
}
