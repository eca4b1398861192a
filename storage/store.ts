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

  constructor(path: string) {
    this.db = openDatabase(path);
  }

  close(): void {
    this.db.close();
  }

  /** Run `fn` in one transaction: every row and audit event of a decision commit together. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
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
        `INSERT INTO members (fingerprint, party, name, roles, clearance, public_key, encryption_key_id, enrolled_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(m.fingerprint, m.party, m.name, JSON.stringify(m.roles), m.clearance, m.publicKey, m.encryptionKeyId, m.enrolledAt);
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

  putChallenge(challengeHash: string, fingerprint: string, expiresAt: string): void {
    this.db.prepare('INSERT INTO challenges (challenge_hash, fingerprint, expires_at) VALUES (?, ?, ?)').run(challengeHash, fingerprint, expiresAt);
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

  insertPacket(p: PacketRecord, parts: ManifestPart[]): void {
    this.db
      .prepare(
        `INSERT INTO packets (id, agreement_id, sender_party, sender_fingerprint, kind, level, labels, state, revision, created_at, submitted_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(p.id, p.agreementId, p.senderParty, p.senderFingerprint, p.kind, p.level, JSON.stringify(p.labels), p.state, p.revision, p.createdAt, p.submittedAt ?? null);
    const recipient = this.db.prepare('INSERT INTO packet_recipients (packet_id, party) VALUES (?, ?)');
    for (const party of p.recipients) recipient.run(p.id, party);
    this.insertRevision(p.id, p.revision, p.manifest, p.signature, p.senderFingerprint, p.createdAt);
    this.insertParts(p.id, parts);
  }

  /** Record a new signed revision of a draft (an attached translation) and its new parts. */
  addRevision(packetId: string, revision: number, manifest: string, signature: string, signedBy: string, at: string, newParts: ManifestPart[]): void {
    this.insertRevision(packetId, revision, manifest, signature, signedBy, at);
    this.insertParts(packetId, newParts);
    this.db.prepare('UPDATE packets SET revision = ? WHERE id = ?').run(revision, packetId);
  }

  markSubmitted(packetId: string, at: string): void {
    this.db.prepare("UPDATE packets SET state = 'submitted', submitted_at = ? WHERE id = ? AND state = 'draft'").run(at, packetId);
  }

  private insertRevision(packetId: string, revision: number, manifest: string, signature: string, signedBy: string, at: string): void {
    this.db
      .prepare('INSERT INTO packet_revisions (packet_id, revision, manifest, signature, signed_by, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(packetId, revision, manifest, signature, signedBy, at);
  }

  private insertParts(packetId: string, parts: ManifestPart[]): void {
    const stmt = this.db.prepare('INSERT INTO parts (packet_id, part_id, role, lang, media_type, size, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const part of parts) stmt.run(packetId, part.id, part.role, part.lang, part.mediaType, part.size, part.sha256);
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

  recordDecision(id: string, d: { state: 'consented' | 'refused'; decision: string; signature: string; decidedBy: string; decidedAt: string; expiresAt?: string }): void {
    this.db
      .prepare(
        `UPDATE releases SET state = ?, decision = ?, decision_signature = ?, decided_by = ?, decided_at = ?, expires_at = ?
         WHERE id = ? AND state = 'requested'`,
      )
      .run(d.state, d.decision, d.signature, d.decidedBy, d.decidedAt, d.expiresAt ?? null, id);
  }

  markExecuted(id: string, at: string): void {
    this.db.prepare("UPDATE releases SET state = 'executed', executed_at = ? WHERE id = ? AND state = 'consented'").run(at, id);
  }

  insertWrap(w: { packetId: string; partId: string; party: string; pkesk: Uint8Array; releaseId?: string; createdAt: string }): void {
    this.db
      .prepare('INSERT INTO wraps (packet_id, part_id, party, pkesk, release_id, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(w.packetId, w.partId, w.party, Buffer.from(w.pkesk), w.releaseId ?? null, w.createdAt);
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
}
