/**
 * Attack: cover one's tracks in the hub's audit log (an operator with the database file, or a
 * future bug in the hub's own SQL). Events are append-only (triggers abort UPDATE and DELETE)
 * and hash-chained, so an edit, a deletion or a reordering shows on recomputation. Denials are
 * security decisions too: a refused download must be on record as a 'deny' event.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_GENESIS, auditEventHash, type AuditEvent } from '../../protocol/evidence.ts';
import { buildPacket, uploadRequest, type BuiltPacket } from '../helpers/packets.ts';
import { CANARY } from '../helpers/world.ts';
import { RU_PK_CAST, downloadBytes, expectProblem, get, setUp, tearDown, type Cast } from './support.ts';

let cast: Cast<keyof typeof RU_PK_CAST>;
let packet: BuiltPacket;
const now = () => cast.world.clock.now();
const dbPath = () => join(cast.world.dataDir, 'hub.db');

beforeAll(async () => {
  cast = await setUp(RU_PK_CAST);
  packet = await buildPacket({
    sender: cast.people.ruContact,
    readers: [cast.people.ruContact, cast.people.ruClerk, cast.people.pkContact],
    date: now(),
    parts: [
      { role: 'original', lang: 'ru', text: `Запрос о правовой помощи. ${CANARY}` },
      { role: 'translation', lang: 'en', text: `Request for legal assistance. ${CANARY}` },
    ],
  });
  await uploadRequest(cast.app, cast.tokens.ruContact, packet, true).expect(201);
  await downloadBytes(cast.app, `/v1/packets/${packet.manifest.packetId}/parts/p1`, cast.tokens.pkContact).expect(200);
});
afterAll(() => tearDown(cast));

interface Row {
  seq: number;
  at: string;
  actor: string;
  party: string;
  action: string;
  object: string;
  outcome: 'allow' | 'deny';
  detail: string;
  prev_hash: string;
  hash: string;
}

const toEvent = (r: Row): AuditEvent => ({ seq: r.seq, at: r.at, actor: r.actor, party: r.party, action: r.action, object: r.object, outcome: r.outcome, detail: r.detail, prevHash: r.prev_hash, hash: r.hash });

function withDb<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const events = (path = dbPath()): AuditEvent[] => withDb(path, (db) => (db.prepare('SELECT * FROM audit_events ORDER BY seq').all() as Row[]).map(toEvent));

/** Recompute the chain as a verifier would: where it breaks, and why (empty when intact). */
function chainBreaks(list: AuditEvent[]): string[] {
  const breaks: string[] = [];
  let prevHash = AUDIT_GENESIS;
  let expectedSeq = 1;
  for (const event of list) {
    if (event.seq !== expectedSeq) breaks.push(`seq ${event.seq}: expected seq ${expectedSeq}`);
    if (event.prevHash !== prevHash) breaks.push(`seq ${event.seq}: prevHash does not link to the previous event`);
    const { hash, ...rest } = event;
    if (auditEventHash(rest) !== hash) breaks.push(`seq ${event.seq}: hash does not match the content`);
    prevHash = event.hash;
    expectedSeq = event.seq + 1;
  }
  return breaks;
}

/** A consistent copy of the live database (schema and triggers included) to attack freely. */
function copyOfDb(name: string): string {
  const path = join(cast.world.dir, `${name}.db`);
  withDb(dbPath(), (db) => db.exec(`VACUUM INTO '${path.replace(/'/g, "''")}'`));
  return path;
}

describe('audit rows cannot be changed or removed', () => {
  const attempts = [
    { what: 'UPDATE of an outcome', sql: "UPDATE audit_events SET outcome = 'allow' WHERE seq = (SELECT max(seq) FROM audit_events)" },
    { what: 'UPDATE of every detail', sql: "UPDATE audit_events SET detail = '{}'" },
    { what: 'UPDATE that rewrites a hash to match', sql: "UPDATE audit_events SET actor = 'operator', hash = prev_hash WHERE seq = 2" },
    { what: 'DELETE of the last event', sql: 'DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)' },
    { what: 'DELETE of everything', sql: 'DELETE FROM audit_events' },
    { what: 'an upsert onto an existing seq', sql: "INSERT INTO audit_events (seq, at, actor, party, action, object, outcome, detail, prev_hash, hash) VALUES (1, 'x', 'x', 'x', 'x', 'x', 'allow', '{}', 'x', 'x') ON CONFLICT (seq) DO UPDATE SET actor = excluded.actor" },
  ];

  it.each(attempts)('$what aborts, and the log is exactly as before', ({ sql }) => {
    const before = events();
    expect(before.length).toBeGreaterThan(5);
    withDb(dbPath(), (db) => expect(() => db.prepare(sql).run()).toThrow(/audit events are append-only/));
    expect(events()).toEqual(before);
  });

  // REPLACE resolves a conflict by deleting the old row, which fires no DELETE trigger unless
  // recursive_triggers is on; migration 006 guards inserts, so this connection is refused too.
  it('INSERT OR REPLACE onto an existing seq aborts', () => {
    const copy = copyOfDb('replace-attempt');
    withDb(copy, (db) => expect(() => db.prepare("INSERT OR REPLACE INTO audit_events (seq, at, actor, party, action, object, outcome, detail, prev_hash, hash) VALUES (1, 'x', 'x', 'x', 'x', 'x', 'allow', '{}', 'x', 'x')").run()).toThrow(/append-only/));
  });

  it('an event overwritten with INSERT OR REPLACE, guards dropped by someone with the file, is exposed by the hash chain', () => {
    const copy = copyOfDb('replace-detected');
    const original = events(copy);
    const victim = original[2]!;
    withDb(copy, (db) => {
      db.exec('DROP TRIGGER audit_events_append_only');
      const forged = { ...victim, actor: 'operator', detail: '{}' };
      const { hash: _h, ...rest } = forged;
      db.prepare('INSERT OR REPLACE INTO audit_events (seq, at, actor, party, action, object, outcome, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(forged.seq, forged.at, forged.actor, forged.party, forged.action, forged.object, forged.outcome, forged.detail, forged.prevHash, auditEventHash(rest));
    });
    expect(chainBreaks(events(copy))).toEqual([`seq ${victim.seq + 1}: prevHash does not link to the previous event`]);
  });
});

describe('the hash chain', () => {
  it('links every event to the one before, from the genesis, and each hash covers its event', async () => {
    // Some traffic of every kind first: login, upload, submit, allowed and denied reads.
    await get(cast.app, `/v1/packets/${packet.manifest.packetId}`, cast.tokens.kzContact).expect(404);
    const list = events();
    expect(list[0]!.prevHash).toBe(AUDIT_GENESIS);
    expect(list[0]!.action).toBe('hub.init');
    for (let i = 1; i < list.length; i++) {
      expect(list[i]!.seq).toBe(list[i - 1]!.seq + 1);
      expect(list[i]!.prevHash).toBe(list[i - 1]!.hash);
    }
    for (const event of list) {
      const { hash, ...rest } = event;
      expect(auditEventHash(rest)).toBe(hash);
    }
    expect(chainBreaks(list)).toEqual([]);
    expect([...new Set(list.map((e) => e.action))]).toEqual(expect.arrayContaining(['hub.init', 'auth.login', 'packet.upload', 'packet.submit', 'part.download', 'GET /packets/:id']));
  });

  /** On a copy with the triggers dropped: what an operator with the file could do, and how it shows. */
  const edits: Array<{ what: string; edit: (db: Database.Database, list: AuditEvent[]) => void; expected: (list: AuditEvent[]) => RegExp }> = [
    {
      what: 'an edited event',
      edit: (db, list) => void db.prepare("UPDATE audit_events SET outcome = CASE outcome WHEN 'allow' THEN 'deny' ELSE 'allow' END WHERE seq = ?").run(list[4]!.seq),
      expected: (list) => new RegExp(`^seq ${list[4]!.seq}: hash does not match`),
    },
    {
      what: 'an edited event whose own hash is recomputed',
      edit: (db, list) => {
        const { hash: _h, ...rest } = { ...list[4]!, actor: 'nobody' };
        db.prepare('UPDATE audit_events SET actor = ?, hash = ? WHERE seq = ?').run('nobody', auditEventHash(rest), list[4]!.seq);
      },
      expected: (list) => new RegExp(`^seq ${list[5]!.seq}: prevHash does not link`),
    },
    {
      what: 'a deleted event',
      edit: (db, list) => void db.prepare('DELETE FROM audit_events WHERE seq = ?').run(list[3]!.seq),
      expected: (list) => new RegExp(`^seq ${list[4]!.seq}: expected seq ${list[3]!.seq}`),
    },
    {
      what: 'two events swapped',
      edit: (db, list) => {
        const [a, b] = [list[3]!.seq, list[4]!.seq];
        db.prepare('UPDATE audit_events SET seq = -1 WHERE seq = ?').run(a);
        db.prepare('UPDATE audit_events SET seq = ? WHERE seq = ?').run(a, b);
        db.prepare('UPDATE audit_events SET seq = ? WHERE seq = -1').run(b);
      },
      expected: (list) => new RegExp(`^seq ${list[3]!.seq}: (prevHash does not link|hash does not match)`),
    },
  ];

  it.each(edits)('exposes $what', ({ what, edit, expected }) => {
    const copy = copyOfDb(what.replace(/\W+/g, '-'));
    const list = events(copy);
    expect(chainBreaks(list)).toEqual([]);
    withDb(copy, (db) => {
      db.exec('DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;');
      edit(db, list);
    });
    const breaks = chainBreaks(events(copy));
    expect(breaks.length).toBeGreaterThan(0);
    expect(breaks[0]).toMatch(expected(list));
  });
});

describe('denials are on record', () => {
  const denialsOf = (fingerprint: string) => events().filter((e) => e.actor === fingerprint && e.outcome === 'deny');

  it('a download refused for clearance is a deny event of that member, while the answer is a plain 404', async () => {
    const before = denialsOf(cast.people.pkLow.fingerprint).length;
    const res = await downloadBytes(cast.app, `/v1/packets/${packet.manifest.packetId}/parts/p1`, cast.tokens.pkLow);
    expectProblem({ ...res, body: JSON.parse((res.body as Buffer).toString('utf8')) as unknown }, 404);
    const denials = denialsOf(cast.people.pkLow.fingerprint);
    expect(denials).toHaveLength(before + 1);
    expect(denials.at(-1)).toMatchObject({ party: 'PK', action: 'GET /packets/:id/parts/:partId', outcome: 'deny' });
    expect(JSON.parse(denials.at(-1)!.detail)).toMatchObject({ status: 404, code: 'not-found' });
    expect(chainBreaks(events())).toEqual([]);
  });

  it('a download by a third party is a deny event too; the allowed download is an allow event naming the part', async () => {
    await downloadBytes(cast.app, `/v1/packets/${packet.manifest.packetId}/parts/p2`, cast.tokens.kzContact).expect(404);
    expect(denialsOf(cast.people.kzContact.fingerprint).at(-1)).toMatchObject({ party: 'KZ', action: 'GET /packets/:id/parts/:partId' });
    const allowed = events().filter((e) => e.action === 'part.download');
    expect(allowed).toEqual(expect.arrayContaining([expect.objectContaining({ actor: cast.people.pkContact.fingerprint, outcome: 'allow', object: `${packet.manifest.packetId}/p1` })]));
  });

  it('a refusal under a treaty article records the article', async () => {
    const toKz = await buildPacket({ sender: cast.people.ruContact, readers: [cast.people.ruContact, cast.people.ruClerk, cast.people.kzContact], date: now(), to: ['KZ'], labels: { RU: 'СОВЕРШЕННО СЕКРЕТНО', KZ: 'СОВЕРШЕННО СЕКРЕТНО' }, parts: [{ role: 'original', lang: 'en', text: `Information. ${CANARY}` }] });
    expectProblem(await uploadRequest(cast.app, cast.tokens.ruContact, toKz, true), 422, 'RU-PK Art. 7(4)');
    const denial = denialsOf(cast.people.ruContact.fingerprint).at(-1)!;
    expect(denial.action).toBe('POST /packets');
    expect(JSON.parse(denial.detail)).toEqual({ status: 422, code: 'treaty-rule', article: 'RU-PK Art. 7(4)' });
  });

  // The deny event names what was asked for: the request path (route parameters are gone by then).
  it('a denied download names the packet and part that were asked for', async () => {
    await downloadBytes(cast.app, `/v1/packets/${packet.manifest.packetId}/parts/p1`, cast.tokens.pkLow).expect(404);
    expect(denialsOf(cast.people.pkLow.fingerprint).at(-1)!.object).toBe(`/v1/packets/${packet.manifest.packetId}/parts/p1`);
  });
});
