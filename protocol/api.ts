/**
 * Request and response bodies of the hub's HTTP API (/v1). The server parses every body with
 * these schemas and uses the parsed value; the client uses the same schemas to read answers.
 * Shapes only: no I/O and no rule about who may send or see them.
 */
import { z } from 'zod';
import { AgreementId, Fingerprint, IsoDateTime, PacketId, PartyId, Role } from './ids.ts';
import { Level } from './levels.ts';
import { ManifestPart, PacketKind } from './manifest.ts';
import { ReleaseState } from './release.ts';

const armored = (what: string) =>
  z.string().max(64 * 1024).regex(/^-----BEGIN PGP [A-Z ]+-----/, `${what} must be ASCII-armored OpenPGP`);
const ArmoredSignature = armored('the signature');

export const ChallengeRequest = z.strictObject({ fingerprint: Fingerprint });
export const ChallengeResponse = z.strictObject({ challenge: z.string(), expiresAt: IsoDateTime });

export const TokenRequest = z.strictObject({ fingerprint: Fingerprint, challenge: z.string().max(1024), signature: ArmoredSignature });

export const Member = z.strictObject({
  fingerprint: Fingerprint,
  party: PartyId,
  name: z.string(),
  roles: z.array(Role),
  clearance: Level,
  publicKey: z.string(),
  enrolledAt: IsoDateTime,
  revokedAt: IsoDateTime.optional(),
  revocationReason: z.string().optional(),
  /** The officer-signed membership statement; absent only for a party's bootstrap officer. */
  statement: z.string().optional(),
  statementSignature: z.string().optional(),
  validUntil: IsoDateTime.optional(),
  keyExpiresAt: IsoDateTime.optional(),
});
export type Member = z.infer<typeof Member>;


const ArmoredKey = z.string().max(256 * 1024).regex(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/, 'the key must be an ASCII-armored OpenPGP public key');

export const EnrollBody = z.strictObject({ publicKey: ArmoredKey, statement: z.string().min(2).max(32 * 1024), signature: ArmoredSignature });
export const StatementBody = z.strictObject({ statement: z.string().min(2).max(32 * 1024), signature: ArmoredSignature });
export const RotationBody = z.strictObject({ publicKey: ArmoredKey, statement: z.string().min(2).max(8 * 1024), signatureFrom: ArmoredSignature, signatureTo: ArmoredSignature });

export const Rotation = z.strictObject({
  party: PartyId,
  from: Fingerprint,
  to: Fingerprint,
  statement: z.string(),
  signatureFrom: z.string(),
  signatureTo: z.string(),
  recordedAt: IsoDateTime,
});
export type Rotation = z.infer<typeof Rotation>;

export const Contact = z.strictObject({
  id: z.number().int(),
  party: PartyId,
  agreementId: AgreementId,
  statement: z.string(),
  signature: z.string(),
  recordedAt: IsoDateTime,
  /** Notified later than the agreement's deadline allows. */
  late: z.boolean(),
});
export type Contact = z.infer<typeof Contact>;

/** Public-key encrypted session key packets, per part, that open a packet to one more key (or to a third party's members). */
const Wraps = z.array(z.strictObject({ partId: z.string(), pkesk: z.base64().max(64 * 1024) })).min(1).max(64);

export const RewrapBody = z.strictObject({ fingerprint: Fingerprint, wraps: Wraps });
/** What POST /v1/packets/:id/wraps answers: how many parts now open to the key. */
export const WrapsResult = z.strictObject({ packetId: PacketId, fingerprint: Fingerprint, parts: z.number().int() });
export type WrapsResult = z.infer<typeof WrapsResult>;

/**
 * Headers of a part download. The body is the extra key wraps for the caller's party followed by
 * the stored ciphertext; the client strips `WRAP_LENGTH_HEADER` bytes before checking the signed hash.
 */
export const WRAP_LENGTH_HEADER = 'Liaison-Wrap-Length';
export const PART_SHA256_HEADER = 'Liaison-Part-Sha256';

/** One agreement as GET /v1/agreements lists it (the whole file is GET /v1/agreements/:id). */
export const AgreementSummary = z.strictObject({ id: AgreementId, title: z.string(), status: z.string(), provisional: z.boolean(), parties: z.array(PartyId) });
export type AgreementSummary = z.infer<typeof AgreementSummary>;

/**
 * An RFC 9457 problem as the hub renders it: `code` is the stable machine-readable name (the last
 * segment of `type`), `article` the treaty rule that refused, `errors` each bad field.
 */
export const ProblemDetails = z.object({
  type: z.string(),
  code: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  article: z.string().optional(),
  errors: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
});
export type ProblemDetails = z.infer<typeof ProblemDetails>;

export const TokenResponse = z.strictObject({ token: z.string(), expiresAt: IsoDateTime, member: Member });

export const HubInfo = z.strictObject({ fingerprint: Fingerprint, publicKey: z.string(), parties: z.array(PartyId) });

export const PacketState = z.enum(['draft', 'submitted']);

export const PacketSummary = z.strictObject({
  packetId: PacketId,
  agreementId: AgreementId,
  senderParty: PartyId,
  senderFingerprint: Fingerprint,
  recipients: z.array(PartyId),
  kind: PacketKind,
  level: Level,
  labels: z.record(z.string(), z.string()),
  state: PacketState,
  revision: z.number().int(),
  createdAt: IsoDateTime,
  submittedAt: IsoDateTime.optional(),
  /** How the caller's party relates to the packet. */
  relation: z.enum(['sent', 'received', 'released']),
});
export type PacketSummary = z.infer<typeof PacketSummary>;

export const PacketDetail = PacketSummary.extend({
  manifest: z.string(),
  signature: z.string(),
  parts: z.array(ManifestPart),
});
export type PacketDetail = z.infer<typeof PacketDetail>;

/**
 * Every list is a page: `{ items, nextCursor }`. Ask again with `cursor=nextCursor` for the next
 * page; `nextCursor` is null on the last one. The cursor is opaque (a keyset position, never an
 * offset), so pages stay consistent while new rows arrive.
 */
export const pageOf = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item), nextCursor: z.string().nullable() });
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;
/** The page parameters every list takes: `limit` (1-500, default 50) and the previous page's `nextCursor`. */
export const ListPageQuery = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().min(1).max(400).regex(/^[A-Za-z0-9_-]+$/, 'a cursor from a previous page').optional(),
};
const PageQuery = {
  ...ListPageQuery,
  since: IsoDateTime.optional(),
};

/** A list with no filter of its own: only the page parameters. */
export const PlainListQuery = z.strictObject({ ...ListPageQuery });
export type PlainListQuery = z.infer<typeof PlainListQuery>;

/** A party's members, oldest enrolment first; `include=revoked` lists revoked keys too. */
export const MembersQuery = z.strictObject({ include: z.literal('revoked').optional(), ...ListPageQuery });
export type MembersQuery = z.infer<typeof MembersQuery>;
export const MemberPage = pageOf(Member);
export const RotationPage = pageOf(Rotation);
export const ContactPage = pageOf(Contact);

/** The folders of a party's packets; `all` lists every folder. */
export const PacketBox = z.enum(['inbox', 'sent', 'drafts', 'all']);
export type PacketBox = z.infer<typeof PacketBox>;
/** Requests are never drafts: the request folders are the packet folders without `drafts`. */
const RequestBox = PacketBox.exclude(['drafts']);
type RequestBox = z.infer<typeof RequestBox>;
export const PacketListQuery = z.strictObject({
  box: PacketBox.default('all'),
  agreement: AgreementId.optional(),
  kind: PacketKind.optional(),
  state: z.enum(['draft', 'submitted']).optional(),
  ...PageQuery,
});
export type PacketListQuery = z.infer<typeof PacketListQuery>;
export const PacketPage = pageOf(PacketSummary);

/** Requests (packets of kind request) my party sent or received; a page holds `limit` requests, each with its views. */
export const RequestListQuery = z.strictObject({
  box: RequestBox.default('all'),
  agreement: AgreementId.optional(),
  ...PageQuery,
});
export type RequestListQuery = z.infer<typeof RequestListQuery>;

/** The packets of a member's party that some part of does not open for the member's key yet. */
export const AwaitingWrapsQuery = z.strictObject({ ...PageQuery });
export type AwaitingWrapsQuery = z.infer<typeof AwaitingWrapsQuery>;

export const OralRequestListQuery = z.strictObject({ ...PageQuery });
export type OralRequestListQuery = z.infer<typeof OralRequestListQuery>;

export const ReleaseListQuery = z.strictObject({
  state: ReleaseState.optional(),
  packet: PacketId.optional(),
  ...PageQuery,
});
export type ReleaseListQuery = z.infer<typeof ReleaseListQuery>;

/** Text fields of a packet upload (multipart); the files are named by part id. */
export const PacketUploadFields = z.strictObject({
  manifest: z.string().min(2).max(256 * 1024),
  signature: ArmoredSignature,
  submit: z.enum(['true', 'false']).default('false'),
});

export const SubmitResult = z.strictObject({
  packetId: PacketId,
  state: PacketState,
  revision: z.number().int(),
});

export const ReleaseRequestBody = z.strictObject({ thirdParty: PartyId, purpose: z.string().min(3).max(2000) });
export const ReleaseDecisionBody = z.strictObject({ decision: z.string().min(2).max(16 * 1024), signature: ArmoredSignature });
export const ReleaseExecuteBody = z.strictObject({
  /** New public-key encrypted session key packets for the third party's cleared members, per part. */
  wraps: Wraps,
});

