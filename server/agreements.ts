/**
 * Loads the agreement files (agreements/<id>.json) the hub enforces, once at start.
 *
 * Every file is parsed with the shared `Agreement` schema; any problem stops the load with one
 * sentence naming the file, the field and what is wrong, so an operator can fix the data before
 * the hub serves a single packet. It must never skip a bad file and carry on: a missing or
 * half-read agreement would silently drop a treaty rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agreement } from '../protocol/agreement.ts';
import { issueList } from '../protocol/issues.ts';

/** A problem with one agreement file; `field` is the dotted path of the offending value, if any. */
export class AgreementLoadError extends Error {
  readonly code = 'agreement-invalid';
  readonly file: string;
  readonly field: string | undefined;

  constructor(file: string, field: string | undefined, problem: string, options?: ErrorOptions) {
    super(`${file}: ${field === undefined ? '' : `${field}: `}${problem}`, options);
    this.name = 'AgreementLoadError';
    this.file = file;
    this.field = field;
  }
}

/**
 * Reads every `*.json` file in `dir` and returns the agreements keyed by id.
 * Throws `AgreementLoadError` on unreadable or invalid JSON, a schema violation, two files
 * defining the same id, or a file not named `<id>.json`.
 */
export function loadAgreements(dir: string): Map<string, Agreement> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  } catch (err) {
    throw new AgreementLoadError(dir, undefined, `cannot read the agreements directory (${errorMessage(err)})`, { cause: err });
  }

  // Parse everything first, so a duplicate is reported as such whichever file sorts first,
  // and blamed on the copy rather than on the correctly named <id>.json.
  const parsed = names.map((name) => ({ name, file: join(dir, name), agreement: parseAgreementFile(join(dir, name)) }));
  const fileOf = new Map<string, string>();
  for (const { name, file, agreement } of parsed) {
    const earlier = fileOf.get(agreement.id);
    if (earlier !== undefined) {
      const [copy, kept] = name === `${agreement.id}.json` ? [earlier, file] : [file, earlier];
      throw new AgreementLoadError(copy, 'id', `agreement "${agreement.id}" is already defined in ${kept}`);
    }
    fileOf.set(agreement.id, file);
  }
  const agreements = new Map<string, Agreement>();
  for (const { name, file, agreement } of parsed) {
    if (name !== `${agreement.id}.json`) {
      throw new AgreementLoadError(file, 'id', `agreement "${agreement.id}" must be in a file named ${agreement.id}.json`);
    }
    agreements.set(agreement.id, agreement);
  }
  return agreements;
}

/** Every party id that appears in at least one of the agreements. */
export function partiesOf(agreements: ReadonlyMap<string, Agreement> | Iterable<Agreement>): Set<string> {
  const list: Iterable<Agreement> = isMap(agreements) ? agreements.values() : agreements;
  const parties = new Set<string>();
  for (const agreement of list) {
    for (const party of agreement.parties) parties.add(party.id);
  }
  return parties;
}

function isMap(value: ReadonlyMap<string, Agreement> | Iterable<Agreement>): value is ReadonlyMap<string, Agreement> {
  return value instanceof Map;
}

function parseAgreementFile(file: string): Agreement {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AgreementLoadError(file, undefined, `not readable as JSON (${errorMessage(err)})`, { cause: err });
  }
  const result = Agreement.safeParse(raw);
  if (result.success) return result.data;

  const problems = issueList(result.error);
  const first = problems[0]!;
  const rest = problems.slice(1).map((p) => `${p.path}: ${p.message}`);
  const problem = [first.message, ...rest].join('; ');
  throw new AgreementLoadError(file, first.path, problem, { cause: result.error });
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
