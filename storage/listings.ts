/**
 * Paged listings: every list the hub serves is one page read by one query from an
 * index, with a keyset cursor (the sort key of the last row, never an offset), so a listing
 * costs the same at the millionth packet as at the tenth. The access tables it reads are kept
 * by triggers (migration 007). It decides where a party may look and filters by clearance; the
 * caller still applies every other rule. Cursors are opaque to clients and parsed strictly here.
 */
import type { PacketBox } from '../protocol/api.ts';
import type { Level } from '../protocol/levels.ts';
import type { PacketKind } from '../protocol/manifest.ts';
import type { ReleaseState } from '../protocol/release.ts';
import type { Db } from './db.ts';
import type { OralRequestRecord, PacketRecord, ReleaseRecord } from './records.ts';
import { toOralRequest, toPacketSummary, toRelease, type Row } from './sqlite/mappers.ts';

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Where a packet sits for a party: its own drafts and sent packets, or its inbox (the boxes of protocol/api.ts but `all`). */
type Folder = Exclude<PacketBox, 'all'>;

export interface PacketListFilter {
  party: string;
  /** Levels the reader is cleared for: packets marked above are not listed at all. */
  levels: readonly Level[];
  folder?: Folder | undefined;
  agreementId?: string | undefined;
  kind?: PacketKind | undefined;
  state?: 'draft' | 'submitted' | undefined;
  /** Only packets created at or after this instant (ISO 8601). */
  since?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface ReleaseListFilter {
  party: string;
  levels: readonly Level[];
  state?: ReleaseState | undefined;
  packetId?: string | undefined;
  since?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export class CursorError extends Error {
  override name = 'CursorError';
}

/** A keyset position: the sort key and the unique id of the last row of a page. */
function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError('the cursor is not one this hub handed out');
  }
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string' || typeof value[1] !== 'string' || value[0].length > 40 || value[1].length > 200) {
    throw new CursorError('the cursor is not one this hub handed out');
  }
  return { at: value[0], id: value[1] };
}

/**
 * A keyset position in one named list, for the lists added after the packet listings: the list's
 * name, the sort key and the unique tie-breaker of the last row read. A cursor of one list is
 * refused by every other, and one that was not handed out is refused whole (a 400), never
 * half-read. `id` says what the tie-breaker must look like in this list.
 */
export function encodeListCursor(list: string, at: string, id: string | number): string {
  return Buffer.from(JSON.stringify([list, at, String(id)]), 'utf8').toString('base64url');
}

export function decodeListCursor(list: string, cursor: string, id: RegExp): { at: string; id: string } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError('the cursor is not one this hub handed out');
  }
  const ok = Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'string');
  if (!ok || (value as string[])[0] !== list) throw new CursorError(`the cursor is not one this hub handed out for this list`);
  const [, at, key] = value as [string, string, string];
  if (at.length > 40 || (at !== '' && Number.isNaN(Date.parse(at))) || !id.test(key)) throw new CursorError('the cursor is not one this hub handed out');
  return { at, id: key };
}

/** Tie-breakers as the lists store them. */
const CURSOR_IDS = {
  fingerprint: /^[0-9A-F]{40}$/,
  rowid: /^[1-9][0-9]{0,15}$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
} as const;

/** One page of a list in ascending keyset order, as rows: the caller maps, and filters by its rules. */
interface RowPage {
  rows: Row[];
  /** The position after the last row read (not the last row kept by the caller's filter); null on the last page. */
  nextCursor: string | null;
}

/** The lists read oldest first, each one statement over the index its comment names (test/http/list-pages.test.ts checks the plans). */
export const ASCENDING_PAGE_SQL = {
  // members_party_active / members_party_order (migration 011)
  members: `SELECT * FROM members INDEXED BY members_party_active WHERE party = @party AND revoked_at IS NULL
     AND (enrolled_at, fingerprint) > (@afterAt, @afterId) ORDER BY enrolled_at, fingerprint LIMIT @limit`,
  membersWithRevoked: `SELECT * FROM members INDEXED BY members_party_order WHERE party = @party
     AND (enrolled_at, fingerprint) > (@afterAt, @afterId) ORDER BY enrolled_at, fingerprint LIMIT @limit`,
  // officer_rotations_party (011); contacts_party (003) ends in the rowid
  rotations: `SELECT * FROM officer_rotations INDEXED BY officer_rotations_party WHERE party = @party AND id > @afterRow ORDER BY id LIMIT @limit`,
  contacts: `SELECT * FROM contacts INDEXED BY contacts_party WHERE party = @party AND id > @afterRow ORDER BY id LIMIT @limit`,
  // receipts_packet (005) ends in the rowid: (created_at, rowid) is the order the list always had
  receipts: `SELECT rowid AS position, * FROM receipts INDEXED BY receipts_packet WHERE packet_id = @packet
     AND (created_at, rowid) > (@afterAt, @afterRow) ORDER BY created_at, rowid LIMIT @limit`,
  // releases_packet_order (011); purpose changes are releases with a purpose_changes row (its primary key)
  releasesOfPacket: `SELECT * FROM releases l INDEXED BY releases_packet_order WHERE l.packet_id = @packet
     AND (l.requested_at, l.id) > (@afterAt, @afterId) ORDER BY l.requested_at, l.id LIMIT @limit`,
  purposeChangesOfPacket: `SELECT * FROM releases l INDEXED BY releases_packet_order WHERE l.packet_id = @packet
     AND EXISTS (SELECT 1 FROM purpose_changes c WHERE c.release_id = l.id)
     AND (l.requested_at, l.id) > (@afterAt, @afterId) ORDER BY l.requested_at, l.id LIMIT @limit`,
  // authenticity_requests_packet_order (011)
  authenticityOfPacket: `SELECT * FROM authenticity_requests INDEXED BY authenticity_requests_packet_order WHERE packet_id = @packet
     AND (requested_at, id) > (@afterAt, @afterId) ORDER BY requested_at, id LIMIT @limit`,
} as const;

type AscendingList = keyof typeof ASCENDING_PAGE_SQL;

/** How each ascending list names its rows' position: the sort key column and the tie-breaker. */
const ASCENDING_KEYS: Record<AscendingList, { at?: string; id: string; shape: RegExp }> = {
  members: { at: 'enrolled_at', id: 'fingerprint', shape: CURSOR_IDS.fingerprint },
  membersWithRevoked: { at: 'enrolled_at', id: 'fingerprint', shape: CURSOR_IDS.fingerprint },
  rotations: { id: 'id', shape: CURSOR_IDS.rowid },
  contacts: { id: 'id', shape: CURSOR_IDS.rowid },
  receipts: { at: 'created_at', id: 'position', shape: CURSOR_IDS.rowid },
  releasesOfPacket: { at: 'requested_at', id: 'id', shape: CURSOR_IDS.uuid },
  purposeChangesOfPacket: { at: 'requested_at', id: 'id', shape: CURSOR_IDS.uuid },
  authenticityOfPacket: { at: 'requested_at', id: 'id', shape: CURSOR_IDS.uuid },
};

/** What an ascending page is of: a party or a packet, and the page parameters. */
export interface AscendingFilter {
  party?: string;
  packetId?: string;
  limit: number;
  cursor?: string | undefined;
}

// The recipients are the packet row's own list (migration 012: kept by triggers, sorted by party).
// One statement per index: the folder listing and the all-folders listing read different ones.
// Optional filters are `(? IS NULL OR ...)` on the joined packet row, so the plan stays the index
// range scan on packet_access whatever is filtered; a very selective filter costs rows scanned.
const PACKET_COLUMNS = 'p.*, a.relation';
const PACKET_FILTERS = `
     AND p.level IN (@level0, @level1, @level2, @level3)
     AND (@agreement IS NULL OR p.agreement_id = @agreement)
     AND (@kind IS NULL OR p.kind = @kind)
     AND (@state IS NULL OR p.state = @state)
     AND a.created_at >= @since AND (a.created_at, a.packet_id) < (@afterAt, @afterId)`;
const PACKET_JOIN = 'JOIN packets p ON p.id = a.packet_id';

export const PACKET_PAGE_SQL = {
  all: `SELECT ${PACKET_COLUMNS} FROM packet_access a INDEXED BY packet_access_all ${PACKET_JOIN}
   WHERE a.party = @party ${PACKET_FILTERS}
   ORDER BY a.created_at DESC, a.packet_id DESC LIMIT @limit`,
  folder: `SELECT ${PACKET_COLUMNS} FROM packet_access a INDEXED BY packet_access_folder ${PACKET_JOIN}
   WHERE a.party = @party AND a.folder = @folder ${PACKET_FILTERS}
   ORDER BY a.created_at DESC, a.packet_id DESC LIMIT @limit`,
};

// A release is listed only to a party that may look at its packet at all (packet_access: sent,
// received, or released to it), the same rule as releaseVisibleTo (server/policy/visibility.ts)
// with clearance in `levels` and the member's standing checked by auth: the page needs no filter after it.
export const RELEASE_PAGE_SQL = `SELECT l.*, p.agreement_id AS packet_agreement, p.sender_party AS packet_sender
   FROM release_access a INDEXED BY release_access_order
   JOIN releases l ON l.id = a.release_id JOIN packets p ON p.id = l.packet_id
   WHERE a.party = @party
     AND p.level IN (@level0, @level1, @level2, @level3)
     AND EXISTS (SELECT 1 FROM packet_access x WHERE x.party = @party AND x.packet_id = l.packet_id)
     AND (@state IS NULL OR l.state = @state)
     AND (@packet IS NULL OR l.packet_id = @packet)
     AND a.requested_at >= @since AND (a.requested_at, a.release_id) < (@afterAt, @afterId)
   ORDER BY a.requested_at DESC, a.release_id DESC LIMIT @limit`;

/**
 * The packets a party lists, marked 1 where some part does not open for @keyId (no PKESK of the
 * upload and no wrap since: migration 010). Packets stored before migration 010 have no reader
 * rows and are never marked. Reads a bounded window of the party's listing, not the whole of it.
 */
const AWAITING_WRAP_SQL = `SELECT ${PACKET_COLUMNS},
     (EXISTS (SELECT 1 FROM part_readers r WHERE r.packet_id = p.id)
      AND EXISTS (SELECT 1 FROM parts t WHERE t.packet_id = p.id AND NOT EXISTS
        (SELECT 1 FROM part_readers r WHERE r.packet_id = t.packet_id AND r.part_id = t.part_id AND r.key_id = @keyId))) AS awaiting
   FROM packet_access a INDEXED BY packet_access_all ${PACKET_JOIN}
   WHERE a.party = @party
     AND p.level IN (SELECT value FROM json_each(@levels))
     AND a.created_at >= @since AND (a.created_at, a.packet_id) < (@afterAt, @afterId)
   ORDER BY a.created_at DESC, a.packet_id DESC LIMIT @window`;

/** How many listed packets one page of the awaiting-wrap listing reads at most (so no request scans a million rows). */
const AWAITING_WRAP_WINDOW = 2000;

export type AwaitingWrapFilter = Omit<PacketListFilter, 'folder' | 'agreementId' | 'kind' | 'state'> & { keyId: string };

/** A listed packet: its record without the manifest text, which the detail route serves. */
export const ORAL_PAGE_SQL = `SELECT o.* FROM oral_access a INDEXED BY oral_access_order
   JOIN oral_requests o ON o.id = a.oral_id
   WHERE a.party = @party AND a.made_at >= @since AND (a.made_at, a.oral_id) < (@afterAt, @afterId)
   ORDER BY a.made_at DESC, a.oral_id DESC LIMIT @limit`;

export interface OralListFilter {
  party: string;
  since?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface ListedPacket extends Omit<PacketRecord, 'manifest' | 'signature'> {
  relation: 'sent' | 'received' | 'released';
}

export interface ListedRelease extends ReleaseRecord {
  agreementId: string;
  originParty: string;
}

/**
 * The bounds of a page, always given, so both are ranges of the index scan (an `IS NULL OR`
 * form would make SQLite filter instead, reading every row before the cursor): with no cursor
 * the upper bound is above every ISO timestamp, with no `since` the lower one below.
 */
function keyset(cursor: string | undefined, since: string | undefined): { afterAt: string; afterId: string; since: string } {
  // Stored times are toISOString() text: `since` in the same form, so '…T10:00:00Z' keeps 10:00:00.5.
  const bounds = { since: since === undefined ? '' : new Date(since).toISOString() };
  if (!cursor) return { ...bounds, afterAt: '~', afterId: '' };
  const { at, id } = decodeCursor(cursor);
  return { ...bounds, afterAt: at, afterId: id };
}

/**
 * The readable levels as four parameters (there are four levels; absent ones bind NULL, which
 * matches nothing): an IN list of parameters costs nothing per row, where the JSON list it
 * replaces was a json_each scan per row, 30 % of the page query.
 */
function levelParams(levels: readonly Level[]): { level0: string | null; level1: string | null; level2: string | null; level3: string | null } {
  if (levels.length > 4) throw new RangeError('there are four levels');
  return { level0: levels[0] ?? null, level1: levels[1] ?? null, level2: levels[2] ?? null, level3: levels[3] ?? null };
}

/** Read one more row than asked: its presence says whether there is a next page. */
function paged<T>(rows: Row[], limit: number, map: (r: Row) => T, key: (r: Row) => [string, string]): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept.at(-1);
  return { items: kept.map(map), nextCursor: more && last ? encodeCursor(...key(last)) : null };
}

/** Paged reads over the access tables; statements come from the connection's cache (db.ts). */
export class Listings {
  readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  packets(f: PacketListFilter): Page<ListedPacket> {
    const sql = f.folder ? PACKET_PAGE_SQL.folder : PACKET_PAGE_SQL.all;
    const rows = this.db.prepare(sql).all({
      party: f.party,
      ...(f.folder ? { folder: f.folder } : {}),
      ...levelParams(f.levels),
      agreement: f.agreementId ?? null,
      kind: f.kind ?? null,
      state: f.state ?? null,
      ...keyset(f.cursor, f.since),
      limit: f.limit + 1,
    }) as Row[];
    return paged(rows, f.limit, toListedPacket, (r) => [r.created_at as string, r.id as string]);
  }

  /**
   * The packets of `f.party` (at `f.levels`) that a part of does not open for the key `keyId`.
   * A page reads at most AWAITING_WRAP_WINDOW listed packets: it may hold fewer than `limit`
   * items and still have a next cursor (the position the window reached).
   */
  awaitingWraps(f: AwaitingWrapFilter): Page<ListedPacket> {
    const rows = this.db.prepare(AWAITING_WRAP_SQL).all({
      party: f.party,
      levels: JSON.stringify(f.levels),
      keyId: f.keyId,
      ...keyset(f.cursor, f.since),
      window: AWAITING_WRAP_WINDOW,
    }) as Row[];
    const items: ListedPacket[] = [];
    let stop: Row | undefined;
    for (const row of rows) {
      if (row.awaiting !== 1) continue;
      if (items.length === f.limit) break;
      items.push(toListedPacket(row));
      stop = row;
    }
    // The next page starts after the last item kept, or after the window when it was read whole.
    const full = rows.length === AWAITING_WRAP_WINDOW;
    const rest = stop ? rows.slice(rows.indexOf(stop) + 1).some((r) => r.awaiting === 1) : false;
    const position = rest ? stop : full ? rows.at(-1) : undefined;
    return { items, nextCursor: position ? encodeCursor(position.created_at as string, position.id as string) : null };
  }

  oralRequests(f: OralListFilter): Page<OralRequestRecord> {
    const rows = this.db.prepare(ORAL_PAGE_SQL).all({ party: f.party, ...keyset(f.cursor, f.since), limit: f.limit + 1 }) as Row[];
    return paged(rows, f.limit, toOralRequest, (r) => [r.made_at as string, r.id as string]);
  }

  /**
   * One page of an oldest-first list. The next cursor is the position after the last row read,
   * so a caller that drops rows by its visibility rule still pages through without gaps.
   */
  ascending(list: AscendingList, f: AscendingFilter): RowPage {
    const keys = ASCENDING_KEYS[list];
    // Names members/receipts and the others apart, so one list's cursor is refused by another.
    const name = list === 'membersWithRevoked' ? 'members' : list;
    const after = f.cursor ? decodeListCursor(name, f.cursor, keys.shape) : undefined;
    const rows = this.db.prepare(ASCENDING_PAGE_SQL[list]).all({
      ...(f.party === undefined ? {} : { party: f.party }),
      ...(f.packetId === undefined ? {} : { packet: f.packetId }),
      ...(keys.shape === CURSOR_IDS.rowid ? { afterRow: after ? Number(after.id) : 0 } : { afterId: after?.id ?? '' }),
      ...(keys.at ? { afterAt: after?.at ?? '' } : {}),
      limit: f.limit + 1,
    }) as Row[];
    const more = rows.length > f.limit;
    const kept = more ? rows.slice(0, f.limit) : rows;
    const last = kept.at(-1);
    return { rows: kept, nextCursor: more && last ? encodeListCursor(name, keys.at ? (last[keys.at] as string) : '', last[keys.id] as string | number) : null };
  }

  releases(f: ReleaseListFilter): Page<ListedRelease> {
    const rows = this.db.prepare(RELEASE_PAGE_SQL).all({
      party: f.party,
      ...levelParams(f.levels),
      state: f.state ?? null,
      packet: f.packetId ?? null,
      ...keyset(f.cursor, f.since),
      limit: f.limit + 1,
    }) as Row[];
    return paged(rows, f.limit, toListedRelease, (r) => [r.requested_at as string, r.id as string]);
  }
}

function toListedPacket(r: Row): ListedPacket {
  return { ...toPacketSummary(r), relation: r.relation as ListedPacket['relation'] };
}

function toListedRelease(r: Row): ListedRelease {
  return { ...toRelease(r), agreementId: r.packet_agreement as string, originParty: r.packet_sender as string };
}
