/**
 * Option parsers shared by the CLI's commands: one way to read each kind of flag value, each
 * failing with one sentence. The rules behind them are the core's (dates: client/core/dates.ts;
 * levels: client/core/levels.ts, resolved by the command once it knows the agreement or party).
 * Parsing only: it never reads the hub, files or the environment.
 */
import type { Command } from 'commander';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../protocol/api.ts';
import { Fingerprint, PartyId, Role } from '../../protocol/ids.ts';
import { collect, everyItem } from '../core/api.ts';
import { untilDate } from '../core/dates.ts';
import { ClientError } from '../core/errors.ts';
import { normaliseLanguageTag } from '../core/language-codes.ts';
import { requireFile } from '../node/files.ts';

/** A language given on the command line, normalised (language-codes.ts); one sentence if it is none. */
function languageTag(value: string): string {
  const tag = normaliseLanguageTag(value);
  if (!tag) throw new ClientError(`"${value}" is not a language: write a code such as en, ru, ur or zh-Hans`);
  return tag;
}

/** The page flags of a list command, as `inbox` has them. */
export interface PageFlags {
  limit: string;
  cursor?: string;
  all?: boolean;
}

/** Add `--limit`, `--cursor` and `--all` to a list command (`what`: what a page holds, for the help). */
export function pageOptions(command: Command, what: string): Command {
  return command
    .option('--limit <n>', `${what} per page (1-${MAX_PAGE_SIZE})`, String(DEFAULT_PAGE_SIZE))
    .option('--cursor <cursor>', 'continue where the previous page ended')
    .option('--all', 'page through everything instead of printing one page');
}

/**
 * One page of a list as the flags ask (or every page, with --all), and the cursor of the next
 * page to tell the person about (null when there is none).
 */
export async function readPages<T>(flags: PageFlags, page: (query: { limit: number; cursor?: string }) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<{ items: T[]; next: string | null }> {
  const limit = Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new ClientError(`--limit takes a whole number from 1 to ${MAX_PAGE_SIZE}`);
  if (flags.all) return { items: await collect(everyItem((cursor) => page({ limit: MAX_PAGE_SIZE, ...(cursor ? { cursor } : {}) }))), next: null };
  const one = await page({ limit, ...(flags.cursor ? { cursor: flags.cursor } : {}) });
  return { items: one.items, next: one.nextCursor };
}

/** The sentence after a page that is not the last: how to ask for the next one. */
export function morePages(next: string | null, command: string): void {
  if (next) console.error(`More: liaison ${command} --cursor ${next} (same options), or --all.`);
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

export function roles(value: string): Role[] {
  const list = value.split(',').map((r) => r.trim()).filter(Boolean);
  const bad = list.find((r) => !Role.safeParse(r).success);
  if (bad !== undefined || list.length === 0) throw new ClientError(`"${bad ?? value}" is not a role (contact, clerk, officer)`);
  return list as Role[];
}

/** `--valid-until`, `--expires`: a bare date is the END of that day in the person's time zone (client/core/dates.ts). */
export function isoDate(value: string): string {
  return untilDate(value).iso;
}

/** `--lang` of a file, or the language its text is detected in (client/core/sending.ts); undetermined is an error. */
export async function languageOf(path: string, given: string | undefined): Promise<string> {
  requireFile(path);
  if (given) return languageTag(given);
  // The detector and the document readers load only when a language has to be detected.
  const [{ detectPartLanguage }, { fileSource }] = await Promise.all([import('../core/sending.ts'), import('../node/part-files.ts')]);
  return detectPartLanguage(fileSource(path, path));
}
