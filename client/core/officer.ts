/**
 * What a security officer signs: membership statements (enroll, change clearance or roles),
 * revocations, their own key rotation, and contact-directory entries. Each is built here,
 * canonicalised and signed with the officer's key on the officer's machine, then sent to the hub.
 * And the reading side of the same statements: a member's current statement, and the contact
 * directory verified against the officers this person's pins vouch for.
 */
import { readPublicKey, inspectPublicKey, type PrivateKey } from '../../keys/identity.ts';
import { signStatement, verifyStatement } from '../../keys/statements.ts';
import { signedInstantProblem } from '../../protocol/signing.ts';
import type { Role } from '../../protocol/ids.ts';
import type { Level } from '../../protocol/levels.ts';
import {
  CONTACT_FORMAT,
  ContactEntry,
  MEMBERSHIP_FORMAT,
  MembershipStatement,
  REVOCATION_FORMAT,
  ROTATION_FORMAT,
  OfficerRotation,
  RevocationStatement,
  type SignedStatement,
} from '../../protocol/statements.ts';
import type { ClientContext } from './context.ts';
import { ClientError } from './errors.ts';

type VerifiedContact = ContactEntry & { recordedAt: string; late: boolean };

/** Every contact entry `party` notified, each signed by a vouched-for officer of `party`; throws on the first that is not. */
export async function verifiedContacts(ctx: Pick<ClientContext, 'api' | 'directory' | 'now'>, party: string): Promise<VerifiedContact[]> {
  const officers = (await ctx.directory.members(party)).filter((m) => m.roles.includes('officer'));
  const rows: VerifiedContact[] = [];
  for (const c of await ctx.api.contacts(party)) {
    const checked = await verifyStatement('contact', ContactEntry, c, officers.map((o) => o.key), ctx.now(), { namedSigner: (e) => e.officer });
    if (!checked.valid) throw new ClientError(`a contact entry of ${party} is not signed by a vouched-for officer of ${party} (${checked.reason}); refusing to show it as genuine`, 'contact.not-signed', { party, reason: checked.reason });
    const entry = checked.value;
    if (entry.party !== party) throw new ClientError(`the hub lists a contact entry of ${entry.party} among those of ${party}; refusing to show it as genuine`, 'contact.wrong-party', { listedParty: entry.party, party });
    const dated = signedInstantProblem(entry.issuedAt, ctx.now(), `a contact entry of ${party}`);
    if (dated) throw new ClientError(`${dated}; refusing to show it as genuine`, 'contact.dated', { reason: dated });
    rows.push({ ...entry, recordedAt: c.recordedAt, late: c.late });
  }
  return rows;
}

/**
 * The membership statement a change of `fingerprint` builds on: the one the directory verified
 * against this person's pins, never a second copy the hub serves (which it could swap for one
 * with a higher clearance for the officer to sign over).
 */
export async function currentStatement(ctx: Pick<ClientContext, 'directory' | 'me'>, fingerprint: string): Promise<MembershipStatement> {
  const verified = (await ctx.directory.members(ctx.me.party)).find((m) => m.fingerprint === fingerprint);
  if (!verified?.statement) throw new ClientError(`${fingerprint} is not a member of ${ctx.me.party} with a membership statement`, 'officer.no-statement', { fingerprint, party: ctx.me.party });
  return verified.statement;
}

interface Vouching {
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
  return { ...(await signStatement('membership', MembershipStatement, statement, officer.key, date)), fingerprint: info.fingerprint, name: statement.name };
}

/** Re-state an enrolled member with new roles, clearance or validity, keeping the rest. */
export async function signRestatement(officer: { key: PrivateKey; fingerprint: string }, previous: MembershipStatement, change: Partial<Pick<MembershipStatement, 'roles' | 'clearance' | 'validUntil'>>, date: Date): Promise<SignedStatement> {
  const statement: MembershipStatement = { ...previous, ...change, issuedAt: date.toISOString(), officer: officer.fingerprint };
  if (statement.validUntil === undefined) delete statement.validUntil;
  return signStatement('membership', MembershipStatement, statement, officer.key, date);
}

export async function signRevocation(signer: { key: PrivateKey; fingerprint: string }, target: { party: string; fingerprint: string }, reason: string, date: Date): Promise<SignedStatement> {
  const statement: RevocationStatement = { format: REVOCATION_FORMAT, party: target.party, fingerprint: target.fingerprint, reason, revokedAt: date.toISOString(), signer: signer.fingerprint };
  return signStatement('revocation', RevocationStatement, statement, signer.key, date);
}

/** The rotation statement, signed by the old key and by the new one. */
export async function signRotation(party: string, from: { key: PrivateKey; fingerprint: string }, to: { key: PrivateKey; fingerprint: string }, date: Date): Promise<{ statement: string; signatureFrom: string; signatureTo: string }> {
  const rotation: OfficerRotation = { format: ROTATION_FORMAT, party, from: from.fingerprint, to: to.fingerprint, at: date.toISOString() };
  const byOld = await signStatement('rotation', OfficerRotation, rotation, from.key, date);
  const byNew = await signStatement('rotation', OfficerRotation, rotation, to.key, date);
  return { statement: byOld.statement, signatureFrom: byOld.signature, signatureTo: byNew.signature };
}

export async function signContact(officer: { key: PrivateKey; fingerprint: string }, entry: Omit<ContactEntry, 'format' | 'issuedAt' | 'officer' | 'withdrawn'> & { withdrawn?: boolean }, date: Date): Promise<SignedStatement> {
  const statement: ContactEntry = { format: CONTACT_FORMAT, ...entry, withdrawn: entry.withdrawn ?? false, issuedAt: date.toISOString(), officer: officer.fingerprint };
  return signStatement('contact', ContactEntry, statement, officer.key, date);
}
