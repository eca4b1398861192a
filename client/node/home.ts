/**
 * The person's local state in LIAISON_HOME (default ~/.liaison): their passphrase-protected
 * private key, and the current session (hub URL and token). Files are written 0600 in a 0700
 * directory; the private key never leaves this machine.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unlockPrivateKey, type PrivateKey } from '../../keys/identity.ts';
import { ClientError } from '../core/errors.ts';
import { Session, type SessionStorage } from '../core/storage.ts';
import { clientEnvironment } from './env.ts';

export { ClientError };

/** LIAISON_HOME, or ~/.liaison. */
export function homeDir(): string {
  return clientEnvironment().home;
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

/**
 * A passphrase: the one set in the environment (LIAISON_PASSPHRASE, or for a new key in
 * `officer rotate` LIAISON_NEW_PASSPHRASE), else a prompt on the terminal that does not echo.
 */
export async function passphrase(prompt: string, which: 'key' | 'new key' = 'key'): Promise<string> {
  const env = clientEnvironment();
  const given = which === 'key' ? env.passphrase : (env.newPassphrase ?? env.passphrase);
  if (given !== undefined) return given;
  if (!env.stdinIsTerminal) throw new ClientError(`no passphrase: set ${which === 'key' ? 'LIAISON_PASSPHRASE' : 'LIAISON_NEW_PASSPHRASE'} or run on a terminal`);
  // The prompt's module loads only when a passphrase is asked on a terminal (CLI start-up).
  const { read } = await import('read');
  return read({ prompt, silent: true, replace: '', output: process.stderr });
}

/** The person's key, unlocked (KeyError, in words, when the passphrase does not open it). */
export async function unlockKey(home: string): Promise<PrivateKey> {
  return unlockPrivateKey(readArmoredPrivateKey(home), await passphrase('Passphrase: '));
}

/** The session kept in `home`/session.json, 0600 (the port of client/core/storage.ts). */
export function sessionFile(home: string): SessionStorage {
  const path = paths(home).session;
  return {
    load(): Session {
      if (!existsSync(path)) throw new ClientError('not logged in: run "liaison login --server URL" first');
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        json = undefined;
      }
      const parsed = Session.safeParse(json);
      if (!parsed.success) throw new ClientError(`${path} is damaged: log in again`);
      return parsed.data;
    },
    save(session: Session): void {
      ensureHome(home);
      writePrivate(path, JSON.stringify(session, null, 2));
    },
    clear(): void {
      rmSync(path, { force: true });
    },
  };
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
