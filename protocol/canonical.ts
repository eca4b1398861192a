/**
 * Canonical JSON (RFC 8785, JCS) for everything that is signed: manifests, statements, decisions,
 * receipts, checkpoints. One object has exactly one byte representation, so a signature covers
 * meaning, not layout. `canonicalStatement` is the text a signer signs (keys/statements.ts), and
 * `parseCanonical` is how a verifier reads it back: each accepts exactly what the other makes.
 */
import canonicalizeModule from 'canonicalize';
import type { z } from 'zod';
import { wordingOf, type CodedArgs, type ErrorWording, type STATEMENT_ERROR_CODES } from './error-codes.ts';
import { describeIssues } from './issues.ts';

// The package is CommonJS whose typings claim an ES module with a default export; Node and the
// bundler both hand the CommonJS export over as the default, typed here as what it is.
const canonicalizeJson = canonicalizeModule as unknown as (input: unknown) => string | undefined;

export function canonicalize(value: unknown): string {
  const text = canonicalizeJson(value);
  if (text === undefined) throw new TypeError('value cannot be canonicalized');
  return text;
}

/**
 * Parse signed text against a schema and insist it is already canonical, so there is exactly one
 * byte string per statement and the signature covers exactly what was parsed.
 */
export function parseCanonical<T extends z.ZodType>(schema: T, text: string, what: string): { ok: true; value: z.output<T> } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: `the ${what} is not JSON` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, error: `the ${what} is invalid: ${describeIssues(parsed.error, what)}` };
  if (canonicalize(json) !== text) return { ok: false, error: `the ${what} is not in canonical form (RFC 8785)` };
  return { ok: true, value: parsed.data };
}

/** A value its own schema refuses, so no statement was made of it. The message is a sentence. */
export class StatementError extends Error {
  override name = 'StatementError';
  /** The stable code and parameters of the sentence (protocol/error-codes.ts). */
  readonly wording: ErrorWording;

  constructor(message: string, ...coded: CodedArgs<typeof STATEMENT_ERROR_CODES>) {
    const { wording, options } = wordingOf(coded);
    super(message, options);
    this.wording = wording;
  }
}

/**
 * The canonical text of `value` as a statement of `schema`: parsed first (throws StatementError
 * when the schema refuses it), then the parsed value serialised, and read back as a verifier
 * would, so that what is signed is exactly what `parseCanonical` accepts.
 */
export function canonicalStatement<T extends z.ZodType>(schema: T, value: z.input<T>, what: string): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error, what);
    throw new StatementError(`the ${what} is invalid: ${issues}`, 'statement.invalid', { what, issues });
  }
  const text = canonicalize(parsed.data);
  const again = parseCanonical(schema, text, what);
  if (!again.ok) throw new StatementError(again.error, 'statement.not-canonical', { reason: again.error });
  return text;
}
