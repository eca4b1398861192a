/**
 * The page <-> key worker protocol: the page asks, the worker answers with data to show. The
 * worker holds the unlocked key and the session token; neither ever crosses this boundary.
 */
import type { PacketSummary } from '../../../protocol/api.ts';
import type { Manifest } from '../../../protocol/manifest.ts';
import type { Release } from '../../../protocol/release.ts';
import type { Receipt } from '../../../protocol/evidence.ts';

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
  /** The verified plaintext, offered for saving. */
  file: File;
  signer: string;
}

export interface OpenedPacket {
  summary: PacketSummary;
  manifest: Manifest;
  sender: { name: string; fingerprint: string; vouchedBy: string };
  parts: OpenedPart[];
  receipts: Array<{ valid: boolean; reason?: string; receipt?: Receipt }>;
  releases: Release[];
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
}

export interface AgreementChoice {
  id: string;
  title: string;
  parties: string[];
  levels: Array<{ level: string; labels: Record<string, string> }>;
  kinds: string[];
  languagesArticle: string;
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
  | { op: 'changeState'; packetId: string; state: string }
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
  | { id: number; ok: false; error: string; article?: string }
  | { event: 'progress'; step: string; done: number; total: number }
  | { event: 'locked' };
