/**
 * The audit log in SQLite: appended to the hash chain with the protocol's formula
 * (protocol/evidence.ts: auditEventHash, AUDIT_GENESIS), so the writer and every verifier share
 * one; triggers (migrations 005, 006) refuse UPDATE and DELETE. Signed checkpoints beside it.
 * It never updates or deletes an event, and never computes a hash its own way.
 */
import { canonicalize } from '../../protocol/canonical.ts';
import { AUDIT_GENESIS, auditEventHash } from '../../protocol/evidence.ts';
import type { AuditRepository } from '../repositories.ts';
import type { AuditEventInput, CheckpointRecord } from '../records.ts';
import type { SqliteGate } from './gate.ts';
import { toAudit, toCheckpoint, type Row } from './mappers.ts';

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
      return event;
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
