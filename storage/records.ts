/**
 * The records the hub keeps, as the domain (server/) sees them: what every storage
 * implementation reads and writes. Holds no plaintext and no secrets: tokens and challenges are
 * stored only as hashes, parts only as ciphertext hashes and sizes.
 */
import type { AuditEvent as AuditEventRecord, AuditOutcome, AuditAction } from '../protocol/evidence.ts';
import type { Level } from '../protocol/levels.ts';
import type { Role } from '../protocol/ids.ts';
import type { ManifestPart, PacketKind } from '../protocol/manifest.ts';
import type { ReleaseState } from '../protocol/release.ts';

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

export interface MembershipUpdate {
  roles: Role[];
  clearance: Level;
  validFrom?: string;
  validUntil?: string;
  statement: string;
  signature: string;
  at: string;
}

export interface RevocationRecord {
  revokedAt: string;
  reason: string;
  revocation: string;
  signature: string;
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

export interface SessionRecord {
  fingerprint: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
}

export type PacketState = 'draft' | 'submitted';

export interface PacketRecord {
  id: string;
  agreementId: string;
  senderParty: string;
  senderFingerprint: string;
  kind: PacketKind;
  level: Level;
  labels: Record<string, string>;
  state: PacketState;
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

export interface WrapRecord {
  packetId: string;
  partId: string;
  party: string;
  pkesk: Uint8Array;
  /** The encryption key IDs the wrap opens for (checked by the caller): who no longer waits for a rewrap. */
  keyIds: Iterable<string>;
  releaseId?: string;
  createdAt: string;
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

export interface ReleaseDecisionRecord {
  state: 'consented' | 'refused';
  decision: string;
  signature: string;
  decidedBy: string;
  decidedAt: string;
  expiresAt?: string;
}

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

export interface ReceiptRecord {
  id: string;
  packetId: string;
  kind: string;
  issuer: string;
  party: string;
  statement: string;
  /** Undefined while the hub has not signed it yet. */
  signature?: string;
  createdAt: string;
}

export interface CheckpointRecord {
  size: number;
  statement: string;
  signature: string;
  createdAt: string;
}

/** An event to append; the chain fields (seq, prevHash, hash) are the log's to compute. */
export interface AuditEventInput {
  at: string;
  actor: string;
  party: string;
  action: AuditAction;
  object: string;
  outcome: AuditOutcome;
  detail: Record<string, unknown>;
}

/** A stored audit event: the protocol's shape (protocol/evidence.ts), its detail canonical JSON text. */
export type AuditEvent = AuditEventRecord;
