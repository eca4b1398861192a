/**
 * The login challenge (DESIGN.md "Auth"): the one text a person signs to log in, in a canonical,
 * versioned, line-free form the client parses whole before it signs anything:
 *
 *   liaison-login/1 hub=<hub fingerprint> key=<key fingerprint> nonce=<32 base64url> issued=<UTC> expires=<UTC>
 *
 * The hub formats it (`formatLoginChallenge`); the client accepts it only if the whole string is
 * exactly that shape, for its own hub and its own key, with a fresh, short-lived validity on its
 * own clock (`checkLoginChallenge`). The signature over it also carries the `login` context
 * (protocol/signing.ts), so even a challenge that passed could never be taken for another kind.
 */
import { SIGNED_DATE_TOLERANCE_MS } from './signing.ts';

const LOGIN_CHALLENGE_FORMAT = 'liaison-login/1';

/** The longest a challenge may stay valid; a hub configured longer is refused at start. */
export const MAX_LOGIN_CHALLENGE_SECONDS = 600;

interface LoginChallenge {
  hub: string;
  key: string;
  nonce: string;
  issuedAt: string;
  expiresAt: string;
}

const FPR = '[0-9A-F]{40}';
const UTC = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';
const CHALLENGE = new RegExp(`^liaison-login/1 hub=(${FPR}) key=(${FPR}) nonce=([A-Za-z0-9_-]{32}) issued=(${UTC}) expires=(${UTC})$`);

export function formatLoginChallenge(c: LoginChallenge): string {
  const text = `${LOGIN_CHALLENGE_FORMAT} hub=${c.hub} key=${c.key} nonce=${c.nonce} issued=${c.issuedAt} expires=${c.expiresAt}`;
  if (!CHALLENGE.test(text)) throw new TypeError('not a well-formed login challenge');
  return text;
}

/** The fields of a challenge whose whole text is exactly the canonical form, or undefined. */
function parseLoginChallenge(text: string): LoginChallenge | undefined {
  const m = CHALLENGE.exec(text);
  if (!m) return undefined;
  const [, hub, key, nonce, issuedAt, expiresAt] = m as unknown as [string, string, string, string, string, string];
  // A date that the pattern allows but the calendar does not (2026-02-31) is not a date.
  if (new Date(issuedAt).toISOString() !== issuedAt || new Date(expiresAt).toISOString() !== expiresAt) return undefined;
  return { hub, key, nonce, issuedAt, expiresAt };
}

/**
 * Why the client must not sign `text` as its login to `hub` with `key` at `now`, in one
 * sentence; undefined when it may. Checks the whole string, the hub, the key, the nonce, and that
 * it was issued now and expires soon (within MAX_LOGIN_CHALLENGE_SECONDS, clock skew tolerated).
 */
export function loginChallengeProblem(text: string, expected: { hub: string; key: string; now: Date }): string | undefined {
  const c = parseLoginChallenge(text);
  if (!c) return 'the hub sent a login challenge that is not in the liaison-login/1 form; refusing to sign it';
  if (c.hub !== expected.hub) return `the hub sent a login challenge for hub ${c.hub}, not this hub ${expected.hub}; refusing to sign it`;
  if (c.key !== expected.key) return `the hub sent a login challenge for key ${c.key}, not your key ${expected.key}; refusing to sign it`;
  const now = expected.now.getTime();
  const issued = Date.parse(c.issuedAt);
  const expires = Date.parse(c.expiresAt);
  const longest = MAX_LOGIN_CHALLENGE_SECONDS * 1000;
  if (expires <= issued || expires - issued > longest) return `the hub sent a login challenge valid for more than ${MAX_LOGIN_CHALLENGE_SECONDS / 60} minutes; refusing to sign it`;
  if (issued > now + SIGNED_DATE_TOLERANCE_MS || expires <= now - SIGNED_DATE_TOLERANCE_MS || expires > now + longest + SIGNED_DATE_TOLERANCE_MS) {
    return 'the hub sent a login challenge that is not valid now by this computer’s clock; refusing to sign it';
  }
  return undefined;
}
