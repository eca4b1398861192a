/**
 * Sessions and members read by every request are kept between reads (storage/sqlite/gate.ts
 * CommittedReads) only while nothing could have changed them: a write on the hub's connection,
 * a commit by another process (the operator's CLI) and a rolled-back transaction are all seen by
 * the very next read, so a revocation or a logout counts at once. On a real SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SqliteStorage } from '../../storage/sqlite/index.ts';

let dir: string;
let store: SqliteStorage;
const FP = 'A'.repeat(40);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'liaison-reads-'));
  store = new SqliteStorage(join(dir, 'hub.db'));
  store.db
    .prepare("INSERT INTO members (fingerprint, party, name, roles, clearance, public_key, encryption_key_id, enrolled_at) VALUES (?, 'RU', 'Ivan', '[\"contact\"]', 'SECRET', 'key', 'ID', '2026-01-01T00:00:00.000Z')")
    .run(FP);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const otherProcess = (sql: string, ...args: unknown[]) => {
  const db = new Database(join(dir, 'hub.db'));
  db.prepare(sql).run(...args);
  db.close();
};

it('keeps a member between reads, frozen, while nothing is written', async () => {
  const first = await store.members.get(FP);
  const second = await store.members.get(FP);
  expect(second).toBe(first);
  expect(Object.isFrozen(first)).toBe(true);
  expect(Object.isFrozen(first!.roles)).toBe(true);
});

it('sees a revocation by this connection at the next read', async () => {
  await store.members.get(FP);
  await store.transaction(async () => {
    await store.gate.use(() => store.db.prepare("UPDATE members SET revoked_at = '2026-02-01T00:00:00.000Z' WHERE fingerprint = ?").run(FP));
  });
  expect((await store.members.get(FP))!.revokedAt).toBe('2026-02-01T00:00:00.000Z');
});

it('sees a revocation committed by another process at the next read', async () => {
  expect((await store.members.get(FP))!.revokedAt).toBeUndefined();
  otherProcess("UPDATE members SET revoked_at = '2026-03-01T00:00:00.000Z', revocation_reason = 'compromised' WHERE fingerprint = ?", FP);
  const after = await store.members.get(FP);
  expect(after!.revokedAt).toBe('2026-03-01T00:00:00.000Z');
  expect(after!.revocationReason).toBe('compromised');
});

it('never keeps what a rolled-back transaction read', async () => {
  await store.members.get(FP);
  await expect(
    store.transaction(async () => {
      await store.gate.use(() => store.db.prepare("UPDATE members SET clearance = 'TOP SECRET' WHERE fingerprint = ?").run(FP));
      expect((await store.members.get(FP))!.clearance).toBe('TOP SECRET'); // inside: the uncommitted row
      throw new Error('undone');
    }),
  ).rejects.toThrow('undone');
  expect((await store.members.get(FP))!.clearance).toBe('SECRET');
});

it('forgets a session deleted by this connection or by another process at once', async () => {
  await store.sessions.create('t1', FP, '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z');
  await store.sessions.create('t2', FP, '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z');
  expect(await store.sessions.get('t1')).toBeDefined();
  expect(await store.sessions.get('t2')).toBeDefined();
  await store.sessions.delete('t1');
  expect(await store.sessions.get('t1')).toBeUndefined();
  otherProcess('DELETE FROM sessions WHERE token_hash = ?', 't2');
  expect(await store.sessions.get('t2')).toBeUndefined();
  // And a session made after its token was looked up unknown is found (the miss is not kept past the write).
  expect(await store.sessions.get('t3')).toBeUndefined();
  await store.sessions.create('t3', FP, '2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z');
  expect(await store.sessions.get('t3')).toBeDefined();
});
