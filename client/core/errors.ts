/**
 * The client's typed errors: the ones whose message is already a sentence in the person's terms
 * (CLI on stderr, web client in an alert). ClientError is the core's own; ApiError carries the
 * hub's problem+json (its sentence, its stable `code`, the `article` that refused); KeyError,
 * PartError (with NotARecipientError) are keys/'s, StatementError (a value its schema refuses, so
 * nothing was signed) protocol/'s. Anything else is a fault, not a sentence: it
 * is never shown as it is (client/cli/errors.ts words it generically).
 * Core modules throw these; they never print, exit or read the environment.
 */
import { KeyError } from '../../keys/identity.ts';
import { PartError } from '../../keys/part-error.ts';
import { StatementError } from '../../protocol/canonical.ts';
import { wordingOf, type CodedArgs, type ErrorWording } from '../../protocol/error-codes.ts';
import type { API_ERROR_CODES, CLIENT_ERROR_CODES } from './error-codes.ts';

export type { ErrorParam, ErrorWording } from '../../protocol/error-codes.ts';

/**
 * The code of a ClientError the core or the web client raised without one: only the node shells
 * (client/cli, client/node, never shown in another language) still do; a test keeps it out of
 * client/core and client/web.
 */
export const UNCODED = 'client.uncoded';

export class ClientError extends Error {
  override name = 'ClientError';
  /** The stable code and parameters of the sentence (client/core/error-codes.ts). */
  readonly wording: ErrorWording;

  /** `message` is the English sentence; then its code and parameters (a shell's own sentence may give only options). */
  constructor(message: string, ...coded: CodedArgs<typeof CLIENT_ERROR_CODES> | [options?: ErrorOptions]) {
    if (typeof coded[0] === 'string') {
      const { wording, options } = wordingOf(coded);
      super(message, options);
      this.wording = wording;
    } else {
      super(message, coded[0]);
      this.wording = { code: UNCODED, params: { text: message } };
    }
  }
}

/** A refusal or failure answered by the hub (status 0: the hub could not be reached or answered nonsense). */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly detail: string;
  readonly article: string | undefined;
  /** The problem type's stable code (for example `incomplete`), when the hub gave one. */
  readonly code: string | undefined;

  /** The stable code and parameters of the sentence (client/core/error-codes.ts); a hub answer is `api.problem`. */
  readonly wording: ErrorWording;

  constructor(status: number, detail: string, ...coded: CodedArgs<typeof API_ERROR_CODES>) {
    const { wording, options } = wordingOf(coded);
    const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
    const article = wording.code === 'api.problem' ? str(wording.params.article) : undefined;
    super(article ? `${detail} (${article})` : detail, options);
    this.status = status;
    this.detail = detail;
    this.article = article;
    this.code = wording.code === 'api.problem' ? str(wording.params.problem) : undefined;
    this.wording = wording;
  }
}

/** True for the errors whose message is written for a person (see the header). */
export function isTypedError(error: unknown): error is Error & { wording: ErrorWording } {
  return error instanceof ClientError || error instanceof ApiError || error instanceof KeyError || error instanceof PartError || error instanceof StatementError;
}

/**
 * The sentence of a typed error, to be used as a reason inside another sentence; any other error
 * is not ours to word and is thrown on, so that it reaches the generic report with its stack.
 */
export function reasonOf(error: unknown): string {
  if (isTypedError(error)) return error.message;
  throw error;
}

/** The code and parameters of a typed error (to quote it as the reason of another); any other error is thrown on, as by `reasonOf`. */
export function reasonWording(error: unknown): ErrorWording {
  if (isTypedError(error)) return error.wording;
  throw error;
}
