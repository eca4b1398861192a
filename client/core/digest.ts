/**
 * SHA-256 for both clients, in one place: of a text or bytes at once, incrementally (the portable
 * @noble/hashes hasher; the CLI hands in node:crypto's through `ClientContext.sha256`, which is
 * several times faster on 1 GiB parts, client/node/digest.ts), and as a meter on a byte stream.
 * Lower-case hex everywhere, as manifests, receipts and labels carry it.
 * Never imports node:crypto (the core runs in browsers): the faster engine comes in through the port.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { sha256 as sha256Once, sha256HexOfText } from '../../protocol/sha256.ts';

export interface Sha256Hasher {
  update(bytes: Uint8Array): void;
  /** Lower-case hex of the digest. */
  hex(): string;
}

/** The portable incremental SHA-256. */
export function nobleSha256(): Sha256Hasher {
  const h = sha256.create();
  return { update: (b) => void h.update(b), hex: () => bytesToHex(h.digest()) };
}

/** SHA-256 of `data` (a text is hashed as its UTF-8 bytes), lower-case hex. */
export function sha256Hex(data: string | Uint8Array): string {
  // protocol/sha256.ts: node:crypto's when in Node, @noble/hashes in a browser.
  return typeof data === 'string' ? sha256HexOfText(data) : bytesToHex(sha256Once(data));
}

/** SHA-256 and size of a byte stream as it passes (ciphertext as it is written, plaintext as it is decrypted). */
export function meteredDigest(hasher: () => Sha256Hasher = nobleSha256, onBytes?: (done: number) => void): { stream: TransformStream<Uint8Array, Uint8Array>; result: () => { size: number; sha256: string } } {
  const hash = hasher();
  let size = 0;
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      hash.update(chunk);
      size += chunk.length;
      onBytes?.(size);
      controller.enqueue(chunk);
    },
  });
  return { stream, result: () => ({ size, sha256: hash.hex() }) };
}
