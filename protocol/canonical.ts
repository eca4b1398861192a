/**
 * Canonical JSON (RFC 8785, JCS) for everything that is signed: manifests, release decisions.
 * One object has exactly one byte representation, so a signature covers meaning, not layout.
 */
import canonicalizeModule from 'canonicalize';
import type { z } from 'zod';
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
