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
 *
 * Durability (the barrier): the connection commits without an fsync (synchronous=NORMAL,
 * storage/db.ts), so a COMMIT does not block the event loop. After a transaction, or a statement
 * outside one, that wrote, the gate stays closed while `durable()` (an fdatasync of the WAL on
 * libuv's pool) runs, and only then returns to the writer: no caller replies on a write that is
 * not on disk, and no other statement of this connection reads a row that a crash could still
 * take back. Meanwhile the event loop serves everything that does not touch the database.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DuplicateKeyError } from '../repositories.ts';
import { cacheStatements, writesOf, type Db } from '../db.ts';

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

  /** Make what the connection committed durable (storage/db.ts walDurability); a no-op for a connection that commits with its own fsync. */
  private readonly durable: () => Promise<void>;
  /** Barriers taken, for tests and the benchmark. */
  readonly stats = { barriers: 0 };

  constructor(db: Db, durable: () => Promise<void> = () => Promise.resolve()) {
    this.db = db;
    this.durable = durable;
    // Writes are seen through the connection's prepared statements: count them from now on.
    cacheStatements(db);
  }

  /** Hold the gate closed until what was committed is durable. Called with the gate held or free, never with a transaction open. */
  private async barrier(): Promise<void> {
    this.stats.barriers++;
    await this.durable();
  }

  /** True when the caller runs inside the open transaction's work. */
  private inside(): boolean {
    return this.context.getStore() !== undefined;
  }

  /** Wait until no transaction is open (or the caller is inside it), then run `read` at once. */
  async use<T>(statement: () => T): Promise<T> {
    if (this.inside()) {
      try {
        return statement();
      } catch (error) {
        throw translated(error);
      }
    }
    while (this.open) await this.open;
    const writes = writesOf(this.db);
    let value: T;
    try {
      value = statement();
    } catch (error) {
      throw translated(error);
    }
    // A write outside a transaction committed on its own: durable before anyone goes on.
    if (writesOf(this.db) !== writes) await this.closedUntil(() => this.barrier());
    return value;
  }

  /** Run `step` with the gate closed to everyone else (no transaction is open, and the caller holds no gate). */
  private async closedUntil(step: () => Promise<void>): Promise<void> {
    while (this.open) await this.open;
    let release!: () => void;
    this.open = new Promise<void>((resolve) => (release = resolve));
    try {
      await step();
    } finally {
      this.open = null;
      release();
    }
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    const outer = this.context.getStore();
    if (outer) return this.savepoint(work, outer.depth + 1);
    while (this.open) await this.open;
    let release!: () => void;
    this.open = new Promise<void>((resolve) => (release = resolve));
    try {
      const writes = writesOf(this.db);
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
      // Still holding the gate: nothing reads these rows, and the caller does not go on, before they are durable.
      if (writesOf(this.db) !== writes) await this.barrier();
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

/**
 * Rows read by key, kept until anything could have changed them (every authenticated
 * request read its session and its member again, two of the few statements of a metadata GET).
 * Every entry is dropped as soon as this connection runs a writing statement (`writesOf`, so
 * also one later rolled back) or another connection commits (`PRAGMA data_version`, checked on
 * every read): a revocation, a restatement, a logout or an expired session deleted by any
 * process is seen by the very next read. Never used inside a transaction, where uncommitted rows
 * could be read and then rolled back: those reads go to the database. Values are frozen, since
 * every caller gets the same object. Bounded: past `limit` keys it starts again.
 */
export class CommittedReads<V> {
  private readonly gate: SqliteGate;
  private readonly limit: number;
  private readonly entries = new Map<string, V>();
  private writes = -1;
  private version = -1;

  constructor(gate: SqliteGate, limit = 4096) {
    this.gate = gate;
    this.limit = limit;
  }

  /** The value for `key`, from `load` (synchronous: call it inside `gate.use`) unless nothing has changed since it was loaded. */
  read(key: string, load: () => V): V {
    const db = this.gate.db;
    if (db.inTransaction) return load();
    const writes = writesOf(db);
    const version = (db.prepare('PRAGMA data_version').get() as { data_version: number }).data_version;
    if (writes !== this.writes || version !== this.version) {
      this.entries.clear();
      this.writes = writes;
      this.version = version;
    }
    if (this.entries.has(key)) return this.entries.get(key)!;
    const value = deepFreeze(load());
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}

function deepFreeze<V>(value: V): V {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
