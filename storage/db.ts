/**
 * Open the hub's SQLite database with its security pragmas and apply numbered migrations.
 * Must never be opened without WAL, full sync, foreign keys and secure delete.
 */
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export type Db = Database.Database;

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export function openDatabase(path: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
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

/**
 * Prepare each SQL text once per connection (preparing on every call was 38 % of a
 * listing). Every repository method keeps writing `db.prepare(sql)` where it reads best; the
 * statement is compiled the first time and reused after. Safe because no caller toggles a
 * statement's mode (`pluck`, `raw`, `expand`, `safeIntegers`) or holds an open `iterate()`
 * across another use of the same text: a caller that needs either must prepare on its own
 * connection. SQLite re-prepares a cached statement by itself after a schema change.
 */
function cacheStatements(db: Db): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  }) as Db['prepare'];
}

/** Apply every `NNN_name.sql` above the recorded user_version, each in its own transaction. */
export function migrate(db: Db): void {
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
