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
 * event loop, so nothing waits for a timer. The batch is one unit of work of the connection's
 * gate (storage/sqlite/gate.ts), so no other statement runs inside it. Never use it for a transaction whose caller must see
 * another job's rows before deciding: jobs of one batch run one after the other, in order.
 */
import type { SqliteGate } from './sqlite/gate.ts';

interface Job {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  private readonly gate: SqliteGate;
  private queue: Job[] = [];
  private scheduled = false;
  /** Batches committed and jobs in them, for the benchmark and docs. */
  readonly stats = { batches: 0, jobs: 0 };

  constructor(gate: SqliteGate) {
    this.gate = gate;
  }

  /** Run `fn` in a savepoint of the next group transaction; resolves once that transaction committed. */
  run<T>(fn: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
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
