/**
 * What a security officer signs: membership statements (enroll, change clearance or roles),
 * revocations, their own key rotation, and contact-directory entries. Each is built here,
 * canonicalised and signed with the officer's key on the officer's machine, then sent to the hub.
 * Reading them back (a member's current statement, the verified contact directory) is
 * client/core/officer-views.ts.
 */
import { readPublicKey, inspectPublicKey, type PrivateKey } from '../../keys/identity.ts';
import { signDetached } from '../../keys/signatures.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import type { SignedKind } from '../../protocol/signing.ts';
import type { Role } from '../../protocol/ids.ts';
import type { Level } from '../../protocol/levels.ts';
import {
  CONTACT_FORMAT,
  MEMBERSHIP_FORMAT,
  REVOCATION_FORMAT,
  ROTATION_FORMAT,
  type ContactEntry,
  type MembershipStatement,
  type OfficerRotation,
  type RevocationStatement,
  type SignedStatement,
} from '../../protocol/statements.ts';

async function sign(kind: SignedKind, value: unknown, key: PrivateKey, date: Date): Promise<SignedStatement> {
  const statement = canonicalize(value);
  return { statement, signature: await signDetached(kind, statement, key, date) };
}

export interface Vouching {
  party: string;
  roles: Role[];
  clearance: Level;
  validUntil?: string;
  successorOf?: string;
}

/** A membership statement for `publicKey`, signed by `officer` (whose fingerprint is `officerFingerprint`). */
export async function signMembership(
  officer: { key: PrivateKey; fingerprint: string },
  publicKey: string,
  v: Vouching,
  date: Date,
): Promise<SignedStatement & { fingerprint: string; name: string }> {
  const info = await inspectPublicKey(await readPublicKey(publicKey), date);
  const statement: MembershipStatement = {
    format: MEMBERSHIP_FORMAT,
    party: v.party,
    fingerprint: info.fingerprint,
    name: info.userIds[0] ?? info.fingerprint,
    roles: v.roles,
    clearance: v.clearance,
    validFrom: date.toISOString(),
    ...(v.validUntil ? { validUntil: v.validUntil } : {}),
    ...(v.successorOf ? { successorOf: v.successorOf } : {}),
    issuedAt: date.toISOString(),
    officer: officer.fingerprint,
  };
  return { ...(await sign('membership', statement, officer.key, date)), fingerprint: info.fingerprint, name: statement.name };
}

/** Re-state an enrolled member with new roles, clearance or validity, keeping the rest. */
export async function signRestatement(officer: { key: PrivateKey; fingerprint: string }, previous: MembershipStatement, change: Partial<Pick<MembershipStatement, 'roles' | 'clearance' | 'validUntil'>>, date: Date): Promise<SignedStatement> {
  const statement: MembershipStatement = { ...previous, ...change, issuedAt: date.toISOString(), officer: officer.fingerprint };
  if (statement.validUntil === undefined) delete statement.validUntil;
  return sign('membership', statement, officer.key, date);
}

export async function signRevocation(signer: { key: PrivateKey; fingerprint: string }, target: { party: string; fingerprint: string }, reason: string, date: Date): Promise<SignedStatement> {
  const statement: RevocationStatement = { format: REVOCATION_FORMAT, party: target.party, fingerprint: target.fingerprint, reason, revokedAt: date.toISOString(), signer: signer.fingerprint };
  return sign('revocation', statement, signer.key, date);
}

/** The rotation statement, signed by the old key and by the new one. */
export async function signRotation(party: string, from: { key: PrivateKey; fingerprint: string }, to: { key: PrivateKey; fingerprint: string }, date: Date): Promise<{ statement: string; signatureFrom: string; signatureTo: string }> {
  const rotation: OfficerRotation = { format: ROTATION_FORMAT, party, from: from.fingerprint, to: to.fingerprint, at: date.toISOString() };
  const statement = canonicalize(rotation);
  return { statement, signatureFrom: await signDetached('rotation', statement, from.key, date), signatureTo: await signDetached('rotation', statement, to.key, date) };
}

export async function signContact(officer: { key: PrivateKey; fingerprint: string }, entry: Omit<ContactEntry, 'format' | 'issuedAt' | 'officer' | 'withdrawn'> & { withdrawn?: boolean }, date: Date): Promise<SignedStatement> {
  const statement: ContactEntry = { format: CONTACT_FORMAT, ...entry, withdrawn: entry.withdrawn ?? false, issuedAt: date.toISOString(), officer: officer.fingerprint };
  return sign('contact', statement, officer.key, date);
}
