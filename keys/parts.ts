/**
 * Packet parts: ordinary OpenPGP messages (sign-then-encrypt, SEIPDv1), one per document, that
 * any recipient can also open with plain `gpg`. Streams in, streams out; no file access here.
 *
 * What this does not guarantee: that a recipient list is the right one (the caller decides who
 * is cleared), nor, while a decryption stream is still flowing, that the bytes are authentic.
 * The caller must write the output somewhere private and keep it only after `verification`
 * resolves valid.
 */
// The WHATWG stream type, global in Node and in browsers alike.
type WebReadableStream<T> = ReadableStream<T>;
import { loadOpenpgp, MAX_DECRYPTED_PART_BYTES } from './openpgp.ts';
import { fingerprintOf, type PrivateKey, type PublicKey } from './identity.ts';
import { contextNotation, contextProblem, signatureFailure, type Verification } from './signatures.ts';
import { NotARecipientError, PartError } from './part-error.ts';
import { PartWalker } from './part-walker.ts';

export type ByteStream = WebReadableStream<Uint8Array>;

export { NotARecipientError, PartError, PartWalker };

/** The key ID a PKESK carries when its recipient is hidden (RFC 4880 5.1, "speculative"). */
const WILDCARD_KEY_ID = '0000000000000000';

type Message = Awaited<ReturnType<Awaited<ReturnType<typeof loadOpenpgp>>['readMessage']>>;

/**
 * Read a part's message (PartError when it is not one) and throw NotARecipientError unless one of the message's PKESK packets names a key of `key` (or
 * hides its recipient behind a wildcard key ID, which only a decryption attempt can tell). Read
 * from the packets, so the caller learns "not for this key" as a type, before any decryption.
 */
async function readPartFor(ciphertext: ByteStream, key: PrivateKey): Promise<Message> {
  const openpgp = await loadOpenpgp();
  let message;
  try {
    message = await openpgp.readMessage({ binaryMessage: ciphertext });
  } catch (cause) {
    throw new PartError('the part is not an OpenPGP message', 'part.not-openpgp-message', {}, { cause });
  }
  requireRecipient(message, key);
  return message;
}

function requireRecipient(message: Message, key: PrivateKey): void {
  const named = message.getEncryptionKeyIDs();
  if (named.some((id) => id.toHex() === WILDCARD_KEY_ID)) return;
  const mine = new Set(key.getKeyIDs().map((id) => id.toHex()));
  if (!named.some((id) => mine.has(id.toHex()))) throw new NotARecipientError(named.map((id) => id.toHex().toUpperCase()));
}

/** The literal data packet writes the file name's length in one byte (RFC 4880 5.9). */
export const MAX_LITERAL_FILENAME_BYTES = 255;

/**
 * The file name a literal data packet can carry: `name` itself when it fits in 255 UTF-8 bytes;
 * otherwise shortened, keeping its extension (when that is short) and cutting only between whole
 * characters, so the result is still valid UTF-8 and at most 255 bytes. Refuses a name that is
 * not valid Unicode text (a lone surrogate) rather than writing bytes no recipient can read.
 */
export function literalFileName(name: string): string {
  const encoder = new TextEncoder();
  // TextEncoder turns a lone surrogate into U+FFFD: a name that does not survive the round trip is not text.
  if (new TextDecoder().decode(encoder.encode(name)) !== name) throw new PartError('the file name is not valid Unicode text', 'part.file-name-not-unicode');
  const bytes = (s: string) => encoder.encode(s).length;
  if (bytes(name) <= MAX_LITERAL_FILENAME_BYTES) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && bytes(name.slice(dot)) <= 32 ? name.slice(dot) : '';
  const marker = '…';
  const budget = MAX_LITERAL_FILENAME_BYTES - bytes(extension) - bytes(marker);
  let stem = '';
  // Whole grapheme clusters (a letter with its combining marks), never half a character.
  const pieces = Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(name.slice(0, extension ? dot : name.length)), (x) => x.segment);
  for (const piece of pieces) {
    if (bytes(stem) + bytes(piece) > budget) break;
    stem += piece;
  }
  return `${stem}${marker}${extension}`;
}

/**
 * Sign `plaintext` with the sender's key and encrypt it to every key in `recipientKeys`.
 * `filename` travels inside the encrypted literal packet, never in the clear; one longer than
 * the packet can hold is shortened by `literalFileName` first.
 */
export async function encryptPartForRecipients(
  plaintext: ByteStream,
  options: { filename: string; signingKey: PrivateKey; recipientKeys: PublicKey[]; date: Date },
): Promise<ByteStream> {
  const openpgp = await loadOpenpgp();
  if (options.recipientKeys.length === 0) throw new PartError('a part needs at least one recipient', 'part.no-recipient');
  const message = await openpgp.createMessage({
    binary: plaintext,
    filename: literalFileName(options.filename),
    date: options.date,
  });
  const encrypted = await openpgp.encrypt({
    message,
    encryptionKeys: options.recipientKeys,
    signingKeys: options.signingKey,
    signatureNotations: [contextNotation('part')],
    date: options.date,
    format: 'binary',
  });
  return encrypted as unknown as ByteStream;
}

interface DecryptedPart {
  /** The plaintext. Untrusted until `verification` resolves valid. */
  data: ByteStream;
  /** The file name the sender put inside the message (untrusted text: sanitise before use). */
  filename: string;
  /** Resolves after `data` has been read to the end: integrity and the sender's signature. */
  verification: Promise<Verification>;
}

/**
 * Decrypt a part with the recipient's key and check it was signed by one of `senderKeys`.
 * SEIPDv1 cannot be authenticated before its end, so the output streams unauthenticated
 * (DESIGN.md: otherwise openpgp.js buffers the whole message); `verification` is the verdict.
 * Throws NotARecipientError when the part is not encrypted to `decryptionKey`, PartError when
 * it is not a message or cannot be opened.
 */
export async function decryptPart(
  ciphertext: ByteStream,
  options: { decryptionKey: PrivateKey; senderKeys: PublicKey[]; date: Date; maxBytes?: number },
): Promise<DecryptedPart> {
  const openpgp = await loadOpenpgp();
  const message = await readPartFor(ciphertext, options.decryptionKey);
  let result;
  try {
    result = await openpgp.decrypt({
      message,
      decryptionKeys: options.decryptionKey,
      verificationKeys: options.senderKeys,
      date: options.date,
      format: 'binary',
      config: {
        allowUnauthenticatedStream: true,
        maxDecompressedMessageSize: options.maxBytes ?? MAX_DECRYPTED_PART_BYTES,
      },
    });
  } catch (cause) {
    throw new PartError('this key cannot decrypt the part', 'part.cannot-decrypt', {}, { cause });
  }
  const signatures = result.signatures;
  const verification = (async (): Promise<Verification> => {
    const first = signatures[0];
    if (!first) return { valid: false, failure: 'malformed', reason: 'the part is not signed' };
    if (signatures.length !== 1) return { valid: false, failure: 'malformed', reason: 'the part must carry exactly one signature' };
    try {
      await first.verified;
      const signer = options.senderKeys.find((k) => k.getKeys(first.keyID).length > 0);
      if (!signer) return { valid: false, failure: 'unknown-signer', reason: 'the part is signed by an unknown key' };
      // The packet `verified` just checked: its hashed context must say it signs a part.
      const packet = (await first.signature).packets[0];
      const problem = contextProblem(packet, 'part', options.date);
      if (problem) return { valid: false, failure: 'wrong-context', reason: problem };
      return { valid: true, signer: fingerprintOf(signer), signedAt: packet!.created! };
    } catch (error) {
      return signatureFailure(error);
    }
  })();
  // Keep a rejected verification from being reported as unhandled before the caller awaits it.
  verification.catch(() => undefined);
  return { data: result.data as unknown as ByteStream, filename: result.filename, verification };
}

/**
 * Check a part is exactly one message encrypted to public keys, without decrypting it, and return
 * the key IDs (16 upper-case hex digits) its PKESK packets name: the rules of `PartWalker`, over
 * a whole stream. The hub runs the walker itself while an upload streams in (one pass); this is
 * for callers that hold a stream. Says nothing about what the ciphertext contains.
 */
export async function inspectEncryptedPart(ciphertext: ByteStream): Promise<string[]> {
  const walker = new PartWalker();
  const reader = ciphertext.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) walker.push(chunk.value);
  return walker.finish();
}

/**
 * Wrap a part's session key for more recipients: decrypt the session key with a key that can
 * already read the part, and return new PKESK packets for `newRecipients`. Prepended to the
 * stored part they make it readable by those recipients; the data is never re-encrypted.
 * Throws NotARecipientError when `decryptionKey` cannot read the part itself.
 */
export async function wrapSessionKeyFor(
  ciphertextHead: ByteStream,
  options: { decryptionKey: PrivateKey; newRecipients: PublicKey[]; date: Date },
): Promise<Uint8Array> {
  const openpgp = await loadOpenpgp();
  if (options.newRecipients.length === 0) throw new PartError('no recipients to wrap for', 'part.no-wrap-recipient');
  const message = await readPartFor(ciphertextHead, options.decryptionKey);
  let sessionKeys;
  try {
    sessionKeys = await openpgp.decryptSessionKeys({ message, decryptionKeys: options.decryptionKey, date: options.date });
  } catch (cause) {
    throw new PartError('this key cannot open the part to re-wrap it', 'part.cannot-open-to-rewrap', {}, { cause });
  }
  const sessionKey = sessionKeys[0];
  if (!sessionKey?.algorithm) throw new PartError('no session key found', 'part.no-session-key');
  return openpgp.encryptSessionKey({
    data: sessionKey.data,
    algorithm: sessionKey.algorithm,
    encryptionKeys: options.newRecipients,
    date: options.date,
    format: 'binary',
  });
}

/** The key IDs named by a block of bare PKESK packets (a wrap); throws if it holds anything else. */
export async function readWrapKeyIds(wrap: Uint8Array): Promise<string[]> {
  const openpgp = await loadOpenpgp();
  let message;
  try {
    message = await openpgp.readMessage({ binaryMessage: wrap });
  } catch (cause) {
    throw new PartError('the wrap is not OpenPGP data', 'part.wrap-not-openpgp', {}, { cause });
  }
  const packets = Array.from(message.packets);
  if (packets.length === 0 || packets.some((p) => !(p instanceof openpgp.PublicKeyEncryptedSessionKeyPacket))) {
    throw new PartError('a wrap may hold only public-key encrypted session key packets', 'part.wrap-foreign-packets');
  }
  return message.getEncryptionKeyIDs().map((id) => id.toHex().toUpperCase());
}
