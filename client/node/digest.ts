/**
 * SHA-256 on the CLI's side: node:crypto's hasher behind the core's Sha256Hasher port (several
 * times faster than the portable one on large parts), and the digest of a file on disk, streamed.
 * The formulas are the same as client/core/digest.ts's; only the engine differs.
 */
import { createReadStream } from 'node:fs';
import type { Sha256Hasher } from '../core/digest.ts';

export function nodeSha256(): Sha256Hasher {
  // node:crypto loads on the first hash, not with every command (CLI start-up).
  const h = process.getBuiltinModule('node:crypto').createHash('sha256');
  return { update: (b) => void h.update(b), hex: () => h.digest('hex') };
}

/** SHA-256 and size of the file at `path` from byte `start` on, read as a stream. */
export async function sha256File(path: string, start = 0): Promise<{ sha256: string; size: number }> {
  const hash = nodeSha256();
  let size = 0;
  for await (const chunk of createReadStream(path, { start }) as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.hex(), size };
}
