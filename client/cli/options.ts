/**
 * Option parsers shared by the CLI's commands: one way to read LANG:FILE and party lists.
 */
import { ClientError } from '../home.ts';

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
