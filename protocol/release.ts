/**
 * Onward release to a third party: the request record and the security officer's signed decision.
 * The decision is a canonical JSON statement with a detached OpenPGP signature, so the consent
 * (or refusal) can be shown to anyone later without trusting the hub.
 */
import { z } from 'zod';
import { Fingerprint, IsoDateTime, PacketId, PartyId, ReleaseId } from './ids.ts';

export const RELEASE_DECISION_FORMAT = 'liaison-release-decision/1';

export const ReleaseDecision = z.strictObject({
  format: z.literal(RELEASE_DECISION_FORMAT),
  releaseId: ReleaseId,
  packetId: PacketId,
  thirdParty: PartyId,
  purpose: z.string().min(3).max(2000),
  decision: z.enum(['consent', 'refuse']),
  /** Written reasons for a refusal; conditions attached to a consent. */
  reason: z.string().min(3).max(4000).optional(),
  conditions: z.string().min(3).max(4000).optional(),
  /** A consent not used by then lapses; what was released before stays released. */
  expiresAt: IsoDateTime.optional(),
  decidedAt: IsoDateTime,
  officer: Fingerprint,
}).superRefine((d, ctx) => {
  if (d.decision === 'refuse' && !d.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a refusal carries written reasons' });
  if (d.decision === 'refuse' && (d.conditions || d.expiresAt)) {
    ctx.addIssue({ code: 'custom', path: ['decision'], message: 'a refusal has no conditions or expiry' });
  }
});
export type ReleaseDecision = z.infer<typeof ReleaseDecision>;

export const ReleaseState = z.enum(['requested', 'consented', 'refused', 'executed']);
export type ReleaseState = z.infer<typeof ReleaseState>;

export const Release = z.strictObject({
  id: ReleaseId,
  packetId: PacketId,
  agreementId: z.string(),
  originParty: PartyId,
  requestingParty: PartyId,
  requestedBy: Fingerprint,
  thirdParty: PartyId,
  purpose: z.string(),
  state: ReleaseState,
  requestedAt: IsoDateTime,
  decision: z.string().optional(),
  decisionSignature: z.string().optional(),
  decidedAt: IsoDateTime.optional(),
  expiresAt: IsoDateTime.optional(),
  executedAt: IsoDateTime.optional(),
});
export type Release = z.infer<typeof Release>;
