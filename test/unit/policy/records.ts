/**
 * Plain records for the policy tests: a member, a packet and a release as storage hands them to
 * the domain, with only what a case changes spelled out. No hub, no database, no keys.
 */
import type { MemberRecord, PacketRecord, ReleaseRecord } from '../../../storage/records.ts';

export const NOW = new Date('2026-06-01T12:00:00.000Z');

export function member(over: Partial<MemberRecord> = {}): MemberRecord {
  return { fingerprint: 'A'.repeat(40), party: 'PK', name: 'Ayesha Khan', roles: ['contact'], clearance: 'SECRET', publicKey: '-', encryptionKeyId: '0011223344556677', enrolledAt: '2026-01-01T00:00:00.000Z', ...over };
}

export function packet(over: Partial<PacketRecord> = {}): PacketRecord {
  return {
    id: '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b',
    agreementId: 'RU-PK',
    senderParty: 'RU',
    senderFingerprint: 'B'.repeat(40),
    kind: 'request',
    level: 'SECRET',
    labels: { RU: 'СЕКРЕТНО', PK: 'SECRET' },
    state: 'submitted',
    revision: 1,
    createdAt: '2026-05-01T00:00:00.000Z',
    recipients: ['PK'],
    manifest: '{}',
    signature: '-',
    ...over,
  };
}

export function release(over: Partial<ReleaseRecord> = {}): ReleaseRecord {
  return { id: '9a4d3f2b-8c1e-4e6f-8b7a-1c2d3e4f5a6b', packetId: packet().id, requestedBy: 'A'.repeat(40), requestingParty: 'PK', thirdParty: 'KZ', purpose: 'joint investigation', state: 'requested', requestedAt: '2026-05-02T00:00:00.000Z', ...over };
}
