/**
 * Person and hub keys: generate, read, inspect, export. Pure functions over strings and bytes with
 * an explicit date; no file or network access. A key that passes `inspectPublicKey` is a v4 key
 * of an algorithm GnuPG 2.2 reads; that says nothing about whose key it is (the membership
 * record, and later an officer's statement, says that).
 */
import type { CodedArgs, ErrorWording } from '../protocol/error-codes.ts';
import { wordingOf } from '../protocol/error-codes.ts';
import type { KEY_ERROR_CODES } from './error-codes.ts';
import { loadOpenpgp } from './openpgp.ts';
import type { PrivateKey, PublicKey } from 'openpgp';

export type { PrivateKey, PublicKey };

export class KeyError extends Error {
  override name = 'KeyError';
  /** The stable code and parameters of the sentence (keys/error-codes.ts). */
  readonly wording: ErrorWording;

  constructor(message: string, ...coded: CodedArgs<typeof KEY_ERROR_CODES>) {
    const { wording, options } = wordingOf(coded);
    super(message, options);
    this.wording = wording;
  }
}

interface GeneratedKey {
  fingerprint: string;
  armoredPrivateKey: string;
  armoredPublicKey: string;
}

/**
 * Make a person's key in the project's profile: v4 Ed25519 primary with a Curve25519 encryption
 * subkey, protected by `passphrase` (S2K iterated+salted, which GnuPG 2.2 reads).
 */
export async function generatePersonKey(options: {
  name: string;
  email?: string;
  passphrase: string;
  date: Date;
}): Promise<GeneratedKey> {
  const openpgp = await loadOpenpgp();
  if (options.passphrase.length < 8) throw new KeyError('the passphrase must be at least 8 characters', 'key.passphrase-too-short');
  const userID = options.email ? { name: options.name, email: options.email } : { name: options.name };
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [userID],
    passphrase: options.passphrase,
    date: options.date,
    format: 'armored',
  });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return { fingerprint: fingerprintOf(key), armoredPrivateKey: privateKey, armoredPublicKey: publicKey };
}

/** Make the hub's own signing key (unprotected: it lives on the hub, mode 0600). */
export async function generateHubKey(options: { hubName: string; date: Date }): Promise<GeneratedKey> {
  const openpgp = await loadOpenpgp();
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: options.hubName }],
    date: options.date,
    format: 'armored',
  });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return { fingerprint: fingerprintOf(key), armoredPrivateKey: privateKey, armoredPublicKey: publicKey };
}

export function fingerprintOf(key: PublicKey | PrivateKey): string {
  return key.getFingerprint().toUpperCase();
}

/** Read one public key, armored or binary. A private key given here is reduced to its public part. */
export async function readPublicKey(data: string | Uint8Array): Promise<PublicKey> {
  const openpgp = await loadOpenpgp();
  try {
    const key =
      typeof data === 'string' ? await openpgp.readKey({ armoredKey: data }) : await openpgp.readKey({ binaryKey: data });
    return key.isPrivate() ? key.toPublic() : key;
  } catch (cause) {
    throw new KeyError('this is not an OpenPGP public key', 'key.not-a-public-key', {}, { cause });
  }
}

/** Read an armored private key and unlock it with `passphrase`. */
export async function unlockPrivateKey(armored: string, passphrase: string): Promise<PrivateKey> {
  const openpgp = await loadOpenpgp();
  let key: PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: armored });
  } catch (cause) {
    throw new KeyError('this is not an OpenPGP private key', 'key.not-a-private-key', {}, { cause });
  }
  if (key.isDecrypted()) return key;
  try {
    return await openpgp.decryptKey({ privateKey: key, passphrase });
  } catch (cause) {
    throw new KeyError('the passphrase does not unlock this key', 'key.wrong-passphrase', {}, { cause });
  }
}

/** Whether an armored private key is passphrase-protected (a person's key must be, at rest). */
export async function isProtectedPrivateKey(armored: string): Promise<boolean> {
  const openpgp = await loadOpenpgp();
  try {
    return !(await openpgp.readPrivateKey({ armoredKey: armored })).isDecrypted();
  } catch (cause) {
    throw new KeyError('this is not an OpenPGP private key', 'key.not-a-private-key', {}, { cause });
  }
}

/** Read an unprotected armored private key (the hub key). */
export async function readUnlockedPrivateKey(armored: string): Promise<PrivateKey> {
  const openpgp = await loadOpenpgp();
  const key = await openpgp.readPrivateKey({ armoredKey: armored });
  if (!key.isDecrypted()) throw new KeyError('the key is passphrase-protected', 'key.passphrase-protected');
  return key;
}

interface PublicKeyInfo {
  fingerprint: string;
  userIds: string[];
  /** Key IDs (16 hex digits, upper case) a message encrypted to this key names in its PKESK. */
  encryptionKeyId: string;
  algorithm: string;
  armored: string;
}

/**
 * Check a public key fits the profile at `date` (v4, usable for signing and encryption, not
 * revoked or expired) and describe it. Throws KeyError with a sentence a user can act on.
 */
export async function inspectPublicKey(key: PublicKey, date: Date): Promise<PublicKeyInfo> {
  if (key.keyPacket.version !== 4) throw new KeyError(`only v4 keys are accepted (GnuPG 2.2 profile); this is v${key.keyPacket.version}`, 'key.not-v4', { version: key.keyPacket.version });
  const fingerprint = fingerprintOf(key);
  let encryptionKey;
  try {
    await key.getSigningKey(undefined, date);
    encryptionKey = await key.getEncryptionKey(undefined, date);
  } catch (cause) {
    throw new KeyError(`key ${fingerprint} cannot both sign and encrypt at ${date.toISOString()} (expired, revoked, or missing a subkey)`, 'key.cannot-sign-and-encrypt', { fingerprint, date: date.toISOString() }, { cause });
  }
  const algorithm = key.getAlgorithmInfo();
  return {
    fingerprint,
    userIds: key.getUserIDs(),
    encryptionKeyId: encryptionKey.getKeyID().toHex().toUpperCase(),
    algorithm: 'curve' in algorithm && algorithm.curve ? `${algorithm.algorithm}/${algorithm.curve}` : `${algorithm.algorithm}/${algorithm.bits ?? '?'}`,
    armored: key.armor(),
  };
}

/** When the key (its primary key and self-signature) stops being valid, or undefined if never. */
export async function keyExpiry(key: PublicKey): Promise<Date | undefined> {
  const time = await key.getExpirationTime();
  return time instanceof Date ? time : undefined;
}

/**
 * Whether a key file holds a secret key. A public-key file is what is handed to an officer or an
 * operator; a secret one handed over by mistake must be refused, not quietly reduced to its public half.
 */
export async function holdsSecretKey(bytes: Uint8Array): Promise<boolean> {
  const head = String.fromCharCode(...bytes.subarray(0, 64));
  const openpgp = await loadOpenpgp();
  try {
    const key = head.includes('-----BEGIN PGP') ? await openpgp.readKey({ armoredKey: new TextDecoder().decode(bytes) }) : await openpgp.readKey({ binaryKey: bytes });
    return key.isPrivate();
  } catch {
    return false;
  }
}

/** Read a public key from a file's bytes, armored or binary (GnuPG writes either). */
export async function readPublicKeyBytes(bytes: Uint8Array): Promise<PublicKey> {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 64));
  return readPublicKey(head.includes('-----BEGIN PGP') ? new TextDecoder().decode(bytes) : bytes);
}
