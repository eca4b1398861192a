/**
 * Path parameter shapes shared by the route files: each names the one id a route takes.
 * Shapes only: no lookup, and no rule about whether the id is the caller's to see.
 */
import { z } from 'zod';
import { AgreementId, Fingerprint, PacketId, PartyId, RecordId, ReleaseId } from '../../protocol/ids.ts';
import { PartId } from '../../protocol/manifest.ts';

export const PacketParams = z.strictObject({ id: PacketId });
export const PartParams = z.strictObject({ id: PacketId, partId: PartId });
export const ReleaseParams = z.strictObject({ id: ReleaseId });
export const RecordParams = z.strictObject({ id: RecordId });
export const PartyParams = z.strictObject({ party: PartyId });
export const MemberParams = z.strictObject({ fingerprint: Fingerprint });
export const AgreementParams = z.strictObject({ id: AgreementId });
