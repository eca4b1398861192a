/**
 * The CLI's kept audit checkpoints and pinned hub fingerprint, in LIAISON_HOME/checkpoints/.
 * What a checkpoint must prove is checked in client/core/evidence.ts; this is only where they live.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignedCheckpoint, type Checkpoint } from '../../protocol/evidence.ts';
import { ClientError } from '../core/errors.ts';

const checkpointsDir = (home: string) => join(home, 'checkpoints');
const pinFile = (home: string) => join(checkpointsDir(home), 'hub-fingerprint');

export function pinnedHub(home: string): string | undefined {
  return existsSync(pinFile(home)) ? readFileSync(pinFile(home), 'utf8').trim() : undefined;
}

/** Pin the hub's fingerprint on first use; refuse a different hub afterwards. */
export function pinHub(home: string, fingerprint: string): void {
  const pinned = pinnedHub(home);
  if (pinned && pinned !== fingerprint) throw new ClientError(`the hub's key is ${fingerprint}, but ${pinned} is pinned in ${pinFile(home)}`);
  if (!pinned) {
    mkdirSync(checkpointsDir(home), { recursive: true, mode: 0o700 });
    writeFileSync(pinFile(home), `${fingerprint}\n`, { mode: 0o644 });
  }
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
