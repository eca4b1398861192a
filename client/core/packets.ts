/**
 * The packet rules both clients share: who a packet is encrypted to (cleared, vouched-for
 * members), which signatures count, the marking labels and completeness of a new packet, the
 * manifest as signed, the check of downloaded ciphertext against the signed manifest, safe file
 * names, and release decisions and re-wraps. The CLI (client/node/packets.ts) and the web
 * client's worker drive files through these; neither writes a rule of its own.
 *
 * Every key it encrypts to, and every signature it accepts, comes from the TrustedDirectory:
 * a member vouched for by an officer this person pinned. The hub's directory is only a hint.
 * Never: file, environment or process access; bytes come and go as web streams.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';
import { inspectPublicKey, type PublicKey } from '../../keys/identity.ts';
import { readWrapKeyIds, wrapSessionKeyFor } from '../../keys/parts.ts';
import { signDetached, verifyDetached } from '../../keys/signatures.ts';
import { markingLevel, missingLanguages, type Agreement } from '../../protocol/agreement.ts';
import { collect } from './api.ts';
import type { PacketDetail } from '../../protocol/api.ts';
import { canonicalize, parseCanonical } from '../../protocol/canonical.ts';
import { clearanceCovers, type Level } from '../../protocol/levels.ts';
import { MANIFEST_FORMAT, parseCanonicalManifest, type Manifest, type ManifestPart, type PacketKind, type PartRole } from '../../protocol/manifest.ts';
import { isClearedReceiver } from '../../protocol/membership.ts';
import { RELEASE_DECISION_FORMAT, ReleaseDecision, type Release } from '../../protocol/release.ts';
import { signedInstantProblem } from '../../protocol/signing.ts';
import type { ClientContext, Notice, Sha256Hasher } from './context.ts';
import { describeIssues } from '../../protocol/issues.ts';
import { ClientError } from './errors.ts';
import type { LanguageVerdict } from './language.ts';
import type { TrustedMember } from './trust.ts';

export type { ClientContext, Notice } from './context.ts';

/** A short description of a language verdict, for the person at the terminal. */
export function describeVerdict(file: string, v: LanguageVerdict): string {
  switch (v.status) {
    case 'match':
      return `${file}: language ${v.detected} confirmed`;
    case 'mismatch':
      return `${file}: declared ${v.declared} but the text is ${v.detected}`;
    case 'undetermined':
      return `${file}: language undetermined (${v.reason}); declared ${v.declared} accepted unchecked`;
    default:
      return `${file}: language not checked (${v.reason})`;
  }
}

/** The keys of everyone who must read a packet of `level` from or to `parties`, each verified. */
export async function readersOf(ctx: ClientContext, parties: string[], level: Level): Promise<PublicKey[]> {
  const keys: PublicKey[] = [];
  for (const party of parties) {
    const members = (await ctx.directory.activeMembers(party)).filter((m) => isClearedReceiver(m, level, ctx.now()));
    if (members.length === 0) throw new ClientError(`${party} has no member cleared for ${level} who can receive packets`);
    for (const m of members) {
      try {
        await inspectPublicKey(m.key, ctx.now());
      } catch (error) {
        throw new ClientError(`cannot encrypt to ${m.name} (${m.fingerprint}, ${party}): ${(error as Error).message}`);
      }
      keys.push(m.key);
    }
  }
  return keys;
}

/** Keys whose signatures count for `party`, with the instant each stops counting (revocation, expiry). */
async function signersOf(ctx: ClientContext, party: string): Promise<TrustedMember[]> {
  return ctx.directory.members(party);
}

/** A signature counts only if made while the signer was a member in good standing. */
export function signatureStanding(signer: TrustedMember, signedAt: Date): string | null {
  const at = signedAt.toISOString();
  if (signer.revokedAt && at >= signer.revokedAt) return `made after the key was revoked (${signer.revokedAt})`;
  if (signer.validUntil && at >= signer.validUntil) return `made after the membership expired (${signer.validUntil})`;
  return null;
}

/** Read a packet's manifest and check its signature by a member of the sending party. */
export async function verifiedManifest(ctx: ClientContext, detail: Pick<PacketDetail, 'packetId' | 'manifest' | 'signature'>): Promise<{ manifest: Manifest; senderKeys: TrustedMember[] }> {
  const parsed = parseCanonicalManifest(detail.manifest);
  if (!parsed.ok) throw new ClientError(`packet ${detail.packetId}: ${parsed.error}`);
  const manifest = parsed.manifest;
  if (manifest.packetId !== detail.packetId) throw new ClientError(`the hub served the manifest of another packet for ${detail.packetId}`);
  const dated = signedInstantProblem(manifest.createdAt, ctx.now(), `the manifest date of ${detail.packetId}`);
  if (dated) throw new ClientError(dated);
  const senders = await signersOf(ctx, manifest.sender.party);
  const signer = senders.find((m) => m.fingerprint === manifest.signedBy);
  if (!signer) throw new ClientError(`the manifest of ${detail.packetId} is signed by ${manifest.signedBy}, who is not a vouched-for member of ${manifest.sender.party}`);
  const verification = await verifyDetached('manifest', detail.manifest, detail.signature, [signer.key], ctx.now());
  if (!verification.valid) throw new ClientError(`the manifest signature of ${detail.packetId} does not verify: ${verification.reason}`);
  const standing = signatureStanding(signer, verification.signedAt);
  if (standing) throw new ClientError(`the manifest of ${detail.packetId} is signed by ${signer.fingerprint}, but ${standing}`);
  return { manifest, senderKeys: senders };
}

/** A file name safe to create in the output directory, from the untrusted name inside the message. */
export function safeFileName(candidate: string, fallback: string): string {
  const cleaned = (candidate.replace(/\\/g, '/').split('/').pop() ?? '')
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}<>:"/\\|?*]/gu, '_')
    .replace(/^[.\s]+/, '')
    .slice(0, 180)
    .trim();
  return cleaned.length > 0 ? cleaned : fallback;
}

/** What an officer decides about a release request: consent (with conditions, expiry) or refusal with reasons. */
export interface ReleaseChoice {
  refuse?: string;
  conditions?: string;
  expiresAt?: string;
}

/** What the officer states they decide on, typed by them, never read from the hub. */
export interface ConfirmedRelease {
  /** The party the material would go to (`release consent ID --to KZ`). */
  thirdParty: string;
  /** When given, the purpose must be exactly this. */
  purpose?: string;
  /** When given, the packet must be this one. */
  packetId?: string;
}

/** The lines an officer is shown before a decision is signed: exactly the fields the signature covers. */
export function describeDecision(d: ReleaseDecision, manifest: Manifest): string[] {
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
  if (release.id !== releaseId) throw new ClientError(`the hub answered with release ${release.id} when asked for ${releaseId}; ${nothing}`);
  if (release.thirdParty !== confirmed.thirdParty) {
    throw new ClientError(`release ${releaseId} on the hub is for ${release.thirdParty}, not ${confirmed.thirdParty} as you stated; ${nothing}`);
  }
  if (confirmed.purpose !== undefined && release.purpose !== confirmed.purpose) {
    throw new ClientError(`release ${releaseId} on the hub is for the purpose "${release.purpose}", not "${confirmed.purpose}" as you stated; ${nothing}`);
  }
  if (confirmed.packetId !== undefined && release.packetId !== confirmed.packetId) {
    throw new ClientError(`release ${releaseId} on the hub is about packet ${release.packetId}, not ${confirmed.packetId} as you stated; ${nothing}`);
  }
  if (release.state !== 'requested') throw new ClientError(`release ${releaseId} is already ${release.state}; ${nothing}`);
  if (release.originParty !== ctx.me.party || !ctx.me.roles.includes('officer')) {
    // Not this person's decision to make: no signature for the hub to hold.
    const agreement = await ctx.api.agreement(release.agreementId);
    const rule = release.thirdParty === release.requestingParty ? (agreement.purposeLimitation ?? agreement.thirdPartyRelease) : agreement.thirdPartyRelease;
    throw new ClientError(`only a security officer of the originating party (${release.originParty}) can consent to or refuse this release (${rule.article}); ${nothing}`);
  }
  // The packet the decision names must be a real, verified packet: the officer is shown its marking and sender.
  const { manifest } = await verifiedManifest(ctx, await ctx.api.packet(release.packetId));
  if (manifest.packetId !== release.packetId) throw new ClientError(`the hub served packet ${manifest.packetId} for ${release.packetId}; ${nothing}`);
  if (manifest.sender.party !== ctx.me.party) throw new ClientError(`packet ${manifest.packetId} was sent by ${manifest.sender.party}, not by your party; only its originator decides; ${nothing}`);
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
  if (!checked.success) throw new ClientError(describeIssues(checked.error, 'the decision'));
  return { statement, text: canonicalize(statement), lines: describeDecision(statement, manifest) };
}

/** How old a previewed decision may be when it is signed: the person read it, then confirmed. */
export const DECISION_PREVIEW_MS = 15 * 60 * 1000;

/**
 * Sign a decision text the officer was shown (the web client previews, then signs): prepared
 * again from the hub's current record with the same choice and confirmation, it must be the same
 * statement but for its time, which must be recent. Signs exactly the text that was shown.
 */
export async function signReleaseDecision(ctx: ClientContext, releaseId: string, shown: string, decision: ReleaseChoice, confirmed: ConfirmedRelease): Promise<Release> {
  const parsed = parseCanonical(ReleaseDecision, shown, 'release decision');
  if (!parsed.ok) throw new ClientError(parsed.error);
  const again = await prepareReleaseDecision(ctx, releaseId, decision, confirmed);
  const { decidedAt, ...rest } = parsed.value;
  const { decidedAt: _now, ...expected } = again.statement;
  if (canonicalize(rest) !== canonicalize(expected)) throw new ClientError(`the decision shown is not the one release ${releaseId} now calls for; nothing was signed`);
  const age = ctx.now().getTime() - Date.parse(decidedAt);
  if (age < 0 || age > DECISION_PREVIEW_MS) throw new ClientError('the decision shown is out of date: review it again before signing');
  return ctx.api.decideRelease(releaseId, shown, await signDetached('releaseDecision', shown, ctx.key, ctx.now()));
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
  return ctx.api.decideRelease(releaseId, prepared.text, await signDetached('releaseDecision', prepared.text, ctx.key, ctx.now()));
}

/** Execute a consented release: wrap each part's session key for the third party's cleared members. */
export async function executeRelease(ctx: ClientContext, releaseId: string): Promise<Release> {
  const release = await ctx.api.release(releaseId);
  const detail = await ctx.api.packet(release.packetId);
  const { manifest } = await verifiedManifest(ctx, detail);
  const keys = await readersOf(ctx, [release.thirdParty], manifest.marking.level);
  return ctx.api.executeRelease(releaseId, await wrapParts(ctx, release.packetId, manifest, keys));
}

/** New session-key wraps of every part of a packet for `keys`, made with this person's key. */
async function wrapParts(ctx: ClientContext, packetId: string, manifest: Manifest, keys: PublicKey[]): Promise<Array<{ partId: string; pkesk: string }>> {
  const wraps: Array<{ partId: string; pkesk: string }> = [];
  for (const part of manifest.parts) {
    const { body } = await ctx.api.downloadPart(packetId, part.id);
    try {
      const pkesk = await wrapSessionKeyFor(body, { decryptionKey: ctx.key, newRecipients: keys, date: ctx.now() });
      wraps.push({ partId: part.id, pkesk: base64Of(pkesk) });
    } catch (error) {
      throw new ClientError(`cannot re-wrap part ${part.id} of ${packetId}: ${(error as Error).message}`);
    } finally {
      await body.cancel().catch(() => undefined);
    }
  }
  return wraps;
}

/**
 * Let a colleague read earlier packets (newly cleared, or a rotated key): wrap each packet's
 * session keys for their verified key. With no ids, every packet this person can read and the
 * colleague is entitled to. Returns what was done and what was skipped, with the reason.
 */
/**
 * Re-wrap the session keys of packets for a colleague. Which packets: the ones named; with none,
 * the ones the hub lists as waiting for that key (GET /v1/members/:fpr/awaiting-wraps), or with
 * `every`, every packet one can read (packets stored before the hub kept part readers are not
 * listed as waiting). Each is still checked here against the signed manifest and the colleague's
 * vouched-for clearance: the hub's list only saves work, it decides nothing.
 */
export async function rewrapFor(ctx: ClientContext, fingerprint: string, packetIds: string[], every = false): Promise<{ done: string[]; skipped: Array<{ packetId: string; reason: string }> }> {
  const colleague = (await ctx.directory.activeMembers(ctx.me.party)).find((m) => m.fingerprint === fingerprint);
  if (!colleague) throw new ClientError(`${fingerprint} is not an active, vouched-for member of ${ctx.me.party}`);
  const listing = every ? ctx.api.packets({ box: 'all', limit: 500 }) : ctx.api.awaitingWraps(fingerprint);
  const ids = packetIds.length > 0 ? packetIds : (await collect(listing)).map((p) => p.packetId);
  const done: string[] = [];
  const skipped: Array<{ packetId: string; reason: string }> = [];
  for (const id of ids) {
    const detail = await ctx.api.packet(id);
    const { manifest } = await verifiedManifest(ctx, detail);
    if (!isClearedReceiver(colleague, manifest.marking.level, ctx.now())) {
      skipped.push({ packetId: id, reason: `not cleared for ${manifest.marking.level} or no receiving role` });
      continue;
    }
    try {
      await ctx.api.addWraps(id, fingerprint, await wrapParts(ctx, id, manifest, [colleague.key]));
      done.push(id);
    } catch (error) {
      skipped.push({ packetId: id, reason: (error as Error).message });
    }
  }
  return { done, skipped };
}


/** Standard base64 of bytes (btoa exists in Node and browsers alike). */
function base64Of(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The sender and every recipient are parties of the agreement; a misspelt or foreign party is named as such. */
export function requireParties(agreement: Agreement, sender: string, to: readonly string[]): void {
  const parties = agreement.parties.map((p) => p.id);
  const list = agreement.parties.map((p) => `${p.id} (${p.name})`).join('; ');
  if (!parties.includes(sender)) throw new ClientError(`your party ${sender} is not a party of ${agreement.id}, whose parties are ${list}`);
  if (to.length === 0) throw new ClientError(`say who receives it with --to: the parties of ${agreement.id} are ${list}`);
  for (const party of to) {
    if (party === sender) throw new ClientError(`${party} is your own party: --to names the receiving party (${parties.filter((p) => p !== sender).join(', ')})`);
    if (!parties.includes(party)) {
      throw new ClientError(`${party} is not a party of ${agreement.id}: its parties are ${list}; a third party receives material only through a consented release (liaison release request)`);
    }
  }
}

/** The sender's own clearance covers the marking: nobody sends what they could not read. */
export function requireOwnClearance(clearance: Level, level: Level): void {
  if (!clearanceCovers(clearance, level)) {
    throw new ClientError(`your own clearance (${clearance}) does not cover ${level}: you cannot send at that marking; ask your security officer, or choose a lower marking`);
  }
}

/** The national label of `level` for the sender's and every recipient party, or a refusal naming the article. */
export function markingLabels(agreement: Agreement, parties: string[], level: Level): Record<string, string> {
  const entry = markingLevel(agreement, level);
  if (!entry) throw new ClientError(`${agreement.id} has no ${level} level (${agreement.markings.article})`);
  const labels: Record<string, string> = {};
  for (const party of parties) {
    const label = entry.labels[party];
    if (!label) throw new ClientError(`${party} has no equivalent of ${level} under ${agreement.id} (${agreement.markings.article})`);
    labels[party] = label;
  }
  return labels;
}

/**
 * Completeness of a new packet: a refusal naming the article unless it is kept as a draft, and
 * the notice that it was. `howToComplete` is the client's own words for adding a translation.
 */
export function completeness(agreement: Agreement, party: string, parts: Array<{ role: PartRole; lang: string }>, draft: boolean, howToComplete: string): Notice[] {
  const missing = missingLanguages(agreement, party, parts);
  if (!missing) return [];
  if (!draft) throw new ClientError(`the packet is incomplete: ${missing.reason} (${agreement.languages.article}); ${howToComplete}`);
  return [{ message: `kept as a draft: ${missing.reason} (${agreement.languages.article})` }];
}

/** The refusal for a part whose text is not in its declared language (nothing is encrypted then). */
export function languageRefusal(part: { role: PartRole; lang: string }, file: string, verdict: LanguageVerdict): ClientError | null {
  if (verdict.status !== 'mismatch') return null;
  const what = part.role === 'translation' ? `the ${part.lang} translation` : `the ${part.role}`;
  return new ClientError(`${what} ${file} is not in ${part.lang}: the text reads as ${verdict.detected}`);
}

export interface NewPacket {
  packetId: string;
  agreementId: string;
  to: string[];
  level: Level;
  labels: Record<string, string>;
  kind: PacketKind;
  authority?: string;
  inReplyTo?: string;
  parts: ManifestPart[];
}

/** The manifest of a packet's first revision, canonical and signed by me. */
export async function signNewManifest(ctx: ClientContext, p: NewPacket): Promise<{ manifest: Manifest; text: string; signature: string }> {
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    packetId: p.packetId,
    revision: 1,
    agreementId: p.agreementId,
    createdAt: ctx.now().toISOString(),
    sender: { party: ctx.me.party, fingerprint: ctx.me.fingerprint, ...(p.authority ? { authority: p.authority } : {}) },
    signedBy: ctx.me.fingerprint,
    recipients: p.to,
    marking: { level: p.level, labels: p.labels },
    kind: p.kind,
    references: p.inReplyTo ? { inReplyTo: p.inReplyTo } : {},
    parts: p.parts,
  };
  return signManifest(ctx, manifest);
}

/** The next revision of a draft with `added` parts, signed by me (a clerk attaching a translation). */
export async function signNextRevision(ctx: ClientContext, previous: Manifest, added: ManifestPart[]): Promise<{ manifest: Manifest; text: string; signature: string }> {
  return signManifest(ctx, { ...previous, revision: previous.revision + 1, signedBy: ctx.me.fingerprint, parts: [...previous.parts, ...added] });
}

/** The id the next added part gets. */
export function nextPartIndex(manifest: Manifest): number {
  return Math.max(...manifest.parts.map((p) => Number(p.id.slice(1)))) + 1;
}

async function signManifest(ctx: ClientContext, manifest: Manifest): Promise<{ manifest: Manifest; text: string; signature: string }> {
  const text = canonicalize(manifest);
  return { manifest, text, signature: await signDetached('manifest', text, ctx.key, ctx.now()) };
}

/** The portable incremental SHA-256. */
export function nobleSha256(): Sha256Hasher {
  const h = sha256.create();
  return { update: (b) => void h.update(b), hex: () => bytesToHex(h.digest()) };
}

/** SHA-256 and size of a byte stream as it passes: for ciphertext as it is written. */
export function digestMeter(ctx: Pick<ClientContext, 'sha256'>, onBytes?: (done: number) => void): { stream: TransformStream<Uint8Array, Uint8Array>; result: () => { size: number; sha256: string } } {
  const hash = (ctx.sha256 ?? nobleSha256)();
  let size = 0;
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      hash.update(chunk);
      size += chunk.length;
      onBytes?.(size);
      controller.enqueue(chunk);
    },
  });
  return { stream, result: () => ({ size, sha256: hash.hex() }) };
}

/**
 * The check of a downloaded part: the first `wrapLength` bytes are extra key wraps, the rest must
 * be exactly the ciphertext the signed manifest fixes. Pipe the download through `stream`, then
 * call `verify()`: it throws, naming the part, when a byte differs or a wrap is not a key wrap.
 */
export function downloadCheck(ctx: Pick<ClientContext, 'sha256'>, packetId: string, part: ManifestPart, wrapLength: number, onBytes?: (done: number) => void) {
  const hash = (ctx.sha256 ?? nobleSha256)();
  let position = 0;
  let size = 0;
  const wrap: Uint8Array[] = [];
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      const inWrap = Math.max(0, Math.min(chunk.length, wrapLength - position));
      if (inWrap > 0) wrap.push(chunk.subarray(0, inWrap));
      const rest = chunk.subarray(inWrap);
      hash.update(rest);
      size += rest.length;
      position += chunk.length;
      onBytes?.(size);
      controller.enqueue(chunk);
    },
  });
  async function verify(): Promise<void> {
    if (size !== part.size || hash.hex() !== part.sha256) {
      throw new ClientError(`part ${part.id} of ${packetId} does not match the signed manifest: it was altered; nothing was decrypted`);
    }
    if (wrapLength > 0) {
      try {
        await readWrapKeyIds(concatBytes(...wrap));
      } catch {
        throw new ClientError(`part ${part.id} of ${packetId} came with an invalid key wrap`);
      }
    }
  }
  return { stream, verify };
}

/** The checks after a part decrypted: its signature by a member of the sending party in good standing. */
export function partSignerStanding(part: ManifestPart, manifest: Manifest, senderKeys: TrustedMember[], verification: { valid: true; signer: string; signedAt: Date } | { valid: false; reason: string }): string {
  if (!verification.valid) throw new ClientError(`part ${part.id} is not validly signed by a member of ${manifest.sender.party}: ${verification.reason}`);
  const partSigner = senderKeys.find((m) => m.fingerprint === verification.signer)!;
  const standing = signatureStanding(partSigner, verification.signedAt);
  if (standing) throw new ClientError(`part ${part.id} is signed by ${partSigner.fingerprint}, but ${standing}`);
  return verification.signer;
}
