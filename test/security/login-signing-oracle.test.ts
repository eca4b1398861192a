/**
 * Attack: the login as a signing oracle. A lying hub answers the login challenge with text of
 * another signed kind that merely CONTAINS `hub=H key=K ` (a membership statement whose name
 * carries it, a release decision whose purpose carries it, a manifest, a receipt, ...). Before
 * the fix the client signed anything containing that substring, and an officer logging in signed
 * the hub's injected membership statement. Now the client parses the challenge whole
 * (protocol/login.ts) and refuses BEFORE signing: the proxy never sees a token request. And the
 * signature a login makes carries the `login` context, so it verifies as nothing else.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../../client/core/api.ts';
import { keySigner, logIn } from '../../client/core/session.ts';
import { signDetached, verifyDetached } from '../../keys/signatures.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import { CHECKPOINT_FORMAT, RECEIPT_FORMAT } from '../../protocol/evidence.ts';
import { formatLoginChallenge } from '../../protocol/login.ts';
import { MANIFEST_FORMAT } from '../../protocol/manifest.ts';
import { RELEASE_DECISION_FORMAT } from '../../protocol/release.ts';
import { SIGNED_KINDS } from '../../protocol/signing.ts';
import { CONTACT_FORMAT, MEMBERSHIP_FORMAT, REVOCATION_FORMAT, ROTATION_FORMAT } from '../../protocol/statements.ts';
import { AUTHENTICITY_FORMAT } from '../../protocol/workflow.ts';
import { readPublicKey } from '../../keys/identity.ts';
import type { LiaisonApp } from '../../server/app.ts';
import { startLyingHub, type LyingHub } from '../helpers/lying-hub.ts';
import { makePerson, makeWorld, type Person, type World } from '../helpers/world.ts';

let world: World;
let hub: LiaisonApp;
let lying: LyingHub;
let officer: Person;
let intruder: Person;
let hubFingerprint: string;

beforeAll(async () => {
  world = await makeWorld();
  officer = await makePerson('Sergei Volkov', 'RU', world.clock.now());
  intruder = await makePerson('Injected Key', 'RU', world.clock.now());
  await world.enroll(officer, ['officer'], 'TOP SECRET');
  hub = await world.open();
  lying = await startLyingHub(hub.app);
  hubFingerprint = (await new HubClient(lying.url).hub()).fingerprint;
});

afterAll(async () => {
  await lying.close();
  await hub.close();
  world.cleanup();
});

const now = () => world.clock.now();
const iso = (offsetMs = 0) => new Date(now().getTime() + offsetMs).toISOString();
const marker = () => `hub=${hubFingerprint} key=${officer.fingerprint} `;
const nonce = 'AbCdEfGhIjKlMnOpQrStUvWxYz012345';

/** What a lying hub may put in front of the officer's key instead of a login challenge. */
const forgeries: Array<[string, () => string]> = [
  ['a canonical membership statement for an injected key, its name carrying the marker', () =>
    canonicalize({ format: MEMBERSHIP_FORMAT, party: 'RU', fingerprint: intruder.fingerprint, name: `Injected ${marker()}`, roles: ['officer'], clearance: 'TOP SECRET', validFrom: iso(), issuedAt: iso(), officer: officer.fingerprint })],
  ['a release decision whose purpose carries the marker', () =>
    canonicalize({ format: RELEASE_DECISION_FORMAT, releaseId: randomUUID(), packetId: randomUUID(), thirdParty: 'KZ', purpose: `Joint operation ${marker()}`, decision: 'consent', decidedAt: iso(), officer: officer.fingerprint })],
  ['a revocation whose reason carries the marker', () =>
    canonicalize({ format: REVOCATION_FORMAT, party: 'RU', fingerprint: officer.fingerprint, reason: `Compromised ${marker()}`, revokedAt: iso(), signer: officer.fingerprint })],
  ['a contact entry whose name carries the marker', () =>
    canonicalize({ format: CONTACT_FORMAT, party: 'RU', agreementId: 'RU-PK', kind: 'contact-person', name: `Иван ${marker()}`, effectiveFrom: iso(), withdrawn: false, issuedAt: iso(), officer: officer.fingerprint })],
  ['a manifest whose sender authority carries the marker', () =>
    canonicalize({ format: MANIFEST_FORMAT, packetId: randomUUID(), revision: 1, agreementId: 'RU-PK', createdAt: iso(), sender: { party: 'RU', authority: marker(), fingerprint: officer.fingerprint }, signedBy: officer.fingerprint })],
  ['a retrieval receipt whose part id carries the marker', () =>
    canonicalize({ format: RECEIPT_FORMAT, id: randomUUID(), kind: 'retrieved', issuer: { role: 'person', fingerprint: officer.fingerprint }, packetId: randomUUID(), revision: 1, manifestSha256: '0'.repeat(64), party: 'RU', parts: [{ id: marker(), sha256: '0'.repeat(64) }], at: iso() })],
  ['an officer rotation to an injected key, followed by the marker', () =>
    `${canonicalize({ format: ROTATION_FORMAT, party: 'RU', from: officer.fingerprint, to: intruder.fingerprint, at: iso() })} ${marker()}`],
  ['an authenticity confirmation, followed by the marker', () =>
    `${canonicalize({ format: AUTHENTICITY_FORMAT, requestId: randomUUID(), packetId: randomUUID(), manifestSha256: '0'.repeat(64), confirmedBy: officer.fingerprint, confirmedAt: iso() })} ${marker()}`],
  ['an audit checkpoint, followed by the marker', () =>
    `${canonicalize({ format: CHECKPOINT_FORMAT, hub: hubFingerprint, size: 1, root: '0'.repeat(64), head: '0'.repeat(64), at: iso() })} ${marker()}`],
  ['a genuine-looking challenge with a statement appended', () =>
    `${formatLoginChallenge({ hub: hubFingerprint, key: officer.fingerprint, nonce, issuedAt: iso(), expiresAt: iso(60_000) })}\n{"format":"${MEMBERSHIP_FORMAT}"}`],
  ['a genuine-looking challenge with a statement in front', () =>
    `{"format":"${MEMBERSHIP_FORMAT}"} ${formatLoginChallenge({ hub: hubFingerprint, key: officer.fingerprint, nonce, issuedAt: iso(), expiresAt: iso(60_000) })}`],
  ['the previous, looser challenge form (no issue time)', () => `liaison-login/1 ${marker()}nonce=${nonce} expires=${iso(60_000)}`],
  ['a challenge for another hub', () => formatLoginChallenge({ hub: intruder.fingerprint, key: officer.fingerprint, nonce, issuedAt: iso(), expiresAt: iso(60_000) })],
  ['a challenge for another key', () => formatLoginChallenge({ hub: hubFingerprint, key: intruder.fingerprint, nonce, issuedAt: iso(), expiresAt: iso(60_000) })],
  ['a challenge that has expired', () => formatLoginChallenge({ hub: hubFingerprint, key: officer.fingerprint, nonce, issuedAt: iso(-3_600_000), expiresAt: iso(-3_000_000) })],
  ['a challenge valid for a year', () => formatLoginChallenge({ hub: hubFingerprint, key: officer.fingerprint, nonce, issuedAt: iso(), expiresAt: iso(365 * 86_400_000) })],
  ['a challenge issued tomorrow', () => formatLoginChallenge({ hub: hubFingerprint, key: officer.fingerprint, nonce, issuedAt: iso(86_400_000), expiresAt: iso(86_460_000) })],
  ['a challenge whose nonce is not 32 base64url characters', () => `liaison-login/1 ${marker()}nonce=${'A'.repeat(31)}! issued=${iso()} expires=${iso(60_000)}`],
  ['a challenge with an impossible date', () => `liaison-login/1 ${marker()}nonce=${nonce} issued=2026-02-31T00:00:00.000Z expires=2026-02-31T00:01:00.000Z`],
];

describe('a lying hub cannot use the login to collect a signature over something else', () => {
  it.each(forgeries)('refuses, before signing, %s', async (_what, forge) => {
    lying.requests.length = 0;
    const text = forge();
    lying.rewrite = (path, body) => (path === '/v1/auth/challenge' ? { ...(body as object), challenge: text } : body);
    try {
      await expect(logIn(new HubClient(lying.url), keySigner(officer.key, now), now)).rejects.toThrow(/refusing to sign it$/);
    } finally {
      lying.rewrite = undefined;
    }
    expect(lying.requests).toContain('POST /v1/auth/challenge');
    expect(lying.requests).not.toContain('POST /v1/auth/token');
  });

  it('logs in through the same proxy when the hub tells the truth', async () => {
    lying.requests.length = 0;
    const session = await logIn(new HubClient(lying.url), keySigner(officer.key, now), now);
    expect(session.member.fingerprint).toBe(officer.fingerprint);
    expect(lying.requests).toContain('POST /v1/auth/token');
  });

  it('refuses a hub whose key is not the pinned one', async () => {
    await expect(logIn(new HubClient(lying.url), keySigner(officer.key, now), now, intruder.fingerprint)).rejects.toThrow(/is pinned: refusing to log in/);
  });

  it('a login signature, even over the bytes of another kind, verifies only as a login', async () => {
    const statement = forgeries[0]![1]();
    const signature = await signDetached('login', statement, officer.key, now());
    const key = await readPublicKey(officer.armoredPublicKey);
    for (const kind of SIGNED_KINDS) {
      expect((await verifyDetached(kind, statement, signature, [key], now())).valid, kind).toBe(kind === 'login');
    }
  });
});
