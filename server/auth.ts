/**
 * Login by signed challenge (no passwords on the hub): the person asks for a challenge, signs it
 * with their own key, and gets a short-lived random bearer token. Only hashes of challenges and
 * tokens are stored. Every request re-reads the member, so a revocation or a downgrade counts
 * from the very next request.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { readPublicKey } from '../keys/identity.ts';
import { verifyDetached } from '../keys/signatures.ts';
import { formatLoginChallenge } from '../protocol/login.ts';
import { inactiveReason } from '../protocol/membership.ts';
import type { MemberRecord } from '../storage/records.ts';
import { Problem } from './errors.ts';
import type { Hub } from './hub.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Refuse a login step over its rate limit, per key and per address (429, audited in aggregate). */
function requireWithinLimits(hub: Hub, step: 'auth.challenge' | 'auth.login', fingerprint: string, address: string): void {
  const byKey = hub.authLimits.byKey.take(fingerprint);
  const byAddress = hub.authLimits.byAddress.take(address);
  if (byKey && byAddress) return;
  hub.auditUnauthenticated({ address, action: step, code: 'rate-limited', subject: fingerprint, reason: byKey ? 'too many attempts from this address' : 'too many attempts for this key' });
  throw new Problem('too-many-requests', 'too many login attempts; wait a minute and try again', { retryAfter: (byKey ? hub.authLimits.byAddress : hub.authLimits.byKey).retryAfterSeconds() });
}

/**
 * The text a person signs to log in: bound to this hub, this key, a nonce and an expiry. Every
 * key gets the same answer (an unknown, revoked, expired or not-yet-valid key too), so the
 * challenge tells an anonymous caller nothing about who is enrolled; only a challenge issued to
 * an active key is stored, and so only it can be exchanged for a token.
 */
export async function issueChallenge(hub: Hub, fingerprint: string, address: string): Promise<{ challenge: string; expiresAt: string }> {
  requireWithinLimits(hub, 'auth.challenge', fingerprint, address);
  const now = hub.now();
  const expiresAt = new Date(now.getTime() + hub.settings.challengeSeconds * 1000).toISOString();
  const challenge = formatLoginChallenge({ hub: hub.hubFingerprint, key: fingerprint, nonce: randomBytes(24).toString('base64url'), issuedAt: now.toISOString(), expiresAt });
  const member = await hub.store.members.get(fingerprint);
  const inactive = member ? inactiveReason(member, now) : 'unknown key';
  if (!member || inactive) {
    hub.auditUnauthenticated({ address, action: 'auth.challenge', code: 'inactive-key', subject: fingerprint, reason: member ? (inactive ?? 'inactive') : 'unknown key' });
    return { challenge, expiresAt };
  }
  await hub.store.transaction(async () => {
    await hub.store.sessions.purgeExpired(now.toISOString());
    await hub.store.sessions.putChallenge(sha256(challenge), fingerprint, expiresAt, hub.settings.maxChallengesPerKey);
  });
  return { challenge, expiresAt };
}

/** One answer for every failed login, so the exchange is no oracle for enrolment either; the audit keeps the real reason. */
const LOGIN_FAILED = 'the login failed: the challenge is unknown or was already used, has expired, or its signature does not verify with an active enrolled key; ask for a new challenge';

export async function exchangeChallenge(
  hub: Hub,
  body: { fingerprint: string; challenge: string; signature: string },
  address: string,
): Promise<{ token: string; expiresAt: string; member: MemberRecord }> {
  requireWithinLimits(hub, 'auth.login', body.fingerprint, address);
  const now = hub.now();
  const deny = (reason: string): never => {
    hub.auditUnauthenticated({ address, action: 'auth.login', code: 'unauthenticated', subject: body.fingerprint, reason });
    throw new Problem('unauthenticated', reason === 'the challenge has expired' ? `${reason}; ask for a new one` : LOGIN_FAILED);
  };
  const stored = await hub.store.sessions.takeChallenge(sha256(body.challenge));
  if (!stored || stored.fingerprint !== body.fingerprint) return deny('the challenge is unknown or was already used');
  if (stored.expiresAt <= now.toISOString()) return deny('the challenge has expired');
  const member = await hub.store.members.get(body.fingerprint);
  if (!member) return deny('this key is not enrolled on the hub');
  const inactive = inactiveReason(member, now);
  if (inactive) return deny(`this key cannot log in: ${inactive}`);
  const verification = await verifyDetached('login', body.challenge, body.signature, [await readPublicKey(member.publicKey)], now);
  if (!verification.valid) return deny('the challenge signature does not verify with the enrolled key');
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + hub.settings.tokenAbsoluteSeconds * 1000).toISOString();
  await hub.store.transaction(async () => {
    // The key may have been revoked while the signature was checked.
    const current = await hub.store.members.get(member.fingerprint);
    if (!current || inactiveReason(current, hub.now())) throw new Problem('unauthenticated', LOGIN_FAILED);
    await hub.store.sessions.create(sha256(token), member.fingerprint, now.toISOString(), expiresAt);
    await hub.audit({ actor: member.fingerprint, party: member.party, action: 'auth.login', object: member.fingerprint, outcome: 'allow', detail: {} });
  });
  return { token, expiresAt, member };
}

export async function logout(hub: Hub, token: string): Promise<void> {
  activityOf(hub).forget(sha256(token));
  await hub.store.sessions.delete(sha256(token));
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header ?? '');
  return match?.[1];
}

/**
 * When each session was last used, kept exactly in memory and persisted coarsely (one
 * SQLite commit, so one fsync, per authenticated GET was the largest cost of a read). The row's
 * `last_used_at` is rewritten only once it is older than `persistEveryMs`; the idle check uses
 * the later of the two values. While the hub runs, idle expiry is exact; after a restart it counts
 * from the persisted value, so a session can expire up to `persistEveryMs` early, never late.
 */
class SessionActivity {
  private readonly lastSeen = new Map<string, number>();
  readonly persistEveryMs: number;

  constructor(idleSeconds: number) {
    this.persistEveryMs = Math.min(60_000, (idleSeconds * 1000) / 10);
  }

  lastUsed(tokenHash: string, persisted: string): number {
    return Math.max(this.lastSeen.get(tokenHash) ?? 0, Date.parse(persisted));
  }

  /** Record a use at `now`; true when the persisted value is stale enough to rewrite. */
  touch(tokenHash: string, persisted: string, now: number): boolean {
    this.lastSeen.set(tokenHash, now);
    return now - Date.parse(persisted) >= this.persistEveryMs;
  }

  forget(tokenHash: string): void {
    this.lastSeen.delete(tokenHash);
  }

  /** Drop entries idle past the limit (their sessions are refused anyway): the map stays bounded. */
  sweep(idleLimit: number): void {
    for (const [hash, at] of this.lastSeen) if (at <= idleLimit) this.lastSeen.delete(hash);
  }
}

const activities = new WeakMap<Hub, SessionActivity>();
function activityOf(hub: Hub): SessionActivity {
  let activity = activities.get(hub);
  if (!activity) {
    activity = new SessionActivity(hub.settings.tokenIdleSeconds);
    activities.set(hub, activity);
  }
  return activity;
}

/** Require a live session; put the (freshly read) member in res.locals. */
export function requireMember(hub: Hub): RequestHandler {
  const activity = activityOf(hub);
  let sweptAt = 0;
  return async (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (!token) {
      next(new Problem('unauthenticated', 'log in first (liaison login); no bearer token was sent'));
      return;
    }
    const now = hub.now();
    const nowMs = now.getTime();
    const idleLimit = nowMs - hub.settings.tokenIdleSeconds * 1000;
    if (nowMs - sweptAt > activity.persistEveryMs) {
      activity.sweep(idleLimit);
      sweptAt = nowMs;
    }
    const hash = sha256(token);
    const session = await hub.store.sessions.get(hash);
    if (!session || session.expiresAt <= now.toISOString() || activity.lastUsed(hash, session.lastUsedAt) <= idleLimit) {
      activity.forget(hash);
      if (session) await hub.store.sessions.delete(hash);
      next(new Problem('unauthenticated', 'the session has expired; log in again'));
      return;
    }
    const member = await hub.store.members.get(session.fingerprint);
    const inactive = member ? inactiveReason(member, now) : 'no longer enrolled';
    if (!member || inactive) {
      activity.forget(hash);
      await hub.store.sessions.delete(hash);
      next(new Problem('unauthenticated', `this key cannot act any more: ${inactive}`));
      return;
    }
    if (activity.touch(hash, session.lastUsedAt, nowMs)) await hub.store.sessions.touch(hash, now.toISOString());
    res.locals.member = member;
    res.locals.token = token;
    next();
  };
}
