/**
 * The CLI's way to reach its hub, the one place that builds a HubClient: the session saved in
 * LIAISON_HOME (through the core's SessionStorage port), the hub it names with node:http(s)
 * uploads, and a hub at a URL the person typed (`login --server`, `agreements --server`).
 */
import type { HubClient } from '../core/api.ts';
import { hubAt } from '../core/hub.ts';
import type { Session } from '../core/storage.ts';
import { homeDir, sessionFile } from './home.ts';
import { nodeUploader } from './upload.ts';

/** The hub at `url`, not logged in. */
export function hubAtUrl(url: string): HubClient {
  return hubAt(url, {}, nodeUploader);
}

/** The saved session and its hub; ClientError (saying to log in) when there is none. */
export function loggedInHub(home: string = homeDir()): { session: Session; api: HubClient } {
  const session = sessionFile(home).load();
  return { session, api: hubAt(session.server, { token: session.token, fingerprint: session.fingerprint }, nodeUploader) };
}

/** The session's party and hub when logged in, else nothing (commands that work either way). */
export function sessionIfAny(home: string = homeDir()): { session: Session; api: HubClient } | undefined {
  try {
    return loggedInHub(home);
  } catch {
    return undefined;
  }
}
