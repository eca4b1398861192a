/**
 * Listings at scale: every packet and release list is a page with a keyset cursor,
 * read by one query from an index. Seeds enough rows (by direct SQL) that a scan or a sort
 * would show in the query plan, and checks each page against a separately written reference
 * query: nothing skipped, nothing twice, newest first, filters and clearance applied.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../storage/db.ts';
import { ORAL_PAGE_SQL, PACKET_PAGE_SQL, RELEASE_PAGE_SQL } from '../../storage/listings.ts';
import { seedPackets, seededPacketId } from '../../scripts/seed.ts';
import { get, setUp, tearDown, type Cast } from '../security/support.ts';
import { sqliteOf } from '../helpers/world.ts';

const CAST = {
  ruContact: { name: 'Ivan Petrov', party: 'RU', roles: ['contact'], clearance: 'TOP SECRET' },
  pkContact: { name: 'Ayesha Khan', party: 'PK', roles: ['contact'], clearance: 'SECRET' },
  pkLow: { name: 'Bilal Ahmed', party: 'PK', roles: ['contact'], clearance: 'CONFIDENTIAL' },
} as const;
const COUNT = 30_000;
let cast: Cast<keyof typeof CAST>;

type Summary = { packetId: string; createdAt: string; level: string; kind: string; state: string; relation: string; recipients: string[] };
type Page = { items: Summary[]; nextCursor: string | null };

beforeAll(async () => {
  cast = await setUp(CAST);
  seedPackets(sqliteOf(cast.hub).db, {
    count: COUNT,
    pairs: [
      { from: 'RU', fromFingerprint: cast.people.ruContact.fingerprint, to: 'PK' },
      { from: 'PK', fromFingerprint: cast.people.pkContact.fingerprint, to: 'RU' },
    ],
    agreementId: 'RU-PK',
    levels: ['CONFIDENTIAL', 'SECRET', 'TOP SECRET'],
    start: new Date('2026-01-01T00:00:00Z'),
    draftEvery: 7,
  });
}, 120_000);
afterAll(() => tearDown(cast));

/** The reference: what PK may list in its inbox, written without the access table. */
function expectedInbox(levels: string[], extra = ''): string[] {
  const rows = sqliteOf(cast.hub).db
    .prepare(
      `SELECT p.id FROM packets p JOIN packet_recipients r ON r.packet_id = p.id
       WHERE r.party = 'PK' AND p.state = 'submitted' AND p.level IN (${levels.map((l) => `'${l}'`).join(',')}) ${extra}
       ORDER BY p.created_at DESC, p.id DESC`,
    )
    .all() as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

async function pageThrough(token: string, query: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await get(cast.app, `/v1/packets?${query}${cursor ? `&cursor=${cursor}` : ''}`, token).expect(200);
    const page = res.body as Page;
    ids.push(...page.items.map((p) => p.packetId));
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  return { ids, pages };
}

describe('the query plans', () => {
  const plan = (sql: string) =>
    (sqliteOf(cast.hub).db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ party: 'PK', folder: 'inbox', level0: 'SECRET', level1: null, level2: null, level3: null, agreement: null, kind: null, state: null, since: '', packet: null, afterAt: '~', afterId: '', limit: 51 }) as Array<{ detail: string }>).map((r) => r.detail);

  it.each([
    ['all packets', PACKET_PAGE_SQL.all, 'packet_access_all'],
    ['one folder', PACKET_PAGE_SQL.folder, 'packet_access_folder'],
    ['releases', RELEASE_PAGE_SQL, 'release_access_order'],
    ['oral requests', ORAL_PAGE_SQL, 'oral_access_order'],
  ])('%s: an index range, rows joined by key, no sort and no scan of a table', (_what, sql, index) => {
    const details = plan(sql);
    // The cursor and `since` bound the index range itself: a deep page costs what the first does.
    expect(details.some((d) => new RegExp(`USING (COVERING )?INDEX ${index} \\(party=\\?.*_at>\\? AND \\(\\w+_at,\\w+_id\\)<\\(\\?,\\?\\)\\)`).test(d))).toBe(true);
    expect(details.filter((d) => d.includes('TEMP B-TREE'))).toEqual([]);
    // Nothing is scanned: the readable levels are an IN list of parameters.
    expect(details.filter((d) => /^SCAN /.test(d))).toEqual([]);
  });
});

describe('paging through packets', () => {
  it('serves the inbox newest first, page by page, exactly as the reference query lists it', async () => {
    const { ids, pages } = await pageThrough(cast.tokens.pkContact, 'box=inbox&limit=500');
    const expected = expectedInbox(['CONFIDENTIAL', 'SECRET']);
    expect(expected.length).toBeGreaterThan(5_000);
    expect(ids).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 500) + (expected.length % 500 === 0 ? 1 : 0));
  });

  it('lists nothing above the reader\'s clearance', async () => {
    const { ids } = await pageThrough(cast.tokens.pkLow, 'box=inbox&limit=500');
    expect(ids).toEqual(expectedInbox(['CONFIDENTIAL']));
  });

  it('applies every filter (kind, agreement, state, since) and the box', async () => {
    const since = '2026-01-01T00:00:20.000Z';
    const { ids } = await pageThrough(cast.tokens.pkContact, `box=inbox&kind=request&agreement=RU-PK&state=submitted&since=${since}&limit=200`);
    expect(ids).toEqual(expectedInbox(['CONFIDENTIAL', 'SECRET'], `AND p.kind = 'request' AND p.created_at >= '${since}'`));
    // The same instant written without milliseconds selects the same packets (stored times carry them).
    const bare = await pageThrough(cast.tokens.pkContact, `box=inbox&kind=request&agreement=RU-PK&state=submitted&since=2026-01-01T00:00:20Z&limit=200`);
    expect(bare.ids).toEqual(ids);
    const drafts = await pageThrough(cast.tokens.pkContact, 'box=drafts&limit=500');
    const expectedDrafts = (sqliteOf(cast.hub).db.prepare("SELECT id FROM packets WHERE sender_party = 'PK' AND state = 'draft' AND level IN ('CONFIDENTIAL','SECRET') ORDER BY created_at DESC, id DESC").all() as Array<{ id: string }>).map((r) => r.id);
    expect(drafts.ids).toEqual(expectedDrafts);
    const page = (await get(cast.app, '/v1/packets?box=sent&limit=5', cast.tokens.ruContact).expect(200)).body as Page;
    expect(page.items.every((p) => p.relation === 'sent' && p.state === 'submitted')).toBe(true);
    expect(page.items.map((p) => p.recipients)).toEqual(page.items.map(() => ['PK']));
  });

  it('keeps its place while new packets arrive: no packet skipped or listed twice', async () => {
    const first = (await get(cast.app, '/v1/packets?box=inbox&limit=50', cast.tokens.pkContact).expect(200)).body as Page;
    seedPackets(sqliteOf(cast.hub).db, {
      count: 20,
      pairs: [{ from: 'RU', fromFingerprint: cast.people.ruContact.fingerprint, to: 'PK' }],
      agreementId: 'RU-PK',
      levels: ['SECRET'],
      start: new Date('2026-06-01T00:00:00Z'),
    }, 'a7e00000');
    const second = (await get(cast.app, `/v1/packets?box=inbox&limit=50&cursor=${first.nextCursor}`, cast.tokens.pkContact).expect(200)).body as Page;
    const before = expectedInbox(['CONFIDENTIAL', 'SECRET'], "AND p.id NOT LIKE 'a7e00000-%'");
    expect([...first.items, ...second.items].map((p) => p.packetId)).toEqual(before.slice(0, 100));
  });

  it.each([
    ['a cursor that was not handed out', 'cursor=bm90LWEtY3Vyc29y', /cursor/],
    ['a limit of 0', 'limit=0', /limit/],
    ['a limit above the maximum', 'limit=501', /limit/],
    ['an unknown filter', 'colour=red', /colour|unrecognized/i],
    ['a date that is not one', 'since=yesterday', /since/],
  ])('answers 400 naming the problem for %s', async (_what, query, named) => {
    const res = await get(cast.app, `/v1/packets?${query}`, cast.tokens.pkContact).expect(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body.detail).toMatch(named);
  });
});

describe('paging through releases', () => {
  it('lists the releases of a party by keyset, for packets it is cleared for', async () => {
    const db = sqliteOf(cast.hub).db;
    const packets = expectedInbox(['CONFIDENTIAL', 'SECRET', 'TOP SECRET']).slice(0, 120);
    const insert = db.prepare("INSERT INTO releases (id, packet_id, requested_by, requesting_party, third_party, purpose, state, requested_at) VALUES (?, ?, ?, 'PK', 'KZ', 'Joint investigation', 'requested', ?)");
    db.transaction(() => packets.forEach((id, i) => insert.run(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, id, cast.people.pkContact.fingerprint, new Date(Date.UTC(2026, 2, 1, 0, 0, i)).toISOString())))();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(cast.app, `/v1/releases?limit=25${cursor ? `&cursor=${cursor}` : ''}`, cast.tokens.pkContact).expect(200);
      const page = res.body as { items: Array<{ id: string; packetId: string }>; nextCursor: string | null };
      seen.push(...page.items.map((r) => r.packetId));
      cursor = page.nextCursor;
    } while (cursor);
    const levels = db.prepare('SELECT id, level FROM packets WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(packets)) as Array<{ id: string; level: string }>;
    const readable = new Set(levels.filter((l) => l.level !== 'TOP SECRET').map((l) => l.id));
    expect(seen).toEqual([...packets].reverse().filter((id) => readable.has(id)));
    // The originator lists them too.
    const ru = (await get(cast.app, '/v1/releases?limit=500&state=requested', cast.tokens.ruContact).expect(200)).body as { items: unknown[] };
    expect(ru.items).toHaveLength(packets.length);
  });
});

describe('paging through oral requests', () => {
  it('lists the oral requests a party made or received, newest first, by keyset', async () => {
    const db = sqliteOf(cast.hub).db;
    const insert = db.prepare("INSERT INTO oral_requests (id, agreement_id, requesting_party, requested_party, made_at, recorded_at, recorded_by) VALUES (?, 'RU-PK', ?, ?, ?, ?, ?)");
    const ids: string[] = [];
    db.transaction(() => {
      for (let i = 0; i < 70; i++) {
        const id = `0a000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
        const at = new Date(Date.UTC(2026, 3, 1, 0, 0, i)).toISOString();
        insert.run(id, i % 2 ? 'RU' : 'PK', i % 2 ? 'PK' : 'RU', at, at, cast.people.pkContact.fingerprint);
        ids.push(id);
      }
    })();
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await get(cast.app, `/v1/oral-requests?limit=20${cursor ? `&cursor=${cursor}` : ''}`, cast.tokens.pkContact).expect(200)).body as { items: Array<{ id: string }>; nextCursor: string | null };
      seen.push(...page.items.map((o) => o.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });
});

describe('the access table follows every way a packet becomes visible', () => {
  it('a recipient recorded after the packet was stored as submitted still gets it in its inbox', () => {
    const db = sqliteOf(cast.hub).db;
    const id = '0b000000-0000-4000-8000-000000000001';
    db.prepare("INSERT INTO packets (id, agreement_id, sender_party, sender_fingerprint, kind, level, labels, state, revision, created_at, submitted_at) VALUES (?, 'RU-PK', 'RU', ?, 'information', 'SECRET', '{}', 'submitted', 1, '2027-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z')").run(id, cast.people.ruContact.fingerprint);
    db.prepare("INSERT INTO packet_recipients (packet_id, party) VALUES (?, 'PK')").run(id);
    const rows = db.prepare('SELECT party, folder, relation FROM packet_access WHERE packet_id = ? ORDER BY party').all(id);
    expect(rows).toEqual([
      { party: 'PK', folder: 'inbox', relation: 'received' },
      { party: 'RU', folder: 'sent', relation: 'sent' },
    ]);
  });
});

describe("each packet's recipient list in its row (migration 012)", () => {
  const listOf = (id: string) => (sqliteOf(cast.hub).db.prepare('SELECT recipients FROM packets WHERE id = ?').get(id) as { recipients: string }).recipients;

  it('holds exactly the packet_recipients rows of every packet, sorted by party', () => {
    const db = sqliteOf(cast.hub).db;
    const differing = db
      .prepare("SELECT count(*) AS n FROM packets p WHERE p.recipients IS NOT (SELECT json_group_array(party ORDER BY party) FROM packet_recipients r WHERE r.packet_id = p.id)")
      .get() as { n: number };
    expect(differing.n).toBe(0);
    // Every seeded packet has its recipient.
    expect((db.prepare("SELECT count(*) AS n FROM packets WHERE recipients <> '[]'").get() as { n: number }).n).toBeGreaterThanOrEqual(COUNT);
  });

  it('follows a recipient added, changed or removed by any writer, and lists it', async () => {
    const db = sqliteOf(cast.hub).db;
    const id = '0b000000-0000-4000-8000-000000000002';
    db.prepare("INSERT INTO packets (id, agreement_id, sender_party, sender_fingerprint, kind, level, labels, state, revision, created_at, submitted_at) VALUES (?, 'RU-PK', 'RU', ?, 'information', 'SECRET', '{}', 'submitted', 1, '2027-02-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z')").run(id, cast.people.ruContact.fingerprint);
    db.prepare("INSERT INTO packet_revisions (packet_id, revision, manifest, signature, signed_by, created_at) VALUES (?, 1, '{}', '-', ?, '2027-02-01T00:00:00.000Z')").run(id, cast.people.ruContact.fingerprint);
    expect(listOf(id)).toBe('[]');
    db.prepare("INSERT INTO packet_recipients (packet_id, party) VALUES (?, 'PK')").run(id);
    db.prepare("INSERT INTO packet_recipients (packet_id, party) VALUES (?, 'KZ')").run(id);
    expect(listOf(id)).toBe('["KZ","PK"]');
    const page = (await get(cast.app, '/v1/packets?box=sent&limit=1', cast.tokens.ruContact).expect(200)).body as Page;
    expect(page.items.map((p) => [p.packetId, p.recipients])).toEqual([[id, ['KZ', 'PK']]]);
    const detail = (await get(cast.app, `/v1/packets/${id}`, cast.tokens.ruContact).expect(200)).body as Summary;
    expect(detail.recipients).toEqual(['KZ', 'PK']);
    db.prepare("UPDATE packet_recipients SET party = 'AZ' WHERE packet_id = ? AND party = 'KZ'").run(id);
    expect(listOf(id)).toBe('["AZ","PK"]');
    db.prepare("DELETE FROM packet_recipients WHERE packet_id = ? AND party = 'AZ'").run(id);
    expect(listOf(id)).toBe('["PK"]');
  });

  it('is filled for the packets a hub stored before it, when the hub is upgraded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'liaison-012-'));
    try {
      const file = join(dir, 'hub.db');
      let db = openDatabase(file);
      db.prepare("INSERT INTO members (fingerprint, party, name, roles, clearance, public_key, encryption_key_id, enrolled_at) VALUES (?, 'RU', 'x', '[]', 'SECRET', 'k', 'e', '2026-01-01T00:00:00.000Z')").run('A'.repeat(40));
      seedPackets(db, { count: 30, pairs: [{ from: 'RU', fromFingerprint: 'A'.repeat(40), to: 'PK' }], agreementId: 'RU-PK', levels: ['SECRET'], start: new Date('2026-01-01T00:00:00Z') });
      db.prepare("INSERT INTO packet_recipients (packet_id, party) VALUES (?, 'KZ')").run(seededPacketId(3));
      // The database as migration 011 left it: no column, no triggers.
      db.exec('DROP TRIGGER packets_recipients_on_insert; DROP TRIGGER packets_recipients_on_delete; DROP TRIGGER packets_recipients_on_update; ALTER TABLE packets DROP COLUMN recipients; PRAGMA user_version = 11');
      db.close();
      db = openDatabase(file);
      const rows = db.prepare('SELECT id, recipients FROM packets ORDER BY id').all() as Array<{ id: string; recipients: string }>;
      expect(rows).toHaveLength(30);
      expect(rows.filter((r) => r.recipients !== '["PK"]')).toEqual([{ id: seededPacketId(3), recipients: '["KZ","PK"]' }]);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('packets waiting for a rewrap (GET /v1/members/:fingerprint/awaiting-wraps)', () => {
  it('lists exactly the packets a part of which does not open for the key, at levels both members are cleared for, in bounded windows', async () => {
    const db = sqliteOf(cast.hub).db;
    const keyOf = (fpr: string) => (db.prepare('SELECT encryption_key_id AS k FROM members WHERE fingerprint = ?').get(fpr) as { k: string }).k;
    const low = keyOf(cast.people.pkLow.fingerprint);
    const ayesha = keyOf(cast.people.pkContact.fingerprint);
    // Every packet PK lists has two parts (the seed made p1 for most); every fiftieth one's second part does not open for Bilal.
    const listed = db.prepare("SELECT packet_id AS id FROM packet_access WHERE party = 'PK' ORDER BY packet_id").all() as Array<{ id: string }>;
    const part = db.prepare("INSERT OR IGNORE INTO parts (packet_id, part_id, role, lang, media_type, size, sha256) VALUES (?, ?, 'original', 'ru', 'text/plain', 1, ?)");
    const reader = db.prepare('INSERT INTO part_readers (packet_id, part_id, key_id) VALUES (?, ?, ?)');
    db.transaction(() => {
      listed.forEach(({ id }, i) => {
        for (const p of ['p1', 'p2']) {
          part.run(id, p, `${p}${i}`.padStart(64, '0'));
          reader.run(id, p, ayesha);
          if (p === 'p1' || i % 50 !== 0) reader.run(id, p, low);
        }
      });
    })();
    const waiting = new Set(listed.filter((_r, i) => i % 50 === 0).map((r) => r.id));
    // The reference: Bilal (CONFIDENTIAL) and Ayesha (SECRET) are both cleared for RESTRICTED and CONFIDENTIAL only.
    const visible = db
      .prepare("SELECT a.packet_id AS id FROM packet_access a JOIN packets p ON p.id = a.packet_id WHERE a.party = 'PK' AND p.level IN ('RESTRICTED', 'CONFIDENTIAL') ORDER BY a.created_at DESC, a.packet_id DESC")
      .all() as Array<{ id: string }>;
    const expected = visible.map((r) => r.id).filter((id) => waiting.has(id));

    const ids: string[] = [];
    let cursor: string | null = null;
    let shortPagesWithMore = 0;
    do {
      const res = await get(cast.app, `/v1/members/${cast.people.pkLow.fingerprint}/awaiting-wraps?limit=100${cursor ? `&cursor=${cursor}` : ''}`, cast.tokens.pkContact).expect(200);
      const page = res.body as Page;
      ids.push(...page.items.map((p) => p.packetId));
      cursor = page.nextCursor;
      if (cursor && page.items.length < 100) shortPagesWithMore++;
    } while (cursor);
    expect(ids).toEqual(expected);
    expect(expected.length).toBeGreaterThan(100);
    // No request read the whole listing: windows ended pages early at least once.
    expect(shortPagesWithMore).toBeGreaterThan(0);
    // Bilal asking for himself sees the same; a member of another party does not learn of them.
    const own = await get(cast.app, `/v1/members/${cast.people.pkLow.fingerprint}/awaiting-wraps?limit=5`, cast.tokens.pkLow).expect(200);
    expect((own.body as Page).items.map((p) => p.packetId)).toEqual(expected.slice(0, 5));
    await get(cast.app, `/v1/members/${cast.people.pkLow.fingerprint}/awaiting-wraps`, cast.tokens.ruContact).expect(404);
  });
});
