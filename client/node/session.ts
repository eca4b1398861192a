/**
 * The CLI's way to reach its hub, the one place that builds a HubClient: the session saved in
 * LIAISON_HOME (through the core's SessionStorage port), the hub it names with node:http(s)
 * transport, and a hub at a URL the person typed (`login --server`, `agreements --server`).
 * No other module builds a HubClient or reads the session file.
 */
import type { HubClient } from '../core/api.ts';
import { ClientError } from '../core/errors.ts';
import { hubAt } from '../core/hub.ts';
import type { Session } from '../core/storage.ts';
import { homeDir, sessionFile } from './home.ts';
import { nodeTransport } from './transport.ts';

/** The hub at `url`, not logged in. */
export function hubAtUrl(url: string): HubClient {
  return hubAt(url, {}, nodeTransport);
}

/** The saved session and its hub; ClientError (saying to log in) when there is none. */
export function loggedInHub(home: string = homeDir()): { session: Session; api: HubClient } {
  const session = sessionFile(home).load();
  return { session, api: hubAt(session.server, { token: session.token, fingerprint: session.fingerprint }, nodeTransport) };
}

/** The session's party and hub when logged in, else nothing (commands that work either way). */
export function sessionIfAny(home: string = homeDir()): { session: Session; api: HubClient } | undefined {
  try {
    return loggedInHub(home);
  } catch (error) {
    if (error instanceof ClientError) return undefined; // not logged in, or a damaged session: as if none
    throw error;
  }
}
