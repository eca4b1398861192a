/**
 * Request parsing shared by every router: a zod parse whose failure is a 400 problem naming each
 * bad field, the empty query most routes take, and a signed statement's verification
 * (keys/statements.ts) as the value or the problem that refuses it.
 * Callers use the parsed value only, never the raw request.
 */
import { z } from 'zod';
import { describeIssues, issueList } from '../protocol/issues.ts';
import type { StatementVerification } from '../keys/statements.ts';
import { Problem, type ProblemCode } from './errors.ts';

export function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    throw new Problem('bad-request', describeIssues(result.error, what), { errors: issueList(result.error) });
  }
  return result.data;
}

export const NoQuery = z.strictObject({});

/**
 * The verified statement's value, or a 400 naming why it is refused: not a statement of its
 * schema, a signature that does not verify (`the <what> signature does not verify: ...`), or
 * signed by the caller but naming someone else (`misnamed`, with its own code: an upload that
 * names another signer is forbidden).
 */
export function verifiedOrRefuse<T>(verification: StatementVerification<T>, what: string, misnamed: string, misnamedCode: ProblemCode = 'bad-request'): T {
  if (verification.valid) return verification.value;
  if (verification.failure === 'not-a-statement') throw new Problem('bad-request', verification.reason);
  if (verification.failure === 'signer-mismatch') throw new Problem(misnamedCode, misnamed);
  throw new Problem('bad-request', `the ${what} signature does not verify: ${verification.reason}`);
}
