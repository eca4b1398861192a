/**
 * Releases to third parties and purpose changes, in SQLite; state changes are compare-and-set.
 * SQL and mapping only: who may decide or execute is the server's policy.
 */
import type { AscendingFilter, Listings, ReleaseListFilter } from '../listings.ts';
import type { ReleaseRepository } from '../repositories.ts';
import type { ReleaseDecisionRecord, ReleaseRecord } from '../records.ts';
import type { SqliteGate } from './gate.ts';
import { toRelease, type Row } from './mappers.ts';

export class SqliteReleases implements ReleaseRepository {
  private readonly gate: SqliteGate;
  private readonly listings: Listings;

  constructor(gate: SqliteGate, listings: Listings) {
    this.gate = gate;
    this.listings = listings;
  }

  private get db() {
    return this.gate.db;
  }

  insert(r: ReleaseRecord) {
    return this.gate.use(() => {
      this.db
        .prepare(
          `INSERT INTO releases (id, packet_id, requested_by, requesting_party, third_party, purpose, state, requested_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(r.id, r.packetId, r.requestedBy, r.requestingParty, r.thirdParty, r.purpose, r.state, r.requestedAt);
    });
  }

  get(id: string) {
    return this.gate.use(() => {
      const row = this.db.prepare('SELECT * FROM releases WHERE id = ?').get(id) as Row | undefined;
      return row ? toRelease(row) : undefined;
    });
  }

  ofPacket(packetId: string) {
    return this.gate.use(() => (this.db.prepare('SELECT * FROM releases WHERE packet_id = ? ORDER BY requested_at, id').all(packetId) as Row[]).map(toRelease));
  }

  pageOfPacket(f: AscendingFilter & { packetId: string; purposeChangesOnly: boolean }) {
    return this.gate.use(() => {
      const page = this.listings.ascending(f.purposeChangesOnly ? 'purposeChangesOfPacket' : 'releasesOfPacket', f);
      return { items: page.rows.map(toRelease), nextCursor: page.nextCursor };
    });
  }

  recordDecision(id: string, d: ReleaseDecisionRecord) {
    return this.gate.use(
      () =>
        this.db
          .prepare(
            `UPDATE releases SET state = ?, decision = ?, decision_signature = ?, decided_by = ?, decided_at = ?, expires_at = ?
             WHERE id = ? AND state = 'requested'`,
          )
          .run(d.state, d.decision, d.signature, d.decidedBy, d.decidedAt, d.expiresAt ?? null, id).changes === 1,
    );
  }

  markExecuted(id: string, at: string) {
    return this.gate.use(() => this.db.prepare("UPDATE releases SET state = 'executed', executed_at = ? WHERE id = ? AND state = 'consented'").run(at, id).changes === 1);
  }

  page(filter: ReleaseListFilter) {
    return this.gate.use(() => this.listings.releases(filter));
  }

  insertPurposeChange(releaseId: string, packetId: string, party: string) {
    return this.gate.use(() => {
      this.db.prepare('INSERT INTO purpose_changes (release_id, packet_id, party) VALUES (?, ?, ?)').run(releaseId, packetId, party);
    });
  }

  isPurposeChange(releaseId: string) {
    return this.gate.use(() => this.db.prepare('SELECT 1 FROM purpose_changes WHERE release_id = ?').get(releaseId) !== undefined);
  }
}
