/**
 * Login by signed challenge (no passwords on the hub): the person asks for a challenge, signs it
 * with their own key, and gets a short-lived random bearer token. Only hashes of challenges and
 * tokens are stored. Every request re-reads the member, so a revocation or a downgrade counts
 * from the very next request.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { readPublicKey } from '../keys/identity.ts';
import { verifyDetached } from '../keys/signatures.ts';
import { formatLoginChallenge } from '../protocol/login.ts';
import { inactiveReason } from '../protocol/membership.ts';
import type { MemberRecord } from '../storage/store.ts';
import { Problem } from './errors.ts';
import type { Hub } from './hub.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The text a person signs to log in: bound to this hub, this key, a nonce and an expiry. */
export function issueChallenge(hub: Hub, fingerprint: string): { challenge: string; expiresAt: string } {
  const now = hub.now();
  const member = hub.store.getMember(fingerprint);
  const inactive = member ? inactiveReason(member, now) : 'unknown key';
  if (!member || inactive) {
    hub.audit({ actor: fingerprint, party: member?.party ?? '-', action: 'auth.challenge', object: fingerprint, outcome: 'deny', detail: { reason: inactive } });
    throw new Problem('unauthenticated', member ? `this key cannot log in: ${inactive}` : 'this key is not enrolled on the hub');
  }
  const expiresAt = new Date(now.getTime() + hub.settings.challengeSeconds * 1000).toISOString();
  const challenge = formatLoginChallenge({ hub: hub.hubFingerprint, key: fingerprint, nonce: randomBytes(24).toString('base64url'), issuedAt: now.toISOString(), expiresAt });
  hub.store.purgeExpired(now.toISOString());
  hub.store.putChallenge(sha256(challenge), fingerprint, expiresAt);
  return { challenge, expiresAt };
}

export async function exchangeChallenge(
  hub: Hub,
  body: { fingerprint: string; challenge: string; signature: string },
): Promise<{ token: string; expiresAt: string; member: MemberRecord }> {
  const now = hub.now();
  const deny = (reason: string): never => {
    hub.audit({ actor: body.fingerprint, party: hub.store.getMember(body.fingerprint)?.party ?? '-', action: 'auth.login', object: body.fingerprint, outcome: 'deny', detail: { reason } });
    throw new Problem('unauthenticated', reason);
  };
  const stored = hub.store.takeChallenge(sha256(body.challenge));
  if (!stored || stored.fingerprint !== body.fingerprint) return deny('the challenge is unknown or was already used');
  if (stored.expiresAt <= now.toISOString()) return deny('the challenge has expired; ask for a new one');
  const member = hub.store.getMember(body.fingerprint);
  if (!member) return deny('this key is not enrolled on the hub');
  const inactive = inactiveReason(member, now);
  if (inactive) return deny(`this key cannot log in: ${inactive}`);
  const verification = await verifyDetached('login', body.challenge, body.signature, [await readPublicKey(member.publicKey)], now);
  if (!verification.valid) return deny('the challenge signature does not verify with the enrolled key');
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + hub.settings.tokenAbsoluteSeconds * 1000).toISOString();
  hub.store.transaction(() => {
    hub.store.createSession(sha256(token), member.fingerprint, now.toISOString(), expiresAt);
    hub.audit({ actor: member.fingerprint, party: member.party, action: 'auth.login', object: member.fingerprint, outcome: 'allow', detail: {} });
  });
  return { token, expiresAt, member };
}

export function logout(hub: Hub, token: string): void {
  hub.store.deleteSession(sha256(token));
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header ?? '');
  return match?.[1];
}

/** Require a live session; put the (freshly read) member in res.locals. */
export function requireMember(hub: Hub): RequestHandler {
  return (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    if (!token) {
      next(new Problem('unauthenticated', 'log in first (liaison login); no bearer token was sent'));
      return;
    }
    const now = hub.now();
    const hash = sha256(token);
    const session = hub.store.getSession(hash);
    const idleLimit = new Date(now.getTime() - hub.settings.tokenIdleSeconds * 1000).toISOString();
    if (!session || session.expiresAt <= now.toISOString() || session.lastUsedAt <= idleLimit) {
      if (session) hub.store.deleteSession(hash);
      next(new Problem('unauthenticated', 'the session has expired; log in again'));
      return;
    }
    const member = hub.store.getMember(session.fingerprint);
    const inactive = member ? inactiveReason(member, now) : 'no longer enrolled';
    if (!member || inactive) {
      hub.store.deleteSession(hash);
      next(new Problem('unauthenticated', `this key cannot act any more: ${inactive}`));
      return;
    }
    hub.store.touchSession(hash, now.toISOString());
    res.locals.member = member;
    res.locals.token = token;
    next();
  };
}

export function memberOf(res: Response): MemberRecord {
  const member = res.locals.member as MemberRecord | undefined;
  if (!member) throw new Error('route is missing requireMember');
  return member;
}
