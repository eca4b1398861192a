/**
 * What an onward release says, as the originating officer signed it: consent with its conditions
 * and expiry, or a refusal with its written reasons. The client reads the terms from the signed
 * decision, never from the hub's summary, and checks the signature against the originating
 * party's officers as this person's pins vouch for them. It shows the terms; it does not enforce
 * them (what a third party does with the plaintext is beyond any software).
 */
import { verifyDetached } from '../../keys/signatures.ts';
import { parseCanonical } from '../../protocol/canonical.ts';
import { ReleaseDecision, type Release } from '../../protocol/release.ts';
import type { ClientContext } from './context.ts';

export interface ReleaseTerms {
  releaseId: string;
  packetId: string;
  originParty: string;
  thirdParty: string;
  purpose: string;
  decision: 'consent' | 'refuse';
  conditions?: string;
  expiresAt?: string;
  reason?: string;
  decidedAt: string;
  /** The originating officer who signed, by name as vouched for, or the fingerprint when not verifiable. */
  officer: string;
  /** True only when the decision's signature verifies against a vouched-for officer of the originator. */
  verified: boolean;
  problem?: string;
}

/** The signed terms of a decided release; undefined while it waits for a decision. */
export async function releaseTerms(ctx: Pick<ClientContext, 'directory' | 'now'>, release: Release): Promise<ReleaseTerms | undefined> {
  if (!release.decision || !release.decisionSignature) return undefined;
  const parsed = parseCanonical(ReleaseDecision, release.decision, 'release decision');
  if (!parsed.ok) return undefined;
  const d = parsed.value;
  const base = {
    releaseId: release.id,
    packetId: release.packetId,
    originParty: release.originParty,
    thirdParty: d.thirdParty,
    purpose: d.purpose,
    decision: d.decision,
    ...(d.conditions ? { conditions: d.conditions } : {}),
    ...(d.expiresAt ? { expiresAt: d.expiresAt } : {}),
    ...(d.reason ? { reason: d.reason } : {}),
    decidedAt: d.decidedAt,
  };
  if (d.releaseId !== release.id || d.packetId !== release.packetId || d.thirdParty !== release.thirdParty) {
    return { ...base, officer: d.officer, verified: false, problem: 'the signed decision is about another release' };
  }
  let officers;
  try {
    officers = (await ctx.directory.members(release.originParty)).filter((m) => m.roles.includes('officer'));
  } catch (error) {
    return { ...base, officer: d.officer, verified: false, problem: (error as Error).message };
  }
  const officer = officers.find((m) => m.fingerprint === d.officer);
  if (!officer) return { ...base, officer: d.officer, verified: false, problem: `${d.officer} is not a vouched-for officer of ${release.originParty}` };
  const check = await verifyDetached('releaseDecision', release.decision, release.decisionSignature, [officer.key], ctx.now());
  return { ...base, officer: officer.name, verified: check.valid, ...(check.valid ? {} : { problem: `the signature does not verify: ${check.reason}` }) };
}

/** The terms under which a packet reached this person's party through executed releases. */
export async function termsReceivedUnder(ctx: Pick<ClientContext, 'api' | 'directory' | 'now' | 'me'>, packetId: string): Promise<ReleaseTerms[]> {
  const releases = (await ctx.api.releasesOf(packetId)).filter((r) => r.thirdParty === ctx.me.party && r.state === 'executed');
  const out: ReleaseTerms[] = [];
  for (const r of releases) {
    const terms = await releaseTerms(ctx, r);
    if (terms) out.push(terms);
  }
  return out;
}

/** The terms as lines of plain text, for the terminal and for RELEASE-CONDITIONS.txt. */
export function describeTerms(t: ReleaseTerms, time: (iso: string) => string): string[] {
  const lines: string[] = [];
  if (t.decision === 'refuse') {
    lines.push(`Refused by ${t.originParty} (signed by its officer ${t.officer}) on ${time(t.decidedAt)}: ${t.reason ?? ''}`);
  } else {
    lines.push(`Released to ${t.thirdParty} with the written consent of ${t.originParty} (signed by its officer ${t.officer} on ${time(t.decidedAt)}) for "${t.purpose}".`);
    lines.push(t.conditions ? `Conditions: ${t.conditions}` : 'Conditions: none stated.');
    if (t.expiresAt) lines.push(`The consent lapses at ${time(t.expiresAt)} if not used.`);
  }
  if (!t.verified) lines.push(`WARNING: this decision could not be verified (${t.problem ?? 'unknown reason'}); do not rely on it.`);
  return lines;
}
