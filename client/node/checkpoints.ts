/**
 * The CLI's kept audit checkpoints and pinned hub fingerprint, in LIAISON_HOME/checkpoints/.
 * What a checkpoint must prove is checked in client/core/evidence.ts, the pin rule is
 * client/core/hub.ts's; this is only where they live.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignedCheckpoint, type Checkpoint } from '../../protocol/evidence.ts';
import { ClientError } from '../core/errors.ts';
import type { HubPinStorage } from '../core/storage.ts';

const checkpointsDir = (home: string) => join(home, 'checkpoints');
const pinFile = (home: string) => join(checkpointsDir(home), 'hub-fingerprint');

/** The pinned hub fingerprint in `home`/checkpoints/hub-fingerprint (the port of client/core/storage.ts). */
export function hubPinFile(home: string): HubPinStorage {
  const path = pinFile(home);
  return {
    where: path,
    pinned: () => (existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined),
    write(fingerprint) {
      mkdirSync(checkpointsDir(home), { recursive: true, mode: 0o700 });
      writeFileSync(path, `${fingerprint}\n`, { mode: 0o644, flag: 'wx' });
    },
  };
}

/** The hub fingerprint pinned in `home`, if any. */
export function pinnedHub(home: string): string | undefined {
  return hubPinFile(home).pinned();
}

export function keptCheckpoints(home: string, hubFingerprint?: string): SignedCheckpoint[] {
  const dir = checkpointsDir(home);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && (!hubFingerprint || f.startsWith(`${hubFingerprint}-`)))
    .sort()
    // The newest 64 (the hub proves consistency from at most 64 sizes per request); each kept one
    // was checked to extend those kept before it when it was saved.
    .slice(-64)
    .map((f) => readCheckpointFile(join(dir, f)));
}

export function readCheckpointFile(path: string): SignedCheckpoint {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new ClientError(`cannot read the checkpoint ${path}`);
  }
  const parsed = SignedCheckpoint.safeParse(data);
  if (!parsed.success) throw new ClientError(`${path} is not a signed checkpoint`);
  return parsed.data;
}

export function saveCheckpoint(home: string, checkpoint: Checkpoint, signed: SignedCheckpoint): string {
  mkdirSync(checkpointsDir(home), { recursive: true, mode: 0o700 });
  const path = join(checkpointsDir(home), `${checkpoint.hub}-${String(checkpoint.size).padStart(10, '0')}.json`);
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, JSON.stringify(signed, null, 2), { mode: 0o644 });
  renameSync(temp, path);
  return path;
}
