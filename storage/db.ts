/**
 * Open the hub's SQLite database with its security pragmas and apply numbered migrations.
 * Must never be opened without WAL, foreign keys and secure delete, nor written without the
 * durability barrier of storage/sqlite/gate.ts: the connection commits with synchronous=NORMAL
 * (no fsync inside COMMIT, which would block the event loop), and the gate makes every committed
 * write durable by an fdatasync of the WAL in libuv's pool before anyone goes on
 * (`walDurability`, `writesOf`; docs/performance.md, "Durability").
 */
import Database from 'better-sqlite3';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export type Db = Database.Database;

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export function openDatabase(path: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // The WAL is fdatasynced by the gate after each commit that wrote (walDurability), off the event
  // loop; SQLite itself still syncs the WAL before every checkpoint and the database after it.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Deleted rows are overwritten with zeros, not left in free pages.
  db.pragma('secure_delete = ON');
  db.pragma('busy_timeout = 5000');
  // Makes INSERT OR REPLACE fire DELETE triggers, so it cannot overwrite an audit event.
  db.pragma('recursive_triggers = ON');
  migrate(db);
  cacheStatements(db);
  return db;
}

const writeCounts = new WeakMap<Db, { n: number }>();

/**
 * Prepare each SQL text once per connection (preparing on every call was 38 % of a
 * listing). Every repository method keeps writing `db.prepare(sql)` where it reads best; the
 * statement is compiled the first time and reused after. Safe because no caller toggles a
 * statement's mode (`pluck`, `raw`, `expand`, `safeIntegers`) or holds an open `iterate()`
 * across another use of the same text: a caller that needs either must prepare on its own
 * connection. SQLite re-prepares a cached statement by itself after a schema change.
 */
const cached = new WeakSet<Db>();

/** Idempotent: a connection gets its statement cache, and its write count (`writesOf`), once. */
export function cacheStatements(db: Db): void {
  if (cached.has(db)) return;
  cached.add(db);
  writeCounts.set(db, { n: 0 });
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = countWrites(db, prepare(sql));
      cache.set(sql, statement);
    }
    return statement;
  }) as Db['prepare'];
}

/** How many writing statements have run on `db` (through its prepared statements): the gate syncs the WAL only after a write. */
export function writesOf(db: Db): number {
  return writeCounts.get(db)?.n ?? 0;
}

/** A statement that may write (not `readonly`: INSERT, UPDATE, DELETE, also with RETURNING) counts each run in `writesOf`. */
function countWrites(db: Db, statement: Database.Statement): Database.Statement {
  if (statement.readonly) return statement;
  const counter = writeCounts.get(db)!;
  for (const method of ['run', 'get', 'all', 'iterate'] as const) {
    const original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
    (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      counter.n++;
      return original(...args);
    };
  }
  return statement;
}

/**
 * Make what `db` committed durable: fdatasync of its WAL file on libuv's pool (fsync applies to
 * the file, whichever descriptor asks). Called by the gate after a commit that wrote, before the
 * writer or anyone else goes on. The WAL file lives as long as the connection (SQLite rewinds it
 * after a checkpoint, truncates it only to zero, and deletes it when the last connection closes),
 * so one descriptor is kept open and closed with `close()`.
 */
export function walDurability(db: Db): { sync: () => Promise<void>; close: () => Promise<void> } {
  let handle: Promise<fs.FileHandle> | undefined;
  return {
    sync: async () => {
      handle ??= fs.open(`${db.name}-wal`, 'r');
      handle.catch(() => (handle = undefined));
      await (await handle).datasync();
    },
    close: async () => {
      const open = handle;
      handle = undefined;
      if (open) await (await open).close();
    },
  };
}

/** Apply every `NNN_name.sql` above the recorded user_version, each in its own transaction. */
function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  // Two files with one number (two branches each adding "the next" migration) would silently skip
  // one of them on every database past that number: refuse to start instead.
  const numbers = files.map((f) => f.slice(0, 3));
  const twice = numbers.find((n, i) => numbers.indexOf(n) !== i);
  if (twice) throw new Error(`two migrations are numbered ${twice} in ${MIGRATIONS_DIR}: renumber one of them`);
  for (const file of files) {
    const version = Number(file.slice(0, 3));
    if (version <= current) continue;
    const sql = readFileSync(join(MIGRATIONS_DIR, file), 'utf8');
    // A migration of pragmas only (001) runs outside a transaction, before any table exists.
    if (!/CREATE\s/i.test(sql)) {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
      continue;
    }
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
  }
}
