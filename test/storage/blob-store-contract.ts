/**
 * The contract of the blob store port (storage/blob-store.ts), as tests any implementation must
 * pass: call `describeBlobStoreContract` with a name and a factory from a `*.test.ts` file (the
 * file-system store's is `file-blob-store.test.ts`; an object store's would add its own). It knows
 * nothing of any implementation's layout: it observes only through the port.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobNotFound, type BlobStore } from '../../storage/blob-store.ts';

/** A fresh, empty store, and how to drop it after the test. */
export type OpenBlobStore = () => Promise<{ store: BlobStore; close: () => Promise<void> }>;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A source in chunks of `chunk` bytes, as a network upload arrives. */
const sourceOf = (bytes: Buffer, chunk = 64 * 1024) => Readable.from((function* () {
  for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk);
})());

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A source that sends `before` and then fails, as a connection that drops mid-part. */
const failingSource = (before: Buffer) => Readable.from((async function* () {
  yield before;
  await new Promise((resolve) => setImmediate(resolve));
  throw new Error('the connection dropped');
})());

export function describeBlobStoreContract(name: string, open: OpenBlobStore): void {
  describe(`blob store contract: ${name}`, () => {
    let store: BlobStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    it('stages a stream, counting and hashing exactly its bytes, across many chunks (3 MiB and 1 byte)', async () => {
      const bytes = randomBytes(3 * 1024 * 1024 + 1);
      const staged = await store.stage(sourceOf(bytes));
      expect(staged.size).toBe(bytes.length);
      expect(staged.sha256).toBe(sha256(bytes));
      await staged.commit();
      expect((await bytesOf(await store.openRead(staged.sha256))).equals(bytes)).toBe(true);
    });

    it('stages an empty stream as an empty blob', async () => {
      const staged = await store.stage(Readable.from([]));
      expect([staged.size, staged.sha256]).toEqual([0, sha256(Buffer.alloc(0))]);
      await staged.commit();
      expect((await bytesOf(await store.openRead(staged.sha256))).length).toBe(0);
    });

    it('shows every chunk to onChunk, in order, exactly as stored', async () => {
      const bytes = randomBytes(200_000);
      const seen: Buffer[] = [];
      const staged = await store.stage(sourceOf(bytes, 7_000), { onChunk: (chunk) => seen.push(Buffer.from(chunk)) });
      expect(Buffer.concat(seen).equals(bytes)).toBe(true);
      await staged.commit();
      expect((await bytesOf(await store.openRead(staged.sha256))).equals(bytes)).toBe(true);
    });

    it('keeps a staged blob invisible until commit, and durable-visible once commit resolved', async () => {
      const bytes = Buffer.from('ciphertext, not yet accepted');
      const staged = await store.stage(sourceOf(bytes));
      expect(await store.exists(staged.sha256)).toBe(false);
      await expect(store.openRead(staged.sha256)).rejects.toBeInstanceOf(BlobNotFound);
      await staged.commit();
      expect(await store.exists(staged.sha256)).toBe(true);
    });

    it('leaves nothing of a discarded blob; discard is idempotent and commit after it is refused', async () => {
      const staged = await store.stage(sourceOf(randomBytes(1000)));
      await staged.discard();
      await staged.discard();
      await expect(staged.commit()).rejects.toThrow();
      expect(await store.exists(staged.sha256)).toBe(false);
      expect(await store.sweep(new Set())).toEqual({ staged: 0, blobs: 0 });
    });

    it('keeps a committed blob when discard comes after commit (the upload path discards everything it staged)', async () => {
      const staged = await store.stage(sourceOf(Buffer.from('kept')));
      await Promise.all([staged.commit(), staged.commit()]);
      await staged.discard();
      expect(await store.exists(staged.sha256)).toBe(true);
    });

    it('keeps one blob when the same bytes are committed twice', async () => {
      const bytes = randomBytes(5000);
      const first = await store.stage(sourceOf(bytes));
      const second = await store.stage(sourceOf(bytes));
      await first.commit();
      await second.commit();
      expect((await bytesOf(await store.openRead(first.sha256))).equals(bytes)).toBe(true);
      expect(await store.sweep(new Set([first.sha256]))).toEqual({ staged: 0, blobs: 0 });
    });

    it('reads a range: offset and length, to the end, empty, and past the end', async () => {
      const bytes = randomBytes(3 * 1024 * 1024);
      const staged = await store.stage(sourceOf(bytes));
      await staged.commit();
      const read = async (offset: number, length?: number) => bytesOf(await store.openRead(staged.sha256, length === undefined ? { offset } : { offset, length }));
      expect((await read(10, 100)).equals(bytes.subarray(10, 110))).toBe(true);
      expect((await read(1024 * 1024 - 1, 1024 * 1024 + 2)).equals(bytes.subarray(1024 * 1024 - 1, 2 * 1024 * 1024 + 1))).toBe(true);
      expect((await read(bytes.length - 5)).equals(bytes.subarray(bytes.length - 5))).toBe(true);
      expect((await read(7, 0)).length).toBe(0);
      expect((await read(bytes.length - 3, 10)).equals(bytes.subarray(bytes.length - 3))).toBe(true);
      expect((await read(bytes.length + 10)).length).toBe(0);
      await expect(store.openRead(staged.sha256, { offset: -1 })).rejects.toBeInstanceOf(RangeError);
      await expect(store.openRead(staged.sha256, { offset: 0, length: 1.5 })).rejects.toBeInstanceOf(RangeError);
    });

    it('deletes a blob, and deleting an absent one is not an error', async () => {
      const staged = await store.stage(sourceOf(Buffer.from('to delete')));
      await staged.commit();
      await store.delete(staged.sha256);
      expect(await store.exists(staged.sha256)).toBe(false);
      await expect(store.openRead(staged.sha256)).rejects.toBeInstanceOf(BlobNotFound);
      await store.delete(staged.sha256);
    });

    it('refuses a name that is not a lower-case hex SHA-256 (no name is ever a path)', async () => {
      for (const bad of ['../../hub.db', 'A'.repeat(64), 'a'.repeat(63), `${'a'.repeat(64)}/x`, '']) {
        await expect(store.exists(bad)).rejects.toBeInstanceOf(TypeError);
        await expect(store.openRead(bad)).rejects.toBeInstanceOf(TypeError);
        await expect(store.delete(bad)).rejects.toBeInstanceOf(TypeError);
      }
    });

    it('rejects a source that fails mid-stream and leaves nothing staged', async () => {
      await expect(store.stage(failingSource(randomBytes(10_000)))).rejects.toThrow('the connection dropped');
      expect(await store.sweep(new Set())).toEqual({ staged: 0, blobs: 0 });
    });

    it('rejects when onChunk throws (the walker refused the bytes) and leaves nothing staged', async () => {
      await expect(store.stage(sourceOf(randomBytes(10_000)), { onChunk: () => { throw new Error('not an OpenPGP message'); } })).rejects.toThrow('not an OpenPGP message');
      expect(await store.sweep(new Set())).toEqual({ staged: 0, blobs: 0 });
    });

    it('stops on abort, mid-stream or before it starts, consuming or destroying the source, and leaves nothing staged', async () => {
      const refused = new AbortController();
      const endless = new Readable({ read() { this.push(randomBytes(16 * 1024)); } });
      let seen = 0;
      const staging = store.stage(endless, {
        signal: refused.signal,
        onChunk: (chunk) => {
          seen += chunk.length;
          if (seen > 100_000) refused.abort();
        },
      });
      await expect(staging).rejects.toMatchObject({ name: 'AbortError' });
      expect(endless.destroyed).toBe(true);
      const never = new Readable({ read() { this.push(randomBytes(1024)); } });
      await expect(store.stage(never, { signal: refused.signal })).rejects.toMatchObject({ name: 'AbortError' });
      expect(never.destroyed).toBe(true);
      expect(await store.sweep(new Set())).toEqual({ staged: 0, blobs: 0 });
    });

    it('sweeps staged leftovers and every committed blob no row references, and keeps the referenced ones', async () => {
      const kept = await store.stage(sourceOf(Buffer.from('referenced')));
      const orphan = await store.stage(sourceOf(Buffer.from('rows never committed')));
      await kept.commit();
      await orphan.commit();
      await store.stage(sourceOf(Buffer.from('a process died before deciding')));
      expect(await store.sweep(new Set([kept.sha256]))).toEqual({ staged: 1, blobs: 1 });
      expect(await store.exists(kept.sha256)).toBe(true);
      expect(await store.exists(orphan.sha256)).toBe(false);
    });

    it('stages concurrent streams independently', async () => {
      const inputs = Array.from({ length: 6 }, (_, i) => randomBytes(50_000 + i));
      const staged = await Promise.all(inputs.map((bytes) => store.stage(sourceOf(bytes, 4096))));
      await Promise.all(staged.map((s) => s.commit()));
      for (const [i, bytes] of inputs.entries()) {
        expect(staged[i]!.sha256).toBe(sha256(bytes));
        expect((await bytesOf(await store.openRead(staged[i]!.sha256))).equals(bytes)).toBe(true);
      }
    });
  });
}
