/**
 * Canonical JSON (RFC 8785, JCS) for everything that is signed: manifests, release decisions.
 * One object has exactly one byte representation, so a signature covers meaning, not layout.
 */
import { createRequire } from 'node:module';

// The package is CommonJS whose typings claim an ES default export; load it as what it is.
const canonicalizeJson = createRequire(import.meta.url)('canonicalize') as (input: unknown) => string | undefined;

export function canonicalize(value: unknown): string {
  const text = canonicalizeJson(value);
  if (text === undefined) throw new TypeError('value cannot be canonicalized');
  return text;
}

export function canonicalBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalize(value));
}
