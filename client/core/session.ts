/**
 * Logging in and out, for both clients: fetch the hub's challenge, check it is for this hub and
 * this key before anything signs it, sign it, and trade it for a session token. The signer is a
 * callback so the web client can keep its key inside its worker; the check runs before it is
 * called, whatever the signer is.
 */
import type { Member } from '../../protocol/api.ts';
import type { HubClient } from './api.ts';
import { ClientError } from './errors.ts';

export interface Signer {
  fingerprint: string;
  /** A detached, armored signature over exactly `text`. */
  sign(text: string): Promise<string>;
}

/**
 * Refuse a challenge that is not for this hub and key. The challenge's exact grammar is
 * protocol/'s; this is the client's minimum before it signs anything the hub handed it.
 */
export function checkChallenge(challenge: string, hubFingerprint: string, keyFingerprint: string): void {
  if (!challenge.includes(`hub=${hubFingerprint} key=${keyFingerprint} `)) throw new ClientError('the hub sent a challenge that is not for this hub and key; refusing to sign it');
}

export async function logIn(api: HubClient, signer: Signer): Promise<{ api: HubClient; token: string; member: Member; expiresAt: string }> {
  const { challenge } = await api.challenge(signer.fingerprint);
  const hub = await api.hub();
  checkChallenge(challenge, hub.fingerprint, signer.fingerprint);
  const session = await api.login(signer.fingerprint, challenge, await signer.sign(challenge));
  return { api: api.withToken(session.token), token: session.token, member: session.member, expiresAt: session.expiresAt };
}

/** End the session on the hub (the token stops working there, not only here). */
export async function logOut(api: HubClient): Promise<void> {
  await api.logout();
}
