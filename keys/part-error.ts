/**
 * The typed errors of keys/ for parts: callers match on the class, never on openpgp.js's message
 * text (which is the library's, changes between versions, and is not written for a person).
 */

import type { CodedArgs, ErrorWording } from '../protocol/error-codes.ts';
import { wordingOf } from '../protocol/error-codes.ts';
import type { PART_ERROR_CODES } from './error-codes.ts';

/** A part that is not what it must be (its message says why). */
export class PartError extends Error {
  override name = 'PartError';
  /** The stable code and parameters of the sentence (keys/error-codes.ts). */
  readonly wording: ErrorWording;

  constructor(message: string, ...coded: CodedArgs<typeof PART_ERROR_CODES>) {
    const { wording, options } = wordingOf(coded);
    super(message, options);
    this.wording = wording;
  }
}

/**
 * The part is not encrypted to the key offered: it was sent (or last re-wrapped) before that key
 * could read it, for instance to a member enrolled, cleared or rotated afterwards. Nothing is
 * wrong with the part; a key that can read it can wrap its session key for this one.
 */
export class NotARecipientError extends PartError {
  override name = 'NotARecipientError';
  /** The key IDs the part is encrypted to (16 upper-case hex digits each). */
  readonly recipients: string[];

  constructor(recipients: string[]) {
    super('the part is not encrypted to this key', 'part.not-a-recipient');
    this.recipients = recipients;
  }
}
