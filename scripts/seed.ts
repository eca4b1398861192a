/**
 * Seed a hub's database with many packet rows by direct SQL in one transaction, for the
 * benchmark and for the tests that must show a listing is served by an index (a missing index
 * only shows with enough rows). The rows are metadata only: there are no blobs behind them, so
 * a seeded packet can be listed and shown but not downloaded. Never used on a real hub.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Level } from '../protocol/levels.ts';

export interface SeedOptions {
  count: number;
  /** Senders and recipients alternate between these pairs, so every party has an inbox and a sent box. */
  pairs: Array<{ from: string; fromFingerprint: string; to: string }>;
  agreementId: string;
  levels: readonly Level[];
  /** The first packet's creation time; each next one is a millisecond later. */
  start: Date;
  /** Every n-th packet stays a draft. */
  draftEvery?: number;
}

/** The id of the i-th seeded packet: a UUID whose first group is `prefix` (8 hex digits). */
export function seededPacketId(i: number, prefix = '5eed0000'): string {
  return `${prefix}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

/** Insert `count` packets (with recipients, a revision and a part each) in one transaction. */
export function seedPackets(db: Database.Database, o: SeedOptions, prefix = '5eed0000'): void {
  const packet = db.prepare(
    `INSERT INTO packets (id, agreement_id, sender_party, sender_fingerprint, kind, level, labels, state, revision, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', 1, ?)`,
  );
  const revision = db.prepare("INSERT INTO packet_revisions (packet_id, revision, manifest, signature, signed_by, created_at) VALUES (?, 1, '{}', '-', ?, ?)");
  const recipient = db.prepare('INSERT INTO packet_recipients (packet_id, party) VALUES (?, ?)');
  const part = db.prepare("INSERT INTO parts (packet_id, part_id, role, lang, media_type, size, sha256) VALUES (?, 'p1', 'original', 'en', 'text/plain', 1, ?)");
  const submit = db.prepare("UPDATE packets SET state = 'submitted', submitted_at = ? WHERE id = ?");
  const kinds = ['request', 'reply', 'information'] as const;
  const start = o.start.getTime();
  db.transaction(() => {
    for (let i = 0; i < o.count; i++) {
      const pair = o.pairs[i % o.pairs.length]!;
      const id = seededPacketId(i, prefix);
      const at = new Date(start + i).toISOString();
      const level = o.levels[i % o.levels.length]!;
      packet.run(id, o.agreementId, pair.from, pair.fromFingerprint, kinds[i % kinds.length], level, JSON.stringify({ [pair.from]: level, [pair.to]: level }), at);
      revision.run(id, pair.fromFingerprint, at);
      recipient.run(id, pair.to);
      part.run(id, createHash('sha256').update(id).digest('hex'));
      if (!o.draftEvery || i % o.draftEvery !== 0) submit.run(at, id);
    }
  })();
}
