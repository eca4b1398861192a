/**
 * The stable codes of keys/'s typed errors (KeyError, PartError, NotARecipientError), each with
 * the names of the parameters its sentence mentions (protocol/error-codes.ts says why).
 */
import type { CodeRegistry } from '../protocol/error-codes.ts';

export const KEY_ERROR_CODES = {
  'key.passphrase-too-short': [],
  'key.not-a-public-key': [],
  'key.not-a-private-key': [],
  'key.wrong-passphrase': [],
  'key.passphrase-protected': [],
  'key.not-v4': ['version'],
  'key.cannot-sign-and-encrypt': ['fingerprint', 'date'],
} as const satisfies CodeRegistry;

export const PART_ERROR_CODES = {
  'part.unreadable': [],
  'part.empty': [],
  'part.no-encrypted-data': [],
  'part.cut-short': [],
  /** A structural fault of the OpenPGP data (`reason`, in English) at byte `offset`. */
  'part.malformed': ['reason', 'offset'],
  'part.not-openpgp-message': [],
  'part.not-a-recipient': [],
  'part.file-name-not-unicode': [],
  'part.no-recipient': [],
  'part.no-wrap-recipient': [],
  'part.cannot-decrypt': [],
  'part.cannot-open-to-rewrap': [],
  'part.no-session-key': [],
  'part.wrap-not-openpgp': [],
  'part.wrap-foreign-packets': [],
} as const satisfies CodeRegistry;
