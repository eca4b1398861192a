/**
 * The one error a client shows as a sentence in the person's terms (CLI on stderr, web client in
 * an alert). Core modules throw it; they never print, exit or read the environment.
 */
export class ClientError extends Error {
  override name = 'ClientError';
}
