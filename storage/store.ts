/**
 * Repositories over the hub's SQLite database, with the one mapper between rows and the domain
 * records the server works with. SQL lives here and nowhere else. Holds no plaintext and no
 * secrets: tokens and challenges are stored only as hashes.
 */
import { createHash } from 'node:crypto';
import { canonicalize } from '../protocol/canonical.ts';
import type { Level } from '../protocol/levels.ts';
import type { Role } from '../protocol/ids.ts';
import type { ManifestPart, PacketKind } from '../protocol/manifest.ts';
import type { ReleaseState } from '../protocol/release.ts';
import { openDatabase, type Db } from './db.ts';
import { GroupCommit } from './group-commit.ts';
import { Listings, type OralListFilter, type Page } from './listings.ts';

export interface MemberRecord {
  fingerprint: string;
  party: string;
  name: string;
  roles: Role[];
  clearance: Level;
  publicKey: string;
  encryptionKeyId: string;
  enrolledAt: string;
  revokedAt?: string;
  revocationReason?: string;
  /** The officer-signed membership statement (absent only for a party's bootstrap officer). */
  statement?: string;
  statementSignature?: string;
  /** From the statement: the member is not active before this instant. */
  validFrom?: string;
  validUntil?: string;
  keyExpiresAt?: string;
  revocation?: string;
  revocationSignature?: string;
}

export interface RotationRecord {
  party: string;
  from: string;
  to: string;
  statement: string;
  signatureFrom: string;
  signatureTo: string;
  recordedAt: string;
}

export interface ContactRecord {
  id: number;
  party: string;
  agreementId: string;
  statement: string;
  signature: string;
  recordedAt: string;
  late: boolean;
}

export interface PacketRecord {
  id: string;
  agreementId: string;
  senderParty: string;
  senderFingerprint: string;
  kind: PacketKind;
  level: Level;
  labels: Record<string, string>;
  state: 'draft' | 'submitted';
  revision: number;
  createdAt: string;
  submittedAt?: string;
  recipients: string[];
  manifest: string;
  signature: string;
}

export interface PartRecord extends ManifestPart {
  packetId: string;
}

export interface ReleaseRecord {
  id: string;
  packetId: string;
  requestedBy: string;
  requestingParty: string;
  thirdParty: string;
  purpose: string;
  state: ReleaseState;
  requestedAt: string;
  decision?: string;
  decisionSignature?: string;
  decidedBy?: string;
  decidedAt?: string;
  expiresAt?: string;
  executedAt?: string;
}

export interface AuditEventInput {
  at: string;
  actor: string;
  party: string;
  action: string;
  object: string;
  outcome: 'allow' | 'deny';
  detail: Record<string, unknown>;
}

export interface AuditEvent extends Omit<AuditEventInput, 'detail'> {
  seq: number;
  detail: string;
  prevHash: string;
  hash: string;
}

export const AUDIT_GENESIS = '0'.repeat(64);

/** The hash of one audit event, chained to its predecessor. */
export function auditEventHash(event: Omit<AuditEvent, 'hash'>): string {
  const { seq, at, actor, party, action, object, outcome, detail, prevHash } = event;
  return createHash('sha256')
    .update(canonicalize({ seq, at, actor, party, action, object, outcome, detail, prevHash }))
    .digest('hex');
}

type Row = Record<string, unknown>;

/**
 * A PRIMARY KEY or UNIQUE constraint refused an insert: someone else stored the same key first.
 * On the append-only tables the guard triggers of migration 006 say so before the key does.
 */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e?.code === 'SQLITE_CONSTRAINT_TRIGGER') return typeof e.message === 'string' && /append-only/.test(e.message);
  return e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}
const str = (v: unknown): string => v as string;
const opt = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : (v as string));

function toMember(r: Row): MemberRecord {
  return {
    fingerprint: str(r.fingerprint),
    party: str(r.party),
    name: str(r.name),
    roles: JSON.parse(str(r.roles)) as Role[],
    clearance: str(r.clearance) as Level,
    publicKey: str(r.public_key),
    encryptionKeyId: str(r.encryption_key_id),
    enrolledAt: str(r.enrolled_at),
    revokedAt: opt(r.revoked_at),
    revocationReason: opt(r.revocation_reason),
    statement: opt(r.statement),
    statementSignature: opt(r.statement_signature),
    validFrom: opt(r.valid_from),
    validUntil: opt(r.valid_until),
    keyExpiresAt: opt(r.key_expires_at),
    revocation: opt(r.revocation),
    revocationSignature: opt(r.revocation_signature),
  };
}

function toRelease(r: Row): ReleaseRecord {
  return {
    id: str(r.id),
    packetId: str(r.packet_id),
    requestedBy: str(r.requested_by),
    requestingParty: str(r.requesting_party),
    thirdParty: str(r.third_party),
    purpose: str(r.purpose),
    state: str(r.state) as ReleaseState,
    requestedAt: str(r.requested_at),
    decision: opt(r.decision),
    decisionSignature: opt(r.decision_signature),
    decidedBy: opt(r.decided_by),
    decidedAt: opt(r.decided_at),
    expiresAt: opt(r.expires_at),
    executedAt: opt(r.executed_at),
  };
}

function toPart(r: Row): PartRecord {
  return {
    packetId: str(r.packet_id),
    id: str(r.part_id),
    role: str(r.role) as PartRecord['role'],
    lang: str(r.lang),
    mediaType: str(r.media_type),
    size: r.size as number,
    sha256: str(r.sha256),
  };
}

function toAudit(r: Row): AuditEvent {
  return {
    seq: r.seq as number,
    at: str(r.at),
    actor: str(r.actor),
    party: str(r.party),
    action: str(r.action),
    object: str(r.object),
    outcome: str(r.outcome) as 'allow' | 'deny',
    detail: str(r.detail),
    prevHash: str(r.prev_hash),
    hash: str(r.hash),
  };
}

export class Store {
  readonly db: Db;
  /** Paged listings (keyset cursors over indexed access tables). */
  readonly listings: Listings;
  /** Concurrent uploads' rows committed together: one fsync per batch (storage/group-commit.ts). */
  readonly groupCommit: GroupCommit;

  constructor(path: string) {
    this.db = openDatabase(path);
    this.listings = new Listings(this.db);
    this.groupCommit = new GroupCommit(this.db);
  }

  close(): void {
    this.db.close();
  }

  /** Run `fn` in one transaction: every row and audit event of a decision commit together. */
  transaction<T>(fn: () => T): T {
    // IMMEDIATE: the write lock is taken before the first read, so a compare-and-set inside the
    // transaction can never be overtaken by another connection between its read and its write.
    return this.db.transaction(fn).immediate();
  }

  // --- hub metadata -----------------------------------------------------------------------

  getMeta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM hub_meta WHERE key = ?').get(key) as Row | undefined;
    return row ? str(row.value) : undefined;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO hub_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  // --- members ----------------------------------------------------------------------------

  insertMember(m: MemberRecord): void {
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
  }

  /**
   * A new statement for an enrolled member: roles, clearance and validity change from now.
   * Compare-and-set on the statement it replaces (`previous`), so of two statements that arrive
   * together only one lands; false when the member's statement changed meanwhile or it is revoked.
   */
  updateMembership(fingerprint: string, previous: string | undefined, u: { roles: Role[]; clearance: Level; validFrom?: string; validUntil?: string; statement: string; signature: string; at: string }): boolean {
    const changed = this.db
      .prepare('UPDATE members SET roles = ?, clearance = ?, valid_from = ?, valid_until = ?, statement = ?, statement_signature = ? WHERE fingerprint = ? AND statement IS ? AND revoked_at IS NULL')
      .run(JSON.stringify(u.roles), u.clearance, u.validFrom ?? null, u.validUntil ?? null, u.statement, u.signature, fingerprint, previous ?? null).changes;
    if (changed !== 1) return false;
    this.recordStatement(fingerprint, u.statement, u.signature, u.at);
    return true;
  }

  private recordStatement(fingerprint: string, statement: string, signature: string, at: string): void {
    this.db.prepare('INSERT INTO member_statements (fingerprint, statement, signature, accepted_at) VALUES (?, ?, ?, ?)').run(fingerprint, statement, signature, at);
  }

  /** Revoke once: false when the key was already revoked (the first revocation stands). */
  revokeMember(fingerprint: string, r: { revokedAt: string; reason: string; revocation: string; signature: string }): boolean {
    const changed = this.db
      .prepare('UPDATE members SET revoked_at = ?, revocation_reason = ?, revocation = ?, revocation_signature = ? WHERE fingerprint = ? AND revoked_at IS NULL')
      .run(r.revokedAt, r.reason, r.revocation, r.signature, fingerprint).changes;
    // Its sessions stay until their next use, which the hub refuses (auth.ts: requireMember checks
    // the member on every request) with "this key cannot act any more", so the holder is told why.
    return changed === 1;
  }

  insertRotation(r: RotationRecord): void {
    this.db
      .prepare('INSERT INTO officer_rotations (party, from_fpr, to_fpr, statement, signature_from, signature_to, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(r.party, r.from, r.to, r.statement, r.signatureFrom, r.signatureTo, r.recordedAt);
  }

  rotationsOf(party: string): RotationRecord[] {
    return (this.db.prepare('SELECT * FROM officer_rotations WHERE party = ? ORDER BY id').all(party) as Row[]).map((r) => ({
      party: str(r.party),
      from: str(r.from_fpr),
      to: str(r.to_fpr),
      statement: str(r.statement),
      signatureFrom: str(r.signature_from),
      signatureTo: str(r.signature_to),
      recordedAt: str(r.recorded_at),
    }));
  }

  insertContact(c: Omit<ContactRecord, 'id'>): number {
    const result = this.db
      .prepare('INSERT INTO contacts (party, agreement_id, statement, signature, recorded_at, late) VALUES (?, ?, ?, ?, ?, ?)')
      .run(c.party, c.agreementId, c.statement, c.signature, c.recordedAt, c.late ? 1 : 0);
    return Number(result.lastInsertRowid);
  }

  contactsOf(party: string): ContactRecord[] {
    return (this.db.prepare('SELECT * FROM contacts WHERE party = ? ORDER BY id').all(party) as Row[]).map((r) => ({
      id: r.id as number,
      party: str(r.party),
      agreementId: str(r.agreement_id),
      statement: str(r.statement),
      signature: str(r.signature),
      recordedAt: str(r.recorded_at),
      late: r.late === 1,
    }));
  }

  getMember(fingerprint: string): MemberRecord | undefined {
    const row = this.db.prepare('SELECT * FROM members WHERE fingerprint = ?').get(fingerprint) as Row | undefined;
    return row ? toMember(row) : undefined;
  }

  /** Members of a party, revoked ones included only when asked. */
  membersOf(party: string, options: { includeRevoked?: boolean } = {}): MemberRecord[] {
    const sql = options.includeRevoked
      ? 'SELECT * FROM members WHERE party = ? ORDER BY enrolled_at, fingerprint'
      : 'SELECT * FROM members WHERE party = ? AND revoked_at IS NULL ORDER BY enrolled_at, fingerprint';
    return (this.db.prepare(sql).all(party) as Row[]).map(toMember);
  }

  parties(): string[] {
    return (this.db.prepare('SELECT DISTINCT party FROM members ORDER BY party').all() as Row[]).map((r) => str(r.party));
  }

  // --- login challenges and sessions ------------------------------------------------------

  /** Store a challenge, keeping at most `keep` open ones per key (the oldest go first). */
  putChallenge(challengeHash: string, fingerprint: string, expiresAt: string, keep: number): void {
    this.db.prepare('INSERT INTO challenges (challenge_hash, fingerprint, expires_at) VALUES (?, ?, ?)').run(challengeHash, fingerprint, expiresAt);
    this.db
      .prepare('DELETE FROM challenges WHERE fingerprint = ? AND rowid NOT IN (SELECT rowid FROM challenges WHERE fingerprint = ? ORDER BY rowid DESC LIMIT ?)')
      .run(fingerprint, fingerprint, keep);
  }

  challengeCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM challenges').get() as Row).n as number;
  }

  /** Remove and return a challenge: each can be answered once. */
  takeChallenge(challengeHash: string): { fingerprint: string; expiresAt: string } | undefined {
    const row = this.db.prepare('DELETE FROM challenges WHERE challenge_hash = ? RETURNING fingerprint, expires_at').get(challengeHash) as Row | undefined;
    return row ? { fingerprint: str(row.fingerprint), expiresAt: str(row.expires_at) } : undefined;
  }

  purgeExpired(now: string): void {
    this.db.prepare('DELETE FROM challenges WHERE expires_at <= ?').run(now);
    this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
  }

  createSession(tokenHash: string, fingerprint: string, now: string, expiresAt: string): void {
    this.db
      .prepare('INSERT INTO sessions (token_hash, fingerprint, created_at, last_used_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(tokenHash, fingerprint, now, now, expiresAt);
  }

  getSession(tokenHash: string): { fingerprint: string; createdAt: string; lastUsedAt: string; expiresAt: string } | undefined {
    const row = this.db.prepare('SELECT * FROM sessions WHERE token_hash = ?').get(tokenHash) as Row | undefined;
    return row
      ? { fingerprint: str(row.fingerprint), createdAt: str(row.created_at), lastUsedAt: str(row.last_used_at), expiresAt: str(row.expires_at) }
      : undefined;
  }

  touchSession(tokenHash: string, now: string): void {
    this.db.prepare('UPDATE sessions SET last_used_at = ? WHERE token_hash = ?').run(now, tokenHash);
  }

  deleteSession(tokenHash: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  // --- packets ----------------------------------------------------------------------------

  /** `readerKeyIds`: the encryption key IDs every new part is encrypted to (checked by the caller). */
  insertPacket(p: PacketRecord, parts: ManifestPart[], readerKeyIds: Iterable<string>): void {
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
  }

  /** Record a new signed revision of a draft (an attached translation) and its new parts. */
  /** Compare-and-set on the draft's revision: false when revision N-1 is no longer the current draft. */
  addRevision(packetId: string, revision: number, manifest: string, signature: string, signedBy: string, at: string, newParts: ManifestPart[], readerKeyIds: Iterable<string>): boolean {
    const moved = this.db.prepare("UPDATE packets SET revision = ? WHERE id = ? AND revision = ? AND state = 'draft'").run(revision, packetId, revision - 1).changes;
    if (moved !== 1) return false;
    this.insertRevision(packetId, revision, manifest, signature, signedBy, at);
    this.insertParts(packetId, newParts, readerKeyIds);
    return true;
  }

  /** Compare-and-set draft -> submitted; false when it was already submitted. */
  markSubmitted(packetId: string, at: string): boolean {
    return this.db.prepare("UPDATE packets SET state = 'submitted', submitted_at = ? WHERE id = ? AND state = 'draft'").run(at, packetId).changes === 1;
  }

  private insertRevision(packetId: string, revision: number, manifest: string, signature: string, signedBy: string, at: string): void {
    this.db
      .prepare('INSERT INTO packet_revisions (packet_id, revision, manifest, signature, signed_by, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(packetId, revision, manifest, signature, signedBy, at);
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

  getPacket(id: string): PacketRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT p.*, r.manifest, r.signature FROM packets p
         JOIN packet_revisions r ON r.packet_id = p.id AND r.revision = p.revision WHERE p.id = ?`,
      )
      .get(id) as Row | undefined;
    if (!row) return undefined;
    const recipients = (this.db.prepare('SELECT party FROM packet_recipients WHERE packet_id = ? ORDER BY party').all(id) as Row[]).map((r) => str(r.party));
    return {
      id: str(row.id),
      agreementId: str(row.agreement_id),
      senderParty: str(row.sender_party),
      senderFingerprint: str(row.sender_fingerprint),
      kind: str(row.kind) as PacketKind,
      level: str(row.level) as Level,
      labels: JSON.parse(str(row.labels)) as Record<string, string>,
      state: str(row.state) as 'draft' | 'submitted',
      revision: row.revision as number,
      createdAt: str(row.created_at),
      submittedAt: opt(row.submitted_at),
      recipients,
      manifest: str(row.manifest),
      signature: str(row.signature),
    };
  }

  /** Packet ids a party can see: sent by it, addressed to it once submitted, or released to it. */
  packetIdsForParty(party: string): string[] {
    const rows = this.db
      .prepare(
        `SELECT id, created_at FROM packets WHERE sender_party = ?
         UNION SELECT p.id, p.created_at FROM packets p JOIN packet_recipients r ON r.packet_id = p.id
           WHERE r.party = ? AND p.state = 'submitted'
         UNION SELECT p.id, p.created_at FROM packets p JOIN releases l ON l.packet_id = p.id
           WHERE l.third_party = ? AND l.state = 'executed'
         ORDER BY created_at DESC, id`,
      )
      .all(party, party, party) as Row[];
    return rows.map((r) => str(r.id));
  }

  partsOf(packetId: string): PartRecord[] {
    return (this.db.prepare('SELECT * FROM parts WHERE packet_id = ? ORDER BY part_id').all(packetId) as Row[]).map(toPart);
  }

  allBlobHashes(): Set<string> {
    return new Set((this.db.prepare('SELECT DISTINCT sha256 FROM parts').all() as Row[]).map((r) => str(r.sha256)));
  }

  // --- releases and wraps -----------------------------------------------------------------

  insertRelease(r: ReleaseRecord): void {
    this.db
      .prepare(
        `INSERT INTO releases (id, packet_id, requested_by, requesting_party, third_party, purpose, state, requested_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.id, r.packetId, r.requestedBy, r.requestingParty, r.thirdParty, r.purpose, r.state, r.requestedAt);
  }

  getRelease(id: string): ReleaseRecord | undefined {
    const row = this.db.prepare('SELECT * FROM releases WHERE id = ?').get(id) as Row | undefined;
    return row ? toRelease(row) : undefined;
  }

  releasesOf(packetId: string): ReleaseRecord[] {
    return (this.db.prepare('SELECT * FROM releases WHERE packet_id = ? ORDER BY requested_at, id').all(packetId) as Row[]).map(toRelease);
  }

  /** Compare-and-set requested -> consented/refused; false when another decision landed first. */
  recordDecision(id: string, d: { state: 'consented' | 'refused'; decision: string; signature: string; decidedBy: string; decidedAt: string; expiresAt?: string }): boolean {
    return this.db
      .prepare(
        `UPDATE releases SET state = ?, decision = ?, decision_signature = ?, decided_by = ?, decided_at = ?, expires_at = ?
         WHERE id = ? AND state = 'requested'`,
      )
      .run(d.state, d.decision, d.signature, d.decidedBy, d.decidedAt, d.expiresAt ?? null, id).changes === 1;
  }

  /** Compare-and-set consented -> executed. */
  markExecuted(id: string, at: string): boolean {
    return this.db.prepare("UPDATE releases SET state = 'executed', executed_at = ? WHERE id = ? AND state = 'consented'").run(at, id).changes === 1;
  }

  /** `keyIds`: the encryption key IDs the wrap opens for (checked by the caller). */
  insertWrap(w: { packetId: string; partId: string; party: string; pkesk: Uint8Array; keyIds: Iterable<string>; releaseId?: string; createdAt: string }): void {
    this.db
      .prepare('INSERT INTO wraps (packet_id, part_id, party, pkesk, release_id, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(w.packetId, w.partId, w.party, Buffer.from(w.pkesk), w.releaseId ?? null, w.createdAt);
    this.addPartReaders(w.packetId, w.partId, w.keyIds);
  }

  /** The extra PKESK packets to serve in front of a part to members of `party`, oldest first. */
  wrapsFor(packetId: string, partId: string, party: string): Buffer {
    const rows = this.db.prepare('SELECT pkesk FROM wraps WHERE packet_id = ? AND part_id = ? AND party = ? ORDER BY id').all(packetId, partId, party) as Row[];
    return Buffer.concat(rows.map((r) => r.pkesk as Buffer));
  }

  // --- audit ------------------------------------------------------------------------------

  /** Append one event to the hash chain. Call inside the transaction of the decision it records. */
  appendAudit(input: AuditEventInput): AuditEvent {
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
      prevHash: last ? str(last.hash) : AUDIT_GENESIS,
    };
    const event = { ...base, hash: auditEventHash(base) };
    this.db
      .prepare(
        `INSERT INTO audit_events (seq, at, actor, party, action, object, outcome, detail, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(event.seq, event.at, event.actor, event.party, event.action, event.object, event.outcome, event.detail, event.prevHash, event.hash);
    return event;
  }

  auditEvents(): AuditEvent[] {
    return (this.db.prepare('SELECT * FROM audit_events ORDER BY seq').all() as Row[]).map(toAudit);
  }

  // --- evidence (issue 5): receipts and signed checkpoints ---------------------------------

  insertReceipt(r: { id: string; packetId: string; kind: string; issuer: string; party: string; statement: string; signature?: string; createdAt: string }): void {
    this.db
      .prepare('INSERT INTO receipts (id, packet_id, kind, issuer, party, statement, signature, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(r.id, r.packetId, r.kind, r.issuer, r.party, r.statement, r.signature ?? null, r.createdAt);
  }

  /** Receipts of a packet, oldest first; `signature` is undefined while the hub has not signed yet. */
  receiptsOf(packetId: string): Array<{ id: string; kind: string; issuer: string; party: string; statement: string; signature?: string; createdAt: string }> {
    return (this.db.prepare('SELECT * FROM receipts WHERE packet_id = ? ORDER BY created_at, rowid').all(packetId) as Row[]).map((r) => ({
      id: str(r.id),
      kind: str(r.kind),
      issuer: str(r.issuer),
      party: str(r.party),
      statement: str(r.statement),
      signature: opt(r.signature),
      createdAt: str(r.created_at),
    }));
  }

  unsignedReceipts(): Array<{ id: string; statement: string; createdAt: string }> {
    return (this.db.prepare('SELECT id, statement, created_at FROM receipts WHERE signature IS NULL ORDER BY rowid').all() as Row[]).map((r) => ({
      id: str(r.id),
      statement: str(r.statement),
      createdAt: str(r.created_at),
    }));
  }

  /** Fill in the hub's signature of a receipt, once. */
  signReceipt(id: string, signature: string): void {
    this.db.prepare('UPDATE receipts SET signature = ? WHERE id = ? AND signature IS NULL').run(signature, id);
  }

  latestAuditEvent(): AuditEvent | undefined {
    const row = this.db.prepare('SELECT * FROM audit_events ORDER BY seq DESC LIMIT 1').get() as Row | undefined;
    return row ? toAudit(row) : undefined;
  }

  insertCheckpoint(c: { size: number; statement: string; signature: string; createdAt: string }): void {
    // Not INSERT OR IGNORE: the append-only guard trigger fires before a conflict is ignored. Of two
    // checkpoints of one size signed at once, the first stored stays and the other is dropped.
    this.db
      .prepare('INSERT INTO checkpoints (size, statement, signature, created_at) SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM checkpoints WHERE size = ?)')
      .run(c.size, c.statement, c.signature, c.createdAt, c.size);
  }

  hasCheckpoint(size: number): boolean {
    return this.db.prepare('SELECT 1 FROM checkpoints WHERE size = ?').get(size) !== undefined;
  }

  hasUnsignedReceipts(): boolean {
    return this.db.prepare('SELECT 1 FROM receipts WHERE signature IS NULL LIMIT 1').get() !== undefined;
  }

  checkpoints(): Array<{ size: number; statement: string; signature: string }> {
    return (this.db.prepare('SELECT size, statement, signature FROM checkpoints ORDER BY size').all() as Row[]).map((r) => ({
      size: r.size as number,
      statement: str(r.statement),
      signature: str(r.signature),
    }));
  }

  // --- treaty workflow (issue 4): request states, oral requests, authenticity, purpose changes ---

  insertRequestEvent(e: RequestEventRecord): void {
    this.db
      .prepare('INSERT INTO request_events (packet_id, party, state, scope, authority, related_packet, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.packetId, e.party, e.state, e.scope ?? null, e.authority ?? null, e.relatedPacket ?? null, e.actor, e.at);
  }

  /** Every state change of a request, oldest first; `party` narrows to one requested party. */
  requestEvents(packetId: string, party?: string): RequestEventRecord[] {
    const rows = (party
      ? this.db.prepare('SELECT * FROM request_events WHERE packet_id = ? AND party = ? ORDER BY id').all(packetId, party)
      : this.db.prepare('SELECT * FROM request_events WHERE packet_id = ? ORDER BY id').all(packetId)) as Row[];
    return rows.map((r) => ({
      packetId: str(r.packet_id),
      party: str(r.party),
      state: str(r.state),
      scope: opt(r.scope) as 'whole' | 'part' | undefined,
      authority: opt(r.authority),
      relatedPacket: opt(r.related_packet),
      actor: str(r.actor),
      at: str(r.at),
    }));
  }

  /** Submitted packets of `kind` that a party sent or received, oldest first. */
  submittedPacketIds(party: string, kind: string): string[] {
    const rows = this.db
      .prepare(
        `SELECT p.id FROM packets p WHERE p.kind = ? AND p.state = 'submitted'
           AND (p.sender_party = ? OR EXISTS (SELECT 1 FROM packet_recipients r WHERE r.packet_id = p.id AND r.party = ?))
         ORDER BY p.submitted_at, p.id`,
      )
      .all(kind, party, party) as Row[];
    return rows.map((r) => str(r.id));
  }

  insertOralRequest(o: OralRequestRecord): void {
    this.db
      .prepare(
        `INSERT INTO oral_requests (id, agreement_id, requesting_party, requested_party, made_at, recorded_at, recorded_by)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(o.id, o.agreementId, o.requestingParty, o.requestedParty, o.madeAt, o.recordedAt, o.recordedBy);
  }

  getOralRequest(id: string): OralRequestRecord | undefined {
    const row = this.db.prepare('SELECT * FROM oral_requests WHERE id = ?').get(id) as Row | undefined;
    return row ? toOralRequest(row) : undefined;
  }

  /** One page of a party's oral requests, newest first (storage/listings.ts). */
  oralRequestPage(f: OralListFilter): Page<OralRequestRecord> {
    return this.listings.oralRequests(f, toOralRequest);
  }

  oralRequestsOf(party: string): OralRequestRecord[] {
    return (this.db.prepare('SELECT * FROM oral_requests WHERE requesting_party = ? OR requested_party = ? ORDER BY made_at, id').all(party, party) as Row[]).map(toOralRequest);
  }

  demandOralConfirmation(id: string, by: string, at: string): boolean {
    return this.db.prepare('UPDATE oral_requests SET demanded_at = ?, demanded_by = ? WHERE id = ? AND demanded_at IS NULL AND confirmed_at IS NULL').run(at, by, id).changes === 1;
  }

  confirmOralRequest(id: string, packetId: string, at: string): boolean {
    return this.db.prepare('UPDATE oral_requests SET confirmed_by = ?, confirmed_at = ? WHERE id = ? AND confirmed_by IS NULL').run(packetId, at, id).changes === 1;
  }

  insertAuthenticityRequest(a: { id: string; packetId: string; requestedBy: string; requestingParty: string; requestedAt: string }): void {
    this.db
      .prepare('INSERT INTO authenticity_requests (id, packet_id, requested_by, requesting_party, requested_at) VALUES (?, ?, ?, ?, ?)')
      .run(a.id, a.packetId, a.requestedBy, a.requestingParty, a.requestedAt);
  }

  getAuthenticityRequest(id: string): AuthenticityRequestRecord | undefined {
    const row = this.db.prepare('SELECT * FROM authenticity_requests WHERE id = ?').get(id) as Row | undefined;
    return row ? toAuthenticity(row) : undefined;
  }

  authenticityRequestsOf(packetId: string): AuthenticityRequestRecord[] {
    return (this.db.prepare('SELECT * FROM authenticity_requests WHERE packet_id = ? ORDER BY requested_at, id').all(packetId) as Row[]).map(toAuthenticity);
  }

  recordAuthenticityConfirmation(id: string, c: { confirmation: string; signature: string; confirmedBy: string; confirmedAt: string }): boolean {
    return this.db
      .prepare('UPDATE authenticity_requests SET confirmation = ?, confirmation_signature = ?, confirmed_by = ?, confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL')
      .run(c.confirmation, c.signature, c.confirmedBy, c.confirmedAt, id).changes === 1;
  }

  insertPurposeChange(releaseId: string, packetId: string, party: string): void {
    this.db.prepare('INSERT INTO purpose_changes (release_id, packet_id, party) VALUES (?, ?, ?)').run(releaseId, packetId, party);
  }

  isPurposeChange(releaseId: string): boolean {
    return this.db.prepare('SELECT 1 FROM purpose_changes WHERE release_id = ?').get(releaseId) !== undefined;
  }
}

// --- treaty workflow (issue 4): the records and mappers of the section above ---------------

export interface RequestEventRecord {
  packetId: string;
  party: string;
  state: string;
  scope?: 'whole' | 'part' | undefined;
  authority?: string | undefined;
  relatedPacket?: string | undefined;
  actor: string;
  at: string;
}

export interface OralRequestRecord {
  id: string;
  agreementId: string;
  requestingParty: string;
  requestedParty: string;
  madeAt: string;
  recordedAt: string;
  recordedBy: string;
  demandedAt?: string | undefined;
  demandedBy?: string | undefined;
  confirmedBy?: string | undefined;
  confirmedAt?: string | undefined;
}

export interface AuthenticityRequestRecord {
  id: string;
  packetId: string;
  requestedBy: string;
  requestingParty: string;
  requestedAt: string;
  confirmation?: string | undefined;
  confirmationSignature?: string | undefined;
  confirmedBy?: string | undefined;
  confirmedAt?: string | undefined;
}

function toOralRequest(r: Row): OralRequestRecord {
  return {
    id: str(r.id),
    agreementId: str(r.agreement_id),
    requestingParty: str(r.requesting_party),
    requestedParty: str(r.requested_party),
    madeAt: str(r.made_at),
    recordedAt: str(r.recorded_at),
    recordedBy: str(r.recorded_by),
    demandedAt: opt(r.demanded_at),
    demandedBy: opt(r.demanded_by),
    confirmedBy: opt(r.confirmed_by),
    confirmedAt: opt(r.confirmed_at),
  };
}

function toAuthenticity(r: Row): AuthenticityRequestRecord {
  return {
    id: str(r.id),
    packetId: str(r.packet_id),
    requestedBy: str(r.requested_by),
    requestingParty: str(r.requesting_party),
    requestedAt: str(r.requested_at),
    confirmation: opt(r.confirmation),
    confirmationSignature: opt(r.confirmation_signature),
    confirmedBy: opt(r.confirmed_by),
    confirmedAt: opt(r.confirmed_at),
  };
}
