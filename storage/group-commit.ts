/**
 * Group commit: the row transactions of uploads that finish at about the same time are
 * committed together, in one SQLite transaction and so one fsync of the WAL, each inside its own
 * savepoint. A job that throws rolls back only its savepoint and rejects only its own promise; the
 * others still commit. Every job's promise settles after the COMMIT that made it durable, so a
 * caller replies only once its rows are on disk: the write order of DESIGN.md ("Storage": blob
 * durable, then rows and audit event in one transaction, then the reply) is unchanged, and a
 * crash loses either all of a job or none of it.
 *
 * Jobs queue while a commit runs and form the next batch; a batch starts on the next turn of the
 * event loop. A caller that knows a job is coming (an upload whose blobs are being made durable)
 * says so with `expect()`: a batch then waits for the expected jobs, at most `maxWaitMs` after its
 * first job queued, so uploads finishing a few milliseconds apart share one fsync (with
 * no wait, ten concurrent uploads made batches of 1.6 jobs). The batch is one unit of work of the connection's
 * gate (storage/sqlite/gate.ts), so no other statement runs inside it. Never use it for a transaction whose caller must see
 * another job's rows before deciding: jobs of one batch run one after the other, in order.
 */
import type { SqliteGate } from './sqlite/gate.ts';

/** A job announced to the group commit; `done()` when it has been queued or will never be (idempotent). */
export interface Expected {
  done(): void;
}

interface Job {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  private readonly gate: SqliteGate;
  private readonly maxWaitMs: number;
  private queue: Job[] = [];
  private scheduled = false;
  private expected = 0;
  private firstQueuedAt = 0;
  /** Batches committed and jobs in them, for the benchmark and docs. */
  readonly stats = { batches: 0, jobs: 0 };

  constructor(gate: SqliteGate, maxWaitMs = 3) {
    this.gate = gate;
    this.maxWaitMs = maxWaitMs;
  }

  /** Announce a job that will be `run` soon, so the batch it can join waits for it (briefly). */
  expect(): Expected {
    this.expected++;
    let pending = true;
    return {
      done: () => {
        if (!pending) return;
        pending = false;
        this.expected--;
      },
    };
  }

  /** Run `fn` in a savepoint of the next group transaction; resolves once that transaction committed. */
  run<T>(fn: () => T | Promise<T>, announced?: Expected): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queue.length === 0) this.firstQueuedAt = performance.now();
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      announced?.done();
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const waited = performance.now() - this.firstQueuedAt;
    if (this.expected > 0 && waited < this.maxWaitMs) {
      // Announced jobs are on their way (their blobs are being fsynced): give them a moment.
      setTimeout(() => void this.flush(), Math.max(0.5, this.maxWaitMs - waited));
      return;
    }
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      await this.gate.transaction(async () => {
        for (const job of batch) {
          try {
            // A unit of work inside the group's transaction is a savepoint: a throw undoes this job only.
            outcomes.push({ ok: true, value: await this.gate.transaction(async () => await job.fn()) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The COMMIT itself failed: nothing of the batch is durable.
      for (const job of batch) job.reject(error);
      return;
    }
    this.stats.batches++;
    this.stats.jobs += batch.length;
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }
}
