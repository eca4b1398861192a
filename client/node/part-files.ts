/**
 * The CLI's side of the core's part ports (client/core/part-io.ts): a file as a PartSource (read
 * in 1 MiB chunks, its text sampled by the core through client/node/extract.ts), a hidden partial file in the
 * output folder as a PartSink (renamed into place only when the core keeps it), private temp
 * folders and files for ciphertext, and media types by file name.
 */
import { createReadStream, createWriteStream, existsSync, promises as fs, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { createRequire } from 'node:module';
import { CHUNK_BYTES } from '../core/api.ts';
import type { PartSink, PartSource } from '../core/part-io.ts';
import { fileSample } from './extract.ts';
import { PARTIAL_PREFIX } from './files.ts';

// mime-types parses the whole mime-db (about 2,000 types) when loaded: only commands that name
// files load it (it was 50 ms of every `liaison inbox`).
const requireOnUse = createRequire(import.meta.url);
let mimeTypes: typeof import('mime-types') | undefined;

export function mediaTypeOf(path: string): string {
  mimeTypes ??= requireOnUse('mime-types') as typeof import('mime-types');
  const type = mimeTypes.lookup(path);
  return typeof type === 'string' ? type : 'application/octet-stream';
}

/** A private temp folder (0700) for ciphertext and stamped copies; the caller removes it. */
export const tempDir = (prefix = 'liaison-') => fs.mkdtemp(join(tmpdir(), prefix));

/** A Node file as a web stream sink, created exclusively with mode 0600. */
export const fileSink = (path: string) => Writable.toWeb(createWriteStream(path, { flags: 'wx', mode: 0o600 })) as WritableStream<Uint8Array>;

/** A Node file as a web byte stream, in 1 MiB chunks. */
export const fileStream = (path: string, start = 0) => Readable.toWeb(createReadStream(path, { highWaterMark: CHUNK_BYTES, start })) as ReadableStream<Uint8Array>;

/** The file at `path` as a document for a packet; `name` is the one to carry inside when `path` is a temporary (stamped) copy. */
export function fileSource(path: string, name: string = basename(path)): PartSource {
  const mediaType = mediaTypeOf(name);
  return {
    name,
    mediaType,
    size: statSync(path).size,
    stream: () => fileStream(path),
    sample: (maxChars) => fileSample(path, mediaType, maxChars),
  };
}

/** A path in `dir` for `name` that does not exist yet (`name-1.txt` beside an existing `name.txt`). */
export function uniquePath(dir: string, name: string): string {
  let path = join(dir, name);
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 1; existsSync(path); i++) path = join(dir, `${stem}-${i}${ext}`);
  return path;
}

/** A hidden partial file in `dir`, renamed to a free name when kept, removed when discarded. */
export function partialFileSink(dir: string): PartSink & { readonly partial: string } {
  const partial = join(dir, `${PARTIAL_PREFIX}${process.getBuiltinModule('node:crypto').randomBytes(8).toString('hex')}`);
  return {
    partial,
    writable: () => fileSink(partial),
    async keep(name) {
      const target = uniquePath(dir, name);
      await fs.rename(partial, target);
      return target;
    },
    discard: () => fs.rm(partial, { force: true }),
  };
}
