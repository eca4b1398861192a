/**
 * Group commit (issue 9): the row transactions of uploads that finish at about the same time are
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
 * first job queued, so uploads finishing a few milliseconds apart share one fsync (issue 9: with
 * no wait, ten concurrent uploads made batches of 1.6 jobs). Never use it for a transaction whose
 * caller must see another job's rows before deciding: jobs of one batch run one after the other.
 */
import type { Db } from './db.ts';

interface Job {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A job announced to the group commit; `done()` when it has been queued or will never be (idempotent). */
export interface Expected {
  done(): void;
}

export class GroupCommit {
  private readonly db: Db;
  private readonly maxWaitMs: number;
  private queue: Job[] = [];
  private scheduled = false;
  private expected = 0;
  private firstQueuedAt = 0;
  /** Batches committed and jobs in them, for the benchmark and docs. */
  readonly stats = { batches: 0, jobs: 0 };

  constructor(db: Db, maxWaitMs = 3) {
    this.db = db;
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
  run<T>(fn: () => T, announced?: Expected): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queue.length === 0) this.firstQueuedAt = performance.now();
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      announced?.done();
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const waited = performance.now() - this.firstQueuedAt;
    if (this.expected > 0 && waited < this.maxWaitMs) {
      // Announced jobs are on their way (their blobs are being fsynced): give them a moment.
      setTimeout(() => this.flush(), Math.max(0.5, this.maxWaitMs - waited));
      return;
    }
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.db.transaction(() => {
        for (const job of batch) {
          try {
            // A nested better-sqlite3 transaction is a savepoint: a throw undoes this job only.
            outcomes.push({ ok: true, value: this.db.transaction(job.fn)() });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })();
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
