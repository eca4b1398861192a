/**
 * Identifier shapes shared by both sides (parties, agreements, fingerprints, packet, release and
 * record ids, language tags, SHA-256, roles and which roles receive packets). Shapes and names
 * only: no I/O, and no rule about who holds what (protocol/membership.ts, server/policy/).
 */
import { z } from 'zod';
import { LANGUAGE_TAG_PATTERN } from './language-tag.ts';

/** A party of the hub: an upper-case code such as RU, PK, KZ (ISO 3166-1 alpha-2 where one exists). */
export const PartyId = z.string().regex(/^[A-Z][A-Z0-9-]{1,15}$/, 'a party is an upper-case code such as RU or PK');
export type PartyId = z.infer<typeof PartyId>;

export const AgreementId = z.string().regex(/^[A-Z][A-Z0-9-]{1,31}$/, 'an agreement id is an upper-case code such as RU-PK');

/** OpenPGP v4 fingerprint, 40 upper-case hex digits. */
export const Fingerprint = z
  .string()
  .transform((s) => s.replace(/\s+/g, '').toUpperCase())
  .pipe(z.string().regex(/^[0-9A-F]{40}$/, 'a fingerprint is 40 hexadecimal digits'));
export type Fingerprint = z.infer<typeof Fingerprint>;

/**
 * Ids of packets, releases and workflow records are UUIDs, written in lower case. Any other case
 * is read as the same id (RFC 9562: UUIDs compare case-insensitively), so two ids that differ
 * only in case are one object everywhere: in routes, bodies and signed statements alike.
 */
const lowerCase = (s: string) => s.toLowerCase();
export const PacketId = z.string().transform(lowerCase).pipe(z.uuid({ version: 'v4' }));
export const ReleaseId = z.string().transform(lowerCase).pipe(z.uuid({ version: 'v4' }));
/** Any record id the hub makes (oral and authenticity requests, receipts): a UUID, normalised like a packet id. */
export const RecordId = z.string().transform(lowerCase).pipe(z.uuid());

/** BCP 47 language tag, kept simple: a primary subtag and optional subtags. */
export const LanguageTag = z
  .string()
  .regex(new RegExp(`^${LANGUAGE_TAG_PATTERN}$`), 'a language is a BCP 47 tag such as en, ru or zh-Hans');

/** The primary language subtag of a BCP 47 tag: `zh-Hans` -> `zh`. */
export function primaryLanguage(tag: string): string {
  return tag.split('-')[0]!.toLowerCase();
}

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 is 64 lower-case hexadecimal digits');

export const Role = z.enum(['contact', 'clerk', 'officer']);
export type Role = z.infer<typeof Role>;

/** Roles whose holders receive packets addressed to their party (and sent by it). */
export const RECEIVING_ROLES: readonly Role[] = ['contact', 'clerk'];
/** Roles whose holders may sign and submit a packet for their party. */
export const SENDING_ROLES: readonly Role[] = ['contact'];
/** Roles whose holders may attach a translation to a draft of their party. */
export const TRANSLATING_ROLES: readonly Role[] = ['clerk', 'contact'];

export const IsoDateTime = z.iso.datetime({ offset: false });
