/**
 * Evidence on the person's machine, for both clients: sign a retrieval receipt after a packet
 * decrypted and verified; read and verify receipts, exported audit logs, checkpoints and evidence
 * bundles, so that a later rewrite of the log, a truncation or an older database restored on the
 * hub is detected against the checkpoints this client kept (kept by the platform: the CLI in
 * LIAISON_HOME/checkpoints/, client/node/checkpoints.ts).
 *
 * Every check here runs without trusting the hub: hub signatures are checked against a pinned hub
 * fingerprint (client/core/hub.ts), event hashes and Merkle proofs are recomputed, a person's
 * receipt against their key as their party's pinned officers vouch for it. What it cannot
 * establish: anything about events a party's view of the log leaves out.
 */
import type { z } from 'zod';
import { fingerprintOf, readPublicKey, type PublicKey } from '../../keys/identity.ts';
import { signDetached, verifyDetached } from '../../keys/signatures.ts';
import { MAX_PAGE_SIZE, type PacketDetail } from '../../protocol/api.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import type {
  AuditExport} from '../../protocol/evidence.ts';
import {
  AuditPage,
  Checkpoint,
  EvidenceBundle,
  RECEIPT_FORMAT,
  Receipt,
  SignedCheckpoint,
  SignedReceipt,
  auditEventHash,
  parseStatement,
  verifyConsistency,
  verifyInclusion,
  type AuditAction,
  type AuditEvent,
} from '../../protocol/evidence.ts';
import { AuditStreamVerifier, type AuditExportHead } from '../../protocol/audit-stream.ts';
import { ReleaseDecision } from '../../protocol/release.ts';
import { signedExpiryProblem, signedInstantProblem } from '../../protocol/signing.ts';
import { MembershipStatement } from '../../protocol/statements.ts';
import { manifestDigest, parseCanonicalManifest, type Manifest } from '../../protocol/manifest.ts';
import { pagePath, type HubClient, type PageRequest } from './api.ts';
import type { TrustedDirectory } from './trust.ts';
import { ClientError, reasonOf } from './errors.ts';
import { hubPinProblem } from './hub.ts';
import type { ClientContext, Notice } from './context.ts';


// --- the evidence endpoints of the hub -------------------------------------------------------

/** What a view of the log may be asked for: consistency from kept sizes, events since an instant, of one action. */
export interface AuditViewQuery {
  from?: number[];
  since?: string;
  action?: string;
}

/** Two signed checkpoints of one hub over one log (size and root); their signatures are the caller's business. */
function sameLog(a: SignedCheckpoint, b: SignedCheckpoint): boolean {
  const x = parseStatement(Checkpoint, a.statement);
  const y = parseStatement(Checkpoint, b.statement);
  return Boolean(x && y && x.hub === y.hub && x.size === y.size && x.root === y.root);
}

export class EvidenceApi {
  private readonly api: HubClient;
  constructor(api: HubClient) {
    this.api = api;
  }

  private call<T extends z.ZodType>(schema: T, method: string, path: string, body?: unknown): Promise<z.output<T>> {
    return this.api.call(schema, method, path, body);
  }

  /** Every receipt of a packet the caller may see, page after page: evidence checks them all (a packet has a few per party). */
  receipts(packetId: string) {
    return this.api.list(SignedReceipt, `/packets/${encodeURIComponent(packetId)}/receipts`);
  }
  receiptPage(packetId: string, query: PageRequest = {}) {
    return this.api.page(SignedReceipt, `/packets/${encodeURIComponent(packetId)}/receipts`, query);
  }
  postReceipt(packetId: string, receipt: SignedReceipt) {
    return this.call(SignedReceipt, 'POST', `/packets/${encodeURIComponent(packetId)}/receipts`, receipt);
  }
  evidence(packetId: string) {
    return this.call(EvidenceBundle, 'GET', `/packets/${encodeURIComponent(packetId)}/evidence`);
  }
  /** One page of the caller's view of the log (its events proven against a checkpoint of the size the first page fixed). */
  auditPage(query: AuditViewQuery & PageRequest = {}) {
    const { from, ...rest } = query;
    return this.call(AuditPage, 'GET', pagePath('/audit', { ...(from?.length ? { from: from.join(',') } : {}), ...rest }));
  }

  /**
   * The caller's view of the log, page after page, put together as one export: every page must
   * prove its events against a checkpoint of one size and root (the first page's), in order
   * without repeats, or the view is refused. The view is bounded by what one party may see.
   */
  async audit(fromSizes: number[], filters: Omit<AuditViewQuery, 'from'> = {}): Promise<AuditExport> {
    let first: AuditPage | undefined;
    const events: AuditExport['events'] = [];
    let cursor: string | undefined;
    for (let n = 0; n < 10_000; n++) {
      const page: AuditPage = await this.auditPage({ from: fromSizes, ...filters, limit: MAX_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      if (!first) first = page;
      else if (!sameLog(first.checkpoint, page.checkpoint)) throw new ClientError('the hub proved the pages of its audit log against different logs: refused');
      const last = events.at(-1)?.event.seq ?? 0;
      if (page.events.some((e, i) => e.event.seq <= (i === 0 ? last : page.events[i - 1]!.event.seq))) throw new ClientError('the hub sent audit events out of order or repeated across pages: refused');
      events.push(...page.events);
      if (!page.nextCursor) {
        const { nextCursor: _n, ...head }: AuditPage = first;
        return { ...head, events };
      }
      if (page.nextCursor === cursor) throw new ClientError('the hub handed back the same audit cursor twice');
      cursor = page.nextCursor;
    }
    throw new ClientError('the hub’s audit view did not end');
  }
  checkpoint() {
    return this.call(SignedCheckpoint, 'POST', '/audit/checkpoints');
  }
}

// --- the retrieval receipt ---------------------------------------------------------------------

/**
 * Sign and send a retrieval receipt for a packet this client has just decrypted and verified
 * (every part). Returns notices instead of throwing: the files are already in place, and a
 * receipt that could not be sent is worth a sentence, not a failed fetch. Not for --raw fetches
 * (nothing was decrypted) nor for the sending party's own packets.
 */
export async function acknowledgeRetrieval(ctx: ClientContext, detail: PacketDetail, manifest: Manifest): Promise<Notice[]> {
  if (detail.relation === 'sent') return [];
  const receipt: Receipt = {
    format: RECEIPT_FORMAT,
    id: crypto.randomUUID(),
    kind: 'retrieved',
    issuer: { role: 'person', fingerprint: ctx.me.fingerprint },
    packetId: detail.packetId,
    revision: manifest.revision,
    manifestSha256: manifestDigest(detail.manifest),
    party: ctx.me.party,
    parts: manifest.parts.map((p) => ({ id: p.id, sha256: p.sha256 })),
    at: ctx.now().toISOString(),
  };
  const statement = canonicalize(receipt);
  try {
    await new EvidenceApi(ctx.api).postReceipt(detail.packetId, { statement, signature: await signDetached('retrievalReceipt', statement, ctx.key, ctx.now()) });
    return [{ message: 'retrieval receipt signed and sent to the hub' }];
  } catch (error) {
    return [{ message: `warning: the retrieval receipt could not be recorded: ${reasonOf(error)}` }];
  }
}

// --- verification ------------------------------------------------------------------------------

export interface ReceiptCheck {
  receipt?: Receipt;
  valid: boolean;
  reason?: string;
  signer?: string;
}

/**
 * Check receipts of `packetId`: canonical, about this packet, signed by the hub key (hub receipts)
 * or by the key of the person they name (retrieval receipts, key from `personKeys`; with `partyOf`,
 * that person must be a member of the party the receipt names).
 */
export async function verifyReceipts(packetId: string, receipts: readonly SignedReceipt[], hubKey: PublicKey, personKeys: ReadonlyMap<string, PublicKey>, now: Date, partyOf?: ReadonlyMap<string, string>): Promise<ReceiptCheck[]> {
  const hubFingerprint = fingerprintOf(hubKey);
  const out: ReceiptCheck[] = [];
  for (const signed of receipts) {
    const receipt = parseStatement(Receipt, signed.statement);
    if (!receipt) {
      out.push({ valid: false, reason: 'not a canonical liaison-receipt/1 statement' });
      continue;
    }
    if (receipt.packetId !== packetId) {
      out.push({ receipt, valid: false, reason: 'it is about another packet' });
      continue;
    }
    if ((receipt.kind === 'retrieved') !== (receipt.issuer.role === 'person')) {
      out.push({ receipt, valid: false, reason: 'only a retrieval receipt is signed by a person, and only by one' });
      continue;
    }
    const dated = signedInstantProblem(receipt.at, now, 'its time');
    if (dated) {
      out.push({ receipt, valid: false, reason: dated });
      continue;
    }
    if (receipt.issuer.role === 'person' && partyOf && partyOf.get(receipt.issuer.fingerprint) !== receipt.party) {
      out.push({ receipt, valid: false, reason: `its signer ${receipt.issuer.fingerprint} is not a member of ${receipt.party}` });
      continue;
    }
    const key = receipt.issuer.role === 'hub' ? (receipt.issuer.fingerprint === hubFingerprint ? hubKey : undefined) : personKeys.get(receipt.issuer.fingerprint);
    if (!key) {
      out.push({ receipt, valid: false, reason: `no trusted key for its issuer ${receipt.issuer.fingerprint}` });
      continue;
    }
    const v = await verifyDetached(receipt.issuer.role === 'hub' ? 'hubReceipt' : 'retrievalReceipt', signed.statement, signed.signature, [key], now);
    out.push(v.valid ? { receipt, valid: true, signer: v.signer } : { receipt, valid: false, reason: v.reason });
  }
  return out;
}

/**
 * A packet's receipts from the hub, each checked: hub receipts against `hubKey`, retrieval
 * receipts against the recipients' keys as their party's pinned officers vouch for them (never on
 * the hub's word). `names` gives each person signer as `Name (PARTY)`.
 */
export async function checkPacketReceipts(api: HubClient, directory: TrustedDirectory, packetId: string, hubKey: PublicKey, now: Date): Promise<{ receipts: SignedReceipt[]; checks: ReceiptCheck[]; names: ReadonlyMap<string, string> }> {
  const receipts = await new EvidenceApi(api).receipts(packetId);
  const parties = new Set<string>();
  for (const r of receipts) {
    const receipt = parseStatement(Receipt, r.statement);
    if (receipt?.issuer.role === 'person') parties.add(receipt.party);
  }
  const personKeys = new Map<string, PublicKey>();
  const partyOf = new Map<string, string>();
  const names = new Map<string, string>();
  for (const party of parties) {
    for (const m of await directory.members(party)) {
      personKeys.set(m.fingerprint, m.key);
      partyOf.set(m.fingerprint, m.party);
      names.set(m.fingerprint, `${m.name} (${m.party})`);
    }
  }
  return { receipts, checks: await verifyReceipts(packetId, receipts, hubKey, personKeys, now, partyOf), names };
}

/**
 * The part of the hub's audit log this person may see, with consistency proofs from each of the
 * `kept` checkpoints (each verified against `hubKey` first, so a forged kept file is refused).
 */
export async function auditSince(evidence: EvidenceApi, kept: readonly SignedCheckpoint[], hubKey: PublicKey, now: Date): Promise<AuditExport> {
  const sizes: number[] = [];
  for (const k of kept) sizes.push((await verifiedCheckpoint(k, hubKey, now)).size);
  return evidence.audit(sizes);
}

export type LogCheck = { ok: true; lines: string[] } | { ok: false; position?: number; reason: string; lines: string[] };

/** Read the checkpoint a hub signed; throws ClientError when the signature or the statement is bad. */
export async function verifiedCheckpoint(signed: SignedCheckpoint, hubKey: PublicKey, now: Date): Promise<Checkpoint> {
  const checkpoint = parseStatement(Checkpoint, signed.statement);
  if (!checkpoint) throw new ClientError('the checkpoint is not a canonical liaison-audit-checkpoint/1 statement');
  if (checkpoint.hub !== fingerprintOf(hubKey)) throw new ClientError('the checkpoint names another hub');
  const v = await verifyDetached('checkpoint', signed.statement, signed.signature, [hubKey], now);
  if (!v.valid) throw new ClientError(`the checkpoint signature does not verify: ${v.reason}`);
  const dated = signedInstantProblem(checkpoint.at, now, 'the checkpoint time');
  if (dated) throw new ClientError(dated);
  return checkpoint;
}

async function pinnedHubKey(armored: string, claimed: string, pinned: string | undefined): Promise<PublicKey> {
  if (!pinned) throw new ClientError('no pinned hub fingerprint: give --hub-fingerprint, or keep a checkpoint first (liaison audit checkpoint --save)');
  const key = await readPublicKey(armored);
  const fingerprint = fingerprintOf(key);
  if (fingerprint !== claimed) throw new ClientError('the hub key in the file is not the one it claims to be');
  if (hubPinProblem(fingerprint, pinned)) throw new ClientError(`the file is signed by hub ${fingerprint}, not by the pinned hub ${pinned}`);
  return key;
}

function checkProvenEvents(events: AuditExport['events'], checkpoint: Checkpoint): { ok: true } | { ok: false; position: number; reason: string } {
  let previous = 0;
  for (const { event, proof } of events) {
    if (event.seq <= previous) return { ok: false, position: event.seq, reason: 'events are out of order or repeated' };
    previous = event.seq;
    if (auditEventHash(event) !== event.hash) return { ok: false, position: event.seq, reason: 'its content does not match its hash (edited)' };
    if (!verifyInclusion(event.hash, event.seq - 1, checkpoint.size, proof, checkpoint.root)) {
      return { ok: false, position: event.seq, reason: `it is not event ${event.seq} of the log the checkpoint signs` };
    }
  }
  return { ok: true };
}

/**
 * Verify an exported log offline. A complete export (scope `all`) is recomputed event by event
 * (`verifyCompleteLog`); a party's export proves each of its events against the signed
 * checkpoint. Every kept checkpoint must be a prefix of the export's log (recomputed, or by a
 * consistency proof).
 */
export async function verifyAuditExport(data: AuditExport, options: { pinnedHub: string | undefined; kept: readonly SignedCheckpoint[]; now: Date }): Promise<LogCheck> {
  if (data.scope === 'all') {
    const { events, checkpoint, ...head } = data;
    return verifyCompleteLog(head, events.map((e) => e.event), () => checkpoint, options);
  }
  const lines: string[] = [];
  const fail = (reason: string, position?: number): LogCheck => ({ ok: false, reason, lines, ...(position === undefined ? {} : { position }) });
  let hubKey: PublicKey;
  let checkpoint: Checkpoint;
  try {
    hubKey = await pinnedHubKey(data.hub.publicKey, data.hub.fingerprint, options.pinnedHub);
    checkpoint = await verifiedCheckpoint(data.checkpoint, hubKey, options.now);
  } catch (error) {
    return fail(reasonOf(error));
  }
  lines.push(`hub ${checkpoint.hub}; checkpoint of ${checkpoint.size} events signed at ${checkpoint.at}`);
  const events: AuditEvent[] = data.events.map((e) => e.event);
  const proven = checkProvenEvents(data.events, checkpoint);
  if (!proven.ok) return fail(proven.reason, proven.position);
  lines.push(`${events.length} events visible to ${data.scope}, each proven to be in the signed log`);
  for (const signed of options.kept) {
    let old: Checkpoint;
    try {
      old = await verifiedCheckpoint(signed, hubKey, options.now);
    } catch {
      continue;
    }
    const what = `the kept checkpoint of ${old.size} events signed at ${old.at}`;
    if (old.size > checkpoint.size) return fail(`the log has ${checkpoint.size} events, fewer than ${what}: it was truncated, or an older database was restored`, checkpoint.size + 1);
    const proof = data.consistency.find((c) => c.fromSize === old.size);
    if (!proof) return fail(`the export does not prove that it extends ${what}`);
    if (!verifyConsistency(old.size, checkpoint.size, old.root, checkpoint.root, proof.proof)) return fail(`the log does not extend ${what}: rewritten, or an older database restored`, old.size);
    lines.push(`extends ${what}`);
  }
  return { ok: true, lines };
}

/**
 * Verify a complete export (scope `all`) as a stream, in one pass and flat memory: the events in
 * order (an array, or read from a file as they come), and the export's signed checkpoint, which
 * a streamed file carries after them. Every event is recomputed into the chain and the Merkle
 * root, which must be the signed checkpoint's; the log must extend every kept checkpoint and
 * every checkpoint the hub stored. A kept checkpoint counts only if its signature verifies. A
 * checkpoint the hub stored is believed only where it disagrees with the log: then its signature
 * is checked, and the log is called rewritten or truncated only if it verifies (one that agrees
 * adds nothing the export's own signed checkpoint does not prove, so a million-event log is not
 * held up by ten thousand signature checks).
 */
export async function verifyCompleteLog(
  head: AuditExportHead,
  events: Iterable<AuditEvent> | AsyncIterable<AuditEvent>,
  checkpointOf: () => SignedCheckpoint,
  options: { pinnedHub: string | undefined; kept: readonly SignedCheckpoint[]; now: Date },
): Promise<LogCheck> {
  const lines: string[] = [];
  const fail = (reason: string, position?: number): LogCheck => ({ ok: false, reason, lines, ...(position === undefined ? {} : { position }) });
  let hubKey: PublicKey;
  try {
    hubKey = await pinnedHubKey(head.hub.publicKey, head.hub.fingerprint, options.pinnedHub);
  } catch (error) {
    return fail(reasonOf(error));
  }
  type Held = { from: 'kept' | 'the hub'; signed: SignedCheckpoint };
  const held: Array<{ checkpoint: Checkpoint; tag: Held }> = [];
  for (const signed of options.kept) {
    try {
      held.push({ checkpoint: await verifiedCheckpoint(signed, hubKey, options.now), tag: { from: 'kept', signed } });
    } catch {
      // A kept checkpoint that does not verify (another hub's, a damaged file) holds nothing.
    }
  }
  for (const signed of head.checkpoints) {
    const c = parseStatement(Checkpoint, signed.statement);
    if (!c || c.hub !== head.hub.fingerprint) return fail('a checkpoint the hub stored is not valid: it is not a canonical liaison-audit-checkpoint/1 statement of this hub');
    held.push({ checkpoint: c, tag: { from: 'the hub', signed } });
  }
  const verifier = new AuditStreamVerifier(held);
  for await (const event of events) {
    verifier.push(event);
    if (!verifier.going) break;
  }
  const verdict = verifier.finish();
  if (!verdict.ok && verdict.kind === 'chain') return fail(verdict.reason, verdict.position);
  let checkpoint: Checkpoint;
  try {
    checkpoint = await verifiedCheckpoint(checkpointOf(), hubKey, options.now);
  } catch (error) {
    return fail(reasonOf(error));
  }
  lines.push(`hub ${checkpoint.hub}; checkpoint of ${checkpoint.size} events signed at ${checkpoint.at}`);
  if (verifier.size !== checkpoint.size) return fail(`the export holds ${verifier.size} events but its checkpoint covers ${checkpoint.size}`, Math.min(verifier.size, checkpoint.size) + 1);
  if (verifier.root() !== checkpoint.root || verifier.head !== checkpoint.head) return fail('the events do not hash to the signed checkpoint', checkpoint.size);
  lines.push(`all ${verifier.size} events recomputed: the hash chain is intact and matches the checkpoint`);
  const what = (c: Checkpoint, from: Held['from']) => `the ${from === 'kept' ? 'kept ' : ''}checkpoint of ${c.size} events signed at ${c.at}`;
  if (!verdict.ok) {
    const { checkpoint: old, tag } = verdict;
    if (tag.from === 'the hub') {
      try {
        await verifiedCheckpoint(tag.signed, hubKey, options.now);
      } catch (error) {
        return fail(`a checkpoint the hub stored is not valid: ${reasonOf(error)}`);
      }
    }
    if (verdict.kind === 'truncated') return fail(`the log has ${checkpoint.size} events, fewer than ${what(old, tag.from)}: it was truncated, or an older database was restored`, checkpoint.size + 1);
    return fail(`the first ${old.size} events are not those of ${what(old, tag.from)}: rewritten, or an older database restored`, old.size);
  }
  for (const { checkpoint: c, tag } of held) if (tag.from === 'kept') lines.push(`extends ${what(c, 'kept')}`);
  if (head.checkpoints.length > 0) lines.push(`agrees with the ${head.checkpoints.length} checkpoint(s) the hub stored`);
  return { ok: true, lines };
}

/** An event's action, checked against the hub's list (protocol/evidence.ts AUDIT_ACTIONS): a misspelt name does not compile. */
const isAction = (e: AuditEvent, action: AuditAction): boolean => e.action === action;

/** The prefix of every line that shows a bundle field no signature or audit proof covers. */
export const UNVERIFIED = 'unverified:';

/** What the bundle's signed material says about one release: audit events (proven) and hub receipts (signed). */
interface ReleaseEvidence {
  request?: { at: string; actor?: string; party: string; thirdParty?: string };
  decided?: { at: string };
  executed?: { at: string };
}

function releaseEvidence(releaseId: string, events: readonly AuditEvent[], receipts: readonly Receipt[]): ReleaseEvidence {
  const out: ReleaseEvidence = {};
  for (const e of events) {
    if (e.object !== releaseId || e.outcome !== 'allow') continue;
    let detail: { thirdParty?: unknown } = {};
    try {
      detail = JSON.parse(e.detail) as { thirdParty?: unknown };
    } catch {
      // Not JSON: the event still proves who acted when.
    }
    if (isAction(e, 'release.request')) out.request = { at: e.at, actor: e.actor, party: e.party, ...(typeof detail.thirdParty === 'string' ? { thirdParty: detail.thirdParty } : {}) };
    // A request to use the packet for another purpose is a "release" to the asking party itself.
    if (isAction(e, 'purpose.request')) out.request = { at: e.at, actor: e.actor, party: e.party, thirdParty: e.party };
    if (isAction(e, 'release.consent') || isAction(e, 'release.refuse')) out.decided = { at: e.at };
    if (isAction(e, 'release.execute')) out.executed = { at: e.at };
  }
  for (const r of receipts) {
    if (r.releaseId !== releaseId || r.issuer.role !== 'hub') continue;
    if (r.kind === 'release-requested') out.request ??= { at: r.at, party: r.party, ...(r.thirdParty ? { thirdParty: r.thirdParty } : {}) };
    if (r.kind === 'release-consented' || r.kind === 'release-refused') out.decided ??= { at: r.at };
    if (r.kind === 'release-executed') out.executed ??= { at: r.at };
  }
  return out;
}

/**
 * Check every field of one release of a bundle against the officer's signed decision, the proven
 * audit events and the hub's signed receipts. Returns the first contradiction; pushes an
 * `unverified:` line for each field the bundle holds nothing signed about.
 */
function checkRelease(release: EvidenceBundle['releases'][number], at: string, manifest: Manifest, decision: ReleaseDecision | undefined, evidence: ReleaseEvidence, lines: string[]): string | undefined {
  const unverified = (field: keyof typeof release, why: string) => {
    if (release[field] !== undefined) lines.push(`${UNVERIFIED} ${at}.${field} = ${JSON.stringify(release[field])} (${why})`);
  };
  const differs = (field: keyof typeof release, proven: string | undefined, source: string) =>
    release[field] !== proven ? `${at}.${field} is ${JSON.stringify(release[field] ?? null)}, but ${source} says ${JSON.stringify(proven ?? null)}` : undefined;
  const noRecord = 'the hub’s word: no signed record of the request is in the bundle';
  let problem: string | undefined;
  if ((problem = differs('agreementId', manifest.agreementId, 'the signed manifest'))) return problem;
  if ((problem = differs('originParty', manifest.sender.party, 'the signed manifest'))) return problem;
  // The request: its party, its author, its time, its third party.
  const request = evidence.request;
  if (request) {
    if ((problem = differs('requestingParty', request.party, 'the audit log'))) return problem;
    if ((problem = differs('requestedAt', request.at, 'the audit log'))) return problem;
    if (request.actor) {
      if ((problem = differs('requestedBy', request.actor, 'the audit log'))) return problem;
    } else unverified('requestedBy', 'the hub’s word: the audit event of the request is not in the bundle');
  } else {
    for (const f of ['requestingParty', 'requestedBy', 'requestedAt'] as const) unverified(f, noRecord);
  }
  if (decision) {
    if ((problem = differs('thirdParty', decision.thirdParty, 'the signed decision'))) return problem;
    if ((problem = differs('purpose', decision.purpose, 'the signed decision'))) return problem;
    if ((problem = differs('expiresAt', decision.expiresAt, 'the signed decision'))) return problem;
  } else {
    if (request?.thirdParty) {
      if ((problem = differs('thirdParty', request.thirdParty, 'the audit log'))) return problem;
    } else unverified('thirdParty', noRecord);
    unverified('purpose', 'the hub’s word: no decision signs it yet');
    if (release.expiresAt !== undefined) return `${at}.expiresAt is set, but no signed decision grants an expiry`;
    if (release.decisionSignature !== undefined) return `${at} carries a decision signature without its decision`;
  }
  // The state follows from the decision and the proven execution, never from the hub's field alone.
  if (evidence.executed) {
    if (decision?.decision !== 'consent') return `${at} was executed, by the audit log, without a signed consent in the bundle`;
    if (release.state !== 'executed') return `${at}.state is ${release.state}, but the audit log records its execution`;
    if ((problem = differs('executedAt', evidence.executed.at, 'the audit log'))) return problem;
  } else if (release.state === 'executed') {
    if (decision?.decision !== 'consent') return `${at}.state is executed without a signed consent`;
    unverified('state', 'the hub’s word: its execution is not in the bundle');
    unverified('executedAt', 'the hub’s word: its execution is not in the bundle');
  } else if (release.executedAt !== undefined) {
    return `${at}.executedAt is set, but the release is ${release.state}`;
  }
  if (release.state !== 'executed') {
    const expected = decision ? (decision.decision === 'consent' ? 'consented' : 'refused') : 'requested';
    if (release.state !== expected) return `${at}.state is ${release.state}, but ${decision ? 'the signed decision' : 'the bundle holds no decision, so it'} says ${expected}`;
    if (!decision) unverified('state', 'the hub’s word: a decision the hub withheld would not show');
  }
  if (decision) {
    if (evidence.decided) {
      if ((problem = differs('decidedAt', evidence.decided.at, 'the audit log'))) return problem;
    } else unverified('decidedAt', 'the hub’s word: the audit event of the decision is not in the bundle');
  } else if (release.decidedAt !== undefined) {
    return `${at}.decidedAt is set, but the bundle holds no decision`;
  }
  if (!decision && !request) unverified('id', noRecord);
  return undefined;
}

/**
 * Verify an evidence bundle offline: the hub key against the pin, the checkpoint, each audit event
 * against the checkpoint, each receipt and the manifest and every release decision against the
 * keys the bundle carries, every membership statement it carries, and every field of every release
 * against those. A field nothing signed covers is listed as an `unverified:` line (exportedAt, and
 * for instance the purpose of a release no one has decided yet), never passed off as verified.
 */
export async function verifyEvidenceBundle(bundle: EvidenceBundle, options: { pinnedHub: string | undefined; now: Date; pinnedOfficers?: ReadonlyMap<string, readonly string[]> }): Promise<LogCheck> {
  const lines: string[] = [];
  const fail = (reason: string, position?: number): LogCheck => ({ ok: false, reason, lines, ...(position === undefined ? {} : { position }) });
  try {
    const hubKey = await pinnedHubKey(bundle.hub.publicKey, bundle.hub.fingerprint, options.pinnedHub);
    const checkpoint = await verifiedCheckpoint(bundle.checkpoint, hubKey, options.now);
    lines.push(`hub ${checkpoint.hub}; checkpoint of ${checkpoint.size} events signed at ${checkpoint.at}`);
    const keys = new Map<string, PublicKey>();
    const parties = new Map<string, string>();
    for (const k of bundle.keys) {
      if (keys.has(k.fingerprint)) return fail(`the key ${k.fingerprint} is listed twice`);
      const key = await readPublicKey(k.publicKey);
      if (fingerprintOf(key) !== k.fingerprint) return fail(`the key listed as ${k.fingerprint} is another key`);
      keys.set(k.fingerprint, key);
      parties.set(k.fingerprint, k.party);
    }
    const statementProblem = await checkStatements(bundle, keys, options.now, lines);
    if (statementProblem) return fail(statementProblem);
    const pins = options.pinnedOfficers ?? new Map<string, readonly string[]>();
    const vouched = await vouching(bundle, keys, pins, options.now);
    for (const [i, k] of bundle.keys.entries()) {
      if (vouched.has(k.fingerprint)) continue;
      const why = (pins.get(k.party) ?? []).length === 0 ? `no officer of ${k.party} is pinned here` : `it does not chain to a pinned officer of ${k.party}`;
      lines.push(`${UNVERIFIED} keys[${i}] = key ${k.fingerprint} of ${k.party} (taken on the hub's word: ${why})`);
    }
    const vouch = (fingerprint: string): string | undefined => {
      const party = parties.get(fingerprint) ?? '?';
      if (vouched.has(fingerprint) || (pins.get(party) ?? []).length === 0) return undefined;
      return `key ${fingerprint} is not vouched for by a pinned officer of ${party}`;
    };
    const parsed = parseCanonicalManifest(bundle.manifest.text);
    if (!parsed.ok) return fail(`the manifest: ${parsed.error}`);
    const manifest = parsed.manifest;
    if (manifest.packetId !== bundle.packetId || manifest.revision !== bundle.manifest.revision) return fail('the manifest is for another packet or revision');
    const created = signedInstantProblem(manifest.createdAt, options.now, 'the manifest date');
    if (created) return fail(created);
    const signer = keys.get(manifest.signedBy);
    if (!signer || parties.get(manifest.signedBy) !== manifest.sender.party) return fail(`no key of ${manifest.sender.party} for the manifest signer ${manifest.signedBy}`);
    const signerProblem = vouch(manifest.signedBy);
    if (signerProblem) return fail(signerProblem);
    const mv = await verifyDetached('manifest', bundle.manifest.text, bundle.manifest.signature, [signer], options.now);
    if (!mv.valid) return fail(`the manifest signature does not verify: ${mv.reason}`);
    lines.push(`manifest revision ${manifest.revision} signed by ${manifest.signedBy} (${manifest.sender.party}); marking ${manifest.marking.level}`);

    const proven = checkProvenEvents(bundle.events, checkpoint);
    if (!proven.ok) return fail(`audit event ${proven.position}: ${proven.reason}`, proven.position);
    const bySeq = new Map(bundle.events.map((e) => [e.event.seq, e.event]));
    lines.push(`${bundle.events.length} audit events of the packet, each proven to be in the signed log`);

    const manifestHash = manifestDigest(bundle.manifest.text);
    const checks = await verifyReceipts(bundle.packetId, bundle.receipts, hubKey, keys, options.now);
    const receipts: Receipt[] = [];
    for (const [i, c] of checks.entries()) {
      if (!c.valid || !c.receipt) return fail(`receipt ${i + 1}: ${c.reason ?? 'invalid'}`);
      const r = c.receipt;
      if (r.issuer.role === 'person' && parties.get(r.issuer.fingerprint) !== r.party) return fail(`receipt ${i + 1}: signed by a key that is not of ${r.party}`);
      const receiptSigner = r.issuer.role === 'person' ? vouch(r.issuer.fingerprint) : undefined;
      if (receiptSigner) return fail(`receipt ${i + 1}: ${receiptSigner}`);
      if (r.revision === manifest.revision && r.manifestSha256 !== manifestHash) return fail(`receipt ${i + 1}: it is about other manifest bytes`);
      if (r.audit) {
        const event = bySeq.get(r.audit.seq);
        if (r.audit.seq <= checkpoint.size && (!event || event.hash !== r.audit.hash)) return fail(`receipt ${i + 1}: its audit event ${r.audit.seq} is not in the bundle as signed`);
      }
      receipts.push(r);
      lines.push(`receipt ${r.kind} for ${r.party} at ${r.at}, signed by ${r.issuer.role === 'hub' ? 'the hub' : r.issuer.fingerprint}`);
    }
    const events = bundle.events.map((e) => e.event);
    const seen = new Set<string>();
    for (const [i, release] of bundle.releases.entries()) {
      if (seen.has(release.id)) return fail(`release ${release.id} is listed twice`);
      seen.add(release.id);
      if (release.packetId !== bundle.packetId) return fail(`release ${release.id} is about another packet`);
      let decision: ReleaseDecision | undefined;
      if (release.decision !== undefined) {
        decision = parseStatement(ReleaseDecision, release.decision);
        if (!decision || decision.releaseId !== release.id || decision.packetId !== bundle.packetId) return fail(`the decision of release ${release.id} is not a canonical decision about it`);
        const officer = keys.get(decision.officer);
        if (!officer || parties.get(decision.officer) !== manifest.sender.party) return fail(`no key of ${manifest.sender.party} for the officer ${decision.officer}`);
        const officerProblem = vouch(decision.officer);
        if (officerProblem) return fail(`the decision on release ${release.id}: ${officerProblem}`);
        const dv = await verifyDetached('releaseDecision', release.decision, release.decisionSignature ?? '', [officer], options.now);
        if (!dv.valid) return fail(`the decision on release ${release.id} does not verify: ${dv.reason}`);
        const dated = signedInstantProblem(decision.decidedAt, options.now, `the date of the decision on release ${release.id}`) ?? (decision.expiresAt ? signedExpiryProblem(decision.expiresAt, options.now, `the expiry of the consent to release ${release.id}`) : undefined);
        if (dated) return fail(dated);
      }
      const problem = checkRelease(release, `releases[${i}]`, manifest, decision, releaseEvidence(release.id, events, receipts), lines);
      if (problem) return fail(problem);
      lines.push(`release ${release.id} to ${release.thirdParty}: ${release.state}${decision ? `; ${decision.decision} signed by ${decision.officer} at ${decision.decidedAt}` : ''}`);
    }
    lines.push(`${UNVERIFIED} exportedAt = ${JSON.stringify(bundle.exportedAt)} (the hub's word: the bundle's own date is not signed; the checkpoint's is)`);
    return { ok: true, lines };
  } catch (error) {
    return fail(reasonOf(error));
  }
}

/**
 * Every membership statement a bundle carries must be canonical, about the key it is listed
 * with, dated within reason, and signed by the officer it names when that officer's key is in
 * the bundle; one whose officer is absent is listed as unverified.
 */
async function checkStatements(bundle: EvidenceBundle, keys: ReadonlyMap<string, PublicKey>, now: Date, lines: string[]): Promise<string | undefined> {
  for (const [i, k] of bundle.keys.entries()) {
    if (k.statement === undefined) {
      if (k.statementSignature !== undefined) return `the key ${k.fingerprint} carries a statement signature without its statement`;
      continue;
    }
    const s = parseStatement(MembershipStatement, k.statement);
    if (!s || s.fingerprint !== k.fingerprint || s.party !== k.party) return `the membership statement listed with key ${k.fingerprint} is not a canonical statement about that key of ${k.party}`;
    const dated = signedInstantProblem(s.issuedAt, now, `the membership statement of ${k.fingerprint}`);
    if (dated) return dated;
    const officer = keys.get(s.officer);
    if (!officer) {
      lines.push(`${UNVERIFIED} keys[${i}].statement (its officer ${s.officer} is not in the bundle)`);
      continue;
    }
    const v = await verifyDetached('membership', k.statement, k.statementSignature ?? '', [officer], now);
    if (!v.valid) return `the membership statement of ${k.fingerprint} does not verify with its officer ${s.officer}: ${v.reason}`;
  }
  return undefined;
}

/**
 * Which keys of a bundle chain to a pinned officer: a pinned officer's own key, or a key whose
 * membership statement (about that key and party) is signed by a key that itself chains. Returns
 * each vouched fingerprint with who vouched. Officer rotations are not followed offline: pin the
 * officer that signed, as notified in writing.
 */
async function vouching(bundle: EvidenceBundle, keys: ReadonlyMap<string, PublicKey>, pins: ReadonlyMap<string, readonly string[]>, now: Date): Promise<Map<string, string>> {
  const vouched = new Map<string, string>();
  for (const k of bundle.keys) if ((pins.get(k.party) ?? []).includes(k.fingerprint)) vouched.set(k.fingerprint, 'pinned');
  for (let changed = true; changed; ) {
    changed = false;
    for (const k of bundle.keys) {
      if (vouched.has(k.fingerprint) || !k.statement || !k.statementSignature) continue;
      const s = parseStatement(MembershipStatement, k.statement);
      if (!s || s.fingerprint !== k.fingerprint || s.party !== k.party || !vouched.has(s.officer)) continue;
      const officer = bundle.keys.find((o) => o.fingerprint === s.officer);
      if (!officer || officer.party !== k.party) continue;
      if ((await verifyDetached('membership', k.statement, k.statementSignature, [keys.get(s.officer)!], now)).valid) {
        vouched.set(k.fingerprint, s.officer);
        changed = true;
      }
    }
  }
  return vouched;
}

