/**
 * Onward releases, for both clients: the decision an originating officer signs (prepared from the
 * hub's record only after it matches what the officer stated, shown field by field, then signed),
 * and what a decided release says as that officer signed it: consent with its conditions and
 * expiry, or a refusal with its written reasons. Terms are read from the signed decision once it
 * verifies against the originating party's officers as this person's pins vouch for them; a
 * decision that does not is shown as the hub's word, marked unverified, none of its text used. It shows the terms; it does not enforce them (what a third party does with
 * the plaintext is beyond any software). Executing a release is a re-wrap (client/core/rewrap.ts).
 */
import { signStatement, verifyStatement } from '../../keys/statements.ts';
import { canonicalize, parseCanonical } from '../../protocol/canonical.ts';
import { describeIssues } from '../../protocol/issues.ts';
import type { Manifest } from '../../protocol/manifest.ts';
import { RELEASE_DECISION_FORMAT, ReleaseDecision, type Release } from '../../protocol/release.ts';
import type { ClientContext } from './context.ts';
import { ClientError, reasonOf } from './errors.ts';
import { verifiedManifest } from './opening.ts';

/** What an officer decides about a release request: consent (with conditions, expiry) or refusal with reasons. */
interface ReleaseChoice {
  refuse?: string;
  conditions?: string;
  expiresAt?: string;
}

/** What the officer states they decide on, typed by them, never read from the hub. */
interface ConfirmedRelease {
  /** The party the material would go to (`release consent ID --to KZ`). */
  thirdParty: string;
  /** When given, the purpose must be exactly this. */
  purpose?: string;
  /** When given, the packet must be this one. */
  packetId?: string;
}

/** The lines an officer is shown before a decision is signed: exactly the fields the signature covers. */
function describeDecision(d: ReleaseDecision, manifest: Manifest): string[] {
  return [
    `${d.decision === 'consent' ? 'Consent' : 'Refusal'} to be signed by ${d.officer}:`,
    `  release:     ${d.releaseId}`,
    `  packet:      ${d.packetId} (${manifest.agreementId}, ${manifest.kind}, ${manifest.marking.level}, sent by ${manifest.sender.party} on ${manifest.createdAt.slice(0, 10)})`,
    `  to:          ${d.thirdParty}`,
    `  purpose:     ${JSON.stringify(d.purpose)}`,
    ...(d.decision === 'consent'
      ? [`  conditions:  ${d.conditions ? JSON.stringify(d.conditions) : 'none'}`, `  expires:     ${d.expiresAt ?? 'never (until used)'}`]
      : [`  reasons:     ${JSON.stringify(d.reason ?? '')}`]),
  ];
}

/**
 * The decision an officer of the originator would sign for `releaseId`, after checking the hub's
 * record against what the officer stated (`confirmed`) and verifying the packet's manifest:
 * the statement, its exact canonical text, and the lines that describe it. Refuses, signing
 * nothing, when the hub's record differs or the decision is not this person's to make.
 */
export async function prepareReleaseDecision(ctx: ClientContext, releaseId: string, decision: ReleaseChoice, confirmed: ConfirmedRelease): Promise<{ statement: ReleaseDecision; text: string; lines: string[] }> {
  const release = await ctx.api.release(releaseId);
  const nothing = 'nothing was signed';
  if (release.id !== releaseId) throw new ClientError(`the hub answered with release ${release.id} when asked for ${releaseId}; ${nothing}`, 'release.other-release', { answered: release.id, release: releaseId });
  if (release.thirdParty !== confirmed.thirdParty) {
    throw new ClientError(`release ${releaseId} on the hub is for ${release.thirdParty}, not ${confirmed.thirdParty} as you stated; ${nothing}`, 'release.other-third-party', { release: releaseId, thirdParty: release.thirdParty, stated: confirmed.thirdParty });
  }
  if (confirmed.purpose !== undefined && release.purpose !== confirmed.purpose) {
    throw new ClientError(`release ${releaseId} on the hub is for the purpose "${release.purpose}", not "${confirmed.purpose}" as you stated; ${nothing}`, 'release.other-purpose', { release: releaseId, purpose: release.purpose, stated: confirmed.purpose });
  }
  if (confirmed.packetId !== undefined && release.packetId !== confirmed.packetId) {
    throw new ClientError(`release ${releaseId} on the hub is about packet ${release.packetId}, not ${confirmed.packetId} as you stated; ${nothing}`, 'release.other-packet', { release: releaseId, packet: release.packetId, stated: confirmed.packetId });
  }
  if (release.state !== 'requested') throw new ClientError(`release ${releaseId} is already ${release.state}; ${nothing}`, 'release.already-decided', { release: releaseId, state: release.state });
  if (release.originParty !== ctx.me.party || !ctx.me.roles.includes('officer')) {
    // Not this person's decision to make: no signature for the hub to hold.
    const agreement = await ctx.api.agreement(release.agreementId);
    const rule = release.thirdParty === release.requestingParty ? (agreement.purposeLimitation ?? agreement.thirdPartyRelease) : agreement.thirdPartyRelease;
    throw new ClientError(`only a security officer of the originating party (${release.originParty}) can consent to or refuse this release (${rule.article}); ${nothing}`, 'release.not-originator-officer', { party: release.originParty, article: rule.article });
  }
  // The packet the decision names must be a real, verified packet: the officer is shown its marking and sender.
  const { manifest } = await verifiedManifest(ctx, await ctx.api.packet(release.packetId));
  if (manifest.packetId !== release.packetId) throw new ClientError(`the hub served packet ${manifest.packetId} for ${release.packetId}; ${nothing}`, 'release.served-other-packet', { served: manifest.packetId, packet: release.packetId });
  if (manifest.sender.party !== ctx.me.party) throw new ClientError(`packet ${manifest.packetId} was sent by ${manifest.sender.party}, not by your party; only its originator decides; ${nothing}`, 'release.not-originator', { packet: manifest.packetId, party: manifest.sender.party });
  const statement: ReleaseDecision = {
    format: RELEASE_DECISION_FORMAT,
    releaseId,
    packetId: manifest.packetId,
    thirdParty: confirmed.thirdParty,
    purpose: release.purpose,
    decision: decision.refuse ? 'refuse' : 'consent',
    ...(decision.refuse ? { reason: decision.refuse } : {}),
    ...(decision.conditions ? { conditions: decision.conditions } : {}),
    ...(decision.expiresAt ? { expiresAt: decision.expiresAt } : {}),
    decidedAt: ctx.now().toISOString(),
    officer: ctx.me.fingerprint,
  };
  const checked = ReleaseDecision.safeParse(statement);
  if (!checked.success) throw new ClientError(describeIssues(checked.error, 'the decision'), 'release.decision-invalid', { issues: describeIssues(checked.error, 'the decision') });
  // The text shown is the text signStatement will sign: the canonical form of the parsed value.
  return { statement, text: canonicalize(statement), lines: describeDecision(statement, manifest) };
}

/** How old a previewed decision may be when it is signed: the person read it, then confirmed. */
const DECISION_PREVIEW_MS = 15 * 60 * 1000;

/**
 * Sign a decision text the officer was shown (the web client previews, then signs): prepared
 * again from the hub's current record with the same choice and confirmation, it must be the same
 * statement but for its time, which must be recent. Signs exactly the text that was shown.
 */
export async function signReleaseDecision(ctx: ClientContext, releaseId: string, shown: string, decision: ReleaseChoice, confirmed: ConfirmedRelease): Promise<Release> {
  const parsed = parseCanonical(ReleaseDecision, shown, 'release decision');
  if (!parsed.ok) throw new ClientError(parsed.error, 'release.shown-unreadable', { reason: parsed.error });
  const again = await prepareReleaseDecision(ctx, releaseId, decision, confirmed);
  const { decidedAt, ...rest } = parsed.value;
  const { decidedAt: _now, ...expected } = again.statement;
  if (canonicalize(rest) !== canonicalize(expected)) throw new ClientError(`the decision shown is not the one release ${releaseId} now calls for; nothing was signed`, 'release.shown-changed', { release: releaseId });
  const age = ctx.now().getTime() - Date.parse(decidedAt);
  if (age < 0 || age > DECISION_PREVIEW_MS) throw new ClientError('the decision shown is out of date: review it again before signing', 'release.shown-stale');
  const signed = await signStatement('releaseDecision', ReleaseDecision, parsed.value, ctx.key, ctx.now());
  return ctx.api.decideRelease(releaseId, signed.statement, signed.signature);
}

/**
 * Sign and record a consent to, or refusal of, an onward release (security officer of the
 * originator), as the CLI does: `show` receives the exact fields the signature will cover.
 */
export async function decideRelease(
  ctx: ClientContext,
  releaseId: string,
  decision: ReleaseChoice,
  confirmed: ConfirmedRelease,
  show: (lines: string[]) => void = () => undefined,
): Promise<Release> {
  const prepared = await prepareReleaseDecision(ctx, releaseId, decision, confirmed);
  show(prepared.lines);
  const signed = await signStatement('releaseDecision', ReleaseDecision, prepared.statement, ctx.key, ctx.now());
  return ctx.api.decideRelease(releaseId, signed.statement, signed.signature);
}


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

/**
 * The signed terms of a decided release; undefined while it waits for a decision. The terms come
 * from the officer's decision only once its signature verifies against a vouched-for officer of
 * the originator; otherwise they are the hub's record of the release, marked unverified with the
 * reason, and nothing of the unverified decision is shown (its conditions could be anyone's).
 */
export async function releaseTerms(ctx: Pick<ClientContext, 'directory' | 'now'>, release: Release): Promise<ReleaseTerms | undefined> {
  if (!release.decision || !release.decisionSignature) return undefined;
  const hubsWord = (problem: string): ReleaseTerms => ({
    releaseId: release.id,
    packetId: release.packetId,
    originParty: release.originParty,
    thirdParty: release.thirdParty,
    purpose: release.purpose,
    decision: release.state === 'refused' ? 'refuse' : 'consent',
    ...(release.expiresAt ? { expiresAt: release.expiresAt } : {}),
    decidedAt: release.decidedAt ?? '',
    officer: 'unverified',
    verified: false,
    problem,
  });
  let officers;
  try {
    officers = (await ctx.directory.members(release.originParty)).filter((m) => m.roles.includes('officer'));
  } catch (error) {
    return hubsWord(reasonOf(error));
  }
  const check = await verifyStatement('releaseDecision', ReleaseDecision, { statement: release.decision, signature: release.decisionSignature }, officers.map((o) => o.key), ctx.now(), { namedSigner: (d) => d.officer });
  if (!check.valid) return hubsWord(check.failure === 'unknown-signer' ? `it is not signed by a vouched-for officer of ${release.originParty}` : `the signature does not verify: ${check.reason}`);
  const d = check.value;
  if (d.releaseId !== release.id || d.packetId !== release.packetId || d.thirdParty !== release.thirdParty) return hubsWord('the signed decision is about another release');
  return {
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
    officer: officers.find((o) => o.fingerprint === check.signer)!.name,
    verified: true,
  };
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

/**
 * The terms under which packets reached `party` through executed releases, by packet id: for the
 * inbox, which shows a released packet's conditions beside it. Without a context (no key to
 * verify with) there are no terms to show, only the hub's summary.
 */
export async function termsOfReleasedPackets(ctx: Pick<ClientContext, 'directory' | 'now'> | undefined, releases: AsyncIterable<Release>, party: string): Promise<Map<string, ReleaseTerms[]>> {
  const terms = new Map<string, ReleaseTerms[]>();
  for await (const r of releases) {
    if (r.thirdParty !== party || r.state !== 'executed') continue;
    const t = ctx ? await releaseTerms(ctx, r) : undefined;
    if (t) terms.set(r.packetId, [...(terms.get(r.packetId) ?? []), t]);
  }
  return terms;
}

/** What RELEASE-CONDITIONS.txt says beside the fetched files of a released packet. */
export function conditionsNotice(packetId: string, level: string, party: string, terms: readonly ReleaseTerms[], time: (iso: string) => string): string {
  return [`Packet ${packetId} (${level}) was released to ${party}. Use it only under these terms:`, '', ...terms.flatMap((t) => [...describeTerms(t, time), ''])].join('\n');
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
