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
import { signDetached, verifyDetached } from '../keys/signatures.ts';
import { canonicalize } from '../protocol/canonical.ts';
import {
  AUDIT_EXPORT_FORMAT,
  CHECKPOINT_FORMAT,
  Checkpoint,
  EVIDENCE_FORMAT,
  MerkleTree,
  RECEIPT_FORMAT,
  Receipt,
  parseStatement,
  type AuditEvent,
  type AuditExport,
  type EvidenceBundle,
  type ProvenEvent,
  type ReceiptKind,
  type SignedCheckpoint,
  type SignedReceipt,
} from '../protocol/evidence.ts';
import type { Release } from '../protocol/release.ts';
import { newestStoredCheckpointSize, readAuditLog, storedCheckpointAt, storedCheckpoints, verifyAuditChain } from '../storage/audit.ts';
import { auditLogState, type LogPosition } from './audit-state.ts';
import type { MemberRecord, PacketRecord } from '../storage/records.ts';
import { DuplicateKeyError, type Storage } from '../storage/repositories.ts';
import { openStorage } from '../storage/sqlite/index.ts';
import { hubPaths } from './config.ts';
import { Problem, notFound } from './errors.ts';
import type { Hub } from './hub.ts';
import { authenticityVisibleTo, oralVisibleTo, readRelation, releaseVisibleTo } from './policy/visibility.ts';
import { isReader } from './policy/roles.ts';
import { requireSignedNear } from './policy/clock.ts';
import { packetSeenBy } from './packets.ts';
import { manifestDigest } from '../protocol/manifest.ts';

/** What evidence needs of a hub: its store, its key and a clock (the operator's CLI has no running Hub). */
export interface EvidenceContext {
  store: Storage;
  hubKey: PrivateKey;
  hubPublicKey: PublicKey;
  hubFingerprint: string;
  now: () => Date;
}

/** Default number of events between two interval checkpoints (HubSettings.checkpointEvery overrides). */
export const DEFAULT_CHECKPOINT_EVERY = 100;


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
  await hub.store.receipts.insert({ id: receipt.id, packetId: packet.id, kind: receipt.kind, issuer: hub.hubFingerprint, party: input.party, statement: canonicalize(receipt), createdAt: at });
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
  const signed: Array<{ id: string; signature: string }> = [];
  for (const r of await ctx.store.receipts.unsigned()) signed.push({ id: r.id, signature: await signDetached('hubReceipt', r.statement, ctx.hubKey, new Date(r.createdAt)) });
  // Written with the next group commit (one fsync shared with the uploads committing then):
  // written one by one, each was a commit of its own, two fsyncs on the event loop per submitted
  // upload (issue 9: the largest cost of an upload). sign fills only a missing signature.
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
  // event was appended since the last job, there is nothing new to sign (issue 9: three queries
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

/** The receipts of a packet `member` may see: all of them for the sending party, those concerning its own party otherwise. */
export async function receiptsFor(hub: Hub, member: MemberRecord, packetId: string): Promise<SignedReceipt[]> {
  const packet = await visible(hub, member, packetId);
  await evidenceSettled(hub);
  return (await hub.store.receipts.ofPacket(packetId))
    .filter((r) => r.signature !== undefined && (member.party === packet.senderParty || r.party === member.party))
    .map((r) => ({ statement: r.statement, signature: r.signature! }));
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
  const receipt = parseStatement(Receipt, body.statement);
  if (!receipt) throw new Problem('bad-request', 'the receipt is not a canonical liaison-receipt/1 statement');
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
  const now = hub.now();
  requireSignedNear(now, receipt.at, 'receipt time (at)');
  const verification = await verifyDetached('retrievalReceipt', body.statement, body.signature, [await readPublicKey(member.publicKey)], now);
  if (!verification.valid) throw new Problem('bad-request', `the receipt signature does not verify: ${verification.reason}`);
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

/** The whole log, checked against the hub's own earlier checkpoints; a fault (500) when it does not verify. */
async function verifiedLog(ctx: EvidenceContext): Promise<AuditEvent[]> {
  const events = await readAuditLog(ctx.store);
  const kept = (await storedCheckpoints(ctx.store)).map((c) => c.checkpoint).filter((c): c is Checkpoint => c !== undefined);
  const result = verifyAuditChain(events, kept);
  if (!result.ok) throw new Error(`the audit log does not verify at position ${result.position}: ${result.reason}`);
  return events;
}

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

async function signPositions(ctx: EvidenceContext, positions: readonly LogPosition[]) {
  const out = [];
  for (const p of positions) {
    const at = ctx.now();
    const statement = canonicalize({ format: CHECKPOINT_FORMAT, hub: ctx.hubFingerprint, size: p.size, root: p.root, head: p.head, at: at.toISOString() } satisfies Checkpoint);
    const signature = await signDetached('checkpoint', statement, ctx.hubKey, at);
    out.push({ checkpoint: { statement, signature }, row: { size: p.size, statement, signature, createdAt: at.toISOString() } });
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

/** What a GET proves its events against: a checkpoint over the whole log as it stands, signed for this answer and not stored. */
async function freshView(hub: Hub): Promise<{ events: AuditEvent[]; latest: SignedCheckpoint; latestCheckpoint: Checkpoint }> {
  await evidenceSettled(hub);
  const events = await verifiedLog(hub);
  const root = new MerkleTree(events.map((e) => e.hash)).root();
  const latest = await checkpointOf(hub, { size: events.length, root, head: events.at(-1)?.hash ?? '' }, false);
  return { events, latest, latestCheckpoint: parseStatement(Checkpoint, latest.statement)! };
}

// --- a party's view of the log, exports, bundles -----------------------------------------------

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * The ids an event names: every id in its object (a packet, part, release, authenticity or oral
 * request, or the path of a refused request), and the packet or release its detail names.
 */
function idsOfEvent(e: AuditEvent): string[] {
  const ids = (e.object.match(UUID) ?? []).map((id) => id.toLowerCase());
  try {
    const detail = JSON.parse(e.detail) as Record<string, unknown>;
    for (const key of ['packetId', 'packet', 'releaseId']) {
      const value = detail[key];
      if (typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value)) ids.push(value.toLowerCase());
    }
  } catch {
    // A detail that is not JSON names nothing.
  }
  return [...new Set(ids)];
}

/**
 * The events `member` may see. An event that names objects is shown only if the member may see
 * every one of them, with the same rules as the objects themselves (a packet above the
 * member's clearance, a release to another third party, an id that names nothing: hidden alike,
 * so the export is no oracle for what exists). An event that names none is shown to its own
 * party. With `onlyPacket`, only the events about that packet. An operator reads the whole log
 * on the hub machine (`liaison audit export --data`).
 */
async function eventsVisibleTo(hub: Hub, member: MemberRecord, events: readonly AuditEvent[], onlyPacket?: string): Promise<AuditEvent[]> {
  const now = hub.now();
  const verdicts = new Map<string, { visible: boolean; packetId?: string }>();
  const packetVerdict = async (packetId: string) => {
    const packet = await hub.store.packets.get(packetId);
    const releases = packet ? await hub.store.releases.ofPacket(packetId) : [];
    return packet ? { packet, releases, visible: Boolean(readRelation(member, packet, releases, now)) } : undefined;
  };
  const judge = async (id: string): Promise<{ visible: boolean; packetId?: string }> => {
    const known = verdicts.get(id);
    if (known) return known;
    let verdict: { visible: boolean; packetId?: string } = { visible: false };
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
  const shown: AuditEvent[] = [];
  for (const e of events) {
    const ids = idsOfEvent(e);
    if (ids.length === 0) {
      if (!onlyPacket && e.party === member.party) shown.push(e);
      continue;
    }
    const judged: Array<{ visible: boolean; packetId?: string }> = [];
    for (const id of ids) judged.push(await judge(id));
    if (judged.every((v) => v.visible) && (!onlyPacket || judged.some((v) => v.packetId === onlyPacket))) shown.push(e);
  }
  return shown;
}

function withProofs(events: readonly AuditEvent[], all: readonly AuditEvent[], size: number): ProvenEvent[] {
  const tree = new MerkleTree(all.slice(0, size).map((e) => e.hash));
  return events.filter((e) => e.seq <= size).map((event) => ({ event, proof: tree.inclusionProof(event.seq - 1, size) }));
}

function consistencyFrom(all: readonly AuditEvent[], size: number, fromSizes: readonly number[]): AuditExport['consistency'] {
  const tree = new MerkleTree(all.slice(0, size).map((e) => e.hash));
  return [...new Set(fromSizes)].filter((m) => m >= 1 && m <= size).map((fromSize) => ({ fromSize, proof: tree.consistencyProof(fromSize, size) }));
}

/** A party's export of the log: the events it may see, each proven to belong to a fresh signed checkpoint. */
export async function partyAuditExport(hub: Hub, member: MemberRecord, fromSizes: readonly number[]): Promise<AuditExport> {
  const { events, latest, latestCheckpoint: c } = await freshView(hub);
  return {
    format: AUDIT_EXPORT_FORMAT,
    hub: { fingerprint: hub.hubFingerprint, publicKey: hub.hubPublicKey.armor() },
    scope: member.party,
    checkpoint: latest,
    checkpoints: [],
    events: withProofs(await eventsVisibleTo(hub, member, events), events, c.size),
    consistency: consistencyFrom(events, c.size, fromSizes),
  };
}

/** The evidence bundle of one packet, for `member` (who must be able to read the packet). */
export async function evidenceBundle(hub: Hub, member: MemberRecord, packetId: string): Promise<EvidenceBundle> {
  const packet = await visible(hub, member, packetId);
  const receipts = await receiptsFor(hub, member, packetId);
  const { events, latest, latestCheckpoint: c } = await freshView(hub);
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
    events: withProofs(await eventsVisibleTo(hub, member, events, packetId), events, c.size),
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
