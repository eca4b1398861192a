/**
 * The hub's running view of its own audit log (evidence at scale): the chain head and
 * the Merkle root (a compact range) of every event read so far, checked against the stored
 * checkpoints once, then extended by the events appended since. Signing a due checkpoint then
 * reads only the new events, where it read and re-hashed the whole log each time (at a million
 * events, seconds of blocked event loop every hundred events). The first read after start is one
 * pass over the log in pages, yielding to the event loop between them.
 *
 * A log that does not verify stays refused until the hub restarts: no checkpoint is signed over
 * it. An old row edited while the hub runs is not re-read; the checkpoints signed meanwhile cover
 * the events as they were read, so the edit shows against them. Never writes.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { AuditStreamVerifier } from '../protocol/audit-stream.ts';
import type { Checkpoint } from '../protocol/evidence.ts';
import { auditLogPages, auditVerification, storedCheckpoints } from '../storage/audit.ts';
import type { Storage } from '../storage/repositories.ts';

/** Events read per page: a page is hashed in a few milliseconds, then the event loop runs. */
const PAGE = 1000;

export interface LogPosition {
  size: number;
  root: string;
  head: string;
}

class AuditLogState {
  private readonly store: Storage;
  private verifier: AuditStreamVerifier | undefined;
  private checkpointsHeld = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(store: Storage) {
    this.store = store;
  }

  /**
   * Read what was appended since the last call, one call at a time. `wanted(size)` names sizes
   * whose root the caller needs (due interval checkpoints); returns those and the position at the
   * end. Throws when the log does not verify.
   */
  advance(wanted: (size: number) => boolean = () => false): Promise<{ passed: LogPosition[]; end: LogPosition }> {
    const job = this.queue.then(() => this.read(wanted));
    this.queue = job.catch(() => undefined);
    return job;
  }

  private async read(wanted: (size: number) => boolean): Promise<{ passed: LogPosition[]; end: LogPosition }> {
    if (!this.verifier) {
      const kept = (await storedCheckpoints(this.store)).map((c) => c.checkpoint).filter((c): c is Checkpoint => c !== undefined);
      this.checkpointsHeld = kept.length;
      this.verifier = new AuditStreamVerifier(kept.map((checkpoint) => ({ checkpoint, tag: undefined })));
    }
    const verifier = this.verifier;
    const passed: LogPosition[] = [];
    for await (const page of auditLogPages(this.store, verifier.size, PAGE)) {
      for (const event of page) {
        verifier.push(event);
        if (!verifier.going) break;
        if (wanted(verifier.size)) passed.push({ size: verifier.size, root: verifier.root(), head: verifier.head });
      }
      if (!verifier.going || page.length < PAGE) break;
      await nextTurn();
    }
    const verdict = auditVerification(verifier.finish(), this.checkpointsHeld);
    if (!verdict.ok) throw new Error(`the audit log does not verify at position ${verdict.position}: ${verdict.reason}`);
    return { passed, end: { size: verdict.size, root: verdict.root, head: verdict.head } };
  }
}

const states = new WeakMap<Storage, AuditLogState>();

/** The running view of `store`'s log (one per open store). */
export function auditLogState(store: Storage): AuditLogState {
  let state = states.get(store);
  if (!state) {
    state = new AuditLogState(store);
    states.set(store, state);
  }
  return state;
}
