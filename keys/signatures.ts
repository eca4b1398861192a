/**
 * The one sign/verify primitive for detached signatures, and the context every Liaison signature
 * carries (protocol/signing.ts). Statements (manifests, officer statements, decisions, receipts,
 * checkpoints: JSON of a schema) are signed and read only through keys/statements.ts, which parses
 * what it signs and parses only what verified; the login challenge and label.xml, which are not
 * JSON, use these two directly (test/unit/statements.test.ts holds the list). The caller names the kind; the kind's context
 * is written into the signature as a hashed, non-critical notation, and verification requires
 * exactly that context in the verified signature packet, so a signature made for one kind never
 * verifies as another, whatever bytes were put in front of the signer.
 *
 * Verification is a value the caller must look at; it says that one of the given keys signed
 * these exact bytes, for this kind, at a time the key was valid and within reason of `date`. It
 * does not say the key belongs to anyone: the caller chooses which keys to offer.
 */
import { loadOpenpgp, type OpenPGPModule } from './openpgp.ts';
import { fingerprintOf, type PrivateKey, type PublicKey } from './identity.ts';
import { SIGNATURE_CONTEXT_NOTATION, SIGNATURE_CONTEXTS, signedInstantProblem, type SignedKind } from '../protocol/signing.ts';

/**
 * Why a signature did not verify, as a value callers can match on. `reason` is the sentence for
 * a person: ours, never openpgp.js's own message text.
 */
export type SignatureFailure =
  | 'no-key' // no key was offered to verify against
  | 'malformed' // not an OpenPGP signature, or not exactly one
  | 'wrong-context' // made for another kind, or at a time out of reason
  | 'unknown-signer' // none of the offered keys made it
  | 'key-unusable' // the signing key was expired or revoked at the signature's time
  | 'bad-signature'; // the bytes are not the ones signed

export type Verification =
  | { valid: true; signer: string; signedAt: Date }
  | { valid: false; failure: SignatureFailure; reason: string };

/**
 * An error openpgp.js threw while verifying, as a typed failure. The one place that reads the
 * library's messages: it names no stable error classes, so its words are mapped here, once,
 * and whatever is not recognised is a plain "does not verify".
 */
export function signatureFailure(error: unknown): Verification & { valid: false } {
  const text = error instanceof Error ? error.message : '';
  if (/could not find signing key|not issued by the given public key/i.test(text)) return { valid: false, failure: 'unknown-signer', reason: 'signed by an unknown key' };
  if (/is expired|is revoked|newer than the signature|creation time is in the future/i.test(text)) return { valid: false, failure: 'key-unusable', reason: 'the signing key was expired, revoked or not yet valid when it signed' };
  return { valid: false, failure: 'bad-signature', reason: 'the signature does not match the signed bytes' };
}

type SignaturePacket = InstanceType<OpenPGPModule['SignaturePacket']>;

/** The notation that says a signature is of `kind` (hashed, human-readable, non-critical). */
export function contextNotation(kind: SignedKind) {
  return { name: SIGNATURE_CONTEXT_NOTATION, value: new TextEncoder().encode(SIGNATURE_CONTEXTS[kind]), humanReadable: true, critical: false };
}

/**
 * Why a verified signature packet is not a signature of `kind` made at a reasonable time, or
 * undefined. Reads only the packet's hashed subpackets (openpgp.js ignores unhashed notations),
 * and insists on exactly one context notation with exactly the expected value.
 */
export function contextProblem(packet: SignaturePacket | undefined, kind: SignedKind, now: Date): string | undefined {
  if (!packet) return 'no signature packet';
  const contexts = packet.rawNotations.filter((n) => n.name === SIGNATURE_CONTEXT_NOTATION);
  const expected = SIGNATURE_CONTEXTS[kind];
  if (contexts.length === 0) return `the signature carries no context; expected a ${expected} signature`;
  if (contexts.length > 1) return 'the signature carries more than one context';
  const context = contexts[0]!;
  const value = new TextDecoder('utf-8', { fatal: false }).decode(context.value);
  if (!context.humanReadable || value !== expected) return `the signature was made for ${JSON.stringify(value)}, not ${expected}`;
  if (!packet.created) return 'the signature has no creation time';
  return signedInstantProblem(packet.created, now, 'the signature time');
}

export async function signDetached(kind: SignedKind, data: Uint8Array | string, signingKey: PrivateKey, date: Date): Promise<string> {
  const openpgp = await loadOpenpgp();
  // Always a binary signature over the UTF-8 bytes: `gpg --verify sig file` then checks it as is.
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const message = await openpgp.createMessage({ binary: bytes, date });
  return openpgp.sign({ message, signingKeys: signingKey, detached: true, format: 'armored', date, signatureNotations: [contextNotation(kind)] });
}

/**
 * Check an armored detached signature of `kind` over `data` by one of `keys`, at `date`. The
 * armored block must hold exactly one signature.
 */
export async function verifyDetached(
  kind: SignedKind,
  data: Uint8Array | string,
  armoredSignature: string,
  keys: PublicKey[],
  date: Date,
): Promise<Verification> {
  const openpgp = await loadOpenpgp();
  if (keys.length === 0) return { valid: false, failure: 'no-key', reason: 'no key to verify against' };
  let signature;
  try {
    signature = await openpgp.readSignature({ armoredSignature });
  } catch {
    return { valid: false, failure: 'malformed', reason: 'the signature is not an OpenPGP signature' };
  }
  if (signature.packets.length !== 1) return { valid: false, failure: 'malformed', reason: 'the signature block must hold exactly one signature' };
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const message = await openpgp.createMessage({ binary: bytes });
  try {
    const result = await openpgp.verify({ message, signature, verificationKeys: keys, date, expectSigned: true, format: 'binary' });
    const first = result.signatures[0];
    if (!first || result.signatures.length !== 1) return { valid: false, failure: 'malformed', reason: 'no single signature found' };
    await first.verified;
    // The packet read here is the one `verified` just checked: the context is covered by the signature.
    const packet = (await first.signature).packets[0];
    const problem = contextProblem(packet, kind, date);
    if (problem) return { valid: false, failure: 'wrong-context', reason: problem };
    const signer = keys.find((k) => k.getKeys(first.keyID).length > 0);
    if (!signer) return { valid: false, failure: 'unknown-signer', reason: 'signed by an unknown key' };
    return { valid: true, signer: fingerprintOf(signer), signedAt: packet!.created! };
  } catch (error) {
    return signatureFailure(error);
  }
}
