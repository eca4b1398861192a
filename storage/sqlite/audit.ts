/**
 * The audit log in SQLite: appended to the hash chain with the protocol's formula
 * (protocol/evidence.ts: auditEventHash, AUDIT_GENESIS), so the writer and every verifier share
 * one; triggers (migrations 005, 006) refuse UPDATE and DELETE. Signed checkpoints beside it.
 * It never updates or deletes an event, and never computes a hash its own way.
 *
 * Each append also indexes the event in the same step (migration 011): the ids it names
 * (audit_objects), the parties that may be shown it (audit_access, for a party's keyset page of
 * the log), and the complete subtrees of the Merkle tree it completes (audit_tree, so a root or
 * a proof is O(log^2 n) reads). The index says where a party may look; the hub still applies the
 * visibility rule of every object an event names before showing it.
 */
import { canonicalize } from '../../protocol/canonical.ts';
import { AUDIT_GENESIS, MerkleTree, auditEventHash, idsNamedBy, leafHash, merkleNode } from '../../protocol/evidence.ts';
import type { AuditEvent } from '../../protocol/evidence.ts';
import type { AuditPartyFilter, AuditProofs, AuditRepository } from '../repositories.ts';
import type { AuditEventInput, CheckpointRecord } from '../records.ts';
import type { SqliteGate } from './gate.ts';
import { toAudit, toCheckpoint, type Row } from './mappers.ts';

/**
 * The next events a party may look at, after a position and up to the size the page proves
 * against: the party's rows of audit_access (its primary key: a range seek), each event by its
 * key. The caller applies the filters and the visibility rules, and reads the next window if it needs more.
 */
export const AUDIT_PARTY_PAGE_SQL = `SELECT e.* FROM audit_access a JOIN audit_events e ON e.seq = a.seq
   WHERE a.party = @party AND a.seq > @after AND a.seq <= @size
   ORDER BY a.seq LIMIT @window`;

/** The events that name a packet (directly or through its releases and authenticity requests), by audit_objects. */
export const AUDIT_ABOUT_PACKET_SQL = `SELECT e.* FROM audit_objects o JOIN audit_events e ON e.seq = o.seq
   WHERE o.object_id = ? AND o.seq <= ? ORDER BY o.seq`;

export class SqliteAudit implements AuditRepository {
  private readonly gate: SqliteGate;
  private through: number | undefined;

  constructor(gate: SqliteGate) {
    this.gate = gate;
  }

  private get db() {
    return this.gate.db;
  }

  append(input: AuditEventInput) {
    // One synchronous step: reading the head and appending after it cannot be split by another append.
    return this.gate.use(() => {
      const last = this.db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1').get() as Row | undefined;
      const base = {
        seq: last ? (last.seq as number) + 1 : 1,
        at: input.at,
        actor: input.actor,
        party: input.party,
        action: input.action,
        object: input.object,
        outcome: input.outcome,
        detail: canonicalize(input.detail),
        prevHash: last ? (last.hash as string) : AUDIT_GENESIS,
      };
      const event = { ...base, hash: auditEventHash(base) };
      this.db
        .prepare(
          `INSERT INTO audit_events (seq, at, actor, party, action, object, outcome, detail, prev_hash, hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(event.seq, event.at, event.actor, event.party, event.action, event.object, event.outcome, event.detail, event.prevHash, event.hash);
      this.index(event);
      // The mark moves only over a contiguous log: events written around the append (a restore,
      // a benchmark's direct SQL) stay behind it and are indexed at the next start. At or past
      // the predecessor: an append rolled back with its transaction leaves the kept mark one ahead.
      if (this.indexedThrough() >= event.seq - 1) this.markIndexed(event.seq);
      return event;
    });
  }

  /** Index one event (see the header): its named ids, who may look, the subtrees it completes. */
  private index(event: AuditEvent): void {
    const ids = idsNamedBy(event);
    const access = this.db.prepare('INSERT OR IGNORE INTO audit_access (party, seq) VALUES (?, ?)');
    const object = this.db.prepare('INSERT OR IGNORE INTO audit_objects (object_id, seq) VALUES (?, ?)');
    if (ids.length === 0) access.run(event.party, event.seq);
    const packets = new Set<string>();
    for (const id of ids) {
      object.run(id, event.seq);
      packets.add(id);
      const about = this.db.prepare('SELECT packet_id FROM releases WHERE id = ? UNION ALL SELECT packet_id FROM authenticity_requests WHERE id = ?').get(id, id) as Row | undefined;
      if (about) {
        object.run(about.packet_id, event.seq);
        packets.add(about.packet_id as string);
      }
      const oral = this.db.prepare('SELECT requesting_party, requested_party FROM oral_requests WHERE id = ?').get(id) as Row | undefined;
      if (oral) {
        access.run(oral.requesting_party, event.seq);
        access.run(oral.requested_party, event.seq);
      }
    }
    // A party that gains access to one of these packets later gets the row by trigger (migration 011).
    const lookers = this.db.prepare('INSERT OR IGNORE INTO audit_access (party, seq) SELECT party, ? FROM packet_access INDEXED BY packet_access_packet WHERE packet_id = ?');
    for (const packet of packets) lookers.run(event.seq, packet);
    this.extendTree(event.seq, event.hash);
  }

  /** Store the subtrees that leaf `seq - 1` completes: one per trailing 1 bit of its index. */
  private extendTree(seq: number, hash: string): void {
    let level = 0;
    let index = seq - 1;
    let current = leafHash(hash);
    while (index % 2 === 1) {
      current = merkleNode(this.subtree(level, index - 1, true), current);
      level += 1;
      index = (index - 1) / 2;
      this.storeSubtree(level, index, current);
    }
  }

  private storeSubtree(level: number, index: number, hash: Uint8Array): void {
    // OR IGNORE: the backlog may pass over events an append already indexed; a subtree's hash never changes.
    this.db.prepare('INSERT OR IGNORE INTO audit_tree (level, idx, hash) VALUES (?, ?, ?)').run(level, index, Buffer.from(hash));
  }

  /**
   * The hash of the complete subtree `index` of 2^level leaves: a leaf from its event, above from
   * audit_tree. A subtree missing there (events written by direct SQL, not yet indexed) is
   * computed from its two halves, and stored when `keep` (the append and the backlog; a read never writes).
   */
  private subtree(level: number, index: number, keep = false): Uint8Array {
    if (level === 0) {
      const row = this.db.prepare('SELECT hash FROM audit_events WHERE seq = ?').get(index + 1) as Row | undefined;
      if (!row) throw new Error(`the audit log has no event ${index + 1}`);
      return leafHash(row.hash as string);
    }
    const row = this.db.prepare('SELECT hash FROM audit_tree WHERE level = ? AND idx = ?').get(level, index) as Row | undefined;
    if (row) return new Uint8Array(row.hash as Buffer);
    const hash = merkleNode(this.subtree(level - 1, 2 * index, keep), this.subtree(level - 1, 2 * index + 1, keep));
    if (keep) this.storeSubtree(level, index, hash);
    return hash;
  }

  /** The mark, read once per connection and then kept (only this connection's appends and backlog move it). */
  private indexedThrough(): number {
    this.through ??= Number((this.db.prepare("SELECT value FROM hub_meta WHERE key = 'audit-indexed-through'").get() as Row | undefined)?.value ?? 0);
    return this.through;
  }

  private markIndexed(seq: number): void {
    this.db.prepare("INSERT INTO hub_meta (key, value) VALUES ('audit-indexed-through', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(seq));
    this.through = seq;
  }

  /**
   * Index the events stored before migration 011 (or by a writer that did not index), in
   * transactions of 5,000 events, yielding to the event loop between them: the hub runs it once
   * at start, before it serves (server/hub.ts). Returns how many events it indexed.
   */
  async indexBacklog(): Promise<number> {
    const start = await this.gate.use(() => this.indexedThrough());
    let done = start;
    for (;;) {
      const more = await this.gate.transaction(() => {
        const rows = this.db.prepare('SELECT * FROM audit_events WHERE seq > ? ORDER BY seq LIMIT 5000').all(done) as Row[];
        for (const row of rows) {
          this.index(toAudit(row));
          done = row.seq as number;
        }
        if (rows.length > 0) this.markIndexed(done);
        return Promise.resolve(rows.length === 5000);
      });
      if (!more) return done - start;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  partyPage(f: AuditPartyFilter) {
    return this.gate.use(() => {
      const rows = this.db.prepare(AUDIT_PARTY_PAGE_SQL).all({ party: f.party, after: f.afterSeq, size: f.size, window: f.window }) as Row[];
      return rows.map(toAudit);
    });
  }

  eventAt(seq: number) {
    return this.gate.use(() => {
      const row = this.db.prepare('SELECT * FROM audit_events WHERE seq = ?').get(seq) as Row | undefined;
      return row ? toAudit(row) : undefined;
    });
  }

  aboutPacket(packetId: string, size: number) {
    return this.gate.use(() =>
      (this.db.prepare(AUDIT_ABOUT_PACKET_SQL).all(packetId, size) as Row[]).map(toAudit),
    );
  }

  proofs(size: number, seqs: readonly number[], fromSizes: readonly number[]) {
    return this.gate.use((): AuditProofs => {
      // Proofs of neighbouring events share most of their subtrees: read each once per call.
      const read = new Map<string, Uint8Array>();
      const tree = MerkleTree.fromSubtrees(size, (level, index) => {
        const key = `${level}/${index}`;
        let hash = read.get(key);
        if (!hash) read.set(key, (hash = this.subtree(level, index)));
        return hash;
      });
      return {
        root: tree.root(),
        inclusion: seqs.map((seq) => tree.inclusionProof(seq - 1, size)),
        consistency: fromSizes.map((fromSize) => ({ fromSize, proof: tree.consistencyProof(fromSize, size) })),
      };
    });
  }

  events() {
    return this.gate.use(() => (this.db.prepare('SELECT * FROM audit_events ORDER BY seq').all() as Row[]).map(toAudit));
  }

  page(afterSeq: number, limit: number) {
    return this.gate.use(() => (this.db.prepare('SELECT * FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as Row[]).map(toAudit));
  }

  checkpointAt(size: number) {
    return this.gate.use(() => {
      const row = this.db.prepare('SELECT size, statement, signature, created_at FROM checkpoints WHERE size = ?').get(size) as Row | undefined;
      return row ? toCheckpoint(row) : undefined;
    });
  }

  newestCheckpointSize() {
    return this.gate.use(() => ((this.db.prepare('SELECT max(size) AS size FROM checkpoints').get() as Row).size as number | null) ?? 0);
  }

  latest() {
    return this.gate.use(() => {
      const row = this.db.prepare('SELECT * FROM audit_events ORDER BY seq DESC LIMIT 1').get() as Row | undefined;
      return row ? toAudit(row) : undefined;
    });
  }

  insertCheckpoint(c: CheckpointRecord) {
    // Not INSERT OR IGNORE: the append-only guard trigger fires before a conflict is ignored. Of two
    // checkpoints of one size signed at once, the first stored stays and the other is dropped.
    return this.gate.use(() => {
      this.db
        .prepare('INSERT INTO checkpoints (size, statement, signature, created_at) SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM checkpoints WHERE size = ?)')
        .run(c.size, c.statement, c.signature, c.createdAt, c.size);
    });
  }

  hasCheckpoint(size: number) {
    return this.gate.use(() => this.db.prepare('SELECT 1 FROM checkpoints WHERE size = ?').get(size) !== undefined);
  }

  checkpoints() {
    return this.gate.use(() => (this.db.prepare('SELECT size, statement, signature, created_at FROM checkpoints ORDER BY size').all() as Row[]).map(toCheckpoint));
  }
}
