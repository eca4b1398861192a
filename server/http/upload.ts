/**
 * The HTTP side of a packet upload: stream a multipart body into exclusive 0600 temp files of the
 * blob store, hashing and walking each part on the way (one pass), with every multer limit set.
 * What it hands the domain (`acceptPacket` in server/packets.ts) is plain data: the text fields
 * and the received files. It never decides whether an upload is acceptable, and never commits a blob.
 */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import multer from 'multer';
import { PartWalker } from '../../keys/parts.ts';
import type { Hub } from '../hub.ts';

/** An upload on disk, ready for the domain: text fields as sent, files by part id. */
export interface ReceivedUpload {
  fields: Record<string, unknown>;
  files: ReceivedFile[];
}

/** Temp files of one upload; once `closed`, any part still arriving is discarded as it lands. */
export interface TempFiles {
  paths: string[];
  closed: boolean;
}

export interface ReceivedFile {
  partId: string;
  tempPath: string;
  size: number;
  sha256: string;
  /** The PKESK key IDs, or why the part is not one message encrypted to public keys. */
  walk: { keyIds: string[] } | { error: string };
  /** Set once the temp file was moved into the blob store: there is nothing left to discard (issue 9: an rm of a path gone, per part). */
  committed?: boolean;
}

/**
 * Stream a multipart upload to exclusive temp files. Each part is read once: the same chunks are
 * hashed, walked (keys/part-walker.ts: exactly PKESKs then one SEIPD, nothing after) and written.
 * Every limit is set. Returns the text fields and the files; the caller must discard `temps` it
 * does not commit.
 */
export async function receiveMultipart(hub: Hub, req: Request, res: Response, temps: TempFiles): Promise<{ fields: Record<string, unknown>; files: ReceivedFile[] }> {
  const received: ReceivedFile[] = [];
  const storage: multer.StorageEngine = {
    _handleFile(_req, file, callback) {
      const { path, stream } = hub.blobs.createTemp();
      temps.paths.push(path);
      const hash = createHash('sha256');
      const walker = new PartWalker();
      let size = 0;
      const meter = new Transform({
        // Up to 1 MiB queued towards the file: the write stream then writes it in one writev.
        writableHighWaterMark: 1024 * 1024,
        readableHighWaterMark: 1024 * 1024,
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          walker.push(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      pipeline(file.stream, meter, stream).then(
        () => {
          // The request may have been refused while this part was still arriving.
          if (temps.closed) void hub.blobs.discard(path);
          let walk: ReceivedFile['walk'];
          try {
            walk = { keyIds: walker.finish() };
          } catch (error) {
            walk = { error: (error as Error).message };
          }
          received.push({ partId: file.fieldname, tempPath: path, size, sha256: hash.digest('hex'), walk });
          callback(null, { path, size });
        },
        (error: unknown) => {
          void hub.blobs.discard(path);
          callback(error);
        },
      );
    },
    _removeFile(_req, file, callback) {
      hub.blobs.discard((file as unknown as { path: string }).path).then(() => callback(null), callback);
    },
  };
  const upload = multer({
    storage,
    limits: {
      fileSize: hub.settings.maxPartBytes,
      files: hub.settings.maxParts,
      fields: 3,
      parts: hub.settings.maxParts + 3,
      fieldNameSize: 64,
      fieldSize: 256 * 1024,
      headerPairs: 20,
    },
  }).any();
  await new Promise<void>((resolve, reject) => upload(req, res, (err?: unknown) => (err ? reject(err instanceof Error ? err : new Error('the upload failed')) : resolve())));
  return { fields: { ...(req.body as Record<string, unknown> | undefined) }, files: received };
}

/**
 * Receive an upload, run `accept` on it, and always discard every temp file `accept` did not
 * move into the blob store, including parts still arriving after a refusal.
 */
export async function withUpload<T>(hub: Hub, req: Request, res: Response, accept: (upload: ReceivedUpload) => Promise<T>): Promise<T> {
  const temps: TempFiles = { paths: [], closed: false };
  let files: ReceivedFile[] = [];
  try {
    const upload = await receiveMultipart(hub, req, res, temps);
    files = upload.files;
    return await accept(upload);
  } finally {
    temps.closed = true;
    const moved = new Set(files.filter((f) => f.committed).map((f) => f.tempPath));
    for (const path of temps.paths) if (!moved.has(path)) await hub.blobs.discard(path);
  }
}
