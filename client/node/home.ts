/**
 * The person's local state in LIAISON_HOME (default ~/.liaison): their passphrase-protected
 * private key, and the current session (hub URL and token). Files are written 0600 in a 0700
 * directory; the private key never leaves this machine.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { unlockPrivateKey, type PrivateKey } from '../../keys/identity.ts';
import { ClientError } from '../core/errors.ts';

export { ClientError };

export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LIAISON_HOME && env.LIAISON_HOME.length > 0 ? env.LIAISON_HOME : join(homedir(), '.liaison');
}

const paths = (home: string) => ({
  privateKey: join(home, 'private-key.asc'),
  publicKey: join(home, 'public-key.asc'),
  session: join(home, 'session.json'),
  read: join(home, 'read.json'),
});

function ensureHome(home: string): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chmodSync(home, 0o700);
}

/** Write a file atomically with mode 0600. */
function writePrivate(path: string, content: string): void {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, content, { mode: 0o600 });
  renameSync(temp, path);
}

export function hasKey(home: string): boolean {
  return existsSync(paths(home).privateKey);
}

export function saveKey(home: string, armoredPrivateKey: string, armoredPublicKey: string): void {
  ensureHome(home);
  writePrivate(paths(home).privateKey, armoredPrivateKey);
  writeFileSync(paths(home).publicKey, armoredPublicKey, { mode: 0o644 });
}

export function readArmoredPrivateKey(home: string): string {
  if (!hasKey(home)) throw new ClientError(`no key in ${home}: run "liaison keygen" first`);
  return readFileSync(paths(home).privateKey, 'utf8');
}

export function readArmoredPublicKey(home: string): string {
  if (!existsSync(paths(home).publicKey)) throw new ClientError(`no key in ${home}: run "liaison keygen" first`);
  return readFileSync(paths(home).publicKey, 'utf8');
}

/** The passphrase: LIAISON_PASSPHRASE, or a prompt on the terminal that does not echo. */
export async function passphrase(prompt: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.LIAISON_PASSPHRASE !== undefined) return env.LIAISON_PASSPHRASE;
  if (!process.stdin.isTTY) throw new ClientError('no passphrase: set LIAISON_PASSPHRASE or run on a terminal');
  // The prompt's module loads only when a passphrase is asked on a terminal.
  const { read } = await import('read');
  return read({ prompt, silent: true, replace: '' , output: process.stderr });
}

export async function unlockKey(home: string): Promise<PrivateKey> {
  const armored = readArmoredPrivateKey(home);
  try {
    return await unlockPrivateKey(armored, await passphrase('Passphrase: '));
  } catch (error) {
    throw new ClientError((error as Error).message);
  }
}

export const Session = z.strictObject({
  server: z.string().url(),
  token: z.string(),
  fingerprint: z.string(),
  party: z.string(),
  expiresAt: z.string(),
});
export type Session = z.infer<typeof Session>;

export function saveSession(home: string, session: Session): void {
  ensureHome(home);
  writePrivate(paths(home).session, JSON.stringify(session, null, 2));
}

export function loadSession(home: string): Session {
  const path = paths(home).session;
  if (!existsSync(path)) throw new ClientError('not logged in: run "liaison login --server URL" first');
  const parsed = Session.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new ClientError(`${path} is damaged: log in again`);
  return parsed.data;
}

export function clearSession(home: string): void {
  rmSync(paths(home).session, { force: true });
}

/** Packets this person has fetched and decrypted (for "unread" in the inbox); local, never sent to the hub. */
export function readPackets(home: string): Set<string> {
  try {
    const list = JSON.parse(readFileSync(paths(home).read, 'utf8')) as unknown;
    return new Set(Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

export function markRead(home: string, packetId: string): void {
  const seen = readPackets(home);
  if (seen.has(packetId)) return;
  seen.add(packetId);
  ensureHome(home);
  writePrivate(paths(home).read, JSON.stringify([...seen]));
}
