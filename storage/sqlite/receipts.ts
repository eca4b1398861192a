/**
 * Receipts in SQLite: the hub's (signed after the transaction that fixed their statement) and
 * recipients' retrieval receipts.
 * It never signs anything (the hub's key is not here) and never changes a signed receipt.
 */
import type { AscendingFilter, Listings } from '../listings.ts';
import type { ReceiptRepository } from '../repositories.ts';
import type { ReceiptRecord } from '../records.ts';
import type { SqliteGate } from './gate.ts';
import { toReceipt, type Row } from './mappers.ts';

export class SqliteReceipts implements ReceiptRepository {
  private readonly gate: SqliteGate;

  private readonly listings: Listings;

  constructor(gate: SqliteGate, listings: Listings) {
    this.gate = gate;
    this.listings = listings;
  }

  pageOfPacket(f: AscendingFilter & { packetId: string }) {
    return this.gate.use(() => {
      const page = this.listings.ascending('receipts', f);
      return { items: page.rows.map(toReceipt), nextCursor: page.nextCursor };
    });
  }

  private get db() {
    return this.gate.db;
  }

  insert(r: ReceiptRecord) {
    return this.gate.use(() => {
      this.db
        .prepare('INSERT INTO receipts (id, packet_id, kind, issuer, party, statement, signature, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(r.id, r.packetId, r.kind, r.issuer, r.party, r.statement, r.signature ?? null, r.createdAt);
    });
  }

  ofPacket(packetId: string) {
    return this.gate.use(() => (this.db.prepare('SELECT * FROM receipts WHERE packet_id = ? ORDER BY created_at, rowid').all(packetId) as Row[]).map(toReceipt));
  }

  unsigned() {
    return this.gate.use(() =>
      (this.db.prepare('SELECT id, statement, created_at FROM receipts WHERE signature IS NULL ORDER BY rowid').all() as Row[]).map((r) => ({
        id: r.id as string,
        statement: r.statement as string,
        createdAt: r.created_at as string,
      })),
    );
  }

  hasUnsigned() {
    return this.gate.use(() => this.db.prepare('SELECT 1 FROM receipts WHERE signature IS NULL LIMIT 1').get() !== undefined);
  }

  sign(id: string, signature: string) {
    return this.gate.use(() => {
      this.db.prepare('UPDATE receipts SET signature = ? WHERE id = ? AND signature IS NULL').run(signature, id);
    });
  }
}
