/**
 * The audit log as evidence, on the hub's side: read the whole log from the store, recompute and
 * check it (`verifyAuditChain`, the first bad position), compute Merkle roots and proofs over it.
 * The arithmetic itself lives in protocol/evidence.ts, because a party's client must redo it on
 * an exported log without the hub; this module applies it to the store. It never writes the log.
 */
import { AuditStreamVerifier, disagreementReason, type StreamVerdict } from '../protocol/audit-stream.ts';
import {
  parseStatement,
  Checkpoint,
  type AuditEvent,
  type SignedCheckpoint,
} from '../protocol/evidence.ts';
import type { Storage } from './repositories.ts';


type AuditVerification =
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
  const logSize = verdict.kind === 'truncated' ? verdict.position - 1 : c.size;
  return { ok: false, position: verdict.position, reason: disagreementReason(verdict.kind, `the checkpoint of ${c.size} events signed at ${c.at}`, logSize, c.size) };
}

/** The hub's stored checkpoints, parsed; a stored one that does not parse is reported, not skipped. */
export async function storedCheckpoints(store: Storage): Promise<Array<{ signed: SignedCheckpoint; checkpoint: Checkpoint | undefined }>> {
  return (await store.audit.checkpoints()).map((c) => ({ signed: { statement: c.statement, signature: c.signature }, checkpoint: parseStatement(Checkpoint, c.statement) }));
}

/** Every event of the log, in order, as the protocol describes it. */
export async function readAuditLog(store: Storage): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for await (const page of auditLogPages(store)) events.push(...page);
  return events;
}

/**
 * The events after `afterSeq`, in order, in keyset pages of `pageSize` rows (seq is the primary
 * key): a million events pass through in flat memory, and no statement stays open between
 * pages, so a caller may await (a drain, the event loop) between them while the hub serves others.
 */
export async function* auditLogPages(store: Storage, afterSeq = 0, pageSize = 5000): AsyncGenerator<AuditEvent[]> {
  for (let after = afterSeq; ; ) {
    const rows = await store.audit.page(after, pageSize);
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1]!.seq;
  }
}

/** The checkpoint the hub stored for `size`, if any (by its primary key: not a read of them all). */
export async function storedCheckpointAt(store: Storage, size: number): Promise<SignedCheckpoint | undefined> {
  const c = await store.audit.checkpointAt(size);
  return c ? { statement: c.statement, signature: c.signature } : undefined;
}

/** The size of the newest checkpoint the hub stored (0 if none). */
export async function newestStoredCheckpointSize(store: Storage): Promise<number> {
  return store.audit.newestCheckpointSize();
}
