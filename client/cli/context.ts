/**
 * What every command that talks to the hub as a person needs: the session, the unlocked key, the
 * trust store with this person's pins, the verified directory, and a progress reporter.
 */
import { fingerprintOf } from '../../keys/identity.ts';
import { HubClient } from '../core/api.ts';
import type { ClientContext, Notice } from '../core/context.ts';
import { TrustedDirectory, type TrustStore } from '../core/trust.ts';
import { ClientError, homeDir, loadSession, unlockKey } from '../node/home.ts';
import { nodeSha256 } from '../node/packets.ts';
import { openTrustStore } from '../node/trust-file.ts';
import { nodeUploader } from '../node/upload.ts';
import { progressReporter } from './output.ts';

/** The CLI's clock. Library code takes it as a parameter; only the command line reads the wall clock. */
export const now = (): Date => new Date();

export async function context(options: { quiet?: boolean } = {}): Promise<{ ctx: ClientContext; trust: TrustStore; done: () => void }> {
  const home = homeDir();
  const session = loadSession(home);
  const key = await unlockKey(home);
  if (fingerprintOf(key) !== session.fingerprint) throw new ClientError('the session belongs to another key: log in again');
  const api = new HubClient(session.server, session.token, session.fingerprint, nodeUploader);
  const me = await api.me();
  const trust = openTrustStore(home);
  const reporter = await progressReporter(!options.quiet && process.stderr.isTTY === true);
  return { ctx: { api, directory: new TrustedDirectory(api, trust, now), me, key, now, progress: reporter.progress, sha256: nodeSha256 }, trust, done: reporter.stop };
}

export function printNotices(notices: Notice[]): void {
  for (const n of notices) console.error(`  ${n.message}`);
}
