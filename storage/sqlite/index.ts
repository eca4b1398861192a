/**
 * The SQLite implementation of storage/repositories.ts: one better-sqlite3 connection (WAL,
 * foreign keys, secure delete: storage/db.ts), each SQL text prepared once per connection, one
 * repository per aggregate, transactions through the connection's gate (gate.ts: no two units of
 * work interleave; every write durable, by an fdatasync of the WAL off the event loop, before its
 * caller goes on), and group commit for concurrent uploads.
 */
import { GroupCommit, type Expected } from '../group-commit.ts';
import { openDatabase, walDurability, type Db } from '../db.ts';
import { Listings } from '../listings.ts';
import type { MetaRepository, Storage } from '../repositories.ts';
import { SqliteAudit } from './audit.ts';
import { SqliteGate } from './gate.ts';
import { SqliteMembers } from './members.ts';
import { SqlitePackets } from './packets.ts';
import { SqliteReceipts } from './receipts.ts';
import { SqliteReleases } from './releases.ts';
import { SqliteRequests } from './requests.ts';
import { SqliteSessions } from './sessions.ts';
import type { Row } from './mappers.ts';

class SqliteMeta implements MetaRepository {
  private readonly gate: SqliteGate;

  constructor(gate: SqliteGate) {
    this.gate = gate;
  }

  get(key: string) {
    return this.gate.use(() => {
      const row = this.gate.db.prepare('SELECT value FROM hub_meta WHERE key = ?').get(key) as Row | undefined;
      return row ? (row.value as string) : undefined;
    });
  }

  set(key: string, value: string) {
    return this.gate.use(() => {
      this.gate.db.prepare('INSERT INTO hub_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
    });
  }
}

export class SqliteStorage implements Storage {
  /** The connection, for tests and benchmarks that inspect query plans or tamper with rows; the hub never uses it directly. */
  readonly db: Db;
  readonly gate: SqliteGate;
  /** Concurrent uploads' rows committed together: one fsync per batch (storage/group-commit.ts). */
  readonly uploads: GroupCommit;
  readonly members: SqliteMembers;
  readonly sessions: SqliteSessions;
  readonly packets: SqlitePackets;
  readonly releases: SqliteReleases;
  readonly requests: SqliteRequests;
  readonly receipts: SqliteReceipts;
  readonly audit: SqliteAudit;
  readonly meta: SqliteMeta;

  private readonly wal: ReturnType<typeof walDurability>;

  constructor(path: string) {
    this.db = openDatabase(path);
    this.wal = walDurability(this.db);
    this.gate = new SqliteGate(this.db, this.wal.sync);
    this.uploads = new GroupCommit(this.gate);
    const listings = new Listings(this.db);
    this.members = new SqliteMembers(this.gate, listings);
    this.sessions = new SqliteSessions(this.gate);
    this.packets = new SqlitePackets(this.gate, listings);
    this.releases = new SqliteReleases(this.gate, listings);
    this.requests = new SqliteRequests(this.gate, listings);
    this.receipts = new SqliteReceipts(this.gate, listings);
    this.audit = new SqliteAudit(this.gate);
    this.meta = new SqliteMeta(this.gate);
  }

  transaction<T>(work: () => Promise<T>): Promise<T> {
    return this.gate.transaction(work);
  }

  groupCommit<T>(work: () => Promise<T>, announced?: Expected): Promise<T> {
    return this.uploads.run(work, announced);
  }

  announceCommit(): Expected {
    return this.uploads.expect();
  }

  async close(): Promise<void> {
    // Wait for a unit of work in flight, then close: nothing is cut off half-written.
    await this.gate.use(() => undefined);
    this.db.close();
    await this.wal.close();
  }
}

/** Open the hub's storage at `path`: the one place that chooses the implementation (SQLite today). */
export function openStorage(path: string): Storage {
  return new SqliteStorage(path);
}
