/**
 * Group commit (storage/group-commit.ts) on a real SQLite file: jobs that arrive together commit
 * in one transaction, a job that throws is undone alone (its savepoint) and rejects alone, and no
 * promise settles before the COMMIT that holds its rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { GroupCommit } from '../../storage/group-commit.ts';

let dir: string;
let db: Database.Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'liaison-group-'));
  db = new Database(join(dir, 'db.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE rows (id TEXT PRIMARY KEY, note TEXT NOT NULL) STRICT');
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = () => (db.prepare('SELECT count(*) AS n FROM rows').get() as { n: number }).n;
const other = () => new Database(join(dir, 'db.sqlite'), { readonly: true });

it('commits the jobs that arrive together in one transaction, and settles each after the commit', async () => {
  const group = new GroupCommit(db);
  const seenByAnotherConnection: number[] = [];
  const jobs = Array.from({ length: 20 }, (_, i) =>
    group.run(() => db.prepare('INSERT INTO rows (id, note) VALUES (?, ?)').run(`r${i}`, 'x').changes).then((changes) => {
      const reader = other();
      seenByAnotherConnection.push((reader.prepare('SELECT count(*) AS n FROM rows').get() as { n: number }).n);
      reader.close();
      return changes;
    }),
  );
  expect(await Promise.all(jobs)).toEqual(Array(20).fill(1));
  expect(group.stats).toEqual({ batches: 1, jobs: 20 });
  // When any promise settled, every row of its batch was already committed (visible elsewhere).
  expect(seenByAnotherConnection.every((n) => n === 20)).toBe(true);
});

it('undoes only the job that throws, with everything it wrote, and rejects only its promise', async () => {
  const group = new GroupCommit(db);
  const results = await Promise.allSettled([
    group.run(() => db.prepare("INSERT INTO rows VALUES ('a', 'first')").run()),
    group.run(() => {
      db.prepare("INSERT INTO rows VALUES ('b', 'half written')").run();
      db.prepare("INSERT INTO rows VALUES ('a', 'a duplicate')").run();
    }),
    group.run(() => db.prepare("INSERT INTO rows VALUES ('c', 'third')").run()),
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect((db.prepare('SELECT id FROM rows ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id)).toEqual(['a', 'c']);
});

it('jobs queued while a batch commits form the next batch', async () => {
  const group = new GroupCommit(db);
  const first = group.run(() => db.prepare("INSERT INTO rows VALUES ('1', 'x')").run());
  await first;
  await Promise.all([group.run(() => db.prepare("INSERT INTO rows VALUES ('2', 'x')").run()), group.run(() => db.prepare("INSERT INTO rows VALUES ('3', 'x')").run())]);
  expect(group.stats).toEqual({ batches: 2, jobs: 3 });
  expect(count()).toBe(3);
});

it('waits briefly for an announced job, so it shares the batch, and never longer than its bound', async () => {
  const group = new GroupCommit(db, 50);
  const announced = group.expect();
  const first = group.run(() => db.prepare('INSERT INTO rows (id, note) VALUES (?, ?)').run('first', 'x'));
  // The announced job arrives 10 ms later, well before the bound: one batch holds both.
  await new Promise((resolve) => setTimeout(resolve, 10));
  const second = group.run(() => db.prepare('INSERT INTO rows (id, note) VALUES (?, ?)').run('second', 'x'), announced);
  await Promise.all([first, second]);
  expect(group.stats).toEqual({ batches: 1, jobs: 2 });
  // An announced job that never comes does not hold a batch for ever: it commits after the bound.
  group.expect();
  await group.run(() => db.prepare('INSERT INTO rows (id, note) VALUES (?, ?)').run('third', 'x'));
  expect(group.stats).toEqual({ batches: 2, jobs: 3 });
  expect(count()).toBe(3);
});
