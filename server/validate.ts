/**
 * Request parsing shared by every router: a zod parse whose failure is a 400 problem naming each
 * bad field, and the empty query most routes take.
 * Callers use the parsed value only, never the raw request.
 */
import { z } from 'zod';
import { describeIssues, issueList } from '../protocol/issues.ts';
import { Problem } from './errors.ts';

export function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    throw new Problem('bad-request', describeIssues(result.error, what), { errors: issueList(result.error) });
  }
  return result.data;
}

export const NoQuery = z.strictObject({});
