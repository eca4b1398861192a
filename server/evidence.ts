/**
 * Evidence on the hub: receipts signed with the hub's key, retrieval receipts signed by
 * recipients, signed checkpoints of the audit log, a party's view of the log with proofs, and the
 * evidence bundle of one packet. The hub's receipts say what the hub acknowledged and when; they
 * never say what a packet contains (the hub cannot know), nor that a person read it.
 *
 * A hub receipt's statement is fixed inside the transaction of the decision it acknowledges
 * (`record*Receipt*`, synchronous); the hub signs it before it is first served (`signPendingReceipts`).
 * Must never sign a checkpoint over a log that does not verify.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fingerprintOf, readPublicKey, readUnlockedPrivateKey, type PrivateKey, type PublicKey } from '../keys/identity.ts';
import { signCanonicalText, signStatement, verifyStatement, type DetachedSigner } from '../keys/statements.ts';
import { canonicalStatement, StatementError } from '../protocol/canonical.ts';
import {
  AUDIT_EXPORT_FORMAT,
  CHECKPOINT_FORMAT,
  Checkpoint,
  EVIDENCE_FORMAT,
  RECEIPT_FORMAT,
  Receipt,
  idsNamedBy,
  verifyConsistency,
  type AuditEvent,
  type AuditPage,
  type AuditPageQuery,
  type AuditExport,
  type EvidenceBundle,
  type ProvenEvent,
  type ReceiptKind,
  type SignedCheckpoint,
  type SignedReceipt,
} from '../protocol/evidence.ts';
import type { Release } from '../protocol/release.ts';
import { newestStoredCheckpointSize, readAuditLog, storedCheckpointAt, storedCheckpoints } from '../storage/audit.ts';
import { auditLogState, type LogPosition } from './audit-state.ts';
import type { MemberRecord, PacketRecord } from '../storage/records.ts';
import { DuplicateKeyError, type Storage } from '../storage/repositories.ts';
import { openStorage } from '../storage/sqlite/index.ts';
import { hubPaths } from './config.ts';
import { verifiedOrRefuse } from './validate.ts';
import { Problem, notFound } from './errors.ts';
import type { Hub } from './hub.ts';
import { authenticityVisibleTo, oralVisibleTo, readRelation, receiptVisibleTo, releaseVisibleTo } from './policy/visibility.ts';
import { isReader } from './policy/roles.ts';
import { requireSignedNear } from './policy/clock.ts';
import { packetSeenBy, visiblePage } from './packets.ts';
import type { PlainListQuery } from '../protocol/api.ts';
import { CursorError, decodeListCursor, encodeListCursor, type Page } from '../storage/listings.ts';
import { manifestDigest } from '../protocol/manifest.ts';

/** What evidence needs of a hub: its store, its key and a clock (the operator's CLI has no running Hub). */
export interface EvidenceContext {
  store: Storage;
  hubKey: PrivateKey;
  hubPublicKey: PublicKey;
  hubFingerprint: string;
  now: () => Date;
  /** The hub key's signer off the event loop (server/signature-worker.ts: receipts and checkpoints); without it, `hubKey` signs here. */
  signatures?: { signer: DetachedSigner };
}


// --- receipts, recorded inside the decision's transaction -------------------------------------

/**
 * Record a hub receipt for `packetId` in the current transaction, bound to the audit event just
 * appended for the decision. Call right after `await hub.audit(...)`, inside `hub.store.transaction`.
 */
export async function recordHubReceipt(
  hub: Hub,
  input: { kind: Exclude<ReceiptKind, 'retrieved'>; packetId: string; party: string; releaseId?: string; thirdParty?: string },
  /** The packet as read in this transaction already (the caller's read, so it is not read again per receipt). */
  read?: PacketRecord,
): Promise<void> {
  const packet = read?.id === input.packetId ? read : await hub.store.packets.get(input.packetId);
  const event = await hub.store.audit.latest();
  if (!packet || !event) throw new Error('a receipt needs its packet and the audit event of its decision');
  const at = event.at;
  const receipt: Receipt = {
    format: RECEIPT_FORMAT,
    id: randomUUID(),
    kind: input.kind,
    issuer: { role: 'hub', fingerprint: hub.hubFingerprint },
    packetId: packet.id,
    revision: packet.revision,
    manifestSha256: manifestDigest(packet.manifest),
    party: input.party,
    ...(input.releaseId ? { releaseId: input.releaseId } : {}),
    ...(input.thirdParty ? { thirdParty: input.thirdParty } : {}),
    audit: { seq: event.seq, hash: event.hash },
    at,
  };
  // Parsed and made canonical now, in the decision's transaction; signed after it (signPendingReceipts).
  await hub.store.receipts.insert({ id: receipt.id, packetId: packet.id, kind: receipt.kind, issuer: hub.hubFingerprint, party: input.party, statement: canonicalStatement(Receipt, receipt, 'receipt'), createdAt: at });
}

/** A packet was submitted: the sender's acknowledgement of acceptance, and availability to each recipient party. */
export async function recordSubmissionReceipts(hub: Hub, packetId: string): Promise<void> {
  const packet = await hub.store.packets.get(packetId);
  if (!packet) throw new Error('no such packet');
  await recordHubReceipt(hub, { kind: 'submission-accepted', packetId, party: packet.senderParty }, packet);
  for (const party of packet.recipients) await recordHubReceipt(hub, { kind: 'made-available', packetId, party }, packet);
}

/** A release changed state: acknowledge it to the requesting party; an executed release also makes the packet available to the third party. */
export async function recordReleaseReceipts(hub: Hub, releaseId: string, kind: 'release-requested' | 'release-consented' | 'release-refused' | 'release-executed'): Promise<void> {
  const release = await hub.store.releases.get(releaseId);
  if (!release) throw new Error('no such release');
  const base = { packetId: release.packetId, releaseId, thirdParty: release.thirdParty };
  await recordHubReceipt(hub, { ...base, kind, party: release.requestingParty });
  if (kind === 'release-executed') await recordHubReceipt(hub, { ...base, kind: 'made-available', party: release.thirdParty });
}

/** Sign every receipt whose statement is recorded but not yet signed; the signature carries the decision's time. */
export async function signPendingReceipts(ctx: EvidenceContext): Promise<void> {
  const signer = ctx.signatures?.signer ?? ctx.hubKey;
  // All asked at once: the signature thread works through them while this thread goes on.
  const signed = await Promise.all(
    (await ctx.store.receipts.unsigned()).map(async (r) => {
      // The hub signs only what it parses: the stored text must be the canonical receipt it recorded.
      try {
        return { id: r.id, signature: (await signCanonicalText('hubReceipt', Receipt, r.statement, signer, new Date(r.createdAt))).signature };
      } catch (error) {
        if (error instanceof StatementError) throw new Error(`stored receipt ${r.id} is not a receipt: ${error.message}`, { cause: error });
        throw error;
      }
    }),
  );
  // Written with the next group commit (one fsync shared with the uploads committing then):
  // written one by one, each was a commit of its own, two fsyncs on the event loop per submitted
  // upload (the largest cost of an upload). sign fills only a missing signature.
  if (signed.length > 0) {
    await ctx.store.groupCommit(async () => {
      for (const s of signed) await ctx.store.receipts.sign(s.id, s.signature);
    });
  }
}

async function visible(hub: Hub, member: MemberRecord, packetId: string): Promise<PacketRecord> {
  const seen = await packetSeenBy(hub, member, packetId);
  if (!seen) throw notFound('packet');
  return seen.packet;
}

// --- signing what writes left unsigned, after them and never in a GET ---------------------------

const settling = new WeakMap<Hub, Promise<void>>();
const settledAt = new WeakMap<Hub, number>();

/**
 * Sign, one job at a time per hub, what the last writes left unsigned: hub receipts recorded in
 * a decision's transaction, and interval checkpoints whose size was reached. Called after every
 * request that may have appended events; cheap when nothing is due. A GET waits for it
 * (`evidenceSettled`) and then only reads, so a GET never writes a checkpoint or a signature.
 */
export function settleEvidence(hub: Hub): Promise<void> {
  // Receipts are recorded with an audit event and checkpoints fall due as the log grows: when no
  // event was appended since the last job, there is nothing new to sign (three queries
  // after every request, most of them GETs). The first call after start always looks.
  const appended = hub.auditsAppended();
  if (settledAt.get(hub) === appended) return evidenceSettled(hub);
  settledAt.set(hub, appended);
  const next = (settling.get(hub) ?? Promise.resolve())
    .then(async () => {
      // Two indexed look-ups when nothing is due, which is after almost every request.
      if (await hub.store.receipts.hasUnsigned()) await signPendingReceipts(hub);
      const every = everyOf(hub);
      const size = (await hub.store.audit.latest())?.seq ?? 0;
      const newestInterval = Math.floor(size / every) * every;
      if (newestInterval > 0 && !await hub.store.audit.hasCheckpoint(newestInterval)) await signDueCheckpoints(hub, every);
    })
    .catch((error: unknown) => hub.logger.error({ err: (error as Error).message }, 'could not sign pending receipts or checkpoints'));
  settling.set(hub, next);
  return next;
}

/** Resolves once every signing job queued so far has run. */
export function evidenceSettled(hub: Hub): Promise<void> {
  return settling.get(hub) ?? Promise.resolve();
}

/** The receipts of a packet `member` may see (receiptVisibleTo), for its evidence bundle: bounded by the packet (its recipients, releases and retrievals). */
async function receiptsFor(hub: Hub, member: MemberRecord, packet: PacketRecord): Promise<SignedReceipt[]> {
  await evidenceSettled(hub);
  return (await hub.store.receipts.ofPacket(packet.id))
    .filter((r) => r.signature !== undefined && receiptVisibleTo(member, packet, r))
    .map((r) => ({ statement: r.statement, signature: r.signature! }));
}

/** One page of the signed receipts of a packet `member` may see (receiptVisibleTo), oldest first. */
export async function receiptPage(hub: Hub, member: MemberRecord, packetId: string, query: PlainListQuery): Promise<Page<SignedReceipt>> {
  const packet = await visible(hub, member, packetId);
  await evidenceSettled(hub);
  const page = await hub.store.receipts.pageOfPacket({ packetId, limit: query.limit, cursor: query.cursor });
  return visiblePage(page, (r) => r.signature !== undefined && receiptVisibleTo(member, packet, r), (r) => ({ statement: r.statement, signature: r.signature! }));
}

/**
 * Accept a recipient's signed retrieval receipt: canonical, for this packet's current manifest,
 * naming and signed by the caller, who must be a reader of the packet outside the sending party.
 */
export async function acceptRetrievalReceipt(hub: Hub, member: MemberRecord, packetId: string, body: SignedReceipt): Promise<SignedReceipt> {
  const packet = await visible(hub, member, packetId);
  // Only someone who can download (and so decrypt) the packet can have retrieved it.
  if (!isReader(member)) throw notFound('packet');
  if (member.party === packet.senderParty) throw new Problem('bad-request', 'the sending party does not acknowledge retrieval of its own packet');
  const now = hub.now();
  const verification = await verifyStatement('retrievalReceipt', Receipt, body, [await readPublicKey(member.publicKey)], now, { namedSigner: (r) => r.issuer.fingerprint });
  const receipt = verifiedOrRefuse(verification, 'receipt', 'the receipt must name the member who signs it and their party');
  if (receipt.kind !== 'retrieved' || receipt.issuer.role !== 'person') throw new Problem('bad-request', 'a client signs only retrieval receipts');
  if (receipt.packetId !== packetId) throw new Problem('bad-request', 'the receipt is for another packet');
  if (receipt.issuer.fingerprint !== member.fingerprint || receipt.party !== member.party) throw new Problem('bad-request', 'the receipt must name the member who signs it and their party');
  if (receipt.revision !== packet.revision || receipt.manifestSha256 !== manifestDigest(packet.manifest)) throw new Problem('bad-request', 'the receipt is not for the current signed manifest of the packet');
  const parts = await hub.store.packets.partsOf(packetId);
  const listed = receipt.parts ?? [];
  if (listed.length !== parts.length || parts.some((p) => !listed.some((q) => q.id === p.id && q.sha256 === p.sha256))) {
    throw new Problem('bad-request', 'the receipt must list every part of the packet with its SHA-256');
  }
  if (receipt.audit) throw new Problem('bad-request', 'a retrieval receipt does not name an audit event');
  requireSignedNear(now, receipt.at, 'receipt time (at)');
  try {
    await hub.store.transaction(async () => {
      // Re-read the receiver's standing at the moment the receipt is recorded.
      const current = await hub.store.members.get(member.fingerprint);
      if (!current || !isReader(current) || !readRelation(current, packet, await hub.store.releases.ofPacket(packetId), hub.now())) throw notFound('packet');
      await hub.audit({ actor: member.fingerprint, party: member.party, action: 'receipt.retrieved', object: packetId, outcome: 'allow', detail: { receipt: receipt.id, revision: receipt.revision } });
      await hub.store.receipts.insert({ id: receipt.id, packetId, kind: 'retrieved', issuer: member.fingerprint, party: member.party, statement: body.statement, signature: body.signature, createdAt: receipt.at });
    });
  } catch (error) {
    // The id is taken (this receipt again, or any other receipt's id): a conflict that names no other packet.
    if (error instanceof DuplicateKeyError) throw new Problem('conflict', 'a receipt with this id is already recorded; make a new receipt', {}, { cause: error });
    throw error;
  }
  return body;
}

// --- checkpoints -------------------------------------------------------------------------------

const everyOf = (hub: Hub) => hub.settings.checkpointEvery;

/** The checkpoint of a position of the log: the stored one of that size, or a fresh one, stored when `keep` is set. */
async function checkpointOf(ctx: EvidenceContext, position: LogPosition, keep: boolean): Promise<SignedCheckpoint> {
  if (position.size === 0) throw new Error('the audit log is empty: there is nothing to sign');
  const existing = await storedCheckpointAt(ctx.store, position.size);
  if (existing) return existing;
  const [signed] = await signPositions(ctx, [position]);
  if (!keep) return signed!.checkpoint;
  await ctx.store.audit.insertCheckpoint(signed!.row);
  // Two requests may race for the same size; the first one stored is the checkpoint.
  return (await storedCheckpointAt(ctx.store, position.size))!;
}

/** The hub's signed checkpoint over the log at `position`, made at `at`: the one way the hub signs one (here and in the operator's export). */
export function signCheckpoint(ctx: Pick<EvidenceContext, 'hubKey' | 'hubFingerprint' | 'signatures'>, position: LogPosition, at: Date): Promise<SignedCheckpoint> {
  return signStatement('checkpoint', Checkpoint, { format: CHECKPOINT_FORMAT, hub: ctx.hubFingerprint, size: position.size, root: position.root, head: position.head, at: at.toISOString() }, ctx.signatures?.signer ?? ctx.hubKey, at);
}

async function signPositions(ctx: EvidenceContext, positions: readonly LogPosition[]) {
  const out = [];
  for (const p of positions) {
    const at = ctx.now();
    const checkpoint = await signCheckpoint(ctx, p, at);
    out.push({ checkpoint, row: { size: p.size, statement: checkpoint.statement, signature: checkpoint.signature, createdAt: at.toISOString() } });
  }
  return out;
}

/**
 * Sign and store every interval checkpoint that is due (one per `every` events), reading only
 * the events appended since the last call (server/audit-state.ts), and storing them in one
 * transaction. Interval checkpoints are signed at the first request after their size is reached:
 * the log is append-only, so a late signature covers the same events an early one would have.
 * Returns the position of the log's end. Throws (and signs nothing) when the log does not verify.
 */
async function signDueCheckpoints(ctx: EvidenceContext, every: number): Promise<LogPosition> {
  const have = new Set((await ctx.store.audit.checkpoints()).map((c) => c.size));
  const { passed, end } = await auditLogState(ctx.store).advance((size) => size % every === 0 && !have.has(size));
  const signed = await signPositions(ctx, passed);
  if (signed.length > 0) {
    await ctx.store.transaction(async () => {
      for (const s of signed) await ctx.store.audit.insertCheckpoint(s.row);
    });
  }
  return end;
}

/** POST: sign what is due, then one checkpoint over the whole log as it stands, and keep it. */
export async function checkpointNow(hub: Hub): Promise<SignedCheckpoint> {
  await signPendingReceipts(hub);
  return checkpointOf(hub, await signDueCheckpoints(hub, everyOf(hub)), true);
}

/** GET: the newest stored checkpoint (interval ones are signed after the writes that reach them), or a fresh unstored one; refused when the log does not verify. */
export async function latestCheckpoint(hub: Hub): Promise<SignedCheckpoint> {
  await evidenceSettled(hub);
  const { end } = await auditLogState(hub.store).advance();
  const newest = await newestStoredCheckpointSize(hub.store);
  return newest > 0 ? (await storedCheckpointAt(hub.store, newest))! : checkpointOf(hub, end, false);
}

/**
 * The log a GET proves its events against: `size` events, the root of their tree and the head of
 * their chain. The running view (server/audit-state.ts) has verified the chain to its end and
 * holds that root; the stored tree (audit_tree) must agree with it, and an earlier size is
 * believed only with a consistency proof from the stored tree to that verified end, so a
 * tampered tree row is a fault here, never a signed checkpoint. Reads O(log^2 n) rows, not the log.
 */
async function provenLog(hub: Hub, size?: number): Promise<LogPosition> {
  await evidenceSettled(hub);
  const { end } = await auditLogState(hub.store).advance();
  if (end.size === 0) throw new Error('the audit log is empty: there is nothing to sign');
  const at = size ?? end.size;
  const whole = await hub.store.audit.proofs(end.size, [], at < end.size ? [at] : []);
  if (whole.root !== end.root) throw new Error('the stored audit tree does not match the verified log: it was altered');
  if (at === end.size) return end;
  const prefix = await hub.store.audit.proofs(at, [], []);
  if (!verifyConsistency(at, end.size, prefix.root, end.root, whole.consistency[0]!.proof)) throw new Error('the stored audit tree does not match the verified log: it was altered');
  const head = await hub.store.audit.eventAt(at);
  return { size: at, root: prefix.root, head: head!.hash };
}

/** The events of `events` proven against the log of `log.size` events, with consistency proofs from `fromSizes`. */
async function proven(hub: Hub, log: LogPosition, events: readonly AuditEvent[], fromSizes: readonly number[]): Promise<{ events: ProvenEvent[]; consistency: AuditExport['consistency'] }> {
  const within = events.filter((e) => e.seq <= log.size);
  const froms = [...new Set(fromSizes)].filter((m) => m >= 1 && m <= log.size);
  const proofs = await hub.store.audit.proofs(log.size, within.map((e) => e.seq), froms);
  return { events: within.map((event, i) => ({ event, proof: proofs.inclusion[i]! })), consistency: proofs.consistency };
}

// --- a party's view of the log, exports, bundles -----------------------------------------------

type Verdict = { visible: boolean; packetId?: string };

/**
 * Whether `member` may see an event. An event that names objects (protocol/evidence.ts:
 * idsNamedBy) is shown only if the member may see every one of them, with the same rules as the
 * objects themselves (a packet above the member's clearance, a release to another third party,
 * an id that names nothing: hidden alike, so the view is no oracle for what exists). An event
 * that names none is shown to its own party. Verdicts are remembered for one request. An
 * operator reads the whole log on the hub machine (`liaison audit export --data`).
 */
function eventJudge(hub: Hub, member: MemberRecord): (e: AuditEvent) => Promise<{ visible: boolean; packetIds: Array<string | undefined> }> {
  const now = hub.now();
  const verdicts = new Map<string, Verdict>();
  const packetVerdict = async (packetId: string) => {
    const packet = await hub.store.packets.get(packetId);
    const releases = packet ? await hub.store.releases.ofPacket(packetId) : [];
    return packet ? { packet, releases, visible: Boolean(readRelation(member, packet, releases, now)) } : undefined;
  };
  const judge = async (id: string): Promise<Verdict> => {
    const known = verdicts.get(id);
    if (known) return known;
    let verdict: Verdict = { visible: false };
    const asPacket = await packetVerdict(id);
    const release = asPacket ? undefined : await hub.store.releases.get(id);
    const authenticity = asPacket || release ? undefined : await hub.store.requests.getAuthenticity(id);
    const oral = asPacket || release || authenticity ? undefined : await hub.store.requests.getOral(id);
    if (asPacket) verdict = { visible: asPacket.visible, packetId: id };
    else if (release) {
      const p = await packetVerdict(release.packetId);
      verdict = { visible: Boolean(p && releaseVisibleTo(member, p.packet, release, p.releases, now)), packetId: release.packetId };
    } else if (authenticity) {
      const p = await packetVerdict(authenticity.packetId);
      verdict = { visible: Boolean(p && authenticityVisibleTo(member, p.packet, authenticity, p.releases, now)), packetId: authenticity.packetId };
    } else if (oral) verdict = { visible: oralVisibleTo(member, oral) };
    verdicts.set(id, verdict);
    return verdict;
  };
  return async (e) => {
    const ids = idsNamedBy(e);
    if (ids.length === 0) return { visible: e.party === member.party, packetIds: [] };
    const judged: Verdict[] = [];
    for (const id of ids) judged.push(await judge(id));
    return { visible: judged.every((v) => v.visible), packetIds: judged.map((v) => v.packetId) };
  };
}

/** Events read per step of a party's page, and at most per page: a page never reads the party's whole share of the log. */
const AUDIT_STEP = 500;
const AUDIT_PAGE_READS = 5000;
const AUDIT_CURSOR_ID = /^[1-9][0-9]{0,14}:[0-9]{1,15}$/;

/**
 * One page of a party's view of the log (GET /v1/audit): the events it may see after the cursor,
 * filtered by `since` and `action`, each with its inclusion proof in a signed checkpoint of the
 * size the first page fixed (the cursor carries it), and consistency proofs from `from`. Reads the
 * party's rows of audit_access (migration 011) in steps and at most AUDIT_PAGE_READS events, so
 * a page may be short and still have a next cursor. Never reads the whole log.
 */
export async function partyAuditPage(hub: Hub, member: MemberRecord, query: AuditPageQuery): Promise<AuditPage> {
  let size: number | undefined;
  let position = 0;
  if (query.cursor) {
    const key = decodeListCursor('audit', query.cursor, AUDIT_CURSOR_ID).id.split(':').map(Number);
    const [fixed, after] = [key[0]!, key[1]!];
    [size, position] = [fixed, after];
    const latest = (await hub.store.audit.latest())?.seq ?? 0;
    if (fixed > latest || after > fixed) throw new CursorError('the cursor is not one this hub handed out');
  }
  const log = await provenLog(hub, size);
  const since = query.since === undefined ? undefined : new Date(query.since).toISOString();
  const judge = eventJudge(hub, member);
  const shown: AuditEvent[] = [];
  let read = 0;
  let done = false;
  while (shown.length < query.limit && read < AUDIT_PAGE_READS) {
    const step = await hub.store.audit.partyPage({ party: member.party, afterSeq: position, size: log.size, window: AUDIT_STEP });
    for (const e of step) {
      position = e.seq;
      read += 1;
      const wanted = (query.action === undefined || e.action === query.action) && (since === undefined || e.at >= since);
      if (wanted && (await judge(e)).visible) shown.push(e);
      if (shown.length === query.limit) break;
    }
    if (step.length < AUDIT_STEP && position === (step.at(-1)?.seq ?? position)) {
      done = true;
      break;
    }
  }
  const checkpoint = await checkpointOf(hub, log, false);
  const { events, consistency } = await proven(hub, log, shown, query.from ?? []);
  return {
    format: AUDIT_EXPORT_FORMAT,
    hub: { fingerprint: hub.hubFingerprint, publicKey: hub.hubPublicKey.armor() },
    scope: member.party,
    checkpoint,
    checkpoints: [],
    events,
    consistency,
    nextCursor: done || position >= log.size ? null : encodeListCursor('audit', '', `${log.size}:${position}`),
  };
}

/** The evidence bundle of one packet, for `member` (who must be able to read the packet). */
export async function evidenceBundle(hub: Hub, member: MemberRecord, packetId: string): Promise<EvidenceBundle> {
  const packet = await visible(hub, member, packetId);
  const receipts = await receiptsFor(hub, member, packet);
  const log = await provenLog(hub);
  const latest = await checkpointOf(hub, log, false);
  // The packet's own events, by audit_objects (the packet, its releases, its authenticity requests): not the whole log.
  const judge = eventJudge(hub, member);
  const about: AuditEvent[] = [];
  for (const e of await hub.store.audit.aboutPacket(packetId, log.size)) {
    const v = await judge(e);
    if (v.visible && v.packetIds.includes(packetId)) about.push(e);
  }
  const { events } = await proven(hub, log, about, []);
  const allReleases = await hub.store.releases.ofPacket(packetId);
  const seen = allReleases.filter((r) => releaseVisibleTo(member, packet, r, allReleases, hub.now()));
  const releases: Release[] = seen.map(({ decidedBy: _d, ...r }) => ({ ...r, agreementId: packet.agreementId, originParty: packet.senderParty }));
  const signers = new Set<string>([
    packet.senderFingerprint,
    ...(await hub.store.receipts.ofPacket(packetId)).filter((r) => r.issuer !== hub.hubFingerprint && (member.party === packet.senderParty || r.party === member.party)).map((r) => r.issuer),
  ]);
  const manifestSigner = (JSON.parse(packet.manifest) as { signedBy?: string }).signedBy;
  if (manifestSigner) signers.add(manifestSigner);
  for (const r of seen) if (r.decidedBy) signers.add(r.decidedBy);
  // Each signer with its membership statement, and the officers who vouched for them, up the chain.
  const keys: EvidenceBundle['keys'] = [];
  const queue = [...signers];
  for (let fp = queue.shift(); fp !== undefined; fp = queue.shift()) {
    const m = await hub.store.members.get(fp);
    if (!m || keys.some((k) => k.fingerprint === fp)) continue;
    keys.push({ fingerprint: m.fingerprint, party: m.party, publicKey: m.publicKey, ...(m.statement && m.statementSignature ? { statement: m.statement, statementSignature: m.statementSignature } : {}) });
    const officer = m.statement ? (JSON.parse(m.statement) as { officer?: unknown }).officer : undefined;
    if (typeof officer === 'string') queue.push(officer);
  }
  return {
    format: EVIDENCE_FORMAT,
    packetId,
    hub: { fingerprint: hub.hubFingerprint, publicKey: hub.hubPublicKey.armor() },
    manifest: { text: packet.manifest, signature: packet.signature, revision: packet.revision },
    receipts,
    releases,
    keys,
    checkpoint: latest,
    events,
    exportedAt: hub.now().toISOString(),
  };
}

// --- the operator's side: the store on disk, no HTTP -------------------------------------------

export class OperatorEvidenceError extends Error {
  override name = 'OperatorEvidenceError';
}

export async function openOperator(dataDir: string, now: () => Date): Promise<EvidenceContext & { close(): Promise<void> }> {
  const paths = hubPaths(dataDir);
  if (!existsSync(paths.db) || !existsSync(paths.hubKey)) throw new OperatorEvidenceError(`no hub in ${dataDir}`);
  const hubKey = await readUnlockedPrivateKey(readFileSync(paths.hubKey, 'utf8'));
  const hubPublicKey = await readPublicKey(hubKey.toPublic().armor());
  const store = openStorage(paths.db);
  return { store, hubKey, hubPublicKey, hubFingerprint: fingerprintOf(hubKey), now, close: () => store.close() };
}

/**
 * The operator's whole log, read straight from the store without changing it: every event, the
 * hub's stored checkpoints and its public key. Used by `liaison audit verify --data`.
 */
export async function operatorAuditLog(dataDir: string): Promise<{ hubFingerprint: string; hubPublicKey: string; events: AuditEvent[]; checkpoints: SignedCheckpoint[] }> {
  const ctx = await openOperator(dataDir, () => new Date());
  try {
    return { hubFingerprint: ctx.hubFingerprint, hubPublicKey: ctx.hubPublicKey.armor(), events: await readAuditLog(ctx.store), checkpoints: (await storedCheckpoints(ctx.store)).map((c) => c.signed) };
  } finally {
    await ctx.close();
  }
}

/** What bin/liaison.ts hands the client's CLI for the operator's `--data` options. */
export const operatorAudit = {
  log: operatorAuditLog,
  // Streamed to the file (server/audit-export.ts), which uses this module: loaded when it runs.
  exportTo: async (dataDir: string, outPath: string, now: () => Date) => (await import('./audit-export.ts')).exportAuditLog(dataDir, outPath, now),
};
