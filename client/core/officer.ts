/**
 * What a security officer signs: membership statements (enroll, change clearance or roles),
 * revocations, their own key rotation, and contact-directory entries. Each is built here,
 * canonicalised and signed with the officer's key on the officer's machine, then sent to the hub.
 * And the reading side of the same statements: a member's current statement, and the contact
 * directory verified against the officers this person's pins vouch for.
 */
import { readPublicKey, inspectPublicKey, type PrivateKey } from '../../keys/identity.ts';
import { signDetached, verifyDetached } from '../../keys/signatures.ts';
import { canonicalize, parseCanonical } from '../../protocol/canonical.ts';
import { signedInstantProblem, type SignedKind } from '../../protocol/signing.ts';
import type { Role } from '../../protocol/ids.ts';
import type { Level } from '../../protocol/levels.ts';
import {
  CONTACT_FORMAT,
  ContactEntry,
  MEMBERSHIP_FORMAT,
  MembershipStatement,
  REVOCATION_FORMAT,
  ROTATION_FORMAT,
  type OfficerRotation,
  type RevocationStatement,
  type SignedStatement,
} from '../../protocol/statements.ts';
import type { ClientContext } from './context.ts';
import { ClientError } from './errors.ts';

export type VerifiedContact = ContactEntry & { recordedAt: string; late: boolean };

/** Every contact entry `party` notified, each signed by a vouched-for officer of `party`; throws on the first that is not. */
export async function verifiedContacts(ctx: Pick<ClientContext, 'api' | 'directory' | 'now'>, party: string): Promise<VerifiedContact[]> {
  const officers = (await ctx.directory.members(party)).filter((m) => m.roles.includes('officer'));
  const rows: VerifiedContact[] = [];
  for (const c of await ctx.api.contacts(party)) {
    const entry = parseCanonical(ContactEntry, c.statement, 'contact entry');
    if (!entry.ok) throw new ClientError(`a contact entry of ${party} is invalid: ${entry.error}`);
    if (entry.value.party !== party) throw new ClientError(`the hub lists a contact entry of ${entry.value.party} among those of ${party}; refusing to show it as genuine`);
    const officer = officers.find((o) => o.fingerprint === entry.value.officer);
    const verified = officer ? (await verifyDetached('contact', c.statement, c.signature, [officer.key], ctx.now())).valid : false;
    if (!verified) throw new ClientError(`a contact entry of ${party} is not signed by a vouched-for officer of ${party}; refusing to show it as genuine`);
    const dated = signedInstantProblem(entry.value.issuedAt, ctx.now(), `a contact entry of ${party}`);
    if (dated) throw new ClientError(`${dated}; refusing to show it as genuine`);
    rows.push({ ...entry.value, recordedAt: c.recordedAt, late: c.late });
  }
  return rows;
}

/** The membership statement a change of `fingerprint` builds on: the verified member's own, as the hub lists it. */
export async function currentStatement(ctx: Pick<ClientContext, 'api' | 'directory' | 'me'>, fingerprint: string): Promise<MembershipStatement> {
  // Verifies the whole party first: a statement is only a base for a change if its member checks out.
  const verified = (await ctx.directory.members(ctx.me.party)).find((m) => m.fingerprint === fingerprint);
  const listed = (await ctx.api.members(ctx.me.party, true)).find((m) => m.fingerprint === fingerprint);
  if (!verified || !listed?.statement) throw new ClientError(`${fingerprint} is not a member of ${ctx.me.party} with a membership statement`);
  const parsed = parseCanonical(MembershipStatement, listed.statement, 'statement');
  if (!parsed.ok) throw new ClientError(parsed.error);
  if (parsed.value.fingerprint !== fingerprint || parsed.value.party !== ctx.me.party) throw new ClientError(`the statement the hub lists for ${fingerprint} is about another key or party`);
  return parsed.value;
}

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
