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
      this.db.prepare("INSERT INTO hub_meta (key, value) VALUES ('audit-indexed-through', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(event.seq));
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
    const insert = this.db.prepare('INSERT INTO audit_tree (level, idx, hash) VALUES (?, ?, ?)');
    while (index % 2 === 1) {
      current = merkleNode(this.subtree(level, index - 1), current);
      level += 1;
      index = (index - 1) / 2;
      insert.run(level, index, Buffer.from(current));
    }
  }

  /** The hash of the complete subtree `index` of 2^level leaves: a leaf from its event, above from audit_tree. */
  private subtree(level: number, index: number): Uint8Array {
    if (level === 0) {
      const row = this.db.prepare('SELECT hash FROM audit_events WHERE seq = ?').get(index + 1) as Row | undefined;
      if (!row) throw new Error(`the audit log has no event ${index + 1}`);
      return leafHash(row.hash as string);
    }
    const row = this.db.prepare('SELECT hash FROM audit_tree WHERE level = ? AND idx = ?').get(level, index) as Row | undefined;
    if (!row) throw new Error(`the audit tree has no subtree ${level}/${index}: it is behind the log`);
    return new Uint8Array(row.hash as Buffer);
  }

  /**
   * Index the events stored before migration 011 (or by a writer that did not index), in
   * transactions of 5,000 events: run once at open, before the hub serves. Returns how many.
   */
  indexBacklog(): number {
    const through = Number((this.db.prepare("SELECT value FROM hub_meta WHERE key = 'audit-indexed-through'").get() as Row | undefined)?.value ?? 0);
    const last = ((this.db.prepare('SELECT max(seq) AS seq FROM audit_events').get() as Row).seq as number | null) ?? 0;
    let done = through;
    while (done < last) {
      this.db.transaction(() => {
        for (const row of this.db.prepare('SELECT * FROM audit_events WHERE seq > ? ORDER BY seq LIMIT 5000').all(done) as Row[]) {
          this.index(toAudit(row));
          done = row.seq as number;
        }
        this.db.prepare("INSERT INTO hub_meta (key, value) VALUES ('audit-indexed-through', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(done));
      })();
    }
    return last - through;
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
      const tree = MerkleTree.fromSubtrees(size, (level, index) => this.subtree(level, index));
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
