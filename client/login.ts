/**
 * Logging in: ask the hub for a challenge, parse it whole (protocol/login.ts) and check it is for
 * this hub and this key, fresh on this client's clock, and only then sign it, as a `login`
 * signature (protocol/signing.ts), and exchange it for a token.
 *
 * Must never sign a challenge it has not parsed: a lying hub could otherwise put any text in
 * front of the key (a membership statement, a release decision) and collect a signature over it.
 */
import { fingerprintOf, type PrivateKey } from '../keys/identity.ts';
import { signDetached } from '../keys/signatures.ts';
import { loginChallengeProblem } from '../protocol/login.ts';
import type { HubClient } from './api.ts';
import { ClientError } from './home.ts';

/**
 * Log in to the hub behind `api` with `key`. The hub's fingerprint is the pinned one when this
 * client pinned a hub, else the one the hub publishes. Throws ClientError, before signing
 * anything, when the challenge is not exactly a login challenge for this hub and key.
 */
export async function logIn(api: HubClient, key: PrivateKey, now: () => Date, pinnedHub?: string) {
  const fingerprint = fingerprintOf(key);
  const hub = await api.hub();
  if (pinnedHub && hub.fingerprint !== pinnedHub) throw new ClientError(`the hub's key is ${hub.fingerprint}, but ${pinnedHub} is pinned: refusing to log in`);
  const { challenge } = await api.challenge(fingerprint);
  const problem = loginChallengeProblem(challenge, { hub: pinnedHub ?? hub.fingerprint, key: fingerprint, now: now() });
  if (problem) throw new ClientError(problem);
  return api.login(fingerprint, challenge, await signDetached('login', challenge, key, now()));
}
