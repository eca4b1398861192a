/**
 * The HTTP side of a packet upload: stream a multipart body into the blob store's staging
 * (storage/blob-store.ts: counted and hashed there), walking each part on the way (one pass), with
 * every multer limit set. What it hands the domain (`acceptPacket` in server/packets.ts) is plain
 * data: the text fields and the staged parts. It never decides whether an upload is acceptable,
 * and never commits a blob; whatever the domain did not commit it discards.
 */
import type { Request, Response } from 'express';
import multer from 'multer';
import { PartWalker } from '../../keys/parts.ts';
import type { StagedBlob } from '../../storage/blob-store.ts';
import type { Hub } from '../hub.ts';

/** An upload in staging, ready for the domain: text fields as sent, files by part id. */
export interface ReceivedUpload {
  fields: Record<string, unknown>;
  files: ReceivedFile[];
}

/** Staged parts of one upload; once `refused` aborts, any part still arriving is dropped. */
interface StagedParts {
  staged: StagedBlob[];
  /** Every stage begun, settled or not: the upload ends only after each has settled. */
  staging: Array<Promise<unknown>>;
  refused: AbortController;
}

export interface ReceivedFile {
  partId: string;
  /** The part's bytes in staging: `commit()` them once accepted. */
  blob: StagedBlob;
  size: number;
  sha256: string;
  /** The PKESK key IDs, or why the part is not one message encrypted to public keys. */
  walk: { keyIds: string[] } | { error: string };
}

/**
 * Stream a multipart upload into staging. Each part is read once: the same chunks are hashed
 * (by the store), walked (keys/part-walker.ts: exactly PKESKs then one SEIPD, nothing after) and
 * written. Every limit is set. Returns the text fields and the files; the caller must discard
 * the `parts` it does not commit.
 */
async function receiveMultipart(hub: Hub, req: Request, res: Response, parts: StagedParts): Promise<{ fields: Record<string, unknown>; files: ReceivedFile[] }> {
  const received: ReceivedFile[] = [];
  const storage: multer.StorageEngine = {
    _handleFile(_req, file, callback) {
      const walker = new PartWalker();
      const staging = hub.blobs.stage(file.stream, { onChunk: (chunk) => walker.push(chunk), signal: parts.refused.signal });
      parts.staging.push(staging.catch(() => undefined));
      staging.then(
        (blob) => {
          parts.staged.push(blob);
          // The request may have been refused while this part was still arriving.
          if (parts.refused.signal.aborted) void blob.discard();
          let walk: ReceivedFile['walk'];
          try {
            walk = { keyIds: walker.finish() };
          } catch (error) {
            walk = { error: (error as Error).message };
          }
          received.push({ partId: file.fieldname, blob, size: blob.size, sha256: blob.sha256, walk });
          callback(null, { size: blob.size, blob } as Partial<Express.Multer.File>);
        },
        (error: unknown) => callback(error as Error),
      );
    },
    _removeFile(_req, file, callback) {
      (file as unknown as { blob: StagedBlob }).blob.discard().then(() => callback(null), callback);
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
 * Receive an upload, run `accept` on it, and always discard every staged part `accept` did not
 * commit, including parts still arriving after a refusal (their staging is aborted).
 */
export async function withUpload<T>(hub: Hub, req: Request, res: Response, accept: (upload: ReceivedUpload) => Promise<T>): Promise<T> {
  const parts: StagedParts = { staged: [], staging: [], refused: new AbortController() };
  try {
    return await accept(await receiveMultipart(hub, req, res, parts));
  } finally {
    // Parts still arriving stop and remove what they wrote; the answer waits until they have.
    parts.refused.abort();
    await Promise.all(parts.staging);
    for (const blob of parts.staged) await blob.discard();
  }
}
