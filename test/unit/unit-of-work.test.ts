/**
 * The unit of work over one synchronous SQLite connection (storage/sqlite/gate.ts), on a real
 * file: two asynchronous transactions never interleave (a compare-and-set with an await between
 * its read and its write loses no update), a statement from outside an open transaction neither
 * sees its uncommitted rows nor is rolled back with it, a nested unit is a savepoint, and a
 * duplicate key is a DuplicateKeyError whatever the driver calls it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DuplicateKeyError } from '../../storage/repositories.ts';
import { SqliteGate } from '../../storage/sqlite/gate.ts';

let dir: string;
let db: Database.Database;
let gate: SqliteGate;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'liaison-uow-'));
  db = new Database(join(dir, 'db.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL) STRICT; INSERT INTO counter VALUES (1, 0); CREATE TABLE rows (id TEXT PRIMARY KEY) STRICT");
  gate = new SqliteGate(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const read = () => gate.use(() => (db.prepare('SELECT n FROM counter WHERE id = 1').get() as { n: number }).n);
const write = (n: number) => gate.use(() => db.prepare('UPDATE counter SET n = ? WHERE id = 1').run(n));
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const rows = () => (db.prepare('SELECT id FROM rows ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id);

it('runs concurrent units one after the other: a read-await-write loses no update', async () => {
  const trace: string[] = [];
  const increment = (who: string) =>
    gate.transaction(async () => {
      trace.push(`${who} in`);
      const n = await read();
      await tick(); // another request's turn of the event loop, between the read and the write
      await write(n + 1);
      trace.push(`${who} out`);
    });
  await Promise.all(['a', 'b', 'c', 'd', 'e'].map(increment));
  expect(await read()).toBe(5);
  // Each unit's body ran whole before the next began.
  for (let i = 0; i < trace.length; i += 2) expect(trace[i]!.split(' ')[0]).toBe(trace[i + 1]!.split(' ')[0]);
});

it('keeps a statement from outside out of an open unit: it waits, sees no uncommitted row, and survives the rollback', async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const unit = gate.transaction(async () => {
    await gate.use(() => db.prepare("INSERT INTO rows VALUES ('inside')").run());
    await held;
    throw new Error('the decision is refused');
  });
  await tick();
  let outsideDone = false;
  const outside = gate.use(() => db.prepare("INSERT INTO rows VALUES ('outside')").run()).then(() => (outsideDone = true));
  const seen = gate.use(rows);
  await tick();
  expect(outsideDone).toBe(false); // it waits for the unit instead of joining it
  release();
  await expect(unit).rejects.toThrow('the decision is refused');
  await outside;
  expect(await seen).toEqual(['outside']);
  expect(rows()).toEqual(['outside']);
});

it('makes a nested unit a savepoint: its throw undoes only its own writes', async () => {
  await gate.transaction(async () => {
    await gate.use(() => db.prepare("INSERT INTO rows VALUES ('kept')").run());
    await expect(
      gate.transaction(async () => {
        await gate.use(() => db.prepare("INSERT INTO rows VALUES ('undone')").run());
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
  });
  expect(rows()).toEqual(['kept']);
});

it('reports a duplicate key as DuplicateKeyError, inside a unit and outside', async () => {
  await gate.use(() => db.prepare("INSERT INTO rows VALUES ('x')").run());
  await expect(gate.use(() => db.prepare("INSERT INTO rows VALUES ('x')").run())).rejects.toBeInstanceOf(DuplicateKeyError);
  await expect(gate.transaction(async () => gate.use(() => db.prepare("INSERT INTO rows VALUES ('x')").run()))).rejects.toBeInstanceOf(DuplicateKeyError);
  expect(rows()).toEqual(['x']);
});
