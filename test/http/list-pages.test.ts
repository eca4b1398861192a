/**
 * Every list is a page: the lists that used to come back whole (a party's members,
 * rotations and contacts; a packet's receipts, releases, purpose changes and authenticity
 * requests; the deadlines; a party's view of the audit log) each page with a keyset cursor over
 * an index. For each: more rows than a page, walked page by page and held against the whole set
 * (written here by its own query), in order, nothing twice; rows added between two pages are
 * not lost; a cursor that is not the hub's is a 400 problem; the rows a caller may not see stay
 * out of every page (the same rules as before); and the query plan is an index range, no sort.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ABOUT_PACKET_SQL, AUDIT_PARTY_PAGE_SQL } from '../../storage/sqlite/audit.ts';
import { ASCENDING_PAGE_SQL, encodeListCursor } from '../../storage/listings.ts';
import { MerkleTree, auditEventHash, idsNamedBy, parseStatement, Checkpoint, verifyInclusion, type AuditEvent } from '../../protocol/evidence.ts';
import { seedPackets, seededPacketId } from '../../scripts/seed.ts';
import { expectProblem, get, setUp, tearDown, type Cast } from '../security/support.ts';
import { sqliteOf } from '../helpers/world.ts';

const CAST = {
  ruContact: { name: 'Ivan Petrov', party: 'RU', roles: ['contact'], clearance: 'TOP SECRET' },
  pkContact: { name: 'Ayesha Khan', party: 'PK', roles: ['contact'], clearance: 'SECRET' },
} as const;
let cast: Cast<keyof typeof CAST>;

/** RU -> PK and PK -> RU, all SECRET; one TOP SECRET packet PK's contact may not see. */
const COUNT = 60;
const X = seededPacketId(0);
const HIDDEN = seededPacketId(0, '70950000');
const SIG = '-----BEGIN PGP SIGNATURE-----\nseeded\n-----END PGP SIGNATURE-----';
let seq = 0;
/** Distinct, increasing times, with pairs of equal ones so that the tie-breakers are exercised. */
const at = (i: number) => new Date(Date.UTC(2026, 0, 2) + Math.floor(i / 2) * 1000).toISOString();

const db = () => sqliteOf(cast.hub).db;
const fpr = () => randomUUID().replace(/-/g, '').slice(0, 32).toUpperCase() + String(seq++).padStart(8, '0');

function seedMember(party: string, enrolledAt: string, revoked: boolean): void {
  db()
    .prepare(`INSERT INTO members (fingerprint, party, name, roles, clearance, public_key, encryption_key_id, enrolled_at, revoked_at)
              VALUES (?, ?, 'Seeded Member', '["contact"]', 'SECRET', '-----BEGIN PGP PUBLIC KEY BLOCK-----', '0000000000000000', ?, ?)`)
    .run(fpr(), party, enrolledAt, revoked ? enrolledAt : null);
}
const seedRotation = (i: number) =>
  db().prepare("INSERT INTO officer_rotations (party, from_fpr, to_fpr, statement, signature_from, signature_to, recorded_at) VALUES ('PK', ?, ?, '{}', ?, ?, ?)").run(fpr(), cast.people.pkContact.fingerprint, SIG, SIG, at(i));
const seedContact = (i: number) => db().prepare("INSERT INTO contacts (party, agreement_id, statement, signature, recorded_at, late) VALUES ('PK', 'RU-PK', '{}', ?, ?, 0)").run(SIG, at(i));
const seedReceipt = (i: number, party: string) =>
  db().prepare("INSERT INTO receipts (id, packet_id, kind, issuer, party, statement, signature, created_at) VALUES (?, ?, 'made-available', 'HUB', ?, ?, ?, ?)").run(randomUUID(), X, party, `{"n":${i}}`, SIG, at(i));
function seedRelease(i: number, requester: 'RU' | 'PK', purposeChange: boolean): string {
  const id = randomUUID();
  const by = requester === 'PK' ? cast.people.pkContact.fingerprint : cast.people.ruContact.fingerprint;
  db().prepare("INSERT INTO releases (id, packet_id, requested_by, requesting_party, third_party, purpose, state, requested_at) VALUES (?, ?, ?, ?, ?, 'seeded purpose', 'requested', ?)").run(id, X, by, requester, purposeChange ? requester : 'KZ', at(i));
  if (purposeChange) db().prepare('INSERT INTO purpose_changes (release_id, packet_id, party) VALUES (?, ?, ?)').run(id, X, requester);
  return id;
}
const seedAuthenticity = (i: number, requester: 'RU' | 'PK') =>
  db().prepare('INSERT INTO authenticity_requests (id, packet_id, requested_by, requesting_party, requested_at) VALUES (?, ?, ?, ?, ?)').run(randomUUID(), X, requester === 'PK' ? cast.people.pkContact.fingerprint : cast.people.ruContact.fingerprint, requester, at(i));
const appendEvent = (party: string, object: string) =>
  sqliteOf(cast.hub).audit.append({ at: new Date().toISOString(), actor: cast.people.pkContact.fingerprint, party, action: 'part.download', object, outcome: 'allow', detail: {} });

beforeAll(async () => {
  cast = await setUp(CAST);
  const pairs = [
    { from: 'RU', fromFingerprint: cast.people.ruContact.fingerprint, to: 'PK' },
    { from: 'PK', fromFingerprint: cast.people.pkContact.fingerprint, to: 'RU' },
  ];
  seedPackets(db(), { count: COUNT, pairs, agreementId: 'RU-PK', levels: ['SECRET'], start: new Date('2026-01-01T00:00:00Z') });
  seedPackets(db(), { count: 1, pairs, agreementId: 'RU-PK', levels: ['TOP SECRET'], start: new Date('2026-01-01T01:00:00Z') }, '70950000');
  for (let i = 0; i < 23; i++) seedMember('PK', at(i), i % 4 === 1);
  for (let i = 0; i < 13; i++) seedRotation(i);
  for (let i = 0; i < 13; i++) seedContact(i);
  for (let i = 0; i < 17; i++) seedReceipt(i, i % 3 === 0 ? 'RU' : 'PK');
  for (let i = 0; i < 15; i++) seedRelease(i, i % 3 === 0 ? 'RU' : 'PK', i % 2 === 0);
  for (let i = 0; i < 11; i++) seedAuthenticity(i, i % 3 === 0 ? 'RU' : 'PK');
  for (let i = 0; i < 40; i++) await appendEvent(i % 5 === 0 ? 'RU' : 'PK', i % 3 === 0 ? `/packets/${X}` : i % 3 === 1 ? `/packets/${HIDDEN}` : 'no object');
}, 120_000);
afterAll(() => tearDown(cast));

type PageBody<T> = { items: T[]; nextCursor: string | null };

/** Walk a list page by page; `between` runs after the first page (rows added while paging). */
async function walk<T>(path: string, token: string, limit: number, between?: () => void | Promise<void>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await get(cast.app, `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, token).expect(200);
    const body = res.body as PageBody<T>;
    expect(body.items.length).toBeLessThanOrEqual(limit);
    items.push(...body.items);
    cursor = body.nextCursor;
    pages++;
    if (pages === 1) await between?.();
  } while (cursor);
  return { items, pages };
}

const rows = (sql: string, ...args: unknown[]) => db().prepare(sql).all(...args) as Array<Record<string, unknown>>;

describe('the lists of a party and of a packet, oldest first', () => {
  const lists = [
    {
      what: 'members',
      path: '/v1/parties/PK/members',
      key: (m: Record<string, unknown>) => m.fingerprint,
      expected: () => rows("SELECT fingerprint AS k FROM members WHERE party = 'PK' AND revoked_at IS NULL ORDER BY enrolled_at, fingerprint"),
      add: () => void seedMember('PK', at(900), false),
    },
    {
      what: 'members with the revoked',
      path: '/v1/parties/PK/members?include=revoked',
      key: (m: Record<string, unknown>) => m.fingerprint,
      expected: () => rows("SELECT fingerprint AS k FROM members WHERE party = 'PK' ORDER BY enrolled_at, fingerprint"),
      add: () => void seedMember('PK', at(901), true),
    },
    {
      what: 'rotations',
      path: '/v1/parties/PK/rotations',
      key: (r: Record<string, unknown>) => r.from,
      expected: () => rows("SELECT from_fpr AS k FROM officer_rotations WHERE party = 'PK' ORDER BY id"),
      add: () => void seedRotation(902),
    },
    {
      what: 'contacts',
      path: '/v1/parties/PK/contacts',
      key: (c: Record<string, unknown>) => c.id,
      expected: () => rows("SELECT id AS k FROM contacts WHERE party = 'PK' ORDER BY id"),
      add: () => void seedContact(903),
    },
    {
      what: "a packet's receipts, as the sender (all of them)",
      token: 'ruContact' as const,
      path: `/v1/packets/${X}/receipts`,
      key: (r: Record<string, unknown>) => r.statement,
      expected: () => rows('SELECT statement AS k FROM receipts WHERE packet_id = ? AND signature IS NOT NULL ORDER BY created_at, rowid', X),
      add: () => void seedReceipt(904, 'RU'),
    },
    {
      what: "a packet's receipts, as a recipient (its own party's only)",
      path: `/v1/packets/${X}/receipts`,
      key: (r: Record<string, unknown>) => r.statement,
      expected: () => rows("SELECT statement AS k FROM receipts WHERE packet_id = ? AND signature IS NOT NULL AND party = 'PK' ORDER BY created_at, rowid", X),
      add: () => void seedReceipt(905, 'PK'),
    },
    {
      what: "a packet's releases, as a recipient (those it asked for)",
      path: `/v1/packets/${X}/releases`,
      key: (r: Record<string, unknown>) => r.id,
      expected: () => rows("SELECT id AS k FROM releases WHERE packet_id = ? AND requesting_party = 'PK' ORDER BY requested_at, id", X),
      add: () => void seedRelease(906, 'PK', false),
    },
    {
      what: "a packet's purpose changes, as the originator",
      token: 'ruContact' as const,
      path: `/v1/packets/${X}/purpose-changes`,
      key: (r: Record<string, unknown>) => r.id,
      expected: () => rows('SELECT l.id AS k FROM releases l JOIN purpose_changes c ON c.release_id = l.id WHERE l.packet_id = ? ORDER BY l.requested_at, l.id', X),
      add: () => void seedRelease(907, 'PK', true),
    },
    {
      what: "a packet's authenticity requests, as a recipient (its own)",
      path: `/v1/packets/${X}/authenticity`,
      key: (a: Record<string, unknown>) => a.id,
      expected: () => rows("SELECT id AS k FROM authenticity_requests WHERE packet_id = ? AND requesting_party = 'PK' ORDER BY requested_at, id", X),
      add: () => void seedAuthenticity(908, 'PK'),
    },
  ];

  it.each(lists)('$what: pages hold the whole set in order, once each, and a row added between pages is not lost', async (list) => {
    const token = cast.tokens[list.token ?? 'pkContact'];
    const before = list.expected().map((r) => r.k);
    expect(before.length).toBeGreaterThan(4);
    const { items, pages } = await walk<Record<string, unknown>>(list.path, token, 3, list.add);
    const after = list.expected().map((r) => r.k);
    expect(after.length).toBe(before.length + 1);
    expect(pages).toBeGreaterThan(1);
    expect(items.map(list.key)).toEqual(after);
    expect(new Set(items.map(list.key)).size).toBe(items.length);
    // One page of the largest size holds the same.
    const whole = (await get(cast.app, `${list.path}${list.path.includes('?') ? '&' : '?'}limit=500`, token).expect(200)).body as PageBody<Record<string, unknown>>;
    expect(whole.nextCursor).toBeNull();
    expect(whole.items.map(list.key)).toEqual(after);
  });

  it.each(lists)('$what: a cursor that is not the hub\'s is a 400 problem naming the cursor', async (list) => {
    const token = cast.tokens[list.token ?? 'pkContact'];
    const sep = list.path.includes('?') ? '&' : '?';
    for (const cursor of ['abc', encodeListCursor('some-other-list', '', '1'), Buffer.from('["members","not a date","x"]').toString('base64url'), Buffer.from('[1,2]').toString('base64url')]) {
      const problem = expectProblem(await get(cast.app, `${list.path}${sep}cursor=${cursor}`, token), 400);
      expect(problem.detail).toMatch(/cursor/);
    }
    expectProblem(await get(cast.app, `${list.path}${sep}limit=0`, token), 400);
    expectProblem(await get(cast.app, `${list.path}${sep}limit=501`, token), 400);
  });

  it('a cursor of one list is refused by another', async () => {
    const page = (await get(cast.app, '/v1/parties/PK/rotations?limit=2', cast.tokens.pkContact).expect(200)).body as PageBody<unknown>;
    expect(page.nextCursor).not.toBeNull();
    expectProblem(await get(cast.app, `/v1/parties/PK/contacts?cursor=${page.nextCursor}`, cast.tokens.pkContact), 400);
  });

  it('the lists about a packet are exactly as visible as the packet', async () => {
    for (const path of ['receipts', 'releases', 'purpose-changes', 'authenticity']) {
      expectProblem(await get(cast.app, `/v1/packets/${HIDDEN}/${path}`, cast.tokens.pkContact), 404);
    }
  });

  it.each(Object.entries(ASCENDING_PAGE_SQL))('%s: an index range in key order, no sort and no scan', (_name, sql) => {
    const plan = (db().prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ party: 'PK', packet: X, afterAt: '', afterId: '', afterRow: 0, limit: 51 }) as Array<{ detail: string }>).map((r) => r.detail);
    expect(plan.filter((d) => d.includes('TEMP B-TREE'))).toEqual([]);
    expect(plan.filter((d) => /^SCAN /.test(d))).toEqual([]);
    expect(plan.some((d) => /USING (COVERING )?INDEX \w+ \((party|packet_id)=\?/.test(d))).toBe(true);
  });
});

describe("a party's view of the audit log", () => {
  /** PK's contact (SECRET) may see: events naming only packets it can look at, and its own party's events naming nothing. */
  function expectedSeqs(size: number): number[] {
    const visible = new Set(rows("SELECT p.id AS id FROM packets p WHERE p.level IN ('RESTRICTED','CONFIDENTIAL','SECRET') AND (p.sender_party = 'PK' OR (p.state = 'submitted' AND EXISTS (SELECT 1 FROM packet_recipients r WHERE r.packet_id = p.id AND r.party = 'PK')))").map((r) => r.id as string));
    const events = rows('SELECT * FROM audit_events WHERE seq <= ? ORDER BY seq', size) as unknown as AuditEvent[];
    return events.filter((e) => {
      const ids = idsNamedBy(e);
      return ids.length === 0 ? e.party === 'PK' : ids.every((id) => visible.has(id));
    }).map((e) => e.seq);
  }

  type ProvenPage = PageBody<never> & { events: Array<{ event: AuditEvent; proof: string[] }>; checkpoint: { statement: string } };

  async function walkAudit(limit: number, between?: () => Promise<void>): Promise<{ seqs: number[]; size: number; pages: number }> {
    let cursor: string | null = null;
    let pages = 0;
    const seqs: number[] = [];
    let checkpoint: Checkpoint | undefined;
    do {
      const res = await get(cast.app, `/v1/audit?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, cast.tokens.pkContact).expect(200);
      const page = res.body as ProvenPage;
      const c = parseStatement(Checkpoint, page.checkpoint.statement)!;
      // Every page proves its events against a checkpoint of the size and root the first page fixed.
      checkpoint ??= c;
      expect([c.size, c.root]).toEqual([checkpoint.size, checkpoint.root]);
      for (const { event, proof } of page.events) expect(verifyInclusion(event.hash, event.seq - 1, c.size, proof, c.root)).toBe(true);
      expect(page.events.length).toBeLessThanOrEqual(limit);
      seqs.push(...page.events.map((e) => e.event.seq));
      cursor = page.nextCursor;
      pages++;
      if (pages === 1) await between?.();
    } while (cursor);
    // The stored tree's root is the root of the log itself.
    const hashes = (rows('SELECT hash FROM audit_events WHERE seq <= ? ORDER BY seq', checkpoint.size) as Array<{ hash: string }>).map((r) => r.hash);
    expect(checkpoint.root).toBe(new MerkleTree(hashes).root());
    return { seqs, size: checkpoint.size, pages };
  }

  it('pages through every event the party may see, in order, once each, each proven; events appended meanwhile wait for the next walk', async () => {
    const { seqs, size, pages } = await walkAudit(4, async () => {
      for (let i = 0; i < 5; i++) await appendEvent('PK', 'appended while paging');
    });
    expect(pages).toBeGreaterThan(3);
    expect(seqs).toEqual(expectedSeqs(size));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).not.toContain(size + 1);
    const again = await walkAudit(7);
    expect(again.size).toBeGreaterThanOrEqual(size + 5);
    expect(again.seqs).toEqual(expectedSeqs(again.size));
    expect(again.seqs.filter((s) => s > size).length).toBeGreaterThanOrEqual(5);
  });

  it('never shows an event about a packet above the caller\'s clearance, nor another party\'s events', async () => {
    const res = await get(cast.app, '/v1/audit?limit=500', cast.tokens.pkContact).expect(200);
    const events = (res.body as ProvenPage).events.map((e) => e.event);
    expect(events.some((e) => e.object.includes(X))).toBe(true);
    expect(events.filter((e) => e.object.includes(HIDDEN) || (idsNamedBy(e).length === 0 && e.party !== 'PK'))).toEqual([]);
  });

  it('filters by action and by time', async () => {
    const all = (await get(cast.app, '/v1/audit?limit=500', cast.tokens.pkContact).expect(200)).body as ProvenPage;
    const downloads = (await get(cast.app, '/v1/audit?limit=500&action=part.download', cast.tokens.pkContact).expect(200)).body as ProvenPage;
    expect(downloads.events.map((e) => e.event.seq)).toEqual(all.events.filter((e) => e.event.action === 'part.download').map((e) => e.event.seq));
    const middle = all.events[Math.floor(all.events.length / 2)]!.event.at;
    const since = (await get(cast.app, `/v1/audit?limit=500&since=${encodeURIComponent(middle)}`, cast.tokens.pkContact).expect(200)).body as ProvenPage;
    expect(since.events.map((e) => e.event.seq)).toEqual(all.events.filter((e) => e.event.at >= middle).map((e) => e.event.seq));
  });

  it('a cursor that is not the hub\'s, or points past the log, is a 400 problem', async () => {
    for (const cursor of ['abc', encodeListCursor('audit', '', '999999:0'), encodeListCursor('audit', '', '5:9'), encodeListCursor('members', '', '5:1')]) {
      expectProblem(await get(cast.app, `/v1/audit?cursor=${cursor}`, cast.tokens.pkContact), 400);
    }
  });

  it('reads the party\'s rows of the index and events by key: no scan, no sort', () => {
    for (const [sql, params] of [
      [AUDIT_PARTY_PAGE_SQL, { party: 'PK', after: 0, size: 100, window: 500 }],
      [AUDIT_ABOUT_PACKET_SQL, [X, 100]],
    ] as const) {
      const plan = (db().prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as Array<{ detail: string }>).map((r) => r.detail);
      expect(plan.filter((d) => d.includes('TEMP B-TREE'))).toEqual([]);
      expect(plan.filter((d) => /^SCAN /.test(d))).toEqual([]);
      expect(plan.some((d) => /SEARCH (a|o) USING PRIMARY KEY \((party|object_id)=\?/.test(d))).toBe(true);
    }
  });
});

describe('the deadlines', () => {
  type Deadline = { what: string; id: string; counterpart: string; due: string; dueAt?: string; whose: string };
  const key = (d: Deadline) => `${d.what}|${d.id}|${d.counterpart}`;

  it('pages through the whole list, most urgent first, once each; a request received meanwhile is not lost', async () => {
    const whole = ((await get(cast.app, '/v1/deadlines?limit=500', cast.tokens.pkContact).expect(200)).body as PageBody<Deadline>).items;
    expect(whole.length).toBeGreaterThan(10);
    const { items, pages } = await walk<Deadline>('/v1/deadlines', cast.tokens.pkContact, 4, () => {
      seedPackets(db(), { count: 1, pairs: [{ from: 'RU', fromFingerprint: cast.people.ruContact.fingerprint, to: 'PK' }], agreementId: 'RU-PK', levels: ['SECRET'], start: new Date('2026-02-01T00:00:00Z') }, '1a7e0000');
    });
    expect(pages).toBeGreaterThan(2);
    const now = ((await get(cast.app, '/v1/deadlines?limit=500', cast.tokens.pkContact).expect(200)).body as PageBody<Deadline>).items;
    expect(now.length).toBe(whole.length + 1);
    expect(items.map(key)).toEqual(now.map(key));
    expect(new Set(items.map(key)).size).toBe(items.length);
    const dueTimes = items.filter((d) => d.due !== 'no-deadline').map((d) => d.dueAt ?? '');
    expect(dueTimes).toEqual([...dueTimes].sort());
  });

  it('filters by due status and by whose move it is', async () => {
    const all = ((await get(cast.app, '/v1/deadlines?limit=500', cast.tokens.pkContact).expect(200)).body as PageBody<Deadline>).items;
    for (const [query, keep] of [
      ['whose=mine', (d: Deadline) => d.whose === 'mine'],
      ['whose=theirs', (d: Deadline) => d.whose === 'theirs'],
      ['due=overdue', (d: Deadline) => d.due === 'overdue'],
      ['what=execution&state=received', (d: Deadline) => d.what === 'execution'],
    ] as const) {
      const { items } = await walk<Deadline>(`/v1/deadlines?${query}`, cast.tokens.pkContact, 5);
      expect(items.map(key)).toEqual(all.filter(keep).map(key));
    }
    expectProblem(await get(cast.app, '/v1/deadlines?due=closed', cast.tokens.pkContact), 400);
    expectProblem(await get(cast.app, '/v1/deadlines?cursor=abc', cast.tokens.pkContact), 400);
  });
});

describe('events the append did not index (a store from before migration 011, or direct SQL)', () => {
  it('are indexed at the next start: the view holds them, proven, and an append in between heals the tree', async () => {
    const own = await setUp(CAST);
    try {
      const sql = sqliteOf(own.hub).db;
      const last = sql.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string };
      const insert = sql.prepare('INSERT INTO audit_events (seq, at, actor, party, action, object, outcome, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      let prev = last.hash;
      for (let s = last.seq + 1; s <= last.seq + 37; s++) {
        const base = { seq: s, at: new Date().toISOString(), actor: '-', party: 'PK', action: 'auth.login' as const, object: 'written by SQL', outcome: 'allow' as const, detail: '{}', prevHash: prev };
        const hash = auditEventHash(base);
        insert.run(base.seq, base.at, base.actor, base.party, base.action, base.object, base.outcome, base.detail, base.prevHash, hash);
        prev = hash;
      }
      // An append after them must not fail on the missing subtrees, nor mark them indexed.
      await sqliteOf(own.hub).audit.append({ at: new Date().toISOString(), actor: '-', party: 'PK', action: 'auth.login', object: 'appended after', outcome: 'allow', detail: {} });
      await own.hub.close();
      own.hub = await own.world.open();
      const view = (await get(own.hub.app, '/v1/audit?limit=500', own.tokens.pkContact).expect(200)).body as { events: Array<{ event: AuditEvent; proof: string[] }>; checkpoint: { statement: string } };
      const c = parseStatement(Checkpoint, view.checkpoint.statement)!;
      const written = view.events.filter((e) => e.event.object === 'written by SQL');
      expect(written).toHaveLength(37);
      for (const { event, proof } of view.events) expect(verifyInclusion(event.hash, event.seq - 1, c.size, proof, c.root)).toBe(true);
      expect(view.events.some((e) => e.event.object === 'appended after')).toBe(true);
    } finally {
      await tearDown(own);
    }
  }, 60_000);
});
