/**
 * The key worker's working files in the origin-private file system (OPFS): ciphertext being
 * built or downloaded (`scratch/`) and verified plaintext offered to the page (`opened/`).
 * Large parts pass through here in flat memory: files are read in CHUNK_BYTES slices (large
 * chunks for openpgp.js and the hash, not the browser's small stream chunks) and written through
 * a synchronous access handle (dedicated workers only: no swap-file copy, nothing buffered).
 *
 * Never: keeps a file of a failed operation (every operation discards what it created), or
 * hands out a file that is still being written.
 */
import { CHUNK_BYTES } from '../../core/api.ts';
import { ClientError } from '../../core/errors.ts';
import { sampleOf, type PdfData } from '../../core/documents.ts';
import type { PartSink, PartSource } from '../../core/part-io.ts';

type Folder = 'scratch' | 'opened';

/** FileSystemSyncAccessHandle (lib.webworker; this project compiles against lib.dom). */
interface SyncAccessHandle {
  write(buffer: Uint8Array, options?: { at?: number }): number;
  flush(): void;
  close(): void;
}

async function folder(name: Folder): Promise<FileSystemDirectoryHandle> {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(name, { create: true });
}

/**
 * Refuse, before anything is written, an operation that needs more of this origin's storage than
 * the browser grants it (opening a part holds its ciphertext and its plaintext at once).
 */
export async function requireSpace(bytes: number, what: string): Promise<void> {
  const { quota, usage } = await navigator.storage.estimate();
  if (quota === undefined || usage === undefined) return;
  const free = quota - usage;
  if (bytes > free) throw new ClientError(`${what} needs ${megabytes(bytes)} of this browser's storage for this site, but only ${megabytes(free)} is free: free disk space or site data, then try again`, 'web.no-room', { what, needed: megabytes(bytes), free: megabytes(free) });
}

const megabytes = (bytes: number) => `${Math.ceil(bytes / 1024 / 1024)} MiB`;
const STORAGE_FULL = "this browser's storage for this site ran full while writing: free disk space or site data, then try again";

/** A full quota in the person's words; any other storage failure as it is. */
const storageError = (error: unknown) => (error instanceof DOMException && error.name === 'QuotaExceededError' ? new ClientError(STORAGE_FULL, 'web.storage-full') : error);

/** Remove whole folders (at lock, logout and start, and before a packet is opened). */
export async function removeFolders(...names: Folder[]): Promise<void> {
  const root = await navigator.storage.getDirectory();
  for (const name of names) await root.removeEntry(name, { recursive: true }).catch(() => undefined);
}

/**
 * A writable stream into `handle`: through a synchronous access handle where the browser has
 * one (dedicated workers in Chromium, Firefox, Safari), otherwise the file's writable stream.
 */
async function fileSink(handle: FileSystemFileHandle): Promise<WritableStream<Uint8Array>> {
  const withSync = handle as FileSystemFileHandle & { createSyncAccessHandle?: () => Promise<SyncAccessHandle> };
  if (typeof withSync.createSyncAccessHandle !== 'function') {
    const writer = (await handle.createWritable()).getWriter();
    const worded = (error: unknown) => {
      throw storageError(error);
    };
    return new WritableStream<Uint8Array>({
      write: (chunk) => writer.write(chunk).catch(worded),
      close: () => writer.close().catch(worded),
      abort: (reason) => writer.abort(reason),
    });
  }
  const sync = await withSync.createSyncAccessHandle();
  let at = 0;
  let closed = false;
  const release = () => {
    if (closed) return;
    closed = true;
    sync.close();
  };
  return new WritableStream<Uint8Array>({
    write(chunk) {
      try {
        let written = 0;
        while (written < chunk.length) written += sync.write(chunk.subarray(written), { at: at + written });
        at += chunk.length;
      } catch (error) {
        // A failed write (the quota, a full disk) errors the stream without calling abort: close
        // the handle here, or the file stays locked and cannot be removed.
        release();
        throw storageError(error);
      }
    },
    close() {
      try {
        sync.flush();
      } catch (error) {
        throw storageError(error);
      } finally {
        release();
      }
    },
    abort() {
      release();
    },
  });
}

/**
 * A file's bytes as a stream of CHUNK_BYTES slices (1 MiB): openpgp.js writes one partial packet
 * per chunk it is given and calls WebCrypto once per chunk, so large reads make it several times
 * faster than the 64 KiB chunks of `Blob.stream()`. `onBytes` hears the running total.
 */
export function fileChunks(file: Blob, onBytes?: (done: number) => void): ReadableStream<Uint8Array> {
  let position = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (position >= file.size) {
          controller.close();
          return;
        }
        const end = Math.min(file.size, position + CHUNK_BYTES);
        const chunk = new Uint8Array(await file.slice(position, end).arrayBuffer());
        position = end;
        onBytes?.(position);
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * The files one operation creates in one folder. `write` streams into a new file and answers it
 * once complete; `discard` removes every file this operation made (on failure, or when the
 * ciphertext is no longer needed).
 */
export class WorkingFiles {
  private readonly names: string[] = [];
  private readonly dir: Promise<FileSystemDirectoryHandle>;

  constructor(name: Folder) {
    this.dir = folder(name);
  }

  /** Stream `data` into a new file of this folder; the file is answered only after the last byte is written. */
  async write(data: ReadableStream<Uint8Array>): Promise<File> {
    const target = await this.create();
    await data.pipeTo(target.writable);
    return target.done();
  }

  /** A new file of this folder to write into; `done()` answers it once the stream closed, `remove()` deletes it. */
  async create(): Promise<{ writable: WritableStream<Uint8Array>; done(): Promise<File>; remove(): Promise<void> }> {
    const dir = await this.dir;
    const name = crypto.randomUUID();
    this.names.push(name);
    const handle = await dir.getFileHandle(name, { create: true });
    return {
      writable: await fileSink(handle),
      done: () => handle.getFile(),
      remove: () => dir.removeEntry(name).catch(() => undefined),
    };
  }

  async discard(): Promise<void> {
    const dir = await this.dir;
    for (const name of this.names.splice(0)) await dir.removeEntry(name).catch(() => undefined);
  }
}

/** pdf.js's CMaps and standard font data, copied from pdfjs-dist into the build (vite.config.ts) and fetched from this origin only when a PDF names them. */
const PDF_DATA: PdfData = {
  cMapUrl: new URL('/pdfjs/cmaps/', location.href).href,
  standardFontDataUrl: new URL('/pdfjs/standard_fonts/', location.href).href,
  read: async (url) => {
    const response = await fetch(url, { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  },
};

/** The media type a browser gave a chosen file, or bytes of no known type. */
function mediaTypeOfFile(file: File): string {
  return file.type && file.type.length > 0 ? file.type : 'application/octet-stream';
}

/** A chosen or opened file as the core's PartSource: read in 1 MiB slices, its text sampled by the core (client/core/documents.ts). */
export function fileSource(file: File, name: string = file.name, mediaType: string = mediaTypeOfFile(file)): PartSource {
  return { name, mediaType, size: file.size, stream: () => fileChunks(file), sample: (maxChars) => sampleOf(() => file, mediaType, maxChars, PDF_DATA) };
}

/**
 * The core's PartSink over a new file of `files`: written while the part decrypts, and offered
 * (`kept()`) only once the core kept it, every check passed; removed when the core discards it.
 */
export async function openedFileSink(files: WorkingFiles): Promise<PartSink & { kept(): File }> {
  const target = await files.create();
  let kept: File | undefined;
  return {
    writable: () => target.writable,
    async keep(name) {
      kept = await target.done();
      return name;
    },
    discard: () => target.remove(),
    kept() {
      if (!kept) throw new Error('the part was not kept');
      return kept;
    },
  };
}
