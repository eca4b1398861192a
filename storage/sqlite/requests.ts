/**
 * The treaty workflow in SQLite: request state changes, oral requests, authenticity requests.
 * It stores ids, parties, states and times only, never the text of a request or its reasons.
 */
import type { AscendingFilter, Listings, OralListFilter } from '../listings.ts';
import type { RequestRepository } from '../repositories.ts';
import type { AuthenticityRequestRecord, OralRequestRecord, RequestEventRecord } from '../records.ts';
import type { SqliteGate } from './gate.ts';
import { toAuthenticity, toOralRequest, toRequestEvent, type Row } from './mappers.ts';

export class SqliteRequests implements RequestRepository {
  private readonly gate: SqliteGate;
  private readonly listings: Listings;

  constructor(gate: SqliteGate, listings: Listings) {
    this.gate = gate;
    this.listings = listings;
  }

  private get db() {
    return this.gate.db;
  }

  insertEvent(e: RequestEventRecord) {
    return this.gate.use(() => {
      this.db
        .prepare('INSERT INTO request_events (packet_id, party, state, scope, authority, related_packet, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(e.packetId, e.party, e.state, e.scope ?? null, e.authority ?? null, e.relatedPacket ?? null, e.actor, e.at);
    });
  }

  events(packetId: string, party?: string) {
    return this.gate.use(() =>
      (
        (party
          ? this.db.prepare('SELECT * FROM request_events WHERE packet_id = ? AND party = ? ORDER BY id').all(packetId, party)
          : this.db.prepare('SELECT * FROM request_events WHERE packet_id = ? ORDER BY id').all(packetId)) as Row[]
      ).map(toRequestEvent),
    );
  }

  insertOral(o: OralRequestRecord) {
    return this.gate.use(() => {
      this.db
        .prepare(
          `INSERT INTO oral_requests (id, agreement_id, requesting_party, requested_party, made_at, recorded_at, recorded_by)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(o.id, o.agreementId, o.requestingParty, o.requestedParty, o.madeAt, o.recordedAt, o.recordedBy);
    });
  }

  getOral(id: string) {
    return this.gate.use(() => {
      const row = this.db.prepare('SELECT * FROM oral_requests WHERE id = ?').get(id) as Row | undefined;
      return row ? toOralRequest(row) : undefined;
    });
  }

  oralPage(filter: OralListFilter) {
    return this.gate.use(() => this.listings.oralRequests(filter));
  }

  oralOfParty(party: string) {
    return this.gate.use(() => (this.db.prepare('SELECT * FROM oral_requests WHERE requesting_party = ? OR requested_party = ? ORDER BY made_at, id').all(party, party) as Row[]).map(toOralRequest));
  }

  demandOralConfirmation(id: string, by: string, at: string) {
    return this.gate.use(() => this.db.prepare('UPDATE oral_requests SET demanded_at = ?, demanded_by = ? WHERE id = ? AND demanded_at IS NULL AND confirmed_at IS NULL').run(at, by, id).changes === 1);
  }

  confirmOral(id: string, packetId: string, at: string) {
    return this.gate.use(() => this.db.prepare('UPDATE oral_requests SET confirmed_by = ?, confirmed_at = ? WHERE id = ? AND confirmed_by IS NULL').run(packetId, at, id).changes === 1);
  }

  insertAuthenticity(a: Omit<AuthenticityRequestRecord, 'confirmation' | 'confirmationSignature' | 'confirmedBy' | 'confirmedAt'>) {
    return this.gate.use(() => {
      this.db.prepare('INSERT INTO authenticity_requests (id, packet_id, requested_by, requesting_party, requested_at) VALUES (?, ?, ?, ?, ?)').run(a.id, a.packetId, a.requestedBy, a.requestingParty, a.requestedAt);
    });
  }

  getAuthenticity(id: string) {
    return this.gate.use(() => {
      const row = this.db.prepare('SELECT * FROM authenticity_requests WHERE id = ?').get(id) as Row | undefined;
      return row ? toAuthenticity(row) : undefined;
    });
  }

  authenticityPage(f: AscendingFilter & { packetId: string }) {
    return this.gate.use(() => {
      const page = this.listings.ascending('authenticityOfPacket', f);
      return { items: page.rows.map(toAuthenticity), nextCursor: page.nextCursor };
    });
  }

  openAuthenticityFor(party: string) {
    return this.gate.use(() =>
      (
        this.db
          .prepare(
            `SELECT q.* FROM packet_access a JOIN authenticity_requests q ON q.packet_id = a.packet_id
             WHERE a.party = ? AND q.confirmed_at IS NULL ORDER BY q.requested_at, q.id`,
          )
          .all(party) as Row[]
      ).map(toAuthenticity),
    );
  }

  recordAuthenticityConfirmation(id: string, c: { confirmation: string; signature: string; confirmedBy: string; confirmedAt: string }) {
    return this.gate.use(
      () =>
        this.db
          .prepare('UPDATE authenticity_requests SET confirmation = ?, confirmation_signature = ?, confirmed_by = ?, confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL')
          .run(c.confirmation, c.signature, c.confirmedBy, c.confirmedAt, id).changes === 1,
    );
  }
}
