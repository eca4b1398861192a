/**
 * A zod schema compiled once into a plain predicate, for the one place where zod's own parse is
 * most of the cost: the million lines of an audit export (protocol/audit-stream.ts). It is built
 * from the schema's JSON Schema (`z.toJSONSchema`, zod's public description of what it accepts),
 * so the schema stays the one home of the shape.
 *
 * The predicate is a fast "yes" only. It understands a small part of JSON Schema (objects with
 * no other keys, strings with a pattern, a length or an enum, bounded integers, bounded arrays)
 * and returns undefined for a schema with anything else, and the caller then parses with zod. A
 * value it answers false for goes to zod too, which gives the verdict: a refusal always comes
 * from zod. A schema whose output can differ from its input (a transform, a default) is not
 * compiled: the caller uses the value as it passed. Nor is a schema with a refinement anywhere
 * in it (`.refine`, `.superRefine`: JSON Schema leaves them out without a word).
 * test/evidence/streamed-audit-export.test.ts holds ProvenEvent's predicate against zod.
 */
import { z } from 'zod';

type Check = (value: unknown) => boolean;
type JsonSchema = { [keyword: string]: unknown };

/** The predicate of `schema`, or undefined when its JSON Schema uses more than this understands. */
export function compiledCheck(schema: z.ZodType): Check | undefined {
  let json: JsonSchema;
  let refined = false;
  // A refinement (`.refine`, `.superRefine`, `.check`) is a custom check that JSON Schema leaves
  // out without a word: seen on any node, nothing is compiled.
  const override = ({ zodSchema }: { zodSchema: unknown }) => {
    const checks = (zodSchema as { _zod?: { def?: { checks?: { _zod?: { def?: { check?: string } } }[] } } })._zod?.def?.checks ?? [];
    if (checks.some((c) => c._zod?.def?.check === 'custom')) refined = true;
  };
  try {
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'throw', override });
    if (refined) return undefined;
    // The value passed is then used as parsed: nothing may change it (a transform, a default).
    if (JSON.stringify(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'throw' })) !== JSON.stringify(json)) return undefined;
  } catch {
    return undefined;
  }
  const { $schema: _, ...rest } = json;
  return compile(rest);
}

const only = (json: JsonSchema, allowed: readonly string[]) => Object.keys(json).every((k) => allowed.includes(k));
const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

function compile(json: JsonSchema): Check | undefined {
  switch (json.type) {
    case 'object':
      return compileObject(json);
    case 'string':
      return compileString(json);
    case 'integer':
      return compileInteger(json);
    case 'array':
      return compileArray(json);
    default:
      return undefined;
  }
}

function compileObject(json: JsonSchema): Check | undefined {
  if (!only(json, ['type', 'properties', 'required', 'additionalProperties']) || json.additionalProperties !== false) return undefined;
  const properties = json.properties as Record<string, JsonSchema> | undefined;
  const required = (json.required ?? []) as unknown[];
  if (typeof properties !== 'object' || properties === null || !Array.isArray(required)) return undefined;
  const names = Object.keys(properties);
  // Every property required: then "these keys and no other" is a count and a look-up each.
  if (required.length !== names.length || !names.every((n) => required.includes(n))) return undefined;
  const checks: Array<[string, Check]> = [];
  for (const name of names) {
    const check = compile(properties[name]!);
    if (!check) return undefined;
    checks.push([name, check]);
  }
  const count = checks.length;
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    let keys = 0;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) return false;
      keys++;
    }
    if (keys !== count) return false;
    const record = value as Record<string, unknown>;
    for (const [name, check] of checks) if (!Object.hasOwn(record, name) || !check(record[name])) return false;
    return true;
  };
}

function compileString(json: JsonSchema): Check | undefined {
  if (!only(json, ['type', 'pattern', 'minLength', 'maxLength', 'enum'])) return undefined;
  const { pattern, minLength = 0, maxLength = Infinity } = json;
  if (!isCount(minLength) || (maxLength !== Infinity && !isCount(maxLength))) return undefined;
  if (json.enum !== undefined) {
    if (!Array.isArray(json.enum) || !json.enum.every((v) => typeof v === 'string') || pattern !== undefined) return undefined;
    const values = new Set(json.enum);
    return (value) => typeof value === 'string' && values.has(value) && value.length >= minLength && value.length <= maxLength;
  }
  if (pattern === undefined) return (value) => typeof value === 'string' && value.length >= minLength && value.length <= maxLength;
  if (typeof pattern !== 'string') return undefined;
  const run = characterRun(pattern);
  if (run) return (value) => typeof value === 'string' && value.length >= minLength && value.length <= maxLength && run(value);
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch {
    return undefined;
  }
  return (value) => typeof value === 'string' && value.length >= minLength && value.length <= maxLength && regex.test(value);
}

function compileInteger(json: JsonSchema): Check | undefined {
  if (!only(json, ['type', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'])) return undefined;
  const bounds = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'].map((k) => json[k] ?? undefined);
  if (!bounds.every((b) => b === undefined || typeof b === 'number')) return undefined;
  const [min = -Infinity, max = Infinity, above = -Infinity, below = Infinity] = bounds;
  // A safe integer, as zod's int() requires, within every bound given.
  return (value) => Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max && (value as number) > above && (value as number) < below;
}

function compileArray(json: JsonSchema): Check | undefined {
  if (!only(json, ['type', 'items', 'minItems', 'maxItems'])) return undefined;
  const { minItems = 0, maxItems = Infinity } = json;
  if (!isCount(minItems) || (maxItems !== Infinity && !isCount(maxItems)) || typeof json.items !== 'object' || json.items === null) return undefined;
  const item = compile(json.items as JsonSchema);
  if (!item) return undefined;
  return (value) => {
    if (!Array.isArray(value) || value.length < minItems || value.length > maxItems) return false;
    for (let i = 0; i < value.length; i++) if (!item(value[i])) return false;
    return true;
  };
}

/**
 * A pattern that is a fixed number of characters of one class, `^[0-9a-f]{64}$` (a SHA-256, two
 * per audit event), as a look-up per character: a third of the time of the regex on strings
 * fresh from JSON.parse. Undefined for any other pattern (the regex is used).
 */
function characterRun(pattern: string): ((value: string) => boolean) | undefined {
  const match = /^\^\[((?:[0-9A-Za-z]-[0-9A-Za-z]|[0-9A-Za-z])+)\]\{(\d{1,4})\}\$$/.exec(pattern);
  if (!match) return undefined;
  const allowed = new Uint8Array(128);
  for (const [, from, to] of match[1]!.matchAll(/([0-9A-Za-z])(?:-([0-9A-Za-z]))?/g)) {
    const first = from!.charCodeAt(0);
    const last = (to ?? from!).charCodeAt(0);
    if (last < first) return undefined;
    allowed.fill(1, first, last + 1);
  }
  const length = Number(match[2]);
  return (value) => {
    if (value.length !== length) return false;
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 128 || allowed[code] === 0) return false;
    }
    return true;
  };
}
