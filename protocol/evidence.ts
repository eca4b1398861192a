/**
 * Evidence on the wire: receipts, audit-log checkpoints, exported logs and evidence bundles, and
 * the pure arithmetic both sides use to check them (the chain hash of an audit event, and an
 * RFC 9162 Merkle tree over those hashes with inclusion and consistency proofs).
 *
 * Everything here is a pure function over data: no key, no file, no network. A proof that
 * verifies says the event (or the older log) is part of the log a checkpoint describes; it says
 * nothing about who signed that checkpoint: the caller checks the hub's signature with a pinned key.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { sha256, sha256HexOfText } from './sha256.ts';
import { z } from 'zod';
import { canonicalize, parseCanonical } from './canonical.ts';
import { Fingerprint, IsoDateTime, PacketId, PartyId, ReleaseId, Sha256Hex , RecordId } from './ids.ts';
import { ListPageQuery } from './api.ts';
import { Release } from './release.ts';
import type { RequestState } from './requests.ts';

export const RECEIPT_FORMAT = 'liaison-receipt/1';
export const CHECKPOINT_FORMAT = 'liaison-audit-checkpoint/1';
export const AUDIT_EXPORT_FORMAT = 'liaison-audit-export/1';
export const EVIDENCE_FORMAT = 'liaison-evidence/1';
export const AUDIT_GENESIS = '0'.repeat(64);

const armoredSignature = z.string().max(64 * 1024).regex(/^-----BEGIN PGP SIGNATURE-----/, 'an ASCII-armored OpenPGP signature');

/** What a receipt acknowledges. The hub issues all but `retrieved`, which the recipient's client signs. */
export const ReceiptKind = z.enum([
  'submission-accepted',
  'made-available',
  'retrieved',
  'release-requested',
  'release-consented',
  'release-refused',
  'release-executed',
  'request-refused',
  'request-deferred',
  'transfer',
]);
export type ReceiptKind = z.infer<typeof ReceiptKind>;

export const Receipt = z.strictObject({
  format: z.literal(RECEIPT_FORMAT),
  id: RecordId,
  kind: ReceiptKind,
  /** Who signs: the hub's key, or the person who retrieved. */
  issuer: z.strictObject({ role: z.enum(['hub', 'person']), fingerprint: Fingerprint }),
  packetId: PacketId,
  revision: z.number().int().positive(),
  /** SHA-256 of the signed manifest text of that revision: the receipt is about exactly those bytes. */
  manifestSha256: Sha256Hex,
  /** The party the receipt concerns: sender (accepted), recipient (available, retrieved), requester or third party. */
  party: PartyId,
  releaseId: ReleaseId.optional(),
  thirdParty: PartyId.optional(),
  /** For `retrieved`: the parts that were decrypted and verified. */
  parts: z.array(z.strictObject({ id: z.string(), sha256: Sha256Hex })).max(64).optional(),
  /** For hub receipts: the audit event that records the decision acknowledged. */
  audit: z.strictObject({ seq: z.number().int().positive(), hash: Sha256Hex }).optional(),
  at: IsoDateTime,
});
export type Receipt = z.infer<typeof Receipt>;

/** A receipt as stored and served: the canonical statement and the detached signature over its UTF-8 bytes. */
export const SignedReceipt = z.strictObject({ statement: z.string().max(64 * 1024), signature: armoredSignature });
export type SignedReceipt = z.infer<typeof SignedReceipt>;

export const RetrievalReceiptBody = SignedReceipt;

export const Checkpoint = z.strictObject({
  format: z.literal(CHECKPOINT_FORMAT),
  hub: Fingerprint,
  /** Number of events covered: seq 1..size. */
  size: z.number().int().positive(),
  /** RFC 9162 Merkle tree hash over the chain hashes of events 1..size. */
  root: Sha256Hex,
  /** Chain hash of event `size` (the head of the hash chain). */
  head: Sha256Hex,
  at: IsoDateTime,
});
export type Checkpoint = z.infer<typeof Checkpoint>;
export const SignedCheckpoint = SignedReceipt;
export type SignedCheckpoint = SignedReceipt;

/**
 * Every action the hub records, one name per kind of decision (docs/evidence.md lists them).
 * Refusals on member routes are recorded under the route (`DenialAction`), anonymous ones in
 * aggregate; `(many)` is the overflow bucket of an anonymous flood's window.
 */
export const AUDIT_ACTIONS = [
  'hub.init',
  'connect',
  'auth.challenge',
  'auth.login',
  'member.enroll',
  'member.restate',
  'member.revoke',
  'officer.rotate',
  'contact.record',
  'packet.upload',
  'packet.attach',
  'packet.submit',
  'packet.rewrap',
  'part.download',
  'receipt.retrieved',
  'release.request',
  'release.consent',
  'release.refuse',
  'release.execute',
  'purpose.request',
  'request.acknowledged',
  'request.in-execution',
  'request.waiting-for-information',
  'request.executed',
  'request.refused',
  'request.deferred',
  'request.transferred',
  'request.delay-notified',
  'oral-request.record',
  'oral-request.demand',
  'oral-request.confirm',
  'authenticity.ask',
  'authenticity.confirm',
  '(many)',
] as const;
/** A refused request on a member route, recorded as its method and route pattern ("GET /packets/:id"). */
export type DenialAction = `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS'} /${string}`;
export type AuditAction = (typeof AUDIT_ACTIONS)[number] | DenialAction;
export type AuditOutcome = 'allow' | 'deny';

/** The audit action of a request state change (`request.refused`, ...). */
export function requestStateAction(state: Exclude<RequestState, 'received'>): AuditAction {
  return `request.${state}`;
}

/** The audit action of a release decision. */
export function releaseDecisionAction(decision: 'consent' | 'refuse'): AuditAction {
  return `release.${decision}`;
}

/**
 * An event as exported and verified. `action` stays free text on the wire: a verifier recomputes
 * the chain of whatever a hub wrote, including actions a newer hub added.
 */
export const AuditEvent = z.strictObject({
  seq: z.number().int().positive(),
  at: z.string(),
  actor: z.string(),
  party: z.string(),
  action: z.string(),
  object: z.string(),
  outcome: z.enum(['allow', 'deny']),
  /** Canonical JSON, exactly as hashed. */
  detail: z.string(),
  prevHash: Sha256Hex,
  hash: Sha256Hex,
});
export type AuditEvent = z.infer<typeof AuditEvent>;

const HexPath = z.array(Sha256Hex).max(64);

/**
 * An event of a partial view with its Merkle inclusion proof (leaf index seq-1) to the export's checkpoint.
 * A streamed export's lines are checked against it compiled from its JSON Schema
 * (protocol/schema-check.ts); a `.refine` on it or on AuditEvent would turn that fast path off
 * (every line then parsed by zod), not be skipped.
 */
export const ProvenEvent = z.strictObject({ event: AuditEvent, proof: HexPath });
export type ProvenEvent = z.infer<typeof ProvenEvent>;

const ConsistencyProof = z.strictObject({ fromSize: z.number().int().positive(), proof: HexPath });

export const AuditExport = z.strictObject({
  format: z.literal(AUDIT_EXPORT_FORMAT),
  hub: z.strictObject({ fingerprint: Fingerprint, publicKey: z.string().max(64 * 1024) }),
  /** `all`: every event 1..size (operator); a party code: the events that party may see, each with a proof. */
  scope: z.union([z.literal('all'), PartyId]),
  checkpoint: SignedCheckpoint,
  /** For scope `all`: the hub's earlier signed checkpoints, each re-checkable against the full log. */
  checkpoints: z.array(SignedCheckpoint),
  events: z.array(ProvenEvent),
  /** Proofs that the checkpoint's log extends the logs of earlier sizes (asked for by the client). */
  consistency: z.array(ConsistencyProof),
});
export type AuditExport = z.infer<typeof AuditExport>;

/**
 * GET /v1/audit: one page of the events the caller's party may see. `from`: sizes of checkpoints
 * the caller kept, comma-separated (the page proves the log extends each); `since`: events at or
 * after an instant; `action`: one action name. The first page fixes the log size its checkpoint
 * signs, and the cursor carries it: every later page proves its events against a checkpoint of
 * that same size and root, so the pages put together are one export, whatever is appended meanwhile.
 */
export const AuditPageQuery = z.strictObject({
  from: z
    .string()
    .regex(/^\d{1,12}(,\d{1,12}){0,63}$/, 'a comma-separated list of log sizes')
    .transform((s) => s.split(',').map(Number))
    .optional(),
  since: IsoDateTime.optional(),
  action: z.string().min(1).max(120).regex(/^[A-Za-z0-9 .:/()_-]+$/, 'an audit action name such as release.consent').optional(),
  ...ListPageQuery,
});
export type AuditPageQuery = z.infer<typeof AuditPageQuery>;
/** A page of a party's view: an export holding some of the events, and the cursor of the next page (null on the last). */
export const AuditPage = AuditExport.extend({ nextCursor: z.string().nullable() });
export type AuditPage = z.infer<typeof AuditPage>;

const NAMED_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * The ids an event names: every id in its object (a packet, part, release, authenticity or oral
 * request, or the path of a refused request), and the packet or release its detail names. The
 * hub shows an event only to who may see every one of them, and indexes it by them.
 */
export function idsNamedBy(event: { object: string; detail: string }): string[] {
  const ids = (event.object.match(NAMED_ID) ?? []).map((id) => id.toLowerCase());
  try {
    const detail = JSON.parse(event.detail) as Record<string, unknown>;
    for (const key of ['packetId', 'packet', 'releaseId']) {
      const value = detail[key];
      if (typeof value === 'string' && /^[0-9a-f-]{36}$/i.test(value)) ids.push(value.toLowerCase());
    }
  } catch {
    // A detail that is not JSON names nothing.
  }
  return [...new Set(ids)];
}

export const EvidenceBundle = z.strictObject({
  format: z.literal(EVIDENCE_FORMAT),
  packetId: PacketId,
  hub: z.strictObject({ fingerprint: Fingerprint, publicKey: z.string().max(64 * 1024) }),
  manifest: z.strictObject({ text: z.string(), signature: armoredSignature, revision: z.number().int().positive() }),
  receipts: z.array(SignedReceipt),
  releases: z.array(Release),
  /** Public keys of the people whose signatures the bundle holds (sender, recipients who signed receipts, officers) and of the officers who vouched for them. */
  keys: z.array(
    z.strictObject({
      fingerprint: Fingerprint,
      party: PartyId,
      publicKey: z.string().max(64 * 1024),
      /** The officer-signed membership statement of this key (absent for a party's bootstrap officer). */
      statement: z.string().max(64 * 1024).optional(),
      statementSignature: armoredSignature.optional(),
    }),
  ),
  checkpoint: SignedCheckpoint,
  events: z.array(ProvenEvent),
  exportedAt: IsoDateTime,
});
export type EvidenceBundle = z.infer<typeof EvidenceBundle>;

// --- the chain hash -------------------------------------------------------------------------

/** The hash of one audit event, chained to its predecessor: the one formula the hub appends with and every verifier recomputes. */
export function auditEventHash(event: Omit<AuditEvent, 'hash'>): string {
  const { seq, at, actor, party, action, object, outcome, detail, prevHash } = event;
  const strings = [at, actor, party, action, object, outcome, detail, prevHash].every((v) => typeof v === 'string');
  // RFC 8785 of an object of strings and a number is JSON.stringify with the keys in code-unit
  // order (the canonicalize package itself serialises strings and numbers with JSON.stringify);
  // written out, it costs a third as much, which is most of checking a million events.
  // Anything else (only a hand-made event can be) goes through the general canonicalisation.
  const text = strings && Number.isSafeInteger(seq)
    ? JSON.stringify({ action, actor, at, detail, object, outcome, party, prevHash, seq })
    : canonicalize({ seq, at, actor, party, action, object, outcome, detail, prevHash });
  return sha256HexOfText(text);
}

/** Why event `position` (1-based) does not continue a chain whose previous hash is `prev`, or undefined. */
export function chainProblem(event: AuditEvent, position: number, prev: string): string | undefined {
  if (event.seq !== position) return `expected event ${position} here, found seq ${event.seq} (deleted, inserted or reordered)`;
  if (event.prevHash !== prev) return 'its previous-hash does not match the event before it';
  if (auditEventHash(event) !== event.hash) return 'its content does not match its hash (edited)';
  return undefined;
}

// --- RFC 9162 Merkle tree over the chain hashes ---------------------------------------------

// Uint8Array and @noble/hashes rather than Buffer and node:crypto: the browser client checks proofs too.
// The RFC 9162 leaf and node hashes, the one home of both for the tree below and the streamed
// accumulator (protocol/audit-stream.ts). Inputs are written into reused buffers: one allocation
// less per hash, two or three hashes per event (synchronous, so nothing can interleave).
const leafInput = new Uint8Array(33);
const nodeInput = new Uint8Array(65);
nodeInput[0] = 1;
const EMPTY_TREE = sha256(new Uint8Array(0));
/** Value of each lower-case hex digit by character code; -1 for anything else. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
const nibble = (text: string, i: number): number => {
  const code = text.charCodeAt(i);
  return code < 128 ? HEX_VALUE[code]! : -1;
};

/**
 * RFC 9162 leaf hash of one event's chain hash, SHA-256(0x00 || hash): the hash is 64 lower-case
 * hex digits, checked while decoding into the reused input (no regex, no allocation).
 */
export function leafHash(eventHash: string): Uint8Array<ArrayBuffer> {
  let bad = eventHash.length !== 64;
  for (let i = 0; i < 32 && !bad; i++) {
    const high = nibble(eventHash, 2 * i);
    const low = nibble(eventHash, 2 * i + 1);
    bad = high < 0 || low < 0;
    leafInput[i + 1] = (high << 4) | low;
  }
  if (bad) throw new TypeError('an event hash is 64 hex digits');
  return sha256(leafInput);
}

/** RFC 9162 interior node hash, SHA-256(0x01 || left || right): the one formula the hub's stored tree and every verifier use. */
export function merkleNode(left: Uint8Array, right: Uint8Array): Uint8Array<ArrayBuffer> {
  nodeInput.set(left, 1);
  nodeInput.set(right, 33);
  return sha256(nodeInput);
}

/** RFC 9162 hash of the empty tree, SHA-256 of nothing. */
export function emptyTreeHash(): Uint8Array<ArrayBuffer> {
  return EMPTY_TREE.slice();
}

const node = merkleNode;
const split = (n: number) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/**
 * The hash of a complete, aligned subtree: `2^level` leaves starting at leaf `index * 2^level`
 * (level 0: one leaf). A source of them is enough to compute any root or proof of the tree.
 */
type PerfectSubtree = (level: number, index: number) => Uint8Array;

/**
 * The tree over a list of event hashes, with every subtree hash memoised: proofs for many events
 * of one log then cost O(n) hashing in all, not O(n) each. `MerkleTree.fromSubtrees` reads the
 * complete subtrees from a store instead (the hub's audit_tree): a root or a proof of a log of n
 * events is then O(log^2 n) reads, never a read of the log.
 */
export class MerkleTree {
  private readonly leaves: Uint8Array[];
  private readonly size: number;
  private readonly perfect: PerfectSubtree | undefined;
  private readonly memo = new Map<string, Uint8Array>();

  constructor(eventHashes: readonly string[], stored?: { size: number; perfect: PerfectSubtree }) {
    this.leaves = eventHashes.map(leafHash);
    this.size = stored ? stored.size : this.leaves.length;
    this.perfect = stored?.perfect;
  }

  /** The tree of the first `size` leaves, its complete subtrees read from `perfect`. */
  static fromSubtrees(size: number, perfect: PerfectSubtree): MerkleTree {
    return new MerkleTree([], { size, perfect });
  }

  /** RFC 9162 MTH(D[from:to]). */
  hash(from: number, to: number): Uint8Array {
    const n = to - from;
    if (n === 0) return emptyTreeHash();
    if (this.perfect && (n & (n - 1)) === 0 && from % n === 0) return this.perfect(Math.log2(n), from / n);
    if (n === 1) return this.leaves[from]!;
    const key = `${from}:${to}`;
    let h = this.memo.get(key);
    if (!h) {
      const k = split(n);
      h = node(this.hash(from, from + k), this.hash(from + k, to));
      this.memo.set(key, h);
    }
    return h;
  }

  root(size = this.size): string {
    return bytesToHex(this.hash(0, size));
  }

  /** Inclusion proof of leaf `index` (0-based) in the tree of the first `size` leaves. */
  inclusionProof(index: number, size: number): string[] {
    const path = (m: number, from: number, to: number): Uint8Array[] => {
      const n = to - from;
      if (n <= 1) return [];
      const k = split(n);
      return m < k ? [...path(m, from, from + k), this.hash(from + k, to)] : [...path(m - k, from + k, to), this.hash(from, from + k)];
    };
    if (index < 0 || index >= size || size > this.size) throw new RangeError('no such leaf');
    return path(index, 0, size).map((b) => bytesToHex(b));
  }

  /** Consistency proof that the tree of the first `from` leaves is a prefix of the tree of the first `to`. */
  consistencyProof(from: number, to: number): string[] {
    const sub = (m: number, start: number, end: number, whole: boolean): Uint8Array[] => {
      const n = end - start;
      if (m === n) return whole ? [] : [this.hash(start, end)];
      const k = split(n);
      return m <= k ? [...sub(m, start, start + k, whole), this.hash(start + k, end)] : [...sub(m - k, start + k, end, false), this.hash(start, start + k)];
    };
    if (from < 1 || from > to || to > this.size) throw new RangeError('a consistency proof needs 1 <= from <= to <= size');
    return sub(from, 0, to, true).map((b) => bytesToHex(b));
  }
}

/** The Merkle tree hash (hex) over the first `size` event hashes. */
export function merkleRoot(eventHashes: readonly string[], size = eventHashes.length): string {
  return new MerkleTree(eventHashes.slice(0, size)).root();
}

export function inclusionProof(eventHashes: readonly string[], index: number, size: number): string[] {
  return new MerkleTree(eventHashes).inclusionProof(index, size);
}

export function consistencyProof(eventHashes: readonly string[], from: number, to: number): string[] {
  return new MerkleTree(eventHashes).consistencyProof(from, to);
}

export function verifyInclusion(eventHash: string, index: number, size: number, proof: readonly string[], root: string): boolean {
  if (index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash(eventHash);
  for (const hex of proof) {
    const p = hexToBytes(hex);
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = node(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesToHex(r) === root;
}

export function verifyConsistency(from: number, to: number, fromRoot: string, toRoot: string, proof: readonly string[]): boolean {
  if (from < 1 || from > to) return false;
  if (from === to) return proof.length === 0 && fromRoot === toRoot;
  if (proof.length === 0) return false;
  let path = proof.map((h) => hexToBytes(h));
  if ((from & (from - 1)) === 0) path = [hexToBytes(fromRoot), ...path];
  let fn = from - 1;
  let sn = to - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = node(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesToHex(fr) === fromRoot && bytesToHex(sr) === toRoot;
}

/**
 * Does the log that `newer` signs extend the log that `older` signed, by the RFC 9162 consistency
 * proof from `older.size` (undefined when none was given): the one answer for a party that kept
 * `older` and now holds `newer` and its proofs without the events. The position is where a
 * mismatch shows (the first event past a truncated log, or the older checkpoint's last).
 */
export function checkpointExtension(older: Checkpoint, newer: Checkpoint, proof: readonly string[] | undefined): { ok: true } | { ok: false; kind: 'truncated' | 'inconsistent' | 'unproven'; position?: number } {
  if (older.size > newer.size) return { ok: false, kind: 'truncated', position: newer.size + 1 };
  if (!proof) return { ok: false, kind: 'unproven' };
  if (!verifyConsistency(older.size, newer.size, older.root, newer.root, proof)) return { ok: false, kind: 'inconsistent', position: older.size };
  return { ok: true };
}

/**
 * A canonical statement of `schema` (protocol/canonical.ts: parseCanonical), or undefined. It
 * reads; it verifies nothing: a statement whose signature matters goes through
 * keys/statements.ts verifyStatement, which parses only after the signature checked.
 */
export function parseStatement<T extends z.ZodType>(schema: T, text: string): z.output<T> | undefined {
  const parsed = parseCanonical(schema, text, 'statement');
  return parsed.ok ? parsed.value : undefined;
}
