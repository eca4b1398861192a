/**
 * The packet manifest: the signed, canonical description of a packet. It fixes every part's
 * ciphertext hash and the marking, which binds the marking to the data (the STANAG 4778 idea).
 * It carries no subject, file name or free text: those live inside the encrypted parts.
 */
import { sha256HexOfText } from './sha256.ts';
import { z } from 'zod';
import { parseCanonical } from './canonical.ts';
import { AgreementId, Fingerprint, IsoDateTime, LanguageTag, PacketId, PartyId, ReleaseId, Sha256Hex } from './ids.ts';
import { Level } from './levels.ts';

export const MANIFEST_FORMAT = 'liaison-manifest/1';

export const PacketKind = z.enum([
  'request',
  'reply',
  'information',
  'additional-information-request',
  'confirmation',
  'refusal',
  'deferral',
  'transfer-notice',
]);
export type PacketKind = z.infer<typeof PacketKind>;

/**
 * `request-form` is the structured request form (SCO Art. 5(4)), encrypted like every part; its
 * role is declared in the signed manifest so the hub can require it without reading it.
 */
export const PartRole = z.enum(['original', 'translation', 'attachment', 'request-form']);
export type PartRole = z.infer<typeof PartRole>;

export const PartId = z.string().regex(/^p[1-9][0-9]{0,2}$/, 'a part id is p1, p2, ...');

export const ManifestPart = z.strictObject({
  id: PartId,
  role: PartRole,
  lang: LanguageTag,
  mediaType: z.string().regex(/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/, 'a media type such as text/plain'),
  size: z.number().int().positive(),
  sha256: Sha256Hex,
});
export type ManifestPart = z.infer<typeof ManifestPart>;

const Marking = z.strictObject({
  level: Level,
  /** The national label of the sending party and of every receiving party, by party id. */
  labels: z.record(PartyId, z.string().min(2)),
});
type Marking = z.infer<typeof Marking>;

export const Manifest = z
  .strictObject({
    format: z.literal(MANIFEST_FORMAT),
    packetId: PacketId,
    /** 1 when first uploaded; each attached translation signs a new revision. */
    revision: z.number().int().min(1).max(1000),
    agreementId: AgreementId,
    createdAt: IsoDateTime,
    sender: z.strictObject({ party: PartyId, authority: z.string().min(2).optional(), fingerprint: Fingerprint }),
    /** Who signed this revision: the sender, or the clerk who attached a translation. */
    signedBy: Fingerprint,
    recipients: z.array(PartyId).min(1).max(16),
    marking: Marking,
    kind: PacketKind,
    references: z
      .strictObject({ inReplyTo: PacketId.optional(), derivedFrom: ReleaseId.optional() })
      .default({}),
    parts: z.array(ManifestPart).min(1).max(64),
  })
  .superRefine((m, ctx) => {
    if (new Set(m.recipients).size !== m.recipients.length) {
      ctx.addIssue({ code: 'custom', path: ['recipients'], message: 'a party is named twice' });
    }
    if (m.recipients.includes(m.sender.party)) {
      ctx.addIssue({ code: 'custom', path: ['recipients'], message: 'the sending party cannot also be a recipient' });
    }
    if (new Set(m.parts.map((p) => p.id)).size !== m.parts.length) {
      ctx.addIssue({ code: 'custom', path: ['parts'], message: 'part ids must be unique' });
    }
    if (m.parts.filter((p) => p.role === 'original').length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['parts'], message: 'a packet has exactly one original' });
    }
    if (m.parts.filter((p) => p.role === 'request-form').length > (m.kind === 'request' ? 1 : 0)) {
      ctx.addIssue({ code: 'custom', path: ['parts'], message: 'only a request carries a request form, and only one' });
    }
    for (const party of [m.sender.party, ...m.recipients]) {
      if (!(party in m.marking.labels)) {
        ctx.addIssue({ code: 'custom', path: ['marking', 'labels'], message: `no national label for ${party}` });
      }
    }
  });
export type Manifest = z.infer<typeof Manifest>;

/** Parse manifest text that must already be canonical (see parseCanonical). */
export function parseCanonicalManifest(text: string): { ok: true; manifest: Manifest } | { ok: false; error: string } {
  const result = parseCanonical(Manifest, text, 'manifest');
  return result.ok ? { ok: true, manifest: result.value } : result;
}

/**
 * The digest receipts, authenticity confirmations and stamped labels bind to: SHA-256 of the
 * manifest text exactly as signed (canonical JSON, UTF-8), lower-case hex. One formula for the
 * hub that issues and the client that checks.
 */
export function manifestDigest(manifestText: string): string {
  // protocol/sha256.ts: node:crypto's in Node, @noble/hashes in the browser (which checks receipts too).
  return sha256HexOfText(manifestText);
}
