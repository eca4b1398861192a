/**
 * The one place where zod's validation issues become sentences a person can act on: "the purpose
 * must be at least 3 characters long", never "purpose: Too small: expected string to have >=3
 * characters". The hub puts these sentences in its problem+json `detail`, the client in its
 * one-line errors. It must never echo the rejected value itself (it may be a token or a key).
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** Words for the fields people meet in messages; any other camelCase name is split into words. */
const FIELD_WORDS: Record<string, string> = {
  id: 'id',
  packetId: 'packet id',
  releaseId: 'release id',
  partId: 'part id',
  thirdParty: 'third party',
  validUntil: 'valid-until date',
  validFrom: 'valid-from date',
  expiresAt: 'expiry date',
  lang: 'language',
  mediaType: 'media type',
  sha256: 'SHA-256 hash',
  publicKey: 'public key',
  fingerprint: 'fingerprint',
  agreementId: 'agreement id',
  requestingAuthority: 'requesting authority',
  requestedAuthority: 'requested authority',
  purposeCategory: 'purpose category',
  assistanceRequested: 'assistance requested',
  confirmsOralRequest: 'oral request it confirms',
  madeAt: 'time the request was made',
};

function words(name: string): string {
  return FIELD_WORDS[name] ?? name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]/g, ' ').toLowerCase();
}

/** `['parts', 0, 'lang']` -> "the language of part 1"; `[]` -> "the <what>". */
function fieldName(path: ReadonlyArray<PropertyKey>, what: string): string {
  const segments = path.filter((s): s is string | number => typeof s === 'string' || typeof s === 'number');
  if (segments.length === 0) return `the ${what}`;
  // A route parameter named `id` is the thing the route is about: "the packet id".
  if (segments.length === 1 && segments[0] === 'id' && / id$/.test(what)) return `the ${what}`;
  const names: string[] = [];
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i]!;
    if (typeof s === 'number') continue;
    const index = typeof segments[i + 1] === 'number' ? ` ${Number(segments[i + 1]) + 1}` : '';
    const singular = index && s.endsWith('s') ? s.slice(0, -1) : s;
    names.push(`${words(singular)}${index}`);
  }
  if (names.length === 0) return `item ${Number(segments[0]) + 1} of the ${what}`;
  return `the ${names.join(' of ')}`;
}

function sizeWord(origin: string | undefined, n: number | bigint): string {
  const count = Number(n);
  if (origin === 'string') return `${count} character${count === 1 ? '' : 's'}`;
  if (origin === 'array' || origin === 'set') return `${count} item${count === 1 ? '' : 's'}`;
  if (origin === 'file') return `${count} bytes`;
  return String(count);
}

/** One issue as a sentence without a final full stop. */
function describeIssue(issue: Issue, what: string): string {
  const field = fieldName(issue.path, what);
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? `${field} is missing` : `${field} must be ${article(issue.expected)}`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return `${field} must not be empty`;
      if (issue.origin === 'string' || issue.origin === 'array') return `${field} must have at least ${sizeWord(issue.origin, issue.minimum)}`;
      return `${field} must be at least ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'string' || issue.origin === 'array') return `${field} must have at most ${sizeWord(issue.origin, issue.maximum)}`;
      return `${field} must be at most ${String(issue.maximum)}`;
    case 'invalid_format':
      // A pattern's own message (set where the schema is written) says what the value should look like.
      if (issue.format === 'regex' && !/^Invalid/.test(issue.message)) return `${field} is not valid: ${issue.message}`;
      return `${field} is not ${formatWord(issue.format)}`;
    case 'invalid_value':
      return `${field} must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `${fieldName(issue.path, what)} has unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}`;
    case 'invalid_union':
      return `${field} is not in any accepted form`;
    case 'not_multiple_of':
      return `${field} must be a multiple of ${String(issue.divisor)}`;
    case 'custom':
      // Custom issues are written as sentences where they are raised (protocol/*.ts).
      return issue.message;
    default:
      return `${field} is not valid`;
  }
}

function article(expected: string): string {
  const noun = { string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', object: 'an object', array: 'a list' }[expected];
  return noun ?? `a ${expected}`;
}

function formatWord(format: string): string {
  switch (format) {
    case 'uuid':
    case 'guid':
      return 'a valid id (a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e)';
    case 'datetime':
      return 'a date and time (ISO 8601, such as 2026-12-31T23:59:59Z)';
    case 'date':
      return 'a date (such as 2026-12-31)';
    case 'email':
      return 'an e-mail address';
    case 'url':
      return 'a URL';
    default:
      return 'in the expected form';
  }
}

/** All issues of a failed parse as one sentence (no final full stop): "the purpose must ...; the id is not ...". */
export function describeIssues(error: { issues: readonly Issue[] }, what: string): string {
  const sentences = [...new Set(error.issues.map((i) => describeIssue(i, what)))];
  return sentences.join('; ');
}

/** `['markings', 'levels', 0, 'level']` -> `markings.levels[0].level`; the root is `(root)`. */
function issuePath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/**
 * Each offending field of a failed parse, for machines and for file-by-file reports: its path and
 * the schema's own message; an unknown-key issue names each unknown key as its own field.
 */
export function issueList(error: { issues: readonly Issue[] }): Array<{ path: string; message: string }> {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: issuePath([...issue.path, key]), message: 'unknown field' }))
      : [{ path: issuePath(issue.path), message: issue.message }],
  );
}
