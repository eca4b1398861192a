/**
 * Who may do what by role and standing: the one spelling of "is a contact", "is a reader",
 * "is active" and "is an officer of". Pure predicates over a member record; no I/O.
 */
import { RECEIVING_ROLES, SENDING_ROLES, TRANSLATING_ROLES, type Role } from '../../protocol/ids.ts';
import { inactiveReason, type MemberLike } from '../../protocol/membership.ts';
import { Problem } from '../errors.ts';

type Member = MemberLike & { party: string };

const hasAnyRole = (m: MemberLike, roles: readonly Role[]) => m.roles.some((r) => roles.includes(r));

/** A contact person: sends packets, requests releases, moves requests on (RU-PK Art. 4(3)). */
export const isContact = (m: MemberLike): boolean => hasAnyRole(m, SENDING_ROLES);
/** A reader: may download parts (officers manage keys and consents, they do not read). */
export const isReader = (m: MemberLike): boolean => hasAnyRole(m, RECEIVING_ROLES);
/** May attach a translation to a draft of their own party. */
export const isTranslator = (m: MemberLike): boolean => hasAnyRole(m, TRANSLATING_ROLES);
export const isOfficer = (m: MemberLike): boolean => m.roles.includes('officer');

/** Able to act at `at`: not revoked, within the statement's validity, key not expired (protocol/membership.ts). */
export const isActive = (m: MemberLike, at: Date): boolean => inactiveReason(m, at) === null;

/** An active security officer of `party`. */
export function isOfficerOf(m: Member, party: string, at: Date): boolean {
  return m.party === party && isOfficer(m) && isActive(m, at);
}

/** Refuse (403) a member without the contact role; `what` names the action in the refusal. */
export function requireContact(m: MemberLike, what: string): void {
  if (!isContact(m)) throw new Problem('forbidden', `${what} needs the contact role`);
}
