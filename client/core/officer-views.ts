/**
 * What an officer (or anyone) reads back from the hub's directory before acting on it, checked
 * here rather than taken on the hub's word: a party's contact-directory entries, each verified
 * against a vouched-for officer of that party, and a member's current membership statement (the
 * base of a change of clearance or roles), only for a member the trust directory verified.
 * Both clients call these; neither checks a contact entry of its own.
 */
import { verifyDetached } from '../../keys/signatures.ts';
import { parseCanonical } from '../../protocol/canonical.ts';
import { signedInstantProblem } from '../../protocol/signing.ts';
import { ContactEntry, MembershipStatement } from '../../protocol/statements.ts';
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
