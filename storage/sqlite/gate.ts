/**
 * How an asynchronous unit of work runs over one synchronous better-sqlite3 connection without
 * two transactions ever interleaving.
 *
 * The hazard: `transaction(async work)` opens BEGIN IMMEDIATE and awaits `work`; while it awaits,
 * any other request's statement on the same connection would run inside that open transaction
 * (reading its uncommitted rows, or being rolled back with it). The guarantee:
 * - one transaction at a time: `transaction` waits until none is open, then opens its own;
 * - the open transaction's async context is marked (AsyncLocalStorage): a repository call made
 *   from inside the work runs at once, inside it; a call from anywhere else waits until the
 *   transaction has committed or rolled back, then runs;
 * - each repository call is synchronous once it runs (better-sqlite3), so between the check
 *   "no transaction is open" and the statement there is no await: nothing can slip in;
 * - a transaction opened inside another is a SAVEPOINT, released or rolled back on its own.
 * BEGIN IMMEDIATE takes SQLite's write lock before the first read, so another process's
 * connection (the operator's CLI) cannot overtake a compare-and-set either.
 *
 * A unit of work should only await storage and cheap steps: everything else waits for it. The
 * domain verifies signatures and reads files before it opens one.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DuplicateKeyError } from '../repositories.ts';
import type { Db } from '../db.ts';

/** A PRIMARY KEY or UNIQUE constraint (or, on the append-only tables, their guard trigger) refused an insert. */
function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e?.code === 'SQLITE_CONSTRAINT_TRIGGER') return typeof e.message === 'string' && /append-only/.test(e.message);
  return e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

function translated(error: unknown): unknown {
  return isUniqueViolation(error) ? new DuplicateKeyError((error as Error).message, { cause: error }) : error;
}

export class SqliteGate {
  readonly db: Db;
  private readonly context = new AsyncLocalStorage<{ depth: number }>();
  /** Settles when the open transaction ends; null while none is open. */
  private open: Promise<void> | null = null;
  private savepoints = 0;

  constructor(db: Db) {
    this.db = db;
  }

  /** True when the caller runs inside the open transaction's work. */
  private inside(): boolean {
    return this.context.getStore() !== undefined;
  }

  /** Wait until no transaction is open (or the caller is inside it), then run `read` at once. */
  async use<T>(statement: () => T): Promise<T> {
    if (!this.inside()) while (this.open) await this.open;
    try {
      return statement();
    } catch (error) {
      throw translated(error);
    }
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    const outer = this.context.getStore();
    if (outer) return this.savepoint(work, outer.depth + 1);
    while (this.open) await this.open;
    let release!: () => void;
    this.open = new Promise<void>((resolve) => (release = resolve));
    try {
      this.db.exec('BEGIN IMMEDIATE');
      let value: T;
      try {
        value = await this.context.run({ depth: 0 }, work);
      } catch (error) {
        this.db.exec('ROLLBACK');
        throw translated(error);
      }
      try {
        this.db.exec('COMMIT');
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw translated(error);
      }
      return value;
    } finally {
      this.open = null;
      release();
    }
  }

  private async savepoint<T>(work: () => Promise<T>, depth: number): Promise<T> {
    const name = `unit_${++this.savepoints}`;
    this.db.exec(`SAVEPOINT ${name}`);
    try {
      const value = await this.context.run({ depth }, work);
      this.db.exec(`RELEASE ${name}`);
      return value;
    } catch (error) {
      this.db.exec(`ROLLBACK TO ${name}`);
      this.db.exec(`RELEASE ${name}`);
      throw translated(error);
    }
  }
}
