/**
 * The shape of the stable codes every typed error carries beside its English sentence, so that a
 * shell can word the same refusal in another language (the web client's catalogues) while the
 * CLI keeps the sentence as it is. A registry maps each code to the names of the parameters the
 * sentence mentions (a party, a fingerprint, an article, a language); a catalogue entry for a
 * code uses exactly those. Never a place for wording: the English stays at the throw.
 */

/**
 * The stable codes of the hub's problems (a problem+json `code`, also the last segment of its
 * `type`): server/errors.ts refuses with them, the web client words them. `internal` is not one:
 * it is the hub's own fault, never a refusal.
 */
export const PROBLEM_CODES = ['bad-request', 'unauthenticated', 'forbidden', 'not-found', 'conflict', 'treaty-rule', 'too-large', 'too-many-requests', 'unsupported-media-type'] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** A parameter of a coded error: a value it names, or the coded reason it quotes (a nested typed error). */
export type ErrorParam = string | number | ErrorWording;

/** A code and its parameters: what a catalogue needs to word an error. */
export interface ErrorWording {
  code: string;
  params: Record<string, ErrorParam>;
}

/** A registry: each code with the names of its parameters. */
export type CodeRegistry = Record<string, readonly string[]>;

/**
 * The arguments after the message for a registry's codes: the code, then (when it has any) an
 * object with exactly its parameters, then the usual error options (a cause).
 */
export type CodedArgs<R extends CodeRegistry> = {
  [C in keyof R & string]: R[C] extends readonly [] ? [code: C, params?: Record<string, never>, options?: ErrorOptions] : [code: C, params: { [P in R[C][number]]: ErrorParam }, options?: ErrorOptions];
}[keyof R & string];

/** The code, parameters and options out of `CodedArgs`. */
export function wordingOf(args: readonly [string, Record<string, ErrorParam>?, ErrorOptions?]): { wording: ErrorWording; options: ErrorOptions | undefined } {
  return { wording: { code: args[0], params: { ...(args[1] ?? {}) } }, options: args[2] };
}

/** The codes of protocol/'s StatementError. */
export const STATEMENT_ERROR_CODES = {
  /** A value its schema refuses (`what`: the kind of statement, in English; `issues`: what is wrong). */
  'statement.invalid': ['what', 'issues'],
  /** A value that does not read back as the same canonical statement (`reason`, in English). */
  'statement.not-canonical': ['reason'],
} as const satisfies CodeRegistry;

/** The codes of the language rule's reasons (protocol/agreement.ts `missingLanguages`), quoted by the refusals that cite them. */
export const LANGUAGE_RULE_CODES = {
  'languages.translation-required': ['languages'],
  'languages.one-of': ['languages'],
  'languages.original-official': ['party', 'languages'],
} as const satisfies CodeRegistry;
