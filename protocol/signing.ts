/**
 * What every Liaison signature says it is for (DESIGN.md trust model 5, STYLE.md item 13), and
 * the bounds a signed date must fall within. Shared by hub and client: `keys/signatures.ts` and
 * `keys/parts.ts` write the context into each signature and refuse one whose context is not the
 * one the verifier expects, so a signature made for one kind never verifies as another.
 *
 * Pure data and arithmetic; no key and no clock of its own (the caller passes `now`).
 */

/**
 * The notation that carries a signature's context: a hashed, human-readable, NON-critical
 * signature notation (RFC 4880 5.2.3.16). Non-critical, so GnuPG 2.2 `gpg --verify` (which
 * rejects unknown critical notations) accepts the same files it accepted before contexts.
 */
export const SIGNATURE_CONTEXT_NOTATION = 'context@liaison';

/** Every kind of thing Liaison signs, and the context value its signatures carry. */
export const SIGNATURE_CONTEXTS = {
  /** A login challenge, signed by the person logging in. */
  login: 'liaison.login.v1',
  /** A packet manifest, signed by its sender (or the clerk adding a revision). */
  manifest: 'liaison.manifest.v1',
  /** A packet part (sign-then-encrypt), signed by its sender inside the encrypted message. */
  part: 'liaison.part.v1',
  /** A membership statement, signed by a security officer. */
  membership: 'liaison.membership.v1',
  /** A revocation statement, signed by an officer or the key holder. */
  revocation: 'liaison.revocation.v1',
  /** An officer's key rotation, signed by the old and by the new key. */
  rotation: 'liaison.officer-rotation.v1',
  /** A contact-directory entry, signed by an officer. */
  contact: 'liaison.contact.v1',
  /** A consent to, or refusal of, an onward release or a use for another purpose. */
  releaseDecision: 'liaison.release-decision.v1',
  /** A receipt the hub signs with its own key. */
  hubReceipt: 'liaison.receipt.hub.v1',
  /** A retrieval receipt a recipient signs after decrypting and verifying. */
  retrievalReceipt: 'liaison.receipt.retrieval.v1',
  /** A sender's confirmation that a packet is authentic (SCO Art. 5(3)). */
  authenticity: 'liaison.authenticity.v1',
  /** An audit-log checkpoint the hub signs. */
  checkpoint: 'liaison.audit-checkpoint.v1',
  /** A reader's machine-readable label (label.xml) over a fetched, stamped folder. */
  label: 'liaison.label.v1',
} as const;

export type SignedKind = keyof typeof SIGNATURE_CONTEXTS;
export const SIGNED_KINDS = Object.keys(SIGNATURE_CONTEXTS) as SignedKind[];

// --- signed dates ------------------------------------------------------------------------------

/**
 * How far ahead of the verifier's clock a signed instant may be: clock skew between two honest
 * machines. Anything later is refused, so a statement cannot be pre-dated into the future.
 */
export const SIGNED_DATE_TOLERANCE_MS = 5 * 60 * 1000;

/**
 * No Liaison signature, and no instant a signed statement records, is older than this: the
 * protocol did not exist before. A decision dated 1970, or a revocation back-dated to year 0001,
 * is refused.
 */
export const EARLIEST_SIGNED_DATE = '2020-01-01T00:00:00.000Z';

/** How far ahead an expiry or validity end a statement grants may lie (a consent, a membership). */
const LONGEST_SIGNED_VALIDITY_MS = 50 * 365.25 * 24 * 3600 * 1000;

/**
 * Why a signed instant (when something was signed or happened) is out of reason at `now`, or
 * undefined when it is within [EARLIEST_SIGNED_DATE, now + SIGNED_DATE_TOLERANCE_MS].
 */
export function signedInstantProblem(value: string | Date, now: Date, what: string): string | undefined {
  const t = typeof value === 'string' ? Date.parse(value) : value.getTime();
  if (Number.isNaN(t)) return `${what} is not a date`;
  if (t < Date.parse(EARLIEST_SIGNED_DATE)) return `${what} (${new Date(t).toISOString()}) is before ${EARLIEST_SIGNED_DATE.slice(0, 10)}, when no Liaison signature existed`;
  if (t > now.getTime() + SIGNED_DATE_TOLERANCE_MS) return `${what} (${new Date(t).toISOString()}) is in the future`;
  return undefined;
}

/** Why a signed end of validity (an expiry) is out of reason at `now`, or undefined. */
export function signedExpiryProblem(value: string, now: Date, what: string): string | undefined {
  const t = Date.parse(value);
  if (Number.isNaN(t)) return `${what} is not a date`;
  if (t < Date.parse(EARLIEST_SIGNED_DATE)) return `${what} (${value}) is before ${EARLIEST_SIGNED_DATE.slice(0, 10)}`;
  if (t > now.getTime() + LONGEST_SIGNED_VALIDITY_MS) return `${what} (${value}) is more than 50 years ahead`;
  return undefined;
}
