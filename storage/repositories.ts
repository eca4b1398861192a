/**
 * What the hub needs from storage, one asynchronous repository per aggregate, and the unit of
 * work its decisions commit in. `server/` depends on these interfaces only; `storage/sqlite/`
 * implements them over better-sqlite3 today, and a PostgreSQL implementation can implement them
 * later without the server changing. Every method returns a Promise, even where SQLite answers
 * synchronously, so no caller relies on a read finishing in the same turn.
 *
 * Contract of `transaction` (every implementation must keep it):
 * - the work's reads and writes, and nothing else, commit together or not at all;
 * - a compare-and-set inside it (`markSubmitted`, `recordDecision`, `markExecuted`, ...) cannot be
 *   overtaken between its read and its write by any other transaction, of this process or another;
 * - a repository call made from inside the work (in its async context) belongs to the transaction;
 *   a call from anywhere else never sees its uncommitted rows and never joins it;
 * - a transaction opened inside another one is a savepoint: its throw undoes only its own writes.
 */
import type { AscendingFilter, AwaitingWrapFilter, ListedPacket, ListedRelease, OralListFilter, Page, PacketListFilter, ReleaseListFilter } from './listings.ts';
import type {
  AuditEvent,
  AuditEventInput,
  AuthenticityRequestRecord,
  CheckpointRecord,
  ContactRecord,
  MemberRecord,
  MembershipUpdate,
  OralRequestRecord,
  PacketRecord,
  PartRecord,
  ReceiptRecord,
  ReleaseDecisionRecord,
  ReleaseRecord,
  RequestEventRecord,
  RevocationRecord,
  RotationRecord,
  SessionRecord,
  WrapRecord,
} from './records.ts';
import type { ManifestPart } from '../protocol/manifest.ts';

export type { Page } from './listings.ts';

/** One page of an oldest-first list; `nextCursor` is the position after the last row read (see Listings.ascending). */
type ListPage<T> = Page<T>;

/** Where a party's page of the audit log reads: after `afterSeq`, up to `size`, at most `window` events. */
export interface AuditPartyFilter {
  party: string;
  afterSeq: number;
  size: number;
  window: number;
}

/** Merkle material for a log of `size` events, from the stored tree: its root, inclusion proofs of the asked events, consistency proofs from the asked sizes. */
export interface AuditProofs {
  root: string;
  inclusion: string[][];
  consistency: Array<{ fromSize: number; proof: string[] }>;
}

export interface MemberRepository {
  get(fingerprint: string): Promise<MemberRecord | undefined>;
  /** Members of a party, oldest enrolment first; revoked ones only when asked. */
  ofParty(party: string, options?: { includeRevoked?: boolean }): Promise<MemberRecord[]>;
  /** Parties that have at least one member. */
  parties(): Promise<string[]>;
  insert(member: MemberRecord): Promise<void>;
  /** Compare-and-set on the statement it replaces; false when it changed meanwhile or the key is revoked. */
  updateMembership(fingerprint: string, previousStatement: string | undefined, update: MembershipUpdate): Promise<boolean>;
  /** Revoke once: false when the key was already revoked (the first revocation stands). */
  revoke(fingerprint: string, revocation: RevocationRecord): Promise<boolean>;
  insertRotation(rotation: RotationRecord): Promise<void>;
  insertContact(contact: Omit<ContactRecord, 'id'>): Promise<number>;
  /** One page of a party's members, oldest enrolment first (storage/listings.ts). */
  page(filter: AscendingFilter & { party: string; includeRevoked: boolean }): Promise<ListPage<MemberRecord>>;
  rotationPage(filter: AscendingFilter & { party: string }): Promise<ListPage<RotationRecord>>;
  contactPage(filter: AscendingFilter & { party: string }): Promise<ListPage<ContactRecord>>;
}

export interface SessionRepository {
  /** Store a login challenge (its hash), keeping at most `keep` open ones per key, the oldest going first. */
  putChallenge(challengeHash: string, fingerprint: string, expiresAt: string, keep: number): Promise<void>;
  /** Remove and return a challenge: each can be answered once. */
  takeChallenge(challengeHash: string): Promise<{ fingerprint: string; expiresAt: string } | undefined>;
  challengeCount(): Promise<number>;
  purgeExpired(now: string): Promise<void>;
  create(tokenHash: string, fingerprint: string, now: string, expiresAt: string): Promise<void>;
  get(tokenHash: string): Promise<SessionRecord | undefined>;
  touch(tokenHash: string, now: string): Promise<void>;
  delete(tokenHash: string): Promise<void>;
}

export interface PacketRepository {
  /** `readerKeyIds`: the encryption key IDs every new part is encrypted to (checked by the caller). */
  insert(packet: PacketRecord, parts: ManifestPart[], readerKeyIds: Iterable<string>): Promise<void>;
  /** Compare-and-set on the draft's revision: false when revision N-1 is no longer the current draft. */
  addRevision(packetId: string, revision: number, manifest: string, signature: string, signedBy: string, at: string, newParts: ManifestPart[], readerKeyIds: Iterable<string>): Promise<boolean>;
  /** Compare-and-set draft -> submitted; false when it was already submitted. */
  markSubmitted(packetId: string, at: string): Promise<boolean>;
  get(id: string): Promise<PacketRecord | undefined>;
  partsOf(packetId: string): Promise<PartRecord[]>;
  /** Every ciphertext hash a part row references (the blob sweep keeps exactly these). */
  allBlobHashes(): Promise<Set<string>>;
  /** One page of the packets a party may list (storage/listings.ts). */
  page(filter: PacketListFilter): Promise<Page<ListedPacket>>;
  /** One page of a party's packets that some part does not open for a key yet (storage/listings.ts). */
  awaitingWrapsPage(filter: AwaitingWrapFilter): Promise<Page<ListedPacket>>;
  /** Submitted packets of `kind` a party sent or received, oldest submission first. */
  submittedIdsFor(party: string, kind: string): Promise<string[]>;
  insertWrap(wrap: WrapRecord): Promise<void>;
  /** The extra PKESK packets to serve in front of a part to members of `party`, oldest first. */
  wrapsFor(packetId: string, partId: string, party: string): Promise<Buffer>;
}

export interface ReleaseRepository {
  insert(release: ReleaseRecord): Promise<void>;
  get(id: string): Promise<ReleaseRecord | undefined>;
  ofPacket(packetId: string): Promise<ReleaseRecord[]>;
  /** Compare-and-set requested -> consented/refused; false when another decision landed first. */
  recordDecision(id: string, decision: ReleaseDecisionRecord): Promise<boolean>;
  /** Compare-and-set consented -> executed. */
  markExecuted(id: string, at: string): Promise<boolean>;
  /** One page of the releases a party is party to, for packets it may see (storage/listings.ts). */
  page(filter: ReleaseListFilter): Promise<Page<ListedRelease>>;
  /** One page of a packet's releases (or only its purpose changes), oldest request first; the caller applies the visibility rule. */
  pageOfPacket(filter: AscendingFilter & { packetId: string; purposeChangesOnly: boolean }): Promise<ListPage<ReleaseRecord>>;
  insertPurposeChange(releaseId: string, packetId: string, party: string): Promise<void>;
  isPurposeChange(releaseId: string): Promise<boolean>;
}

/** The treaty workflow: request states, oral requests and authenticity requests. */
export interface RequestRepository {
  insertEvent(event: RequestEventRecord): Promise<void>;
  /** Every state change of a request, oldest first; `party` narrows to one requested party. */
  events(packetId: string, party?: string): Promise<RequestEventRecord[]>;
  insertOral(oral: OralRequestRecord): Promise<void>;
  getOral(id: string): Promise<OralRequestRecord | undefined>;
  oralPage(filter: OralListFilter): Promise<Page<OralRequestRecord>>;
  oralOfParty(party: string): Promise<OralRequestRecord[]>;
  demandOralConfirmation(id: string, by: string, at: string): Promise<boolean>;
  confirmOral(id: string, packetId: string, at: string): Promise<boolean>;
  insertAuthenticity(request: Omit<AuthenticityRequestRecord, 'confirmation' | 'confirmationSignature' | 'confirmedBy' | 'confirmedAt'>): Promise<void>;
  getAuthenticity(id: string): Promise<AuthenticityRequestRecord | undefined>;
  /** One page of a packet's authenticity requests, oldest first; the caller applies the visibility rule. */
  authenticityPage(filter: AscendingFilter & { packetId: string }): Promise<ListPage<AuthenticityRequestRecord>>;
  /** Unanswered authenticity requests about packets a party may look at, oldest first: one query. */
  openAuthenticityFor(party: string): Promise<AuthenticityRequestRecord[]>;
  recordAuthenticityConfirmation(id: string, c: { confirmation: string; signature: string; confirmedBy: string; confirmedAt: string }): Promise<boolean>;
}

export interface ReceiptRepository {
  insert(receipt: ReceiptRecord): Promise<void>;
  /** Receipts of a packet, oldest first. */
  ofPacket(packetId: string): Promise<ReceiptRecord[]>;
  /** One page of a packet's receipts, in the order of `ofPacket`; the caller applies the visibility rule. */
  pageOfPacket(filter: AscendingFilter & { packetId: string }): Promise<ListPage<ReceiptRecord>>;
  unsigned(): Promise<Array<{ id: string; statement: string; createdAt: string }>>;
  hasUnsigned(): Promise<boolean>;
  /** Fill in the hub's signature of a receipt, once. */
  sign(id: string, signature: string): Promise<void>;
}

export interface AuditRepository {
  /** Append one event to the hash chain (protocol/evidence.ts: auditEventHash). Call inside the transaction of the decision it records. */
  append(event: AuditEventInput): Promise<AuditEvent>;
  /** Every event, in order. */
  events(): Promise<AuditEvent[]>;
  /** Up to `limit` events after `afterSeq`, in order (keyset on seq, the primary key). */
  page(afterSeq: number, limit: number): Promise<AuditEvent[]>;
  /** The events a party may look at after `afterSeq` (audit_access, migration 011), in order; the caller applies filters and visibility. */
  partyPage(filter: AuditPartyFilter): Promise<AuditEvent[]>;
  /** The events that name a packet, its releases or authenticity requests, up to `size`, in order. */
  aboutPacket(packetId: string, size: number): Promise<AuditEvent[]>;
  eventAt(seq: number): Promise<AuditEvent | undefined>;
  /** Index the events the append did not (stored before migration 011, or by direct SQL); the hub runs it at start. Returns how many. */
  indexBacklog(): Promise<number>;
  /** Root and proofs of the log's first `size` events, from the stored tree: O(log^2 size) reads each, never a read of the log. */
  proofs(size: number, seqs: readonly number[], fromSizes: readonly number[]): Promise<AuditProofs>;
  /** The checkpoint stored for `size`, if any (by its key). */
  checkpointAt(size: number): Promise<CheckpointRecord | undefined>;
  /** The size of the newest stored checkpoint, 0 if none. */
  newestCheckpointSize(): Promise<number>;
  latest(): Promise<AuditEvent | undefined>;
  /** Store a signed checkpoint; of two of one size, the first stays. */
  insertCheckpoint(checkpoint: CheckpointRecord): Promise<void>;
  hasCheckpoint(size: number): Promise<boolean>;
  checkpoints(): Promise<CheckpointRecord[]>;
}

export interface MetaRepository {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/** Everything the hub stores, and the one way to commit several changes together. */
export interface Storage {
  members: MemberRepository;
  sessions: SessionRepository;
  packets: PacketRepository;
  releases: ReleaseRepository;
  requests: RequestRepository;
  receipts: ReceiptRepository;
  audit: AuditRepository;
  meta: MetaRepository;
  /** Run `work` as one unit (see the contract above); resolves after the commit, with the work's value. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Like `transaction`, but concurrent calls may share one commit (one fsync), each in its own
   * savepoint: a throw undoes and rejects only its own work. For independent writes only (uploads).
   */
  groupCommit<T>(work: () => Promise<T>, announced?: { done(): void }): Promise<T>;
  /** Say a `groupCommit` is coming (an upload making its blobs durable), so a batch forming meanwhile waits for it briefly. */
  announceCommit(): { done(): void };
  close(): Promise<void>;
}

/**
 * A PRIMARY KEY or UNIQUE constraint refused a write: someone else stored the same key first (two
 * uploads of one packet id, a key enrolled twice). Every implementation throws this, never its
 * driver's own error, so the server can answer 409 without knowing the driver.
 */
export class DuplicateKeyError extends Error {
  override name = 'DuplicateKeyError';
}
