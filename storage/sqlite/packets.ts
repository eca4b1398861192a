/**
 * Packets, their signed revisions, parts and extra key wraps, in SQLite. Listings are read from
 * the access tables (storage/listings.ts), never by scanning packets.
 */
import type { ManifestPart } from '../../protocol/manifest.ts';
import type { AwaitingWrapFilter, Listings, PacketListFilter } from '../listings.ts';
import type { PacketRepository } from '../repositories.ts';
import type { PacketRecord, WrapRecord } from '../records.ts';
import type { SqliteGate } from './gate.ts';
import { toPacket, toPart, type Row } from './mappers.ts';

export class SqlitePackets implements PacketRepository {
  private readonly gate: SqliteGate;
  private readonly listings: Listings;

  constructor(gate: SqliteGate, listings: Listings) {
    this.gate = gate;
    this.listings = listings;
  }

  private get db() {
    return this.gate.db;
  }

  insert(p: PacketRecord, parts: ManifestPart[], readerKeyIds: Iterable<string>) {
    return this.gate.use(() => {
      this.db
        .prepare(
          `INSERT INTO packets (id, agreement_id, sender_party, sender_fingerprint, kind, level, labels, state, revision, created_at, submitted_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(p.id, p.agreementId, p.senderParty, p.senderFingerprint, p.kind, p.level, JSON.stringify(p.labels), p.state, p.revision, p.createdAt, p.submittedAt ?? null);
      const recipient = this.db.prepare('INSERT INTO packet_recipients (packet_id, party) VALUES (?, ?)');
      for (const party of p.recipients) recipient.run(p.id, party);
      this.insertRevision(p.id, p.revision, p.manifest, p.signature, p.senderFingerprint, p.createdAt);
      this.insertParts(p.id, parts, readerKeyIds);
    });
  }

  addRevision(packetId: string, revision: number, manifest: string, signature: string, signedBy: string, at: string, newParts: ManifestPart[], readerKeyIds: Iterable<string>) {
    return this.gate.use(() => {
      const moved = this.db.prepare("UPDATE packets SET revision = ? WHERE id = ? AND revision = ? AND state = 'draft'").run(revision, packetId, revision - 1).changes;
      if (moved !== 1) return false;
      this.insertRevision(packetId, revision, manifest, signature, signedBy, at);
      this.insertParts(packetId, newParts, readerKeyIds);
      return true;
    });
  }

  markSubmitted(packetId: string, at: string) {
    return this.gate.use(() => this.db.prepare("UPDATE packets SET state = 'submitted', submitted_at = ? WHERE id = ? AND state = 'draft'").run(at, packetId).changes === 1);
  }

  private insertRevision(packetId: string, revision: number, manifest: string, signature: string, signedBy: string, at: string): void {
    this.db.prepare('INSERT INTO packet_revisions (packet_id, revision, manifest, signature, signed_by, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(packetId, revision, manifest, signature, signedBy, at);
  }

  private insertParts(packetId: string, parts: ManifestPart[], readerKeyIds: Iterable<string>): void {
    const stmt = this.db.prepare('INSERT INTO parts (packet_id, part_id, role, lang, media_type, size, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const keyIds = [...readerKeyIds];
    for (const part of parts) {
      stmt.run(packetId, part.id, part.role, part.lang, part.mediaType, part.size, part.sha256);
      this.addPartReaders(packetId, part.id, keyIds);
    }
  }

  /** Record that a part now opens for these encryption keys (migration 010: who waits for a rewrap). */
  private addPartReaders(packetId: string, partId: string, keyIds: Iterable<string>): void {
    const stmt = this.db.prepare('INSERT OR IGNORE INTO part_readers (packet_id, part_id, key_id) VALUES (?, ?, ?)');
    for (const keyId of keyIds) stmt.run(packetId, partId, keyId);
  }

  get(id: string) {
    return this.gate.use(() => {
      const row = this.db
        .prepare(
          `SELECT p.*, r.manifest, r.signature FROM packets p
           JOIN packet_revisions r ON r.packet_id = p.id AND r.revision = p.revision WHERE p.id = ?`,
        )
        .get(id) as Row | undefined;
      return row ? toPacket(row) : undefined;
    });
  }

  partsOf(packetId: string) {
    return this.gate.use(() => (this.db.prepare('SELECT * FROM parts WHERE packet_id = ? ORDER BY part_id').all(packetId) as Row[]).map(toPart));
  }

  allBlobHashes() {
    return this.gate.use(() => new Set((this.db.prepare('SELECT DISTINCT sha256 FROM parts').all() as Row[]).map((r) => r.sha256 as string)));
  }

  page(filter: PacketListFilter) {
    return this.gate.use(() => this.listings.packets(filter));
  }

  awaitingWrapsPage(filter: AwaitingWrapFilter) {
    return this.gate.use(() => this.listings.awaitingWraps(filter));
  }

  submittedIdsFor(party: string, kind: string) {
    return this.gate.use(() =>
      (
        this.db
          .prepare(
            `SELECT p.id FROM packet_access a JOIN packets p ON p.id = a.packet_id
             WHERE a.party = ? AND a.relation IN ('sent', 'received') AND p.kind = ? AND p.state = 'submitted'
             ORDER BY p.submitted_at, p.id`,
          )
          .all(party, kind) as Row[]
      ).map((r) => r.id as string),
    );
  }

  insertWrap(w: WrapRecord) {
    return this.gate.use(() => {
      this.db.prepare('INSERT INTO wraps (packet_id, part_id, party, pkesk, release_id, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(w.packetId, w.partId, w.party, Buffer.from(w.pkesk), w.releaseId ?? null, w.createdAt);
      this.addPartReaders(w.packetId, w.partId, w.keyIds);
    });
  }

  wrapsFor(packetId: string, partId: string, party: string) {
    return this.gate.use(() => {
      const rows = this.db.prepare('SELECT pkesk FROM wraps WHERE packet_id = ? AND part_id = ? AND party = ? ORDER BY id').all(packetId, partId, party) as Row[];
      return Buffer.concat(rows.map((r) => r.pkesk as Buffer));
    });
  }
}
