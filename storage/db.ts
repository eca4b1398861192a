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
  return db;
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
