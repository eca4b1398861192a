/**
 * Logging in and out, for both clients: ask the hub for a challenge, parse it whole
 * (protocol/login.ts) and check it is for this hub and this key, fresh on this client's clock,
 * and only then have it signed, as a `login` signature (protocol/signing.ts), and exchange it for
 * a token. The signer is a callback so the web client keeps its key inside its worker; the check
 * runs before it is called, whatever the signer is.
 *
 * Must never sign a challenge it has not parsed: a lying hub could otherwise put any text in
 * front of the key (a membership statement, a release decision) and collect a signature over it.
 */
import { fingerprintOf, type PrivateKey } from '../../keys/identity.ts';
import { signDetached } from '../../keys/signatures.ts';
import type { Member } from '../../protocol/api.ts';
import { loginChallengeProblem } from '../../protocol/login.ts';
import type { HubClient } from './api.ts';
import { ClientError } from './errors.ts';
import { hubPinProblem } from './hub.ts';
import type { HubPinStorage, SessionStorage } from './storage.ts';

interface LoginSigner {
  fingerprint: string;
  /** A detached, armored `login` signature over exactly `challenge`. */
  signLogin(challenge: string): Promise<string>;
}

/** The signer for a key held in this process (the CLI; the web client's worker). */
export function keySigner(key: PrivateKey, now: () => Date): LoginSigner {
  return { fingerprint: fingerprintOf(key), signLogin: (challenge) => signDetached('login', challenge, key, now()) };
}

/**
 * Log in to the hub behind `api`. The hub's fingerprint is the pinned one when this client pinned
 * a hub, else the one the hub publishes. Throws ClientError, before signing anything, when the
 * challenge is not exactly a login challenge for this hub and key.
 */
export async function logIn(api: HubClient, signer: LoginSigner, now: () => Date, pinnedHub?: string): Promise<{ api: HubClient; token: string; member: Member; expiresAt: string }> {
  const hub = await api.hub();
  const pinProblem = hubPinProblem(hub.fingerprint, pinnedHub);
  if (pinProblem) throw new ClientError(`${pinProblem}: refusing to log in`, 'login.hub-not-pinned', { actual: hub.fingerprint, pinned: pinnedHub ?? '' });
  const { challenge } = await api.challenge(signer.fingerprint);
  const problem = loginChallengeProblem(challenge, { hub: pinnedHub ?? hub.fingerprint, key: signer.fingerprint, now: now() });
  if (problem) throw new ClientError(problem, 'login.bad-challenge', { reason: problem });
  const session = await api.login(signer.fingerprint, challenge, await signer.signLogin(challenge));
  return { api: api.withToken(session.token), token: session.token, member: session.member, expiresAt: session.expiresAt };
}

/** End the session on the hub (the token stops working there, not only here). */
export async function logOut(api: HubClient): Promise<void> {
  await api.logout();
}

/**
 * Log in and keep the session through `sessions` (the CLI; the web client's session is a cookie).
 * The hub is held to the pin in `hubPin` when this client pinned one.
 */
export async function startSession(api: HubClient, signer: LoginSigner, now: () => Date, storage: { sessions: SessionStorage; hubPin?: HubPinStorage }): Promise<{ api: HubClient; member: Member; expiresAt: string }> {
  const session = await logIn(api, signer, now, storage.hubPin?.pinned());
  storage.sessions.save({ server: api.baseUrl, token: session.token, fingerprint: signer.fingerprint, party: session.member.party, expiresAt: session.expiresAt });
  return { api: session.api, member: session.member, expiresAt: session.expiresAt };
}

/** End the session on the hub (best effort: it may have expired there) and forget it here. */
export async function endSession(api: HubClient, sessions: SessionStorage): Promise<void> {
  await logOut(api).catch(() => undefined);
  sessions.clear();
}
