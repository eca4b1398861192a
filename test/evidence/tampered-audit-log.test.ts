/**
 * Attack: someone with access to the hub's files rewrites the audit log. The triggers stop an
 * UPDATE or DELETE through SQLite; an attacker who drops them (here, always on a COPY of the data
 * directory) can edit, delete, reorder, append or truncate events, or restore an older database.
 * Every such change is detected: by the hash chain at the first bad position, or against a
 * checkpoint the hub signed and a party kept.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditExport } from '../../client/core/evidence.ts';
import { Checkpoint, auditEventHash, parseStatement, type AuditExport, type SignedCheckpoint } from '../../protocol/evidence.ts';
import { createApp, type LiaisonApp } from '../../server/app.ts';
import { operatorAuditLog } from '../../server/evidence.ts';
import { verifyAuditChain } from '../../storage/audit.ts';
import { liaison } from '../../scripts/harness.ts';
import { login } from '../helpers/packets.ts';
import { AGREEMENTS_DIR, makePerson, makeWorld, type Person, type World } from '../helpers/world.ts';

let world: World;
let people: Person[];
let kept: SignedCheckpoint;
let keptCheckpoint: Checkpoint;
let size: number;
let copies = 0;

const open = () => createApp({ dataDir: world.dataDir, agreementsDir: AGREEMENTS_DIR, logLevel: 'silent', logFile: join(world.dir, 'hub.log') }, world.clock.now);

/** `n` decisions: a login each, then refused look-ups of packets that do not exist. */
async function makeEvents(hub: LiaisonApp, n: number): Promise<void> {
  const token = await login(hub.app, people[0]!, world.clock.now());
  for (let i = 1; i < n; i++) await request(hub.app).get(`/v1/packets/${randomUUID()}`).set('Authorization', `Bearer ${token}`).expect(404);
}

/** A copy of the data directory with the audit triggers dropped, changed by `sql`. */
function tamperedCopy(sql: string | ((db: Database.Database) => void)): string {
  const dir = join(world.dir, `copy-${++copies}`);
  cpSync(world.dataDir, dir, { recursive: true });
  const db = new Database(join(dir, 'hub.db'));
  db.exec('DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;');
  if (typeof sql === 'string') db.exec(sql);
  else sql(db);
  db.close();
  return dir;
}

async function verdict(dir: string, withKept = true) {
  const log = await operatorAuditLog(dir);
  return verifyAuditChain(log.events, withKept ? [keptCheckpoint] : []);
}

beforeAll(async () => {
  world = await makeWorld();
  people = await Promise.all([makePerson('Ivan Petrov', 'RU'), makePerson('Ayesha Khan', 'PK')]);
  for (const p of people) await world.enroll(p, ['contact'], 'SECRET');
  const hub = await open();
  await makeEvents(hub, 20);
  // A party keeps the checkpoint over everything so far.
  const token = await login(hub.app, people[1]!, world.clock.now());
  kept = (await request(hub.app).post('/v1/audit/checkpoints').set('Authorization', `Bearer ${token}`).expect(201)).body as SignedCheckpoint;
  keptCheckpoint = parseStatement(Checkpoint, kept.statement)!;
  await makeEvents(hub, 6);
  size = hub.hub.store.auditEvents().length;
  await hub.close();
});

afterAll(() => world.cleanup());

describe('the real database', () => {
  it('refuses UPDATE and DELETE of audit events (triggers)', () => {
    const db = new Database(join(world.dataDir, 'hub.db'));
    try {
      expect(() => db.prepare("UPDATE audit_events SET actor = 'x' WHERE seq = 3").run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM audit_events WHERE seq = 3').run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM checkpoints').run()).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });

  it('verifies as it is, against the kept checkpoint', async () => {
    expect(await verdict(world.dataDir)).toMatchObject({ ok: true, size });
  });
});

describe('an attacker with the files (on a copy)', () => {
  const positions = () => [1, 2, 5, keptCheckpoint.size - 1, keptCheckpoint.size, keptCheckpoint.size + 1, size - 1];

  it('an edited field is found at its position, for every field and many positions', async () => {
    const fields = ['at', 'actor', 'party', 'action', 'object', 'outcome', 'detail'];
    for (const [i, seq] of positions().entries()) {
      const field = fields[i % fields.length]!;
      const value = field === 'outcome' ? "CASE outcome WHEN 'allow' THEN 'deny' ELSE 'allow' END" : field === 'detail' ? `'{"reason":"nothing happened"}'` : `${field} || 'x'`;
      expect(await verdict(tamperedCopy(`UPDATE audit_events SET ${field} = ${value} WHERE seq = ${seq}`)), `${field} at ${seq}`).toMatchObject({ ok: false, position: seq });
    }
  });

  it('an edited last event is found too', async () => {
    expect(await verdict(tamperedCopy(`UPDATE audit_events SET actor = 'operator' WHERE seq = ${size}`))).toMatchObject({ ok: false, position: size });
  });

  it('a deleted event is found where the gap is', async () => {
    for (const seq of positions()) {
      expect(await verdict(tamperedCopy(`DELETE FROM audit_events WHERE seq = ${seq}`)), `delete ${seq}`).toMatchObject({ ok: false, position: seq });
    }
  });

  it('two events swapped are found at the first of them', async () => {
    for (const seq of positions()) {
      const sql = `UPDATE audit_events SET seq = -1 WHERE seq = ${seq}; UPDATE audit_events SET seq = ${seq} WHERE seq = ${seq + 1}; UPDATE audit_events SET seq = ${seq + 1} WHERE seq = -1;`;
      expect(await verdict(tamperedCopy(sql)), `swap ${seq}`).toMatchObject({ ok: false, position: seq });
    }
  });

  it('an event appended out of order (not chained to the head) is found', async () => {
    const dir = tamperedCopy((db) => {
      const e = { seq: size + 1, at: world.clock.now().toISOString(), actor: 'operator', party: 'HUB', action: 'member.enroll', object: 'x', outcome: 'allow' as const, detail: '{}', prevHash: 'a'.repeat(64) };
      db.prepare('INSERT INTO audit_events (seq, at, actor, party, action, object, outcome, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(e.seq, e.at, e.actor, e.party, e.action, e.object, e.outcome, e.detail, e.prevHash, auditEventHash(e));
    });
    expect(await verdict(dir)).toMatchObject({ ok: false, position: size + 1 });
  });

  it('a rewrite that recomputes every later hash passes the chain, but not the kept checkpoint', async () => {
    for (const seq of [1, 7, keptCheckpoint.size]) {
      const dir = tamperedCopy((db) => {
        db.prepare("UPDATE audit_events SET actor = 'someone else' WHERE seq = ?").run(seq);
        let prev = (db.prepare('SELECT hash FROM audit_events WHERE seq = ?').get(seq - 1) as { hash: string } | undefined)?.hash ?? '0'.repeat(64);
        for (const r of db.prepare('SELECT * FROM audit_events WHERE seq >= ? ORDER BY seq').all(seq) as Array<{ seq: number; at: string; actor: string; party: string; action: string; object: string; outcome: 'allow' | 'deny'; detail: string }>) {
          const e = { seq: r.seq, at: r.at, actor: r.actor, party: r.party, action: r.action, object: r.object, outcome: r.outcome, detail: r.detail, prevHash: prev };
          prev = auditEventHash(e);
          db.prepare('UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?').run(e.prevHash, prev, r.seq);
        }
      });
      expect(await verdict(dir, false), `rehash from ${seq}`).toMatchObject({ ok: true });
      expect(await verdict(dir), `rehash from ${seq}`).toMatchObject({ ok: false, position: keptCheckpoint.size });
    }
  });

  it('a truncation passes the chain but not the kept checkpoint, nor the checkpoint the hub stored', async () => {
    for (const keep of [keptCheckpoint.size - 1, 10, 1]) {
      const dir = tamperedCopy(`DELETE FROM audit_events WHERE seq > ${keep}`);
      expect(await verdict(dir, false)).toMatchObject({ ok: true, size: keep });
      expect(await verdict(dir)).toMatchObject({ ok: false, position: keep + 1 });
      const log = await operatorAuditLog(dir);
      const stored = log.checkpoints.map((c) => parseStatement(Checkpoint, c.statement)!);
      expect(verifyAuditChain(log.events, stored)).toMatchObject({ ok: false });
    }
  });

  it('the CLI names the first bad position, on the operator side (--data)', async () => {
    const dir = tamperedCopy("UPDATE audit_events SET actor = 'someone else' WHERE seq = 9");
    const result = await liaison(['audit', 'verify', '--data', dir], { LIAISON_HOME: join(world.dir, 'operator-home') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/FAILED at position 9/);
    const good = await liaison(['audit', 'verify', '--data', world.dataDir], { LIAISON_HOME: join(world.dir, 'operator-home') });
    expect(good.stdout).toMatch(new RegExp(`Audit log verified: ${size} events`));
    expect(good.code).toBe(0);
  });
});

describe('an older database restored after a party kept a checkpoint', () => {
  it('is detected against the kept checkpoint, even after the hub has grown past it', async () => {
    // The backup is taken early; the party keeps a checkpoint later; then the backup is restored.
    const backup = join(world.dir, 'backup');
    rmSync(backup, { recursive: true, force: true });
    const first = await open();
    await makeEvents(first, 3);
    await first.close();
    cpSync(world.dataDir, backup, { recursive: true });
    const second = await open();
    await makeEvents(second, 4);
    const token = await login(second.app, people[1]!, world.clock.now());
    const later = (await request(second.app).post('/v1/audit/checkpoints').set('Authorization', `Bearer ${token}`).expect(201)).body as SignedCheckpoint;
    const laterSize = parseStatement(Checkpoint, later.statement)!.size;
    await second.close();

    rmSync(world.dataDir, { recursive: true, force: true });
    cpSync(backup, world.dataDir, { recursive: true });
    const restored = await open();
    try {
      // Shorter than the kept checkpoint: a truncation.
      const short = await operatorAuditLog(world.dataDir);
      expect(verifyAuditChain(short.events, parseStatement(Checkpoint, later.statement))).toMatchObject({ ok: false, position: short.events.length + 1 });
      // The restored hub keeps working and outgrows the checkpoint; the log still does not extend it.
      await makeEvents(restored, 12);
      const grown = await operatorAuditLog(world.dataDir);
      expect(grown.events.length).toBeGreaterThan(laterSize);
      expect(verifyAuditChain(grown.events, parseStatement(Checkpoint, later.statement))).toMatchObject({ ok: false, position: laterSize });
      // The party's own check: the restored hub cannot prove its log extends the kept checkpoint.
      const partyToken = await login(restored.app, people[1]!, world.clock.now());
      const view = (await request(restored.app).get(`/v1/audit?from=${laterSize}`).set('Authorization', `Bearer ${partyToken}`).expect(200)).body as AuditExport;
      const check = await verifyAuditExport(view, { pinnedHub: restored.hub.hubFingerprint, kept: [later], now: world.clock.now() });
      expect(check).toMatchObject({ ok: false, position: laterSize });
      if (!check.ok) expect(check.reason).toMatch(/older database restored/);
    } finally {
      await restored.close();
    }
  });
});
