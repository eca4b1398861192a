/**
 * The treaty workflow of a request, shared by both sides: the states a request goes
 * through at each requested party, which changes are allowed, which change must be backed by a
 * written packet (refusal, deferral, additional-information request, transfer notice), the
 * structured request form that travels INSIDE an encrypted part (never on the hub), and the
 * bodies of the workflow API.
 *
 * The hub enforces the workflow from metadata only: states, parties, packet kinds and references.
 * Reasons, purposes and facts are written in the encrypted packets; the hub never reads them.
 */
import { z } from 'zod';
import { AgreementId, Fingerprint, IsoDateTime, PacketId, PartyId, RecordId } from './ids.ts';
import type { PacketKind } from './manifest.ts';
import { ListPageQuery } from './api.ts';

export const RequestState = z.enum([
  'received',
  'acknowledged',
  'in-execution',
  'waiting-for-information',
  'executed',
  'refused',
  'deferred',
  'transferred',
]);
export type RequestState = z.infer<typeof RequestState>;

/** Where each state may go next. A whole refusal and an execution end the request. */
export const TRANSITIONS: Readonly<Record<RequestState, readonly RequestState[]>> = {
  received: ['acknowledged', 'in-execution', 'waiting-for-information', 'refused', 'deferred', 'transferred', 'executed'],
  acknowledged: ['in-execution', 'waiting-for-information', 'refused', 'deferred', 'transferred', 'executed'],
  'in-execution': ['waiting-for-information', 'executed', 'refused', 'deferred', 'transferred'],
  'waiting-for-information': ['in-execution', 'executed', 'refused', 'deferred'],
  deferred: ['in-execution', 'executed', 'refused'],
  transferred: ['acknowledged', 'in-execution', 'waiting-for-information', 'executed', 'refused', 'deferred'],
  // Only a refusal in part leaves something to execute; the domain checks the scope.
  refused: ['in-execution', 'executed'],
  executed: [],
};

/** States after which the execution deadline no longer runs. */
export const CLOSED_STATES: readonly RequestState[] = ['executed', 'refused'];

/**
 * The written packet a state change must point to (its reasons or notice are inside it), and the
 * kinds that packet may have. `executed` may point to the reply; the others need nothing.
 */
export const STATE_PACKET: Partial<Record<RequestState, { kinds: readonly PacketKind[]; required: boolean }>> = {
  refused: { kinds: ['refusal'], required: true },
  deferred: { kinds: ['deferral'], required: true },
  'waiting-for-information': { kinds: ['additional-information-request'], required: true },
  transferred: { kinds: ['transfer-notice'], required: true },
  executed: { kinds: ['reply'], required: false },
};

export function canTransition(from: RequestState, to: RequestState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** A requested party changes the state of a request addressed to it. */
export const StateChangeBody = z.strictObject({
  state: RequestState.exclude(['received']),
  /** The packet that carries the written reasons or notice (in reply to the request). */
  packetId: PacketId.optional(),
  /** Refusal or deferral in whole or in part (SCO Art. 6(7), RU-PK Art. 11). */
  scope: z.enum(['whole', 'part']).optional(),
  /** The competent authority the request was transferred to (SCO Art. 6(3)); an id from the agreement. */
  authority: z.string().regex(/^[A-Z0-9-]{2,40}$/).optional(),
});
export type StateChangeBody = z.infer<typeof StateChangeBody>;

export const RequestEvent = z.strictObject({
  state: RequestState,
  at: IsoDateTime,
  by: Fingerprint.optional(),
  packetId: PacketId.optional(),
  scope: z.enum(['whole', 'part']).optional(),
  authority: z.string().optional(),
  article: z.string().optional(),
});
export type RequestEvent = z.infer<typeof RequestEvent>;

export const DueStatus = z.enum(['overdue', 'due-soon', 'due', 'no-deadline', 'closed']);
export type DueStatus = z.infer<typeof DueStatus>;

/** A request as one requested party handles it. */
export const RequestView = z.strictObject({
  packetId: PacketId,
  agreementId: AgreementId,
  requestingParty: PartyId,
  requestedParty: PartyId,
  state: RequestState,
  scope: z.enum(['whole', 'part']).optional(),
  receivedAt: IsoDateTime,
  dueAt: IsoDateTime.optional(),
  due: DueStatus,
  deadlineArticle: z.string().optional(),
  delayNotifiedAt: IsoDateTime.optional(),
  history: z.array(RequestEvent),
});
export type RequestView = z.infer<typeof RequestView>;

export const DelayNoticeBody = z.strictObject({
  /** The packet (kind information, in reply to the request) that explains the delay. */
  packetId: PacketId,
});

// --- urgent oral requests (SCO Art. 5(2); RU-PK Art. 5) ---------------------------------------

export const OralRequestBody = z.strictObject({
  agreementId: AgreementId,
  /** The party that made the oral request; the other side is the recorder's party, or `requestedParty`. */
  requestingParty: PartyId,
  requestedParty: PartyId,
  /** When the request was made orally; defaults to the moment it is recorded. */
  madeAt: IsoDateTime.optional(),
});
export const OralConfirmBody = z.strictObject({ packetId: PacketId });

export const OralRequestView = z.strictObject({
  id: RecordId,
  agreementId: AgreementId,
  requestingParty: PartyId,
  requestedParty: PartyId,
  madeAt: IsoDateTime,
  recordedAt: IsoDateTime,
  recordedBy: Fingerprint,
  confirmation: z.enum(['within-deadline', 'on-demand']),
  demandedAt: IsoDateTime.optional(),
  confirmedBy: PacketId.optional(),
  confirmedAt: IsoDateTime.optional(),
  dueAt: IsoDateTime.optional(),
  due: DueStatus,
  article: z.string(),
});
export type OralRequestView = z.infer<typeof OralRequestView>;

// --- authenticity (SCO Art. 5(3)) ---------------------------------------------------------------

export const AUTHENTICITY_FORMAT = 'liaison-authenticity/1';

/** The sender's signed statement that a packet, exactly as its manifest says, is theirs. */
export const AuthenticityConfirmation = z.strictObject({
  format: z.literal(AUTHENTICITY_FORMAT),
  requestId: RecordId,
  packetId: PacketId,
  /** SHA-256 of the packet's current signed manifest text: what is confirmed, byte for byte. */
  manifestSha256: z.string().regex(/^[0-9a-f]{64}$/),
  confirmedBy: Fingerprint,
  confirmedAt: IsoDateTime,
});
export type AuthenticityConfirmation = z.infer<typeof AuthenticityConfirmation>;

export const AuthenticityAnswerBody = z.strictObject({
  confirmation: z.string().min(2).max(16 * 1024),
  signature: z.string().max(64 * 1024).regex(/^-----BEGIN PGP SIGNATURE-----/, 'the signature must be ASCII-armored OpenPGP'),
});

export const AuthenticityView = z.strictObject({
  id: RecordId,
  packetId: PacketId,
  requestingParty: PartyId,
  senderParty: PartyId,
  requestedAt: IsoDateTime,
  confirmation: z.string().optional(),
  signature: z.string().optional(),
  confirmedBy: Fingerprint.optional(),
  confirmedAt: IsoDateTime.optional(),
  article: z.string(),
});
export type AuthenticityView = z.infer<typeof AuthenticityView>;

// --- use for another purpose (SCO Art. 7(2)) ----------------------------------------------------

export const PurposeChangeBody = z.strictObject({ purpose: z.string().min(3).max(2000) });

// --- deadlines ------------------------------------------------------------------------------

export const DeadlineItem = z.strictObject({
  what: z.enum(['execution', 'oral-confirmation', 'authenticity']),
  /** The request packet, oral request or authenticity request. */
  id: z.string(),
  agreementId: AgreementId,
  /** Who must act: my party (`mine`) or the other side (`theirs`). */
  whose: z.enum(['mine', 'theirs']),
  counterpart: PartyId,
  state: z.string(),
  dueAt: IsoDateTime.optional(),
  due: DueStatus,
  article: z.string(),
});
export type DeadlineItem = z.infer<typeof DeadlineItem>;

/**
 * GET /v1/deadlines: one page, most urgent first (the earliest `dueAt` first, items without a
 * deadline last). Filters: `due` (overdue, due-soon, due, no-deadline), `what`, `whose`, and
 * `state` (a request state: only execution deadlines of requests in it).
 */
export const DeadlineListQuery = z.strictObject({
  due: DueStatus.exclude(['closed']).optional(),
  what: DeadlineItem.shape.what.optional(),
  whose: DeadlineItem.shape.whose.optional(),
  state: RequestState.optional(),
  ...ListPageQuery,
});
export type DeadlineListQuery = z.infer<typeof DeadlineListQuery>;

/**
 * Overdue after `dueAt`; due soon in the last quarter of the period (at least the last day);
 * no deadline when the agreement sets none.
 */
export function dueStatus(now: Date, startAt: string, dueAt: string | undefined): DueStatus {
  if (!dueAt) return 'no-deadline';
  const due = Date.parse(dueAt);
  const period = due - Date.parse(startAt);
  const left = due - now.getTime();
  if (left < 0) return 'overdue';
  if (left <= Math.max(period / 4, Math.min(period, 24 * 3600 * 1000))) return 'due-soon';
  return 'due';
}

/** `start` plus a deadline of days or hours, as an ISO date-time; undefined when there is none. */
export function addDeadline(start: string, deadline: { days?: number | undefined; hours?: number | undefined } | undefined): string | undefined {
  if (!deadline || (deadline.days === undefined && deadline.hours === undefined)) return undefined;
  const ms = ((deadline.days ?? 0) * 24 + (deadline.hours ?? 0)) * 3600 * 1000;
  return new Date(Date.parse(start) + ms).toISOString();
}

// --- the structured request form (inside the encrypted part) ---------------------------------

export const REQUEST_FORM_FORMAT = 'liaison-request-form/1';
/** The media type of the encrypted part that carries the form (the hub sees only this type). */
export const REQUEST_FORM_MEDIA_TYPE = 'application/json';

const text = z.string().trim().min(2).max(20_000);

/**
 * What a request contains (SCO Art. 5(4)): requesting and requested authorities, purpose and
 * justification, the assistance requested, the facts of the case, a confidentiality indication.
 * It is encrypted like any other part; the hub never sees it.
 */
export const RequestForm = z.strictObject({
  format: z.literal(REQUEST_FORM_FORMAT),
  agreementId: AgreementId,
  requestingAuthority: z.string().min(2).max(200).optional(),
  requestedAuthority: z.string().min(2).max(200).optional(),
  /** A short category (for example `criminal-investigation`) and the free-text purpose. */
  purposeCategory: z.string().regex(/^[a-z0-9-]{2,60}$/).optional(),
  purpose: text.optional(),
  justification: text.optional(),
  assistanceRequested: text.optional(),
  facts: text.optional(),
  confidentiality: text.optional(),
  /** Set when this written request confirms an urgent oral one (SCO Art. 5(2)). */
  confirmsOralRequest: RecordId.optional(),
});
export type RequestForm = z.infer<typeof RequestForm>;

/** The fields the agreement requires that the form leaves empty. */
export function missingRequestFields(form: RequestForm, required: readonly string[]): string[] {
  const record = form as Record<string, unknown>;
  return required.filter((field) => typeof record[field] !== 'string' || record[field].trim().length === 0);
}
