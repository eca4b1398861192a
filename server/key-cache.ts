/**
 * Parsed public keys of members, kept between requests: every upload parsed its signer's armored
 * key again, a measured cost of the upload path (docs/performance.md). The signature thread
 * (server/signature-thread.ts) keeps its keys here, so it serves the manifest check of every
 * upload; it is its own module because it is thread state (a bounded cache), not a rule or a
 * route. Keyed by the armored text itself, so a restated or rotated key is a new entry and a stale parse can never be used for a changed key. Bounded; the oldest entry goes.
 * Holds public keys only.
 */
import { readPublicKey, type PublicKey } from '../keys/identity.ts';

const MAX_ENTRIES = 1024;
const parsed = new Map<string, Promise<PublicKey>>();

export function publicKeyOf(armored: string): Promise<PublicKey> {
  let key = parsed.get(armored);
  if (!key) {
    key = readPublicKey(armored);
    // A key that does not parse is not kept: the next call reports it again.
    key.catch(() => parsed.delete(armored));
    if (parsed.size >= MAX_ENTRIES) parsed.delete(parsed.keys().next().value!);
    parsed.set(armored, key);
  }
  return key;
}
