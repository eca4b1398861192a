/**
 * The one rule for dates inside statements the hub accepts (manifests, membership statements,
 * revocations, rotations, contact entries, release decisions, authenticity confirmations and
 * retrieval receipts): each is bounded by the hub's clock, so a decision "made" in 1970 or a
 * manifest dated 9999 is refused instead of being stored as evidence. Never reads the system
 * clock: `now` is the hub's injected clock.
 */
import { SIGNED_DATE_TOLERANCE_MS } from '../../protocol/signing.ts';
import { Problem } from '../errors.ts';

/**
 * How far a signed date may stand from the hub's clock. `aheadMs` is clock skew between a
 * client and the hub (the same skew every verifier allows: protocol/signing.ts); `behindMs` is the longest a client may reasonably hold a signed statement
 * before sending it (a large packet is encrypted, signed, then uploaded). Documented in
 * docs/threat-model.md ("Signed dates out of reason").
 */
export const SIGNED_DATE_TOLERANCE = { aheadMs: SIGNED_DATE_TOLERANCE_MS, behindMs: 24 * 3600_000 } as const;

/** A signing time (`issuedAt`, `decidedAt`, `createdAt`, ...) lies within the tolerance of `now`. */
export function requireSignedNear(now: Date, date: string, what: string): void {
  const t = Date.parse(date);
  if (!Number.isFinite(t) || t > now.getTime() + SIGNED_DATE_TOLERANCE.aheadMs) {
    throw new Problem('bad-request', `the ${what} (${date}) is in the future by the hub's clock (more than ${SIGNED_DATE_TOLERANCE.aheadMs / 60_000} minutes ahead)`);
  }
  if (t < now.getTime() - SIGNED_DATE_TOLERANCE.behindMs) {
    throw new Problem('bad-request', `the ${what} (${date}) is more than ${SIGNED_DATE_TOLERANCE.behindMs / 3600_000} hours older than the hub's clock; sign it again`);
  }
}

/** A date that may be in the past (a backdated revocation) but not before `floor`, nor in the future. */
export function requireBetween(now: Date, date: string, floor: string, what: string): void {
  const t = Date.parse(date);
  if (!Number.isFinite(t) || t > now.getTime() + SIGNED_DATE_TOLERANCE.aheadMs) throw new Problem('bad-request', `the ${what} (${date}) is in the future by the hub's clock`);
  if (t < Date.parse(floor) - SIGNED_DATE_TOLERANCE.aheadMs) throw new Problem('bad-request', `the ${what} (${date}) is before ${floor}`);
}
