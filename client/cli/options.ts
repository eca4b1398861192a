/**
 * Option parsers shared by the CLI's commands: one way to read each kind of flag value, each
 * failing with one sentence.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { Fingerprint, PartyId, Role } from '../../protocol/ids.ts';
import { markingLevel, type Agreement } from '../../protocol/agreement.ts';
import { LEVELS, Level } from '../../protocol/levels.ts';
import { ClientError } from '../core/errors.ts';
import type { HubClient } from '../core/api.ts';
import { normaliseLanguageTag } from '../core/language-codes.ts';
import { mediaTypeOf } from '../node/packets.ts';

/** A language given on the command line, normalised (language-codes.ts); one sentence if it is none. */
export function languageTag(value: string): string {
  const tag = normaliseLanguageTag(value);
  if (!tag) throw new ClientError(`"${value}" is not a language: write a code such as en, ru, ur or zh-Hans`);
  return tag;
}

/** `en:FILE` -> { lang: 'en', path: 'FILE' }; repeatable. */
export function langFile(value: string, previous: Array<{ lang: string; path: string }> = []): Array<{ lang: string; path: string }> {
  const match = /^([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*):(.+)$/.exec(value);
  if (!match) throw new ClientError(`"${value}" should be LANG:FILE, for example en:request-en.txt`);
  requireFile(match[2]!);
  return [...previous, { lang: languageTag(match[1]!), path: match[2]! }];
}

/** `RU,pk` -> ['RU', 'PK']; repeatable. */
export function parties(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((p) => p.trim().toUpperCase()).filter(Boolean)];
}

/** A fingerprint, spaces allowed, upper-cased. */
export function fingerprint(value: string): string {
  const parsed = Fingerprint.safeParse(value);
  if (!parsed.success) throw new ClientError(`"${value}" is not a fingerprint (40 hexadecimal digits)`);
  return parsed.data;
}

export function party(value: string): string {
  const parsed = PartyId.safeParse(value.toUpperCase());
  if (!parsed.success) throw new ClientError(`"${value}" is not a party code such as RU or PK`);
  return parsed.data;
}

/** A common level in any case, with - or _ for the space: `top-secret` -> `TOP SECRET`. */
export function level(value: string): Level {
  const parsed = Level.safeParse(value.toUpperCase().replace(/[-_]/g, ' '));
  if (!parsed.success) throw new ClientError(`"${value}" is not a level (${LEVELS.join(', ')})`);
  return parsed.data;
}

export function roles(value: string): Role[] {
  const list = value.split(',').map((r) => r.trim()).filter(Boolean);
  const bad = list.find((r) => !Role.safeParse(r).success);
  if (bad !== undefined || list.length === 0) throw new ClientError(`"${bad ?? value}" is not a role (contact, clerk, officer)`);
  return list as Role[];
}

/**
 * A date or an instant. A bare date (`2026-12-31`) means the END of that day in the person's own
 * time zone, which is what someone writing "until 31 December" means; an instant is taken as given.
 */
export function isoDate(value: string): string {
  return untilDate(value).iso;
}

export function untilDate(value: string): { iso: string; endOfDay: boolean } {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const end = new Date(y, m - 1, d, 23, 59, 59, 999);
    if (end.getFullYear() !== y || end.getMonth() !== m - 1 || end.getDate() !== d) throw new ClientError(`"${value}" is not a date of the calendar`);
    return { iso: end.toISOString(), endOfDay: true };
  }
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) throw new ClientError(`"${value}" is not a date: write 2026-12-31 (the end of that day) or 2026-12-31T18:00+05:00`);
  return { iso: instant.toISOString(), endOfDay: false };
}

/** A start date or instant (`--effective`, `--made-at`): a bare date is the START of that day, in the person's time zone. */
export function sinceDate(value: string): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (day) return new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])).toISOString();
  return untilDate(value).iso;
}

/** The declared language of a file, or the one its text is detected in; undetermined is an error. */
export async function languageOf(path: string, given: string | undefined): Promise<string> {
  requireFile(path);
  if (given) return languageTag(given);
  const [{ detectLanguage }, { sampleText }] = await Promise.all([import('../core/language.ts'), import('../node/extract.ts')]);
  const text = await sampleText(path, mediaTypeOf(path)).catch(() => null);
  const detected = text === null ? 'und' : detectLanguage(text).lang;
  if (detected === 'und') throw new ClientError(`cannot tell the language of ${path}; give it with --lang`);
  return detected;
}

/** A file the command reads: missing, a folder or empty is said as such, before anything else is tried. */
export function requireFile(path: string): void {
  if (!existsSync(path)) throw new ClientError(`cannot find ${path}: check the path`);
  const stat = statSync(path);
  if (!stat.isFile()) throw new ClientError(`${path} is a folder, not a file`);
  if (stat.size === 0) throw new ClientError(`${path} is empty`);
}

/**
 * Where fetched files go: a new folder, or an empty one. A folder with files in it is refused
 * unless the person says --force, so nothing lands silently beside (or named after) older files.
 */
export function outputFolder(path: string, force: boolean): void {
  if (!existsSync(path)) return;
  if (!statSync(path).isDirectory()) throw new ClientError(`${path} is a file: --out takes a folder, for example --out ${path}-files`);
  const entries = readdirSync(path).filter((name) => !name.startsWith('.liaison-partial-'));
  if (entries.length > 0 && !force) throw new ClientError(`${path} already has ${entries.length} file(s) in it: give a new folder with --out, or add --force to write beside them`);
}

/** A marking given as a common level (any case, - or _ for space) or as a national label of the agreement. */
export function resolveLevel(value: string, agreement: Agreement): Level {
  const common = Level.safeParse(value.toUpperCase().replace(/[-_]/g, ' '));
  if (common.success) return common.data;
  for (const entry of agreement.markings.levels) {
    if (Object.values(entry.labels).some((label) => label.toLowerCase() === value.toLowerCase())) return entry.level;
  }
  throw new ClientError(`"${value}" is not a marking of ${agreement.id}: use one of ${LEVELS.filter((l) => markingLevel(agreement, l)).join(', ')} or a national label`);
}

/**
 * A clearance given as a common level or as a national label of `party` in any agreement it is
 * party to (`"СОВЕРШЕННО СЕКРЕТНО"` -> SECRET for RU): the label an officer writes every day.
 */
export async function resolveClearance(value: string, api: HubClient, party: string): Promise<Level> {
  const common = Level.safeParse(value.toUpperCase().replace(/[-_]/g, ' '));
  if (common.success) return common.data;
  const labels: string[] = [];
  for (const summary of (await api.agreements()).filter((a) => a.parties.includes(party))) {
    for (const entry of (await api.agreement(summary.id)).markings.levels) {
      const label = entry.labels[party];
      if (!label) continue;
      if (label.toLowerCase() === value.toLowerCase()) return entry.level;
      labels.push(`${label} (${entry.level})`);
    }
  }
  throw new ClientError(`"${value}" is not a clearance: use ${LEVELS.join(', ')}${labels.length ? ` or a national label of ${party}: ${[...new Set(labels)].join(', ')}` : ''}`);
}
