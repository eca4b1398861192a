/**
 * Option parsers shared by the CLI's commands: one way to read each kind of flag value, each
 * failing with one sentence.
 */
import { Fingerprint, PartyId, Role } from '../../protocol/ids.ts';
import { LEVELS, Level } from '../../protocol/levels.ts';
import { ClientError } from '../core/errors.ts';
import { detectLanguage } from '../core/language.ts';
import { sampleText } from '../node/extract.ts';
import { mediaTypeOf } from '../node/packets.ts';

/** `en:FILE` -> { lang: 'en', path: 'FILE' }; repeatable. */
export function langFile(value: string, previous: Array<{ lang: string; path: string }> = []): Array<{ lang: string; path: string }> {
  const match = /^([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*):(.+)$/.exec(value);
  if (!match) throw new ClientError(`"${value}" should be LANG:FILE, for example en:request-en.txt`);
  return [...previous, { lang: match[1]!, path: match[2]! }];
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

export function isoDate(value: string): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new ClientError(`"${value}" is not a date`);
  return d.toISOString();
}

/** The declared language of a file, or the one its text is detected in; undetermined is an error. */
export async function languageOf(path: string, given: string | undefined): Promise<string> {
  if (given) return given;
  const text = await sampleText(path, mediaTypeOf(path)).catch(() => null);
  const detected = text === null ? 'und' : detectLanguage(text).lang;
  if (detected === 'und') throw new ClientError(`cannot tell the language of ${path}; give it with --lang`);
  return detected;
}
