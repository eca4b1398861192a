/**
 * The CLI's trust storage: LIAISON_HOME/trust.json, written atomically with mode 0600 in a 0700
 * directory. The rules about pins live in client/core/trust.ts; this is only where they are kept.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrustStore, type TrustData, type TrustStorage } from '../core/trust.ts';

function trustFile(home: string): TrustStorage {
  const path = join(home, 'trust.json');
  return {
    where: path,
    load(): unknown {
      if (!existsSync(path)) return undefined;
      try {
        return JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        return null; // not JSON: the store reports the file as damaged
      }
    },
    save(data: TrustData): void {
      mkdirSync(home, { recursive: true, mode: 0o700 });
      writeFileSync(`${path}.tmp`, JSON.stringify(data, null, 2), { mode: 0o600 });
      renameSync(`${path}.tmp`, path);
    },
  };
}

/** The trust store kept in `home`, or in memory only when `home` is undefined. */
export function openTrustStore(home?: string): TrustStore {
  return new TrustStore(home === undefined ? undefined : trustFile(home));
}
