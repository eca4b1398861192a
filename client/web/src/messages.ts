/**
 * The page <-> key worker protocol: the page asks, the worker answers with data to show. The
 * worker holds the unlocked key and the session token; neither ever crosses this boundary.
 */
import type { PacketSummary } from '../../../protocol/api.ts';
import type { Manifest } from '../../../protocol/manifest.ts';
import type { Release } from '../../../protocol/release.ts';
import type { ReleaseTerms } from '../../core/releases.ts';
import type { Receipt } from '../../../protocol/evidence.ts';
import type { AuthenticityView, OralRequestView, RequestView } from '../../../protocol/requests.ts';
import type { ErrorWording } from '../../../protocol/error-codes.ts';

export interface Status {
  hasKey: boolean;
  unlocked: boolean;
  fingerprint?: string;
  name?: string;
  loggedIn: boolean;
  me?: { name: string; party: string; roles: string[]; clearance: string; fingerprint: string };
  idleMinutes: number;
  /** Epoch milliseconds at which the key locks if nothing happens. */
  locksAt?: number;
  /** The hub's audit log held against the checkpoints kept in this browser, checked at each login. */
  audit?: AuditView;
}

/** The audit log as this browser last checked it (client/core/evidence.ts verifyAuditExport). */
export interface AuditView {
  ok: boolean;
  reason?: string;
  lines: string[];
  checkedAt: string;
  /** Checkpoints kept in this browser for this hub, newest last (size and signing time). */
  kept: Array<{ size: number; at: string }>;
}

export interface PinView {
  party: string;
  fingerprint: string;
  addedAt: string;
  source: string;
}

export interface OpenedPart {
  id: string;
  role: string;
  lang: string;
  mediaType: string;
  filename: string;
  size: number;
  /** Text parts: their text (up to a display limit), for showing inline as text, never as markup. */
  text?: string;
  truncated?: boolean;
  /** A request-form part: its fields as filled in, and those the agreement requires that it leaves out. */
  form?: { fields: Array<[string, string]>; missing: string[]; article?: string };
  /** The verified plaintext, offered for saving. */
  file: File;
  signer: string;
}

export interface OpenedPacket {
  summary: PacketSummary;
  manifest: Manifest;
  sender: { name: string; fingerprint: string; vouchedBy: string };
  /** Who signed the current revision, when not the sender (a clerk who attached a translation). */
  revisionSigner?: { name: string; fingerprint: string; revision: number };
  parts: OpenedPart[];
  receipts: Array<{ valid: boolean; reason?: string; receipt?: Receipt }>;
  releases: Array<Release & { terms?: TermsView }>;
  /** Executed releases through which this packet reached my party: the terms, verified here. */
  receivedUnder: TermsView[];
  notices: string[];
}

export interface SendForm {
  agreementId: string;
  to: string[];
  level: string;
  kind: string;
  original: { file: File; lang: string };
  translations: Array<{ file: File; lang: string }>;
  draft: boolean;
  /** A request's structured form (kind request): the fields as typed, and the language they are written in. */
  requestForm?: { fields: Record<string, string>; lang: string };
  inReplyTo?: string;
}

/** The written reasons or notice behind a state change, sent first as a packet in reply to the request. */
export interface Writing {
  original: { file: File; lang: string };
  translations: Array<{ file: File; lang: string }>;
}

/**
 * A question about a packet's authenticity (SCO Art. 5(3)) as this browser checked it: whether my
 * party is to answer it, and for an answered one whether the confirmation verified here and why.
 */
export type AuthenticityRow = AuthenticityView & { toAnswer: boolean; check?: { confirmed: boolean; reason: string } };

/** An oral request of my party, and which side of it my party is on (the hub decides who may demand or confirm). */
export type OralRow = OralRequestView & { side: 'requesting' | 'requested' };

/** A request to my party, with the states it may move to and which of them need a written packet. */
export type RequestRow = RequestView & { next: Array<{ state: string; writing: 'required' | 'optional' | 'none' }> };

export interface ContactView {
  agreementId: string;
  kind: string;
  name: string;
  position?: string;
  phone?: string;
  email?: string;
  address?: string;
  effectiveFrom: string;
  withdrawn: boolean;
  recordedAt: string;
  late: boolean;
}

export interface ContactForm {
  agreementId: string;
  kind: 'contact-person' | 'competent-authority';
  name: string;
  position?: string;
  phone?: string;
  email?: string;
  address?: string;
  effectiveFrom: string;
  withdrawn?: boolean;
}

/** The terms a packet reached my party under, as the originating officer signed them, with their lines for display. */
export type TermsView = ReleaseTerms & { lines: string[] };

export interface AgreementChoice {
  id: string;
  title: string;
  parties: string[];
  levels: Array<{ level: string; labels: Record<string, string> }>;
  kinds: string[];
  languagesArticle: string;
  /** The fields a request must state, and the article that says so (SCO Art. 5(4)). */
  requestFields: string[];
  requestArticle?: string;
  /** Each party's competent authorities (for a transfer, SCO Art. 6(3)). */
  authorities: Record<string, Array<{ id: string; name: string }>>;
}

export type Request =
  | { op: 'status' }
  | { op: 'touch' }
  | { op: 'createKey'; name: string; email?: string; passphrase: string }
  | { op: 'importKey'; armored: string; passphrase: string }
  | { op: 'unlock'; passphrase: string }
  | { op: 'lock' }
  | { op: 'setIdle'; minutes: number }
  | { op: 'exportPublicKey' }
  | { op: 'exportSecretKey' }
  | { op: 'pins' }
  | { op: 'pin'; party: string; fingerprint: string }
  | { op: 'unpin'; party: string; fingerprint: string }
  | { op: 'login' }
  | { op: 'logout' }
  | { op: 'list'; box: 'inbox' | 'sent' | 'drafts' }
  | { op: 'open'; packetId: string }
  | { op: 'agreements' }
  | { op: 'send'; form: SendForm }
  | { op: 'attach'; packetId: string; file: File; lang: string; submit: boolean }
  | { op: 'submit'; packetId: string }
  | { op: 'members'; party: string }
  | { op: 'enroll'; publicKey: string; roles: string[]; clearance: string; validUntil?: string }
  | { op: 'revoke'; fingerprint: string; reason: string }
  | { op: 'requests' }
  | { op: 'oralRequests' }
  | { op: 'requestPurposeChange'; packetId: string; purpose: string }
  | { op: 'authenticityOf'; packetId: string }
  | { op: 'askAuthenticity'; packetId: string }
  | { op: 'confirmAuthenticity'; id: string; packetId: string }
  | { op: 'recordOral'; agreementId: string; requestingParty: string; requestedParty: string; madeAt?: string }
  | { op: 'demandConfirmation'; id: string }
  | { op: 'confirmOral'; id: string; packetId: string }
  | { op: 'notifyDelay'; packetId: string; writing: Writing }
  | { op: 'changeState'; packetId: string; state: string; scope?: 'whole' | 'part'; authority?: string; writing?: Writing }
  | { op: 'restate'; fingerprint: string; roles?: string[]; clearance?: string }
  | { op: 'rotate'; passphrase: string }
  | { op: 'awaiting' }
  | { op: 'rewrap'; fingerprint: string }
  | { op: 'contacts'; party: string }
  | { op: 'recordContact'; entry: ContactForm }
  | { op: 'evidence'; packetId: string }
  | { op: 'audit' }
  | { op: 'releases' }
  | { op: 'requestRelease'; packetId: string; thirdParty: string; purpose: string }
  | { op: 'executeRelease'; releaseId: string }
  | { op: 'previewDecision'; releaseId: string; choice: DecisionChoice }
  | { op: 'decideRelease'; releaseId: string; choice: DecisionChoice; shown: string };

/** What the officer chose and stated (the third party typed by them, not read from the hub). */
export interface DecisionChoice {
  thirdParty: string;
  refuse?: string;
  conditions?: string;
  expiresAt?: string;
}

export type WorkerMessage =
  | { id: number; ok: true; result: unknown }
  /** A refusal: its English sentence, the article that refused, and its code and parameters for the page's language. */
  | { id: number; ok: false; error: string; article?: string; wording?: ErrorWording }
  | { event: 'progress'; step: string; done: number; total: number }
  | { event: 'locked' }
  /** The hub refused the session (revoked or expired key, ended session): the worker has logged out. */
  | { event: 'sessionEnded'; message: string; wording: ErrorWording };
