/**
 * The durability barrier (storage/sqlite/gate.ts, storage/db.ts walDurability) on real SQLite
 * files: the connection commits without an fsync (synchronous=NORMAL), and the gate fdatasyncs the
 * WAL, off the event loop, after every commit that wrote; until that sync is done the writer does
 * not go on and no other caller reads. And the write order of an upload (storage/blobs.ts, then
 * storage/group-commit.ts) survives a process killed at any step: no row ever names a blob that
 * is not on disk.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { walDurability, type Db } from '../../storage/db.ts';
import { GroupCommit } from '../../storage/group-commit.ts';
import { SqliteGate } from '../../storage/sqlite/gate.ts';
import { SqliteStorage } from '../../storage/sqlite/index.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'liaison-durable-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function table(path: string): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS rows (id TEXT PRIMARY KEY, blob TEXT NOT NULL) STRICT');
  return db;
}

it('the hub database commits without an fsync and takes the barrier exactly after the commits that wrote', async () => {
  const store = new SqliteStorage(join(dir, 'hub.sqlite'));
  try {
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    const taken = () => store.gate.stats.barriers;
    const before = taken();
    await store.meta.get('nothing');
    await store.transaction(async () => store.meta.get('still nothing'));
    expect(taken()).toBe(before); // reads: no barrier
    await store.meta.set('a', '1'); // a write outside a transaction
    expect(taken()).toBe(before + 1);
    await store.transaction(async () => {
      await store.meta.set('b', '2');
      await store.meta.set('c', '3');
    });
    expect(taken()).toBe(before + 2); // one per transaction, not per statement
    await expect(store.transaction(async () => {
      await store.meta.set('d', '4');
      throw new Error('undone');
    })).rejects.toThrow('undone');
    expect(taken()).toBe(before + 2); // a rolled-back transaction made nothing to sync
    expect(await store.meta.get('d')).toBeUndefined();
  } finally {
    await store.close();
  }
});

it('until the WAL is synced, the writer does not go on and nobody else reads', async () => {
  const db = table(join(dir, 'db.sqlite'));
  const wal = walDurability(db);
  let releaseSync!: () => void;
  const syncs: string[] = [];
  const gate = new SqliteGate(db, async () => {
    syncs.push('started');
    await new Promise<void>((resolve) => (releaseSync = resolve));
    await wal.sync(); // the real fdatasync of the real WAL file
    syncs.push('done');
  });
  const events: string[] = [];
  const write = gate.transaction(async () => gate.use(() => db.prepare('INSERT INTO rows (id, blob) VALUES (?, ?)').run('r1', 'b1'))).then(() => events.push('writer goes on'));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(syncs).toEqual(['started']);
  const read = gate.use(() => (db.prepare('SELECT count(*) AS n FROM rows').get() as { n: number }).n).then((n) => events.push(`reader sees ${n}`));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(events).toEqual([]); // the event loop runs (these timers fired), the database waits
  releaseSync();
  await Promise.all([write, read]);
  expect(syncs).toEqual(['started', 'done']);
  expect(events).toEqual(['writer goes on', 'reader sees 1']);
  await wal.close();
  db.close();
});

const KILLED_UPLOAD = join(import.meta.dirname, '../helpers/killed-upload.ts');

/** A child process that stores a blob and its row as an upload does, and is killed at `step`. */
function uploadKilledAt(step: 'after-blob' | 'in-commit' | 'in-barrier' | 'never', n: number): void {
  const result = spawnSync(process.execPath, [KILLED_UPLOAD, dir, step, String(n)], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.signal).toBe(step === 'never' ? null : 'SIGKILL');
  expect(result.stdout === 'replied').toBe(step === 'never');
}

it('an upload killed at any step leaves no row naming a missing blob, and a reply only for a committed row', () => {
  table(join(dir, 'db.sqlite')).close();
  const steps = ['after-blob', 'in-commit', 'in-barrier', 'never'] as const;
  steps.forEach((step, n) => uploadKilledAt(step, n));
  const db = new Database(join(dir, 'db.sqlite'), { readonly: true });
  const rows = db.prepare('SELECT id, blob FROM rows ORDER BY id').all() as Array<{ id: string; blob: string }>;
  db.close();
  // Killed before or inside the transaction: no row (the blob is an orphan the hub sweeps at start).
  // Killed after the COMMIT, in the barrier: the row stays, and its blob was on disk before it.
  expect(rows.map((r) => r.id)).toEqual(['row-2', 'row-3']);
  for (const row of rows) {
    const path = join(dir, 'blobs', row.blob.slice(0, 2), row.blob.slice(2, 4), row.blob);
    expect(existsSync(path)).toBe(true);
    expect(readFileSync(path).length).toBe(65536);
  }
});

it('GroupCommit on the barrier settles each job after its sync', async () => {
  const db = table(join(dir, 'db.sqlite'));
  const wal = walDurability(db);
  const order: string[] = [];
  const gate = new SqliteGate(db, async () => {
    await wal.sync();
    order.push('synced');
  });
  const group = new GroupCommit(gate);
  await Promise.all([1, 2, 3].map((i) => group.run(() => db.prepare('INSERT INTO rows (id, blob) VALUES (?, ?)').run(`r${i}`, 'b')).then(() => order.push(`job ${i}`))));
  expect(order[0]).toBe('synced');
  expect(order.slice(1).sort()).toEqual(['job 1', 'job 2', 'job 3']);
  await wal.close();
  db.close();
});
