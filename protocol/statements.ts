/**
 * Statements security officers sign about the people of their party (DESIGN.md trust model 3):
 * membership (party, key, roles, clearance, validity), revocation, an officer's own key rotation,
 * and contact-directory entries. Each is canonical JSON with a detached OpenPGP signature, so a
 * client checks it against the officer keys it pinned, and a hub that lies gains nothing.
 */
import { z } from 'zod';
import { AgreementId, Fingerprint, IsoDateTime, PartyId, Role } from './ids.ts';
import { Level } from './levels.ts';

export const MEMBERSHIP_FORMAT = 'liaison-membership/1';
export const REVOCATION_FORMAT = 'liaison-revocation/1';
export const ROTATION_FORMAT = 'liaison-officer-rotation/1';
export const CONTACT_FORMAT = 'liaison-contact/1';

export const MembershipStatement = z
  .strictObject({
    format: z.literal(MEMBERSHIP_FORMAT),
    party: PartyId,
    fingerprint: Fingerprint,
    name: z.string().min(1).max(200),
    roles: z.array(Role).min(1),
    clearance: Level,
    validFrom: IsoDateTime,
    validUntil: IsoDateTime.optional(),
    /** The member's previous key, when this key replaces it (rotation). */
    successorOf: Fingerprint.optional(),
    issuedAt: IsoDateTime,
    officer: Fingerprint,
  })
  .refine((s) => !s.validUntil || s.validUntil > s.validFrom, { message: 'the valid-until date must be after the date the statement takes effect', path: ['validUntil'] });
export type MembershipStatement = z.infer<typeof MembershipStatement>;

export const RevocationStatement = z.strictObject({
  format: z.literal(REVOCATION_FORMAT),
  party: PartyId,
  fingerprint: Fingerprint,
  reason: z.string().min(3).max(2000),
  /** From this instant the key's signatures are rejected; earlier ones stay valid for history. */
  revokedAt: IsoDateTime,
  /** The officer who revokes, or the key holder revoking their own key. */
  signer: Fingerprint,
});
export type RevocationStatement = z.infer<typeof RevocationStatement>;

/** An officer moves to a new key; signed by both keys, so partners who pinned the old one follow. */
export const OfficerRotation = z.strictObject({
  format: z.literal(ROTATION_FORMAT),
  party: PartyId,
  from: Fingerprint,
  to: Fingerprint,
  at: IsoDateTime,
});
export type OfficerRotation = z.infer<typeof OfficerRotation>;

/** A contact person or competent authority notified to the partners (RU-PK Art. 4(3), SCO Art. 2, IR-KG Art. 8). */
export const ContactEntry = z.strictObject({
  format: z.literal(CONTACT_FORMAT),
  party: PartyId,
  agreementId: AgreementId,
  kind: z.enum(['contact-person', 'competent-authority']),
  name: z.string().min(2).max(300),
  position: z.string().max(300).optional(),
  phone: z.string().max(100).optional(),
  email: z.string().max(200).optional(),
  address: z.string().max(1000).optional(),
  /** When the appointment or change took effect; the notice deadline runs from here. */
  effectiveFrom: IsoDateTime,
  /** A contact that is no longer in post. */
  withdrawn: z.boolean().default(false),
  issuedAt: IsoDateTime,
  officer: Fingerprint,
});
export type ContactEntry = z.infer<typeof ContactEntry>;

/** A statement as carried over the wire: the canonical text and its armored signature(s). */
export const SignedStatement = z.strictObject({
  statement: z.string().min(2).max(32 * 1024),
  signature: z.string().max(64 * 1024),
});
export type SignedStatement = z.infer<typeof SignedStatement>;
