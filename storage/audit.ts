/**
 * The audit log as evidence, on the hub's side: read the whole log from the store, recompute and
 * check it (`verifyAuditChain`, the first bad position), compute Merkle roots and proofs over it.
 * The arithmetic itself lives in protocol/evidence.ts, because a party's client must redo it on
 * an exported log without the hub; this module applies it to the store. It never writes the log.
 */
import { AuditStreamVerifier, type StreamVerdict } from '../protocol/audit-stream.ts';
import {
  consistencyProof,
  inclusionProof,
  merkleRoot,
  parseStatement,
  Checkpoint,
  type AuditEvent,
  type SignedCheckpoint,
} from '../protocol/evidence.ts';
import type { Store } from './store.ts';

export { consistencyProof, inclusionProof, merkleRoot };

export type AuditVerification =
  | { ok: true; size: number; head: string; root: string; checkpointsChecked: number }
  | { ok: false; position: number; reason: string };

/**
 * Recompute a complete log and hold it against checkpoints the caller kept (or the hub stored).
 * Detects an edited, deleted, inserted or reordered event (at the first position where the chain
 * breaks), and, given a checkpoint, a truncation or an older log restored in its place: such a log
 * is shorter than the checkpoint, or its first `size` events hash to another root. Checkpoint
 * signatures are the caller's business: pass only checkpoints whose signature was checked.
 */
export function verifyAuditChain(events: Iterable<AuditEvent>, kept: Checkpoint | readonly Checkpoint[] = []): AuditVerification {
  const checkpoints = (Array.isArray(kept) ? kept : [kept]) as readonly Checkpoint[];
  const verifier = new AuditStreamVerifier(checkpoints.map((checkpoint) => ({ checkpoint, tag: undefined })));
  for (const event of events) {
    verifier.push(event);
    if (!verifier.going) break;
  }
  return auditVerification(verifier.finish(), checkpoints.length);
}

/** A stream verifier's verdict in the hub's words (the operator's export and verify). */
export function auditVerification(verdict: StreamVerdict<unknown>, checkpointsChecked: number): AuditVerification {
  if (verdict.ok) return { ...verdict, checkpointsChecked };
  if (verdict.kind === 'chain') return { ok: false, position: verdict.position, reason: verdict.reason };
  const c = verdict.checkpoint;
  if (verdict.kind === 'truncated') {
    return { ok: false, position: verdict.position, reason: `the log has ${verdict.position - 1} events but a checkpoint signed at ${c.at} covers ${c.size}: it was truncated, or an older database was restored` };
  }
  return { ok: false, position: c.size, reason: `the first ${c.size} events are not those of the checkpoint signed at ${c.at}: the log was rewritten, or an older database was restored and extended` };
}

/** The hub's stored checkpoints, parsed; a stored one that does not parse is reported, not skipped. */
export function storedCheckpoints(store: Store): Array<{ signed: SignedCheckpoint; checkpoint: Checkpoint | undefined }> {
  return store.checkpoints().map((c) => ({ signed: { statement: c.statement, signature: c.signature }, checkpoint: parseStatement(Checkpoint, c.statement) }));
}

/** Every event of the log, in order, as the protocol describes it. */
export function readAuditLog(store: Store): AuditEvent[] {
  return [...iterateAuditLog(store)];
}

/**
 * The events after `afterSeq`, in order, in keyset pages of `pageSize` rows (seq is the primary
 * key): a million events pass through in flat memory, and no statement stays open between
 * pages, so a caller may await (a drain, the event loop) between them while the hub serves others.
 */
export function* auditLogPages(store: Store, afterSeq = 0, pageSize = 5000): Generator<AuditEvent[]> {
  const page = store.db.prepare('SELECT seq, at, actor, party, action, object, outcome, detail, prev_hash, hash FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?');
  for (let after = afterSeq; ; ) {
    const rows = page.all(after, pageSize) as Array<{ seq: number; at: string; actor: string; party: string; action: string; object: string; outcome: 'allow' | 'deny'; detail: string; prev_hash: string; hash: string }>;
    if (rows.length === 0) return;
    yield rows.map((r) => ({ seq: r.seq, at: r.at, actor: r.actor, party: r.party, action: r.action, object: r.object, outcome: r.outcome, detail: r.detail, prevHash: r.prev_hash, hash: r.hash }));
    after = rows[rows.length - 1]!.seq;
  }
}

/** Every event after `afterSeq`, one at a time (the pages of `auditLogPages`). */
export function* iterateAuditLog(store: Store, afterSeq = 0): Generator<AuditEvent> {
  for (const page of auditLogPages(store, afterSeq)) yield* page;
}

/** The checkpoint the hub stored for `size`, if any (by its primary key: not a read of them all). */
export function storedCheckpointAt(store: Store, size: number): SignedCheckpoint | undefined {
  return store.db.prepare('SELECT statement, signature FROM checkpoints WHERE size = ?').get(size) as SignedCheckpoint | undefined;
}

/** The size of the newest checkpoint the hub stored (0 if none). */
export function newestStoredCheckpointSize(store: Store): number {
  return (store.db.prepare('SELECT max(size) AS size FROM checkpoints').get() as { size: number | null }).size ?? 0;
}
