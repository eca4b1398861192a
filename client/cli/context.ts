/**
 * What every command that talks to the hub as a person needs: the session, the unlocked key, the
 * trust store with this person's pins, the verified directory, and a progress reporter.
 * It only assembles: it never checks a key, a pin or a statement itself (client/core/trust.ts does).
 */
import { fingerprintOf } from '../../keys/identity.ts';
import type { ClientContext, Notice } from '../core/context.ts';
import type { TrustStore } from '../core/trust.ts';
import { ClientError, homeDir, unlockKey } from '../node/home.ts';
import { loggedInHub } from '../node/session.ts';
import { clientEnvironment } from '../node/env.ts';
import { progressReporter } from './output.ts';

/** The CLI's clock. Library code takes it as a parameter; only the command line reads the wall clock. */
export const now = (): Date => new Date();

export async function context(options: { quiet?: boolean } = {}): Promise<{ ctx: ClientContext; trust: TrustStore; done: () => void }> {
  // The trust store and its verifier load with the first command that needs them, not at start-up.
  const [{ TrustedDirectory }, { openTrustStore }, { nodeSha256 }] = await Promise.all([import('../core/trust.ts'), import('../node/trust-file.ts'), import('../node/digest.ts')]);
  const home = homeDir();
  const { session, api } = loggedInHub(home);
  const key = await unlockKey(home);
  if (fingerprintOf(key) !== session.fingerprint) throw new ClientError('the session belongs to another key: log in again');
  const me = await api.me();
  const trust = openTrustStore(home);
  const reporter = await progressReporter(!options.quiet && clientEnvironment().stderrIsTerminal);
  return { ctx: { api, directory: new TrustedDirectory(api, trust, now), me, key, now, progress: reporter.progress, sha256: nodeSha256 }, trust, done: reporter.stop };
}

export function printNotices(notices: Notice[]): void {
  for (const n of notices) console.error(`  ${n.message}`);
}
