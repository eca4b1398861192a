/**
 * Detached signatures over canonical bytes (manifests, release decisions, login challenges).
 * Verification is a value the caller must look at; it says that one of the given keys signed
 * these exact bytes at a time the key was valid. It does not say the key belongs to anyone: the
 * caller chooses which keys to offer.
 */
import { loadOpenpgp } from './openpgp.ts';
import { fingerprintOf, type PrivateKey, type PublicKey } from './identity.ts';

export type Verification =
  | { valid: true; signer: string; signedAt: Date }
  | { valid: false; reason: string };

export async function signDetached(data: Uint8Array | string, signingKey: PrivateKey, date: Date): Promise<string> {
  const openpgp = await loadOpenpgp();
  // Always a binary signature over the UTF-8 bytes: `gpg --verify sig file` then checks it as is.
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const message = await openpgp.createMessage({ binary: bytes, date });
  return openpgp.sign({ message, signingKeys: signingKey, detached: true, format: 'armored', date });
}

/**
 * Check an armored detached signature over `data` by one of `keys`, at `date`.
 */
export async function verifyDetached(
  data: Uint8Array | string,
  armoredSignature: string,
  keys: PublicKey[],
  date: Date,
): Promise<Verification> {
  const openpgp = await loadOpenpgp();
  if (keys.length === 0) return { valid: false, reason: 'no key to verify against' };
  let signature;
  try {
    signature = await openpgp.readSignature({ armoredSignature });
  } catch {
    return { valid: false, reason: 'the signature is not an OpenPGP signature' };
  }
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const message = await openpgp.createMessage({ binary: bytes });
  try {
    const result = await openpgp.verify({ message, signature, verificationKeys: keys, date, expectSigned: true, format: 'binary' });
    const first = result.signatures[0];
    if (!first) return { valid: false, reason: 'no signature found' };
    await first.verified;
    const sig = await first.signature;
    const signer = keys.find((k) => k.getKeys(first.keyID).length > 0);
    if (!signer) return { valid: false, reason: 'signed by an unknown key' };
    return { valid: true, signer: fingerprintOf(signer), signedAt: sig.packets[0]?.created ?? date };
  } catch (error) {
    return { valid: false, reason: error instanceof Error ? error.message.replace(/^Error: /, '') : 'the signature does not verify' };
  }
}
