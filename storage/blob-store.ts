/**
 * The blob store port: where the hub keeps part ciphertext, opaque bytes named by their SHA-256.
 * `server/` depends on this interface only; `storage/blobs.ts` implements it on the local disk,
 * and an object store (S3-compatible) can implement it later without the server changing.
 * `test/storage/blob-store-contract.ts` is the contract every implementation must pass.
 *
 * It never holds plaintext (the hub has none), never decides whether bytes are acceptable (the
 * domain does, between `stage` and `commit`), and never knows which rows point at a blob.
 *
 * Writing is two-phase because a packet's parts are checked after they arrive (hash, recipients,
 * the signed manifest) and a refused upload must leave nothing behind:
 *   1. `stage(source)` streams the bytes to a private staging place, counting and hashing them;
 *      a staged blob is invisible (`exists` is false, `openRead` fails);
 *   2. the domain checks `size`, `sha256` and whatever else it needs, then `commit()`s or `discard()`s.
 *
 * The durable-write contract (DESIGN.md "Storage"): `commit()` resolves only once the blob is
 * durable under its digest (it survives a crash or power loss from then on). A caller inserts the
 * rows that reference a blob only after its `commit()` resolved, so no committed row ever points
 * at a blob a crash can lose. The reverse leftover (a durable blob whose rows never committed, a
 * staged blob whose process died) is harmless and removed: by the caller at once, or by `sweep`
 * at the next start.
 */
import type { Readable } from 'node:stream';

/** Bytes streamed into staging, counted and hashed; not visible under `sha256` until `commit`. */
export interface StagedBlob {
  /** Bytes written. */
  readonly size: number;
  /** Lower-case hex SHA-256 of exactly those bytes. */
  readonly sha256: string;
  /**
   * Make the blob durable under `sha256` and readable. Resolves only when durable; committing
   * bytes whose digest is already stored keeps one blob. Refused after `discard`.
   */
  commit(): Promise<void>;
  /** Drop the staged bytes. Idempotent; after `commit` it does nothing (the blob stays). */
  discard(): Promise<void>;
}

export interface StageOptions {
  /**
   * Sees every chunk, in order, exactly as it is stored, before it is written: lets the caller
   * inspect the bytes in the same pass (the upload's packet walker) without a second read.
   */
  onChunk?: (chunk: Buffer) => void;
  /** Aborting stops the write and removes what was staged; `stage` then rejects with an AbortError. */
  signal?: AbortSignal;
}

/** Part of a blob: `length` bytes from `offset` (both in bytes; bytes past the end are simply absent). */
export interface ByteRange {
  offset: number;
  length?: number;
}

export interface BlobStore {
  /**
   * Stream `source` into staging. Resolves once every byte is written (and, for `commit`, ready
   * to be made durable); rejects, leaving nothing staged, if the source fails, `onChunk` throws,
   * or the signal aborts. A failed stage has consumed or destroyed `source`, never left it paused.
   */
  stage(source: Readable, options?: StageOptions): Promise<StagedBlob>;
  /** A stream of a committed blob's bytes (or of `range` of them). Rejects with BlobNotFound when there is none. */
  openRead(sha256: string, range?: ByteRange): Promise<Readable>;
  /** Whether a committed blob is stored under `sha256` (a staged one is not). */
  exists(sha256: string): Promise<boolean>;
  /** Remove a committed blob; removing one that is absent is not an error. The caller must know no committed row references it. */
  delete(sha256: string): Promise<void>;
  /**
   * At start, before any upload: remove every staged leftover and every committed blob whose
   * digest is not in `referenced` (the digests committed rows point at). Returns how many of each.
   */
  sweep(referenced: ReadonlySet<string>): Promise<{ staged: number; blobs: number }>;
}

/** `openRead` of a digest that has no committed blob. */
export class BlobNotFound extends Error {
  override name = 'BlobNotFound';
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Every implementation names blobs by lower-case hex SHA-256 only, so no name is ever a path. */
export function requireBlobName(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new TypeError('a blob is named by a lower-case hex SHA-256');
  return sha256;
}
