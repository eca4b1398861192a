/**
 * The audit log as evidence, on the hub's side: read the whole log from the store, recompute and
 * check it (`verifyAuditChain`, the first bad position), compute Merkle roots and proofs over it.
 * The arithmetic itself lives in protocol/evidence.ts, because a party's client must redo it on
 * an exported log without the hub; this module applies it to the store. It never writes the log.
 */
import {
  consistencyProof,
  inclusionProof,
  merkleRoot,
  MerkleTree,
  parseStatement,
  verifyChain,
  Checkpoint,
  type AuditEvent,
  type SignedCheckpoint,
} from '../protocol/evidence.ts';
import type { Storage } from './repositories.ts';

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
export function verifyAuditChain(events: readonly AuditEvent[], kept: Checkpoint | readonly Checkpoint[] = []): AuditVerification {
  const chain = verifyChain(events);
  if (!chain.ok) return chain;
  const hashes = events.map((e) => e.hash);
  const tree = new MerkleTree(hashes);
  const checkpoints = (Array.isArray(kept) ? kept : [kept]) as readonly Checkpoint[];
  for (const c of [...checkpoints].sort((a, b) => a.size - b.size)) {
    if (c.size > events.length) {
      return { ok: false, position: events.length + 1, reason: `the log has ${events.length} events but a checkpoint signed at ${c.at} covers ${c.size}: it was truncated, or an older database was restored` };
    }
    if (hashes[c.size - 1] !== c.head || tree.root(c.size) !== c.root) {
      return { ok: false, position: c.size, reason: `the first ${c.size} events are not those of the checkpoint signed at ${c.at}: the log was rewritten, or an older database was restored and extended` };
    }
  }
  return { ok: true, size: events.length, head: chain.head, root: tree.root(), checkpointsChecked: checkpoints.length };
}

/** The hub's stored checkpoints, parsed; a stored one that does not parse is reported, not skipped. */
export async function storedCheckpoints(store: Storage): Promise<Array<{ signed: SignedCheckpoint; checkpoint: Checkpoint | undefined }>> {
  return (await store.audit.checkpoints()).map((c) => ({ signed: { statement: c.statement, signature: c.signature }, checkpoint: parseStatement(Checkpoint, c.statement) }));
}

/** Every event of the log, in order, as the protocol describes it. */
export async function readAuditLog(store: Storage): Promise<AuditEvent[]> {
  return (await store.audit.events()).map((e) => ({ seq: e.seq, at: e.at, actor: e.actor, party: e.party, action: e.action, object: e.object, outcome: e.outcome, detail: e.detail, prevHash: e.prevHash, hash: e.hash }));
}
