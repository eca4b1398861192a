/**
 * The one mapper between SQLite rows and the records of storage/records.ts. Every repository and
 * every listing maps through these; a column is read in exactly one place.
 */
import type { Level } from '../../protocol/levels.ts';
import type { Role } from '../../protocol/ids.ts';
import type { PacketKind } from '../../protocol/manifest.ts';
import type { ReleaseState } from '../../protocol/release.ts';
import type {
  AuditEvent,
  AuthenticityRequestRecord,
  CheckpointRecord,
  ContactRecord,
  MemberRecord,
  OralRequestRecord,
  PacketRecord,
  PacketState,
  PartRecord,
  ReceiptRecord,
  ReleaseRecord,
  RequestEventRecord,
  RotationRecord,
} from '../records.ts';

export type Row = Record<string, unknown>;

const str = (v: unknown): string => v as string;
const opt = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : (v as string));

export function toMember(r: Row): MemberRecord {
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

export function toRotation(r: Row): RotationRecord {
  return {
    party: str(r.party),
    from: str(r.from_fpr),
    to: str(r.to_fpr),
    statement: str(r.statement),
    signatureFrom: str(r.signature_from),
    signatureTo: str(r.signature_to),
    recordedAt: str(r.recorded_at),
  };
}

export function toContact(r: Row): ContactRecord {
  return {
    id: r.id as number,
    party: str(r.party),
    agreementId: str(r.agreement_id),
    statement: str(r.statement),
    signature: str(r.signature),
    recordedAt: str(r.recorded_at),
    late: r.late === 1,
  };
}

/**
 * A packet row without its manifest text (listings do not read it). Its recipients are the row's
 * own JSON list (migration 012), sorted by party.
 */
export function toPacketSummary(r: Row): Omit<PacketRecord, 'manifest' | 'signature'> {
  return {
    id: str(r.id),
    agreementId: str(r.agreement_id),
    senderParty: str(r.sender_party),
    senderFingerprint: str(r.sender_fingerprint),
    kind: str(r.kind) as PacketKind,
    level: str(r.level) as Level,
    labels: JSON.parse(str(r.labels)) as Record<string, string>,
    state: str(r.state) as PacketState,
    revision: r.revision as number,
    createdAt: str(r.created_at),
    submittedAt: opt(r.submitted_at),
    recipients: JSON.parse(str(r.recipients)) as string[],
  };
}

/** A packet row joined with its current revision (manifest and signature). */
export function toPacket(r: Row): PacketRecord {
  return { ...toPacketSummary(r), manifest: str(r.manifest), signature: str(r.signature) };
}

export function toPart(r: Row): PartRecord {
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

export function toRelease(r: Row): ReleaseRecord {
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

export function toRequestEvent(r: Row): RequestEventRecord {
  return {
    packetId: str(r.packet_id),
    party: str(r.party),
    state: str(r.state),
    scope: opt(r.scope) as 'whole' | 'part' | undefined,
    authority: opt(r.authority),
    relatedPacket: opt(r.related_packet),
    actor: str(r.actor),
    at: str(r.at),
  };
}

export function toOralRequest(r: Row): OralRequestRecord {
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

export function toAuthenticity(r: Row): AuthenticityRequestRecord {
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

export function toReceipt(r: Row): ReceiptRecord {
  return {
    id: str(r.id),
    packetId: str(r.packet_id),
    kind: str(r.kind),
    issuer: str(r.issuer),
    party: str(r.party),
    statement: str(r.statement),
    signature: opt(r.signature),
    createdAt: str(r.created_at),
  };
}

export function toAudit(r: Row): AuditEvent {
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

export function toCheckpoint(r: Row): CheckpointRecord {
  return { size: r.size as number, statement: str(r.statement), signature: str(r.signature), createdAt: str(r.created_at) };
}
