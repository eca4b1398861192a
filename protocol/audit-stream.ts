/**
 * The audit log checked as a stream (evidence at scale): an RFC 9162 Merkle tree hash
 * kept as a compact range (one subtree hash per set bit of the size, O(log n) memory) and a
 * verifier that takes events one at a time, recomputes the chain, and holds the log against
 * checkpoints as it passes their sizes. A million events are then checked in one pass in flat
 * memory, on the hub (export) and on the client (verify), with the same rules as the whole-array
 * checks in protocol/evidence.ts, which use this module.
 *
 * Pure arithmetic over data, like protocol/evidence.ts: no key, no file. It never checks a
 * checkpoint's signature: the caller passes checkpoints it trusts, or checks the one that
 * disagrees before it believes the disagreement.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { compiledCheck } from './schema-check.ts';
import { AUDIT_EXPORT_FORMAT, AUDIT_GENESIS, AuditExport, ProvenEvent, SignedCheckpoint, chainProblem, emptyTreeHash, leafHash, merkleNode, type AuditEvent, type Checkpoint } from './evidence.ts';

const leaf = leafHash;
const node = merkleNode;

/**
 * The Merkle tree hash of a log that only grows: push the event hashes in order; `root()` is
 * MTH(D[0:n]) of RFC 9162 for the n pushed so far. Keeps only the perfect subtrees on the right
 * edge of the tree (at most log2(n) + 1 hashes).
 */
export class MerkleAccumulator {
  private readonly stack: Array<{ size: number; hash: Uint8Array }> = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(eventHash: string): void {
    let subtree = leaf(eventHash);
    let size = 1;
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.size === size) {
      subtree = node(this.stack.pop()!.hash, subtree);
      size *= 2;
    }
    this.stack.push({ size, hash: subtree });
    this.count++;
  }

  /** The root over everything pushed so far (hex). The subtrees fold right to left, as RFC 9162 splits at the largest power of two. */
  root(): string {
    if (this.stack.length === 0) return bytesToHex(emptyTreeHash());
    let root = this.stack[this.stack.length - 1]!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) root = node(this.stack[i]!.hash, root);
    return bytesToHex(root);
  }
}

/** How a log disagrees with one checkpoint held against it. */
type CheckpointDisagreement<T> = { kind: 'rewritten' | 'truncated'; checkpoint: Checkpoint; tag: T };

/**
 * The one wording, for the hub and every client, of a log that does not extend a checkpoint
 * (`what` names the checkpoint: "the kept checkpoint of 40 events signed at ..."): recomputed and
 * shorter (`truncated`), recomputed with other events up to its size (`rewritten`), or, for a
 * party's view, with a consistency proof that fails (`inconsistent`) or is missing (`unproven`).
 */
export function disagreementReason(kind: LogDisagreement, what: string, logSize: number, checkpointSize: number): string {
  switch (kind) {
    case 'truncated':
      return `the log has ${logSize} events, fewer than ${what}: it was truncated, or an older database was restored`;
    case 'rewritten':
      return `the first ${checkpointSize} events are not those of ${what}: rewritten, or an older database restored`;
    case 'inconsistent':
      return `the log does not extend ${what}: rewritten, or an older database restored`;
    case 'unproven':
      return `the export does not prove that it extends ${what}`;
  }
}
type LogDisagreement = 'truncated' | 'rewritten' | 'inconsistent' | 'unproven';

export type StreamVerdict<T> =
  | { ok: true; size: number; head: string; root: string }
  | { ok: false; kind: 'chain'; position: number; reason: string }
  | ({ ok: false; position: number } & CheckpointDisagreement<T>);

/**
 * Recompute a log pushed event by event, from seq 1, and hold it against checkpoints (each with
 * a tag the caller uses to word the result). A broken chain is reported at its first bad
 * position and wins over any checkpoint; otherwise the smallest checkpoint the log disagrees
 * with: one whose size it reaches with another head or root (rewritten, or an older database
 * restored and extended), or one it never reaches (truncated, or an older database restored).
 */
export class AuditStreamVerifier<T = undefined> {
  private readonly merkle = new MerkleAccumulator();
  private readonly pending: Array<{ checkpoint: Checkpoint; tag: T }>;
  private prev = AUDIT_GENESIS;
  private broken: { position: number; reason: string } | undefined;
  private disagreement: CheckpointDisagreement<T> | undefined;

  constructor(checkpoints: ReadonlyArray<{ checkpoint: Checkpoint; tag: T }> = []) {
    // Largest last, so the next one due is popped from the end.
    this.pending = [...checkpoints].sort((a, b) => b.checkpoint.size - a.checkpoint.size);
  }

  /** False once the chain is broken: nothing later can change the verdict. */
  get going(): boolean {
    return this.broken === undefined;
  }

  get size(): number {
    return this.merkle.size;
  }

  /** Chain hash and Merkle root of the events pushed so far (meaningful while `going`). */
  get head(): string {
    return this.prev;
  }

  root(): string {
    return this.merkle.root();
  }

  push(event: AuditEvent): void {
    if (this.broken) return;
    const position = this.merkle.size + 1;
    const problem = chainProblem(event, position, this.prev);
    if (problem) {
      this.broken = { position, reason: problem };
      return;
    }
    this.prev = event.hash;
    this.merkle.push(event.hash);
    while (this.pending.length > 0 && this.pending[this.pending.length - 1]!.checkpoint.size === position) {
      const { checkpoint, tag } = this.pending.pop()!;
      if (!this.disagreement && (checkpoint.head !== event.hash || checkpoint.root !== this.merkle.root())) this.disagreement = { kind: 'rewritten', checkpoint, tag };
    }
  }

  /** The verdict over everything pushed. */
  finish(): StreamVerdict<T> {
    if (this.broken) return { ok: false, kind: 'chain', ...this.broken };
    if (this.disagreement) return { ok: false, position: this.disagreement.checkpoint.size, ...this.disagreement };
    // What is left was never reached; the smallest is reported.
    const unreached = this.pending[this.pending.length - 1];
    if (unreached) return { ok: false, position: this.merkle.size + 1, kind: 'truncated', ...unreached };
    return { ok: true, size: this.merkle.size, head: this.prev, root: this.merkle.root() };
  }
}

// --- the streamed layout of a complete export ---------------------------------------------------

/**
 * A complete export (scope `all`) is written as one JSON document of AuditExport in a fixed
 * layout, so that either side can stream it: the first line holds every field but `events` and
 * `checkpoint` and opens the events array; then one event per line (from the second on, led by
 * its comma); the last line closes the array and carries the checkpoint over them, which is
 * signed once every event has been read. Any JSON reader reads it as a whole as well.
 */
export type AuditExportHead = Omit<AuditExport, 'events' | 'checkpoint'>;
const AuditExportHead = AuditExport.omit({ events: true, checkpoint: true });
const EVENTS_OPEN = ',"events":[';
const TAIL = z.strictObject({ checkpoint: SignedCheckpoint });

export function auditExportHeadLine(head: AuditExportHead): string {
  return `${JSON.stringify(head).slice(0, -1)}${EVENTS_OPEN}\n`;
}

export function auditExportEventLine(event: ProvenEvent, first: boolean): string {
  return `${first ? '' : ','}${JSON.stringify(event)}\n`;
}

export function auditExportTailLine(checkpoint: SignedCheckpoint): string {
  return `],${JSON.stringify({ checkpoint }).slice(1)}\n`;
}

/** Whether the first line of a file opens a streamed export (otherwise read the file whole). */
export function isStreamedAuditExport(firstLine: string): boolean {
  return firstLine.startsWith(`{"format":"${AUDIT_EXPORT_FORMAT}"`) && firstLine.endsWith(EVENTS_OPEN);
}

/**
 * ProvenEvent compiled once (protocol/schema-check.ts), on the first event line read (not at load:
 * most commands that load this module read no export): zod's parse of an event line cost as much
 * as its JSON parse. A line it does not pass is parsed by zod, which decides.
 */
let isProvenEvent: ((value: unknown) => boolean) | undefined | null = null;

type StreamedLine = { kind: 'head'; head: AuditExportHead } | { kind: 'event'; event: AuditEvent } | { kind: 'tail'; checkpoint: SignedCheckpoint };

/**
 * Read one line of a streamed export, given what came before (`index` 0 is the head line);
 * undefined when it is not what the layout and the schemas allow there.
 */
export function readStreamedLine(line: string, index: number): StreamedLine | undefined {
  try {
    if (index === 0) {
      if (!isStreamedAuditExport(line)) return undefined;
      const head = AuditExportHead.safeParse(JSON.parse(`${line.slice(0, -EVENTS_OPEN.length)}}`));
      return head.success ? { kind: 'head', head: head.data } : undefined;
    }
    if (line.startsWith('],')) {
      const tail = TAIL.safeParse(JSON.parse(`{${line.slice(2)}`));
      return tail.success ? { kind: 'tail', checkpoint: tail.data.checkpoint } : undefined;
    }
    if ((index === 1) === line.startsWith(',')) return undefined;
    const json: unknown = JSON.parse(index === 1 ? line : line.slice(1));
    if (isProvenEvent === null) isProvenEvent = compiledCheck(ProvenEvent);
    if (isProvenEvent?.(json)) return { kind: 'event', event: (json as ProvenEvent).event };
    const event = ProvenEvent.safeParse(json);
    return event.success ? { kind: 'event', event: event.data.event } : undefined;
  } catch {
    return undefined;
  }
}
