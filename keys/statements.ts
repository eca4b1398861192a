/**
 * The one way Liaison signs and reads a *statement*: a value of a zod schema, serialised as
 * canonical JSON (RFC 8785, protocol/canonical.ts), with a detached signature of its kind
 * (keys/signatures.ts writes and requires the kind's context). Manifests, membership statements,
 * revocations, rotations, contact entries, release decisions, receipts, authenticity
 * confirmations and audit checkpoints are all statements.
 *
 * - `signStatement` parses the value with the schema before it signs, and signs the canonical
 *   text of what the schema returned: nothing is signed that the signer has not parsed, and what
 *   is signed is what a verifier will parse.
 * - `verifyStatement` checks the signature first (against the offered keys, for the kind, at
 *   `date`), and only then parses the text, which must be canonical and of the schema. It returns
 *   a value the caller must look at: the statement's content exists only on the `valid` branch,
 *   so no caller can use a field of a statement whose signature it has not verified for the
 *   context it was made for. With `namedSigner`, the statement must also name the key that signed
 *   it (a manifest's `signedBy`, a decision's `officer`), so a signature by one offered key never
 *   passes for a statement that claims another.
 *
 * What stays on keys/signatures.ts `signDetached`/`verifyDetached`, because it is not JSON of a
 * schema: the login challenge (a one-line text format the client parses whole first,
 * protocol/login.ts: `loginChallengeProblem`, and the hub compares with the hash it issued), and a
 * reader's label.xml (XML the client writes itself and checks byte for byte). Part signatures live
 * inside the encrypted messages (keys/parts.ts).
 *
 * Pure: no clock of its own (the caller passes `date`), no I/O. It does not say who a key
 * belongs to (the caller chooses which keys to offer), nor check dates *inside* a statement
 * (issuedAt, expiresAt: those are rules of their callers, protocol/signing.ts has the bounds).
 */
import type { z } from 'zod';
import { canonicalStatement, parseCanonical, StatementError } from '../protocol/canonical.ts';
import type { SignedKind } from '../protocol/signing.ts';
import type { PrivateKey, PublicKey } from './identity.ts';
import { signDetached, verifyDetached, type SignatureFailure, type Verification } from './signatures.ts';

/** The kinds whose signed text is a statement (JSON of a schema); see the header for the others. */
export type StatementKind = Exclude<SignedKind, 'login' | 'part' | 'label'>;

/** What each kind of statement is called in a sentence. */
const STATEMENT_NAMES: Record<StatementKind, string> = {
  manifest: 'manifest',
  membership: 'membership statement',
  revocation: 'revocation',
  rotation: 'rotation statement',
  contact: 'contact entry',
  releaseDecision: 'release decision',
  hubReceipt: 'receipt',
  retrievalReceipt: 'retrieval receipt',
  authenticity: 'authenticity confirmation',
  checkpoint: 'checkpoint',
};

/**
 * Makes a detached signature of `kind` over `text` at `date`: `signDetached` with one key, run
 * wherever the caller keeps that key (the hub signs in a worker thread: server/signature-worker.ts).
 */
export type DetachedSigner = (kind: StatementKind, text: string, date: Date) => Promise<string>;
/**
 * Checks a detached signature of `kind` over `text` at `date` against the keys the caller chose:
 * `verifyDetached` over those keys, run wherever the caller runs it (server/signature-worker.ts).
 */
export type DetachedVerifier = (kind: StatementKind, text: string, signature: string, date: Date) => Promise<Verification>;

/** A statement as it travels: its canonical text and the armored detached signature over it. */
export interface SignedText {
  statement: string;
  signature: string;
}

/** Why a statement was not accepted: its signature (keys/signatures.ts), or its content. */
type StatementFailure =
  | SignatureFailure
  | 'not-a-statement' // signed, but not canonical JSON of the schema (extra fields, wrong format, ...)
  | 'signer-mismatch'; // signed by one offered key, but naming another as its signer

export type StatementVerification<T> =
  | { valid: true; value: T; signer: string; signedAt: Date }
  | { valid: false; failure: StatementFailure; reason: string };

/**
 * Parse `value` with `schema`, and sign the canonical text of the parsed value as a statement of
 * `kind` with `key` at `date` (protocol/canonical.ts: canonicalStatement). Throws StatementError
 * (and signs nothing) when the schema refuses
 * the value. The same value always gives the same text, so a statement signed by two keys (an
 * officer's rotation) is signed twice with the same result.
 */
export async function signStatement<S extends z.ZodType>(kind: StatementKind, schema: S, value: z.input<S>, key: PrivateKey | DetachedSigner, date: Date): Promise<SignedText> {
  const statement = canonicalStatement(schema, value, STATEMENT_NAMES[kind]);
  return { statement, signature: typeof key === 'function' ? await key(kind, statement, date) : await signDetached(kind, statement, key, date) };
}

/**
 * Sign `statement`, text made earlier by `canonicalStatement` and kept (a hub receipt is recorded
 * in its decision's transaction and signed after it): it is read as a verifier would
 * (`parseCanonical`: canonical JSON of `schema`) and signed as it is, so what is signed is still
 * only what parsed, with one parse instead of the three of reading it and `signStatement`. Throws
 * StatementError (and signs nothing) when it does not parse.
 */
export async function signCanonicalText<S extends z.ZodType>(kind: StatementKind, schema: S, statement: string, key: PrivateKey | DetachedSigner, date: Date): Promise<SignedText> {
  const parsed = parseCanonical(schema, statement, STATEMENT_NAMES[kind]);
  if (!parsed.ok) throw new StatementError(parsed.error, 'statement.not-canonical', { reason: parsed.error });
  return { statement, signature: typeof key === 'function' ? await key(kind, statement, date) : await signDetached(kind, statement, key, date) };
}

/**
 * Verify `signed` as a statement of `kind` by one of `keys` at `date` (or by what a
 * `DetachedVerifier` over the caller's keys says), then parse it with `schema`. With
 * `namedSigner`, the fingerprint the statement names as its signer must be the key that signed.
 * The value is given only when everything holds.
 */
export async function verifyStatement<S extends z.ZodType>(
  kind: StatementKind,
  schema: S,
  signed: SignedText,
  keys: readonly PublicKey[] | DetachedVerifier,
  date: Date,
  options: { namedSigner?: (value: z.output<S>) => string } = {},
): Promise<StatementVerification<z.output<S>>> {
  const what = STATEMENT_NAMES[kind];
  const verification = typeof keys === 'function' ? await keys(kind, signed.statement, signed.signature, date) : await verifyDetached(kind, signed.statement, signed.signature, [...keys], date);
  if (!verification.valid) return verification;
  const parsed = parseCanonical(schema, signed.statement, what);
  if (!parsed.ok) return { valid: false, failure: 'not-a-statement', reason: parsed.error };
  if (options.namedSigner) {
    const named = options.namedSigner(parsed.value);
    if (named !== verification.signer) return { valid: false, failure: 'signer-mismatch', reason: `the ${what} names ${named} as its signer, but ${verification.signer} signed it` };
  }
  return { valid: true, value: parsed.value, signer: verification.signer, signedAt: verification.signedAt };
}
