/**
 * Members, their statements, officer rotations and the contact directory, in SQLite.
 * SQL and mapping only: who may enroll, restate or revoke is decided by the server's policy.
 */
import type { AscendingFilter, Listings } from '../listings.ts';
import type { MemberRepository } from '../repositories.ts';
import type { ContactRecord, MemberRecord, MembershipUpdate, RevocationRecord, RotationRecord } from '../records.ts';
import type { SqliteGate } from './gate.ts';
import { toContact, toMember, toRotation, type Row } from './mappers.ts';

export class SqliteMembers implements MemberRepository {
  private readonly gate: SqliteGate;
  private readonly listings: Listings;

  constructor(gate: SqliteGate, listings: Listings) {
    this.gate = gate;
    this.listings = listings;
  }

  page(f: AscendingFilter & { party: string; includeRevoked: boolean }) {
    return this.gate.use(() => {
      const page = this.listings.ascending(f.includeRevoked ? 'membersWithRevoked' : 'members', f);
      return { items: page.rows.map(toMember), nextCursor: page.nextCursor };
    });
  }

  rotationPage(f: AscendingFilter & { party: string }) {
    return this.gate.use(() => {
      const page = this.listings.ascending('rotations', f);
      return { items: page.rows.map(toRotation), nextCursor: page.nextCursor };
    });
  }

  contactPage(f: AscendingFilter & { party: string }) {
    return this.gate.use(() => {
      const page = this.listings.ascending('contacts', f);
      return { items: page.rows.map(toContact), nextCursor: page.nextCursor };
    });
  }

  private get db() {
    return this.gate.db;
  }

  get(fingerprint: string) {
    return this.gate.use(() => {
      const row = this.db.prepare('SELECT * FROM members WHERE fingerprint = ?').get(fingerprint) as Row | undefined;
      return row ? toMember(row) : undefined;
    });
  }

  ofParty(party: string, options: { includeRevoked?: boolean } = {}) {
    const sql = options.includeRevoked
      ? 'SELECT * FROM members WHERE party = ? ORDER BY enrolled_at, fingerprint'
      : 'SELECT * FROM members WHERE party = ? AND revoked_at IS NULL ORDER BY enrolled_at, fingerprint';
    return this.gate.use(() => (this.db.prepare(sql).all(party) as Row[]).map(toMember));
  }

  parties() {
    return this.gate.use(() => (this.db.prepare('SELECT DISTINCT party FROM members ORDER BY party').all() as Row[]).map((r) => r.party as string));
  }

  insert(m: MemberRecord) {
    return this.gate.use(() => {
      this.db
        .prepare(
          `INSERT INTO members (fingerprint, party, name, roles, clearance, public_key, encryption_key_id, enrolled_at,
                                statement, statement_signature, valid_from, valid_until, key_expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          m.fingerprint, m.party, m.name, JSON.stringify(m.roles), m.clearance, m.publicKey, m.encryptionKeyId, m.enrolledAt,
          m.statement ?? null, m.statementSignature ?? null, m.validFrom ?? null, m.validUntil ?? null, m.keyExpiresAt ?? null,
        );
      if (m.statement && m.statementSignature) this.recordStatement(m.fingerprint, m.statement, m.statementSignature, m.enrolledAt);
    });
  }

  updateMembership(fingerprint: string, previous: string | undefined, u: MembershipUpdate) {
    return this.gate.use(() => {
      const changed = this.db
        .prepare('UPDATE members SET roles = ?, clearance = ?, valid_from = ?, valid_until = ?, statement = ?, statement_signature = ? WHERE fingerprint = ? AND statement IS ? AND revoked_at IS NULL')
        .run(JSON.stringify(u.roles), u.clearance, u.validFrom ?? null, u.validUntil ?? null, u.statement, u.signature, fingerprint, previous ?? null).changes;
      if (changed !== 1) return false;
      this.recordStatement(fingerprint, u.statement, u.signature, u.at);
      return true;
    });
  }

  private recordStatement(fingerprint: string, statement: string, signature: string, at: string): void {
    this.db.prepare('INSERT INTO member_statements (fingerprint, statement, signature, accepted_at) VALUES (?, ?, ?, ?)').run(fingerprint, statement, signature, at);
  }

  revoke(fingerprint: string, r: RevocationRecord) {
    // Its sessions stay until their next use, which the hub refuses (auth.ts: requireMember checks
    // the member on every request) with "this key cannot act any more", so the holder is told why.
    return this.gate.use(
      () =>
        this.db
          .prepare('UPDATE members SET revoked_at = ?, revocation_reason = ?, revocation = ?, revocation_signature = ? WHERE fingerprint = ? AND revoked_at IS NULL')
          .run(r.revokedAt, r.reason, r.revocation, r.signature, fingerprint).changes === 1,
    );
  }

  insertRotation(r: RotationRecord) {
    return this.gate.use(() => {
      this.db
        .prepare('INSERT INTO officer_rotations (party, from_fpr, to_fpr, statement, signature_from, signature_to, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(r.party, r.from, r.to, r.statement, r.signatureFrom, r.signatureTo, r.recordedAt);
    });
  }

  insertContact(c: Omit<ContactRecord, 'id'>) {
    return this.gate.use(() =>
      Number(
        this.db
          .prepare('INSERT INTO contacts (party, agreement_id, statement, signature, recorded_at, late) VALUES (?, ?, ?, ?, ?, ?)')
          .run(c.party, c.agreementId, c.statement, c.signature, c.recordedAt, c.late ? 1 : 0).lastInsertRowid,
      ),
    );
  }
}
