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
import { signStatement, verifyStatement, type StatementVerification } from '../../keys/statements.ts';
import { MAX_PAGE_SIZE, type PacketDetail } from '../../protocol/api.ts';
import type { AuditExport } from '../../protocol/evidence.ts';
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
  checkpointExtension,
  verifyInclusion,
  type AuditAction,
  type AuditEvent,
} from '../../protocol/evidence.ts';
import { AuditStreamVerifier, disagreementReason, type AuditExportHead } from '../../protocol/audit-stream.ts';
import { ReleaseDecision } from '../../protocol/release.ts';
import { signedExpiryProblem, signedInstantProblem } from '../../protocol/signing.ts';
import { MembershipStatement } from '../../protocol/statements.ts';
import { Manifest, manifestDigest } from '../../protocol/manifest.ts';
import { pagePath, type HubClient, type PageRequest } from './api.ts';
import type { TrustedDirectory } from './trust.ts';
import { ClientError, reasonOf } from './errors.ts';
import { hubPinProblem } from './hub.ts';
import type { ClientContext, Notice } from './context.ts';


// --- the evidence endpoints of the hub -------------------------------------------------------

/** What a view of the log may be asked for: consistency from kept sizes, events since an instant, of one action. */
interface AuditViewQuery {
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
      else if (!sameLog(first.checkpoint, page.checkpoint)) throw new ClientError('the hub proved the pages of its audit log against different logs: refused', 'audit.pages-of-different-logs');
      const last = events.at(-1)?.event.seq ?? 0;
      if (page.events.some((e, i) => e.event.seq <= (i === 0 ? last : page.events[i - 1]!.event.seq))) throw new ClientError('the hub sent audit events out of order or repeated across pages: refused', 'audit.events-out-of-order');
      events.push(...page.events);
      if (!page.nextCursor) {
        const { nextCursor: _n, ...head }: AuditPage = first;
        return { ...head, events };
      }
      if (page.nextCursor === cursor) throw new ClientError('the hub handed back the same audit cursor twice', 'audit.cursor-repeated');
      cursor = page.nextCursor;
    }
    throw new ClientError('the hub’s audit view did not end', 'audit.view-unbounded');
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
  try {
    await new EvidenceApi(ctx.api).postReceipt(detail.packetId, await signStatement('retrievalReceipt', Receipt, receipt, ctx.key, ctx.now()));
    return [{ message: 'retrieval receipt signed and sent to the hub' }];
  } catch (error) {
    return [{ message: `warning: the retrieval receipt could not be recorded: ${reasonOf(error)}` }];
  }
}

// --- verification ------------------------------------------------------------------------------

interface ReceiptCheck {
  receipt?: Receipt;
  valid: boolean;
  reason?: string;
  signer?: string;
}

/**
 * Verify one receipt: as the hub's, against `hubKey`, when the hub's key made it; otherwise as a
 * person's retrieval receipt, against `personKeys`. Either way the receipt must name its signer.
 */
async function verifyReceipt(signed: SignedReceipt, hubKey: PublicKey, personKeys: ReadonlyMap<string, PublicKey>, now: Date): Promise<StatementVerification<Receipt>> {
  const byHub = await verifyStatement('hubReceipt', Receipt, signed, [hubKey], now, { namedSigner: (r) => r.issuer.fingerprint });
  if (byHub.valid || byHub.failure !== 'unknown-signer') return byHub;
  return verifyStatement('retrievalReceipt', Receipt, signed, [...personKeys.values()], now, { namedSigner: (r) => r.issuer.fingerprint });
}

/** Why a verified receipt is not a receipt of `packetId` as its signer could issue it, or undefined. */
function receiptProblem(receipt: Receipt, byHub: boolean, packetId: string, now: Date, partyOf: ReadonlyMap<string, string> | undefined): string | undefined {
  if (receipt.packetId !== packetId) return 'it is about another packet';
  if ((receipt.kind === 'retrieved') !== (receipt.issuer.role === 'person') || (receipt.issuer.role === 'hub') !== byHub) return 'only a retrieval receipt is signed by a person, and only by one';
  const dated = signedInstantProblem(receipt.at, now, 'its time');
  if (dated) return dated;
  if (receipt.issuer.role === 'person' && partyOf && partyOf.get(receipt.issuer.fingerprint) !== receipt.party) return `its signer ${receipt.issuer.fingerprint} is not a member of ${receipt.party}`;
  return undefined;
}

/**
 * Check receipts of `packetId`: signed by the hub key (hub receipts) or by the key of the person
 * they name (retrieval receipts, key from `personKeys`; with `partyOf`, that person must be a
 * member of the party the receipt names), canonical, and about this packet.
 */
export async function verifyReceipts(packetId: string, receipts: readonly SignedReceipt[], hubKey: PublicKey, personKeys: ReadonlyMap<string, PublicKey>, now: Date, partyOf?: ReadonlyMap<string, string>): Promise<ReceiptCheck[]> {
  const out: ReceiptCheck[] = [];
  for (const signed of receipts) {
    const v = await verifyReceipt(signed, hubKey, personKeys, now);
    if (!v.valid) {
      out.push({ valid: false, reason: v.failure === 'unknown-signer' ? 'no trusted key made its signature' : v.reason });
      continue;
    }
    const receipt = v.value;
    const problem = receiptProblem(receipt, v.signer === fingerprintOf(hubKey), packetId, now, partyOf);
    out.push(problem ? { receipt, valid: false, reason: problem } : { receipt, valid: true, signer: v.signer });
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
  // Whose keys to load: the party a receipt names is only a hint here; nothing it says is
  // believed until verifyReceipts has its signature checked against the key it names.
  const parties = new Set<string>();
  for (const r of receipts) {
    const hint = parseStatement(Receipt, r.statement);
    if (hint?.issuer.role === 'person') parties.add(hint.party);
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
  const v = await verifyStatement('checkpoint', Checkpoint, signed, [hubKey], now, { namedSigner: (c) => c.hub });
  if (!v.valid) {
    if (v.failure === 'signer-mismatch') throw new ClientError('the checkpoint names another hub', 'audit.checkpoint-other-hub');
    throw v.failure === 'not-a-statement'
      ? new ClientError(`the checkpoint is not a canonical liaison-audit-checkpoint/1 statement: ${v.reason}`, 'audit.checkpoint-not-a-statement', { reason: v.reason })
      : new ClientError(`the checkpoint signature does not verify: ${v.reason}`, 'audit.checkpoint-invalid', { reason: v.reason });
  }
  const checkpoint = v.value;
  const dated = signedInstantProblem(checkpoint.at, now, 'the checkpoint time');
  if (dated) throw new ClientError(dated, 'audit.checkpoint-dated', { reason: dated });
  return checkpoint;
}

async function pinnedHubKey(armored: string, claimed: string, pinned: string | undefined): Promise<PublicKey> {
  if (!pinned) throw new ClientError('no pinned hub fingerprint: give --hub-fingerprint, or keep a checkpoint first (liaison audit checkpoint --save)', 'audit.no-pinned-hub');
  const key = await readPublicKey(armored);
  const fingerprint = fingerprintOf(key);
  if (fingerprint !== claimed) throw new ClientError('the hub key in the file is not the one it claims to be', 'audit.file-key-mismatch');
  if (hubPinProblem(fingerprint, pinned)) throw new ClientError(`the file is signed by hub ${fingerprint}, not by the pinned hub ${pinned}`, 'audit.file-other-hub', { fingerprint, pinned });
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
    return verifyCompleteLog(head, [events.map((e) => e.event)], () => checkpoint, options);
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
    const extension = checkpointExtension(old, checkpoint, data.consistency.find((c) => c.fromSize === old.size)?.proof);
    if (!extension.ok) return fail(disagreementReason(extension.kind, what, checkpoint.size, old.size), extension.position);
    lines.push(`extends ${what}`);
  }
  return { ok: true, lines };
}

/**
 * Verify a complete export (scope `all`) as a stream, in one pass and flat memory: the events in
 * order, in batches (one array, or a file's lines a chunk at a time as they are read: a million
 * awaits cost more than the checks of a million events), and the export's signed checkpoint, which
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
  events: Iterable<readonly AuditEvent[]> | AsyncIterable<readonly AuditEvent[]>,
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
    // Not verified here, on purpose (see above): one that agrees with the log adds nothing, and
    // one that disagrees is verified before the disagreement is reported.
    const c = parseStatement(Checkpoint, signed.statement);
    if (!c || c.hub !== head.hub.fingerprint) return fail('a checkpoint the hub stored is not valid: it is not a canonical liaison-audit-checkpoint/1 statement of this hub');
    held.push({ checkpoint: c, tag: { from: 'the hub', signed } });
  }
  const verifier = new AuditStreamVerifier(held);
  read: for await (const batch of events) {
    for (const event of batch) {
      verifier.push(event);
      if (!verifier.going) break read;
    }
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
    return fail(disagreementReason(verdict.kind, what(old, tag.from), checkpoint.size, old.size), verdict.position);
  }
  for (const { checkpoint: c, tag } of held) if (tag.from === 'kept') lines.push(`extends ${what(c, 'kept')}`);
  if (head.checkpoints.length > 0) lines.push(`agrees with the ${head.checkpoints.length} checkpoint(s) the hub stored`);
  return { ok: true, lines };
}

/**
 * The operator's complete log, read from the hub's store (`liaison audit verify --data`), against
 * every checkpoint the hub stored and every one kept or given, each one's signature checked first:
 * recomputed in one pass by the same verifier as an export (protocol/audit-stream.ts).
 */
export async function verifyStoredLog(events: readonly AuditEvent[], stored: readonly SignedCheckpoint[], kept: readonly SignedCheckpoint[], hubKey: PublicKey, now: Date): Promise<LogCheck> {
  const lines: string[] = [];
  const held: Array<{ checkpoint: Checkpoint; tag: 'the hub' | 'kept' }> = [];
  for (const [from, list] of [['the hub', stored], ['kept', kept]] as const) {
    for (const signed of list) {
      try {
        held.push({ checkpoint: await verifiedCheckpoint(signed, hubKey, now), tag: from });
      } catch (error) {
        return { ok: false, reason: `a checkpoint (${from}) is not valid: ${reasonOf(error)}`, lines };
      }
    }
  }
  const verifier = new AuditStreamVerifier(held);
  for (const event of events) {
    verifier.push(event);
    if (!verifier.going) break;
  }
  const verdict = verifier.finish();
  if (!verdict.ok && verdict.kind === 'chain') return { ok: false, position: verdict.position, reason: verdict.reason, lines };
  lines.push(`all ${verifier.size} events recomputed: the hash chain is intact`);
  if (!verdict.ok) {
    const c = verdict.checkpoint;
    return { ok: false, position: verdict.position, reason: disagreementReason(verdict.kind, `the ${verdict.tag === 'kept' ? 'kept ' : ''}checkpoint of ${c.size} events signed at ${c.at}`, verifier.size, c.size), lines };
  }
  if (stored.length > 0) lines.push(`matches ${stored.length} checkpoint(s) stored by the hub`);
  if (kept.length > 0) lines.push(`matches ${kept.length} checkpoint(s) kept or given`);
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
    const statements = await checkStatements(bundle, keys, options.now, lines);
    if (typeof statements === 'string') return fail(statements);
    const pins = options.pinnedOfficers ?? new Map<string, readonly string[]>();
    const vouched = vouching(bundle, statements, pins);
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
    const mv = await verifyStatement('manifest', Manifest, { statement: bundle.manifest.text, signature: bundle.manifest.signature }, [...keys.values()], options.now, { namedSigner: (m) => m.signedBy });
    if (!mv.valid) return fail(`the manifest does not verify: ${mv.reason}`);
    const manifest = mv.value;
    if (manifest.packetId !== bundle.packetId || manifest.revision !== bundle.manifest.revision) return fail('the manifest is for another packet or revision');
    const created = signedInstantProblem(manifest.createdAt, options.now, 'the manifest date');
    if (created) return fail(created);
    if (parties.get(manifest.signedBy) !== manifest.sender.party) return fail(`no key of ${manifest.sender.party} for the manifest signer ${manifest.signedBy}`);
    const signerProblem = vouch(manifest.signedBy);
    if (signerProblem) return fail(signerProblem);
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
        const dv = await verifyStatement('releaseDecision', ReleaseDecision, { statement: release.decision, signature: release.decisionSignature ?? '' }, [...keys.values()], options.now, { namedSigner: (d) => d.officer });
        if (!dv.valid) return fail(`the decision on release ${release.id} does not verify: ${dv.reason}`);
        decision = dv.value;
        if (decision.releaseId !== release.id || decision.packetId !== bundle.packetId) return fail(`the decision of release ${release.id} is not a decision about it`);
        if (parties.get(decision.officer) !== manifest.sender.party) return fail(`no key of ${manifest.sender.party} for the officer ${decision.officer}`);
        const officerProblem = vouch(decision.officer);
        if (officerProblem) return fail(`the decision on release ${release.id}: ${officerProblem}`);
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

type VerifiedStatement = { value: MembershipStatement; signer: string };

/**
 * Every membership statement a bundle carries must be signed by a key of the bundle (the officer
 * it names), canonical, about the key it is listed with, and dated within reason; one signed by a
 * key the bundle does not hold is listed as unverified (nothing it says is read). Returns the
 * verified statements by the fingerprint of the key they are about, or the first problem.
 */
async function checkStatements(bundle: EvidenceBundle, keys: ReadonlyMap<string, PublicKey>, now: Date, lines: string[]): Promise<Map<string, VerifiedStatement> | string> {
  const verified = new Map<string, VerifiedStatement>();
  for (const [i, k] of bundle.keys.entries()) {
    if (k.statement === undefined) {
      if (k.statementSignature !== undefined) return `the key ${k.fingerprint} carries a statement signature without its statement`;
      continue;
    }
    const v = await verifyStatement('membership', MembershipStatement, { statement: k.statement, signature: k.statementSignature ?? '' }, [...keys.values()], now, { namedSigner: (s) => s.officer });
    if (!v.valid && v.failure === 'unknown-signer') {
      lines.push(`${UNVERIFIED} keys[${i}].statement (its officer's key is not in the bundle)`);
      continue;
    }
    if (!v.valid) return `the membership statement of ${k.fingerprint} does not verify: ${v.reason}`;
    const s = v.value;
    if (s.fingerprint !== k.fingerprint || s.party !== k.party) return `the membership statement listed with key ${k.fingerprint} is not a statement about that key of ${k.party}`;
    const dated = signedInstantProblem(s.issuedAt, now, `the membership statement of ${k.fingerprint}`);
    if (dated) return dated;
    verified.set(k.fingerprint, { value: s, signer: v.signer });
  }
  return verified;
}

/**
 * Which keys of a bundle chain to a pinned officer: a pinned officer's own key, or a key whose
 * verified membership statement is signed by a key of the same party that itself chains. Returns
 * each vouched fingerprint with who vouched. Officer rotations are not followed offline: pin the
 * officer that signed, as notified in writing.
 */
function vouching(bundle: EvidenceBundle, statements: ReadonlyMap<string, VerifiedStatement>, pins: ReadonlyMap<string, readonly string[]>): Map<string, string> {
  const vouched = new Map<string, string>();
  for (const k of bundle.keys) if ((pins.get(k.party) ?? []).includes(k.fingerprint)) vouched.set(k.fingerprint, 'pinned');
  for (let changed = true; changed; ) {
    changed = false;
    for (const k of bundle.keys) {
      const s = statements.get(k.fingerprint);
      if (vouched.has(k.fingerprint) || !s || !vouched.has(s.signer)) continue;
      const officer = bundle.keys.find((o) => o.fingerprint === s.signer);
      if (!officer || officer.party !== k.party) continue;
      vouched.set(k.fingerprint, s.signer);
      changed = true;
    }
  }
  return vouched;
}
