/**
 * The blob store: opaque ciphertext files named by their SHA-256, under blobs/aa/bb/<sha256>.
 * Write order (DESIGN.md "Storage"): exclusive 0600 temp file -> fsync -> rename -> fsync dir;
 * the rows that reference a blob are inserted only after that. Never holds plaintext.
 */
import { createReadStream, createWriteStream, promises as fs, type ReadStream, type WriteStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

export const READ_CHUNK_BYTES = 1024 * 1024;

export class BlobStore {
  readonly blobDir: string;
  readonly tempDir: string;

  constructor(dataDir: string) {
    this.blobDir = join(dataDir, 'blobs');
    this.tempDir = join(dataDir, 'tmp');
  }

  async init(): Promise<void> {
    await fs.mkdir(this.blobDir, { recursive: true, mode: 0o700 });
    await fs.mkdir(this.tempDir, { recursive: true, mode: 0o700 });
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a SHA-256');
    return join(this.blobDir, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /**
   * A new exclusive temp file (mode 0600) to stream an upload into. The stream fsyncs the file
   * before it closes (`flush`), on the descriptor it wrote with: `commit` need not open it again
   * (issue 9: a small upload cost 8 opens).
   */
  createTemp(): { path: string; stream: WriteStream } {
    const path = join(this.tempDir, `upload-${randomBytes(16).toString('hex')}`);
    return { path, stream: createWriteStream(path, { flags: 'wx', mode: 0o600, flush: true, highWaterMark: READ_CHUNK_BYTES }) };
  }

  /**
   * Move a temp file from `createTemp`, fully written and closed (so already fsynced), to its
   * content address, and make the rename durable (fsync of the directory).
   */
  async commit(tempPath: string, sha256: string): Promise<void> {
    if (!tempPath.startsWith(this.tempDir)) throw new Error('not a temp file of this store');
    const target = this.pathOf(sha256);
    const dir = join(target, '..');
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.rename(tempPath, target);
    const dirHandle = await fs.open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }

  async discard(tempPath: string): Promise<void> {
    await fs.rm(tempPath, { force: true });
  }

  async remove(sha256: string): Promise<void> {
    await fs.rm(this.pathOf(sha256), { force: true });
  }

  /** Read a blob in 1 MiB chunks (the default 64 KiB costs a syscall and a write per 64 KiB). */
  openRead(sha256: string): ReadStream {
    return createReadStream(this.pathOf(sha256), { highWaterMark: READ_CHUNK_BYTES });
  }

  /** At start: delete every temp file, and every blob no row references. */
  async sweep(referenced: ReadonlySet<string>): Promise<{ temps: number; blobs: number }> {
    let temps = 0;
    for (const name of await fs.readdir(this.tempDir)) {
      await fs.rm(join(this.tempDir, name), { force: true, recursive: true });
      temps++;
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
    return { temps, blobs };
  }
}
