/**
 * The file-system implementation of the blob store port (storage/blob-store.ts): blobs under
 * `<data>/blobs/aa/bb/<sha256>`, staged in exclusive 0600 files under `<data>/tmp/`.
 * Durability: a staged file is fsynced on the descriptor it was written with before it closes;
 * `commit` renames it to its content address and fsyncs the directory, so the blob is durable
 * before the caller inserts the rows that reference it. It never holds plaintext and never
 * decides what is acceptable; `openFileBlobStore` is the one place that builds it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobNotFound, requireBlobName, type BlobStore, type ByteRange, type StagedBlob, type StageOptions } from './blob-store.ts';

/** Reads and writes move 1 MiB at a time (the default 64 KiB costs a syscall and a write per 64 KiB). */
const CHUNK_BYTES = 1024 * 1024;

/** At most this many known blob directories are remembered (there are 65,536). */
const MAX_KNOWN_DIRS = 65_536;

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

/** Create the directories (idempotent) and return the store over `dataDir`. */
export async function openFileBlobStore(dataDir: string): Promise<BlobStore> {
  const store = new FileBlobStore(dataDir);
  await fs.mkdir(store.blobDir, { recursive: true, mode: 0o700 });
  await fs.mkdir(store.tempDir, { recursive: true, mode: 0o700 });
  return store;
}

class FileBlobStore implements BlobStore {
  readonly blobDir: string;
  readonly tempDir: string;
  /** Blob directories (`aa/bb`) this process made or found: `place` does not make them again. */
  private readonly knownDirs = new Set<string>();

  constructor(dataDir: string) {
    this.blobDir = join(dataDir, 'blobs');
    this.tempDir = join(dataDir, 'tmp');
  }

  pathOf(sha256: string): string {
    requireBlobName(sha256);
    return join(this.blobDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async stage(source: Readable, options: StageOptions = {}): Promise<StagedBlob> {
    const path = join(this.tempDir, `upload-${randomBytes(16).toString('hex')}`);
    let handle: fs.FileHandle;
    try {
      options.signal?.throwIfAborted();
      handle = await fs.open(path, 'wx', 0o600);
    } catch (error) {
      // Not read, so not left hanging: a failed stage always consumes or destroys its source.
      source.destroy();
      throw error;
    }
    // The stream closes the handle; `flush` fsyncs it first, on this descriptor, so `commit` need
    // not open the file again (a small upload once cost 8 opens).
    const file = handle.createWriteStream({ flush: true, highWaterMark: CHUNK_BYTES });
    const hash = createHash('sha256');
    let size = 0;
    const { onChunk } = options;
    const meter = new Transform({
      // Up to 1 MiB queued towards the file: the write stream then writes it in one writev.
      writableHighWaterMark: CHUNK_BYTES,
      readableHighWaterMark: CHUNK_BYTES,
      transform(chunk: Buffer, _encoding, done) {
        try {
          onChunk?.(chunk);
        } catch (error) {
          done(error as Error);
          return;
        }
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, file, options.signal ? { signal: options.signal } : {});
    } catch (error) {
      if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
      await fs.rm(path, { force: true });
      throw error;
    }
    return new FileStagedBlob(this, path, size, hash.digest('hex'));
  }

  /**
   * Move a staged file, fully written and closed (so already fsynced), to its content address, and
   * fsync the directory. Each step is a trip to libuv's pool, which the other uploads' fsyncs keep
   * busy, so the steps that need not wait for each other do not: the directory is opened while the
   * file is renamed (an fsync of that descriptor after the rename covers the rename); a directory
   * this process made or found is not made again (if someone removed it, the rename says so and it
   * is made then); a directory made here is fsynced in its parent beside the rename.
   */
  async place(tempPath: string, sha256: string): Promise<void> {
    const target = this.pathOf(sha256);
    const dir = join(target, '..');
    // New directories' entries in their parents: synced beside the rename, awaited before this resolves.
    let parents: Promise<unknown> = Promise.resolve();
    if (!this.knownDirs.has(dir)) parents = (await this.makeDir(dir)).synced;
    let dirHandle: fs.FileHandle;
    try {
      try {
        dirHandle = await openWhileRenaming(dir, tempPath, target);
      } catch (error) {
        if (!isMissing(error)) throw error;
        // The directory was removed behind this process's back: make it again, once.
        await parents;
        this.knownDirs.delete(dir);
        parents = (await this.makeDir(dir)).synced;
        dirHandle = await openWhileRenaming(dir, tempPath, target);
      }
    } catch (error) {
      await parents.catch(() => undefined);
      throw error;
    }
    try {
      await Promise.all([dirHandle.sync(), parents]);
    } finally {
      await dirHandle.close();
    }
  }

  /**
   * Make `dir` (and its parents) and remember it. Resolves, once `dir` exists, to the fsyncs of
   * the parents of the directories it made (a new directory is durable only in its parent), still
   * running: the caller awaits them before it calls the blob durable.
   */
  private async makeDir(dir: string): Promise<{ synced: Promise<unknown> }> {
    const first = await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    if (this.knownDirs.size >= MAX_KNOWN_DIRS) this.knownDirs.clear();
    this.knownDirs.add(dir);
    const synced: Array<Promise<void>> = [];
    // `first` and everything below it down to `dir` are new.
    for (let made = dir; first !== undefined; made = dirname(made)) {
      synced.push(syncDir(dirname(made)));
      if (made === first || dirname(made) === made) break;
    }
    const all = Promise.all(synced);
    // Awaited by the caller; never an unhandled rejection meanwhile.
    all.catch(() => undefined);
    return { synced: all };
  }

  async openRead(sha256: string, range?: ByteRange): Promise<Readable> {
    const offset = range?.offset ?? 0;
    const length = range?.length;
    if (!Number.isSafeInteger(offset) || offset < 0 || (length !== undefined && (!Number.isSafeInteger(length) || length < 0))) {
      throw new RangeError('a byte range is a non-negative offset and length');
    }
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.pathOf(sha256), 'r');
    } catch (error) {
      if (isMissing(error)) throw new BlobNotFound(`no blob ${sha256}`, { cause: error });
      throw error;
    }
    if (length === 0) {
      await handle.close();
      return Readable.from([]);
    }
    return handle.createReadStream({ highWaterMark: CHUNK_BYTES, start: offset, ...(length === undefined ? {} : { end: offset + length - 1 }) });
  }

  async exists(sha256: string): Promise<boolean> {
    try {
      return (await fs.stat(this.pathOf(sha256))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    await fs.rm(this.pathOf(sha256), { force: true });
  }

  async sweep(referenced: ReadonlySet<string>): Promise<{ staged: number; blobs: number }> {
    let staged = 0;
    for (const name of await fs.readdir(this.tempDir)) {
      await fs.rm(join(this.tempDir, name), { force: true, recursive: true });
      staged++;
    }
    let blobs = 0;
    for (const a of await fs.readdir(this.blobDir)) {
      for (const b of await fs.readdir(join(this.blobDir, a))) {
        for (const name of await fs.readdir(join(this.blobDir, a, b))) {
          if (!referenced.has(name)) {
            await fs.rm(join(this.blobDir, a, b, name), { force: true });
            blobs++;
          }
        }
      }
    }
    return { staged, blobs };
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Rename `from` to `to` and open `dir` at the same time: the handle, or the first failure (nothing left open). */
async function openWhileRenaming(dir: string, from: string, to: string): Promise<fs.FileHandle> {
  const [opened, moved] = await Promise.allSettled([fs.open(dir, 'r'), fs.rename(from, to)]);
  if (moved.status === 'rejected') {
    if (opened.status === 'fulfilled') await opened.value.close();
    throw moved.reason;
  }
  if (opened.status === 'rejected') throw opened.reason;
  return opened.value;
}

class FileStagedBlob implements StagedBlob {
  private discarded = false;
  /** The one move into place: a second `commit` waits for the same one. */
  private committing: Promise<void> | undefined;
  private readonly store: FileBlobStore;
  private readonly tempPath: string;
  readonly size: number;
  readonly sha256: string;

  constructor(store: FileBlobStore, tempPath: string, size: number, sha256: string) {
    this.store = store;
    this.tempPath = tempPath;
    this.size = size;
    this.sha256 = sha256;
  }

  commit(): Promise<void> {
    if (this.discarded) return Promise.reject(new Error('the staged blob was discarded'));
    this.committing ??= this.store.place(this.tempPath, this.sha256).catch((error: unknown) => {
      this.committing = undefined;
      throw error;
    });
    return this.committing;
  }

  async discard(): Promise<void> {
    if (this.discarded || this.committing) return;
    this.discarded = true;
    await fs.rm(this.tempPath, { force: true });
  }
}
