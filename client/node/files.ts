/**
 * The person's files as the CLI reads and writes them, each failure one sentence naming the file:
 * a file a command reads (missing, a folder or empty is said as such before anything else is
 * tried), its text or bytes, a JSON file, and the folder a fetch writes into.
 * Holds no rule about content: what a file must be for a packet is the core's to decide.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { ClientError } from '../core/errors.ts';

/** A file the command reads: missing, a folder or empty is said as such, before anything else is tried. */
export function requireFile(path: string): void {
  if (!existsSync(path)) throw new ClientError(`cannot find ${path}: check the path`);
  const stat = statSync(path);
  if (!stat.isFile()) throw new ClientError(`${path} is a folder, not a file`);
  if (stat.size === 0) throw new ClientError(`${path} is empty`);
}

/** The bytes of a file the person named. */
export function readBytes(path: string): Uint8Array {
  requireFile(path);
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    throw new ClientError(`cannot read ${path}`);
  }
}

/** The text (UTF-8) of a file the person named. */
export function readText(path: string): string {
  return new TextDecoder().decode(readBytes(path));
}

/** A JSON file the person named, parsed (its shape is the caller's to check). */
export function readJson(path: string): unknown {
  const text = readText(path);
  try {
    return JSON.parse(text);
  } catch {
    throw new ClientError(`cannot read ${path} as JSON`);
  }
}

/** Temp files a fetch leaves while it decrypts (hidden; removed on failure, renamed on success). */
export const PARTIAL_PREFIX = '.liaison-partial-';

/**
 * Where fetched files go: a new folder, or an empty one. A folder with files in it is refused
 * unless the person says --force, so nothing lands silently beside (or named after) older files.
 */
export function outputFolder(path: string, force: boolean): void {
  if (!existsSync(path)) return;
  if (!statSync(path).isDirectory()) throw new ClientError(`${path} is a file: --out takes a folder, for example --out ${path}-files`);
  const entries = readdirSync(path).filter((name) => !name.startsWith(PARTIAL_PREFIX));
  if (entries.length > 0 && !force) throw new ClientError(`${path} already has ${entries.length} file(s) in it: give a new folder with --out, or add --force to write beside them`);
}
