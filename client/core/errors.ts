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

export class ClientError extends Error {
  override name = 'ClientError';
}

/** A refusal or failure answered by the hub (status 0: the hub could not be reached or answered nonsense). */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly detail: string;
  readonly article: string | undefined;
  /** The problem type's stable code (for example `incomplete`), when the hub gave one. */
  readonly code: string | undefined;

  constructor(status: number, detail: string, article?: string, code?: string) {
    super(article ? `${detail} (${article})` : detail);
    this.status = status;
    this.detail = detail;
    this.article = article;
    this.code = code;
  }
}

/** True for the errors whose message is written for a person (see the header). */
export function isTypedError(error: unknown): error is Error {
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
