/**
 * Reaching a hub, for both clients: the one way to make a HubClient from a URL a person typed,
 * and the one check of the hub's key against the fingerprint this client pinned (login, receipts,
 * audit checkpoints and exports all hold the hub to the same pin).
 * Never: trusts a key the hub merely names; reads a file (the pin comes through HubPinStorage).
 */
import { fingerprintOf, readPublicKey, type PublicKey } from '../../keys/identity.ts';
import { HubClient, type Transport } from './api.ts';
import { ClientError } from './errors.ts';
import type { HubPinStorage } from './storage.ts';

/** The hub at `url` (as typed: `http://127.0.0.1:8443`), with a session's token when there is one. */
export function hubAt(url: string, session: { token?: string; fingerprint?: string } = {}, transport?: Transport): HubClient {
  let base: string;
  try {
    base = new URL(url).toString();
  } catch {
    throw new ClientError(`"${url}" is not a URL: give the hub's address, for example http://127.0.0.1:8443`, 'hub.not-a-url', { url });
  }
  return new HubClient(base, session.token, session.fingerprint, transport);
}

/** The fingerprint as a person may write it (spaces, lower case) in the form keys/ prints. */
const normalised = (fingerprint: string) => fingerprint.replace(/\s+/g, '').toUpperCase();

/** Why a hub whose key is `actual` is not the pinned one, or undefined (nothing pinned, or the same key). */
export function hubPinProblem(actual: string, pinned: string | undefined): string | undefined {
  if (pinned === undefined || normalised(pinned) === normalised(actual)) return undefined;
  return `the hub's key is ${actual}, but ${pinned} is pinned`;
}

/** The hub's key from GET /v1/hub: the key it publishes must be the one it names, and the pinned one when there is a pin. */
export async function verifiedHubKey(api: HubClient, pinned: string | undefined): Promise<PublicKey> {
  const info = await api.hub();
  const key = await readPublicKey(info.publicKey);
  if (fingerprintOf(key) !== info.fingerprint) throw new ClientError('the hub publishes a key that is not the one it names', 'hub.key-mismatch');
  const problem = hubPinProblem(info.fingerprint, pinned);
  if (problem) throw new ClientError(`${problem}: refusing to trust it`, 'hub.not-pinned-hub', { actual: info.fingerprint, pinned: pinned ?? '' });
  return key;
}

/** Pin the hub's fingerprint on first use; refuse a different hub afterwards. */
export function pinHubOnFirstUse(storage: HubPinStorage, fingerprint: string): void {
  const pinned = storage.pinned();
  const problem = hubPinProblem(fingerprint, pinned);
  if (problem) throw new ClientError(`${problem} in ${storage.where}`, 'hub.not-pinned-hub-stored', { actual: fingerprint, pinned: pinned ?? '', where: storage.where });
  if (pinned === undefined) storage.write(fingerprint);
}
