/**
 * Officers manage the people of their own party: enroll a key with a signed membership
 * statement, change roles or clearance, revoke, rotate their own key, and keep the contact
 * directory. The hub checks every statement's signature against the officer who sends it, so
 * its rows match what clients will verify against their pins; it never holds a private key.
 */
import { readPublicKey, inspectPublicKey, keyExpiry, fingerprintOf, KeyError } from '../keys/identity.ts';
import { verifyStatement, type StatementKind } from '../keys/statements.ts';
import { parseCanonical } from '../protocol/canonical.ts';
import type { z } from 'zod';
import {
  ContactEntry,
  MembershipStatement,
  OfficerRotation,
  RevocationStatement,
  type SignedStatement,
} from '../protocol/statements.ts';
import type { MemberRecord, ContactRecord, RotationRecord } from '../storage/records.ts';
import { verifiedOrRefuse } from './validate.ts';
import { Problem, notFound } from './errors.ts';
import type { Hub } from './hub.ts';
import { agreementOf } from './policy/agreements.ts';
import { isOfficerOf } from './policy/roles.ts';
import { requireBetween, requireSignedNear } from './policy/clock.ts';
import { addDeadline } from '../protocol/requests.ts';
import type { Member, MembersQuery, PlainListQuery } from '../protocol/api.ts';
import type { Page } from '../storage/listings.ts';
import { DuplicateKeyError } from '../storage/repositories.ts';

/** A member as the API shows it: the record without the hub's bookkeeping (encryption key id, revocation text). */
export function publicMember(m: MemberRecord): Member {
  return {
    fingerprint: m.fingerprint,
    party: m.party,
    name: m.name,
    roles: m.roles,
    clearance: m.clearance,
    publicKey: m.publicKey,
    enrolledAt: m.enrolledAt,
    ...(m.revokedAt ? { revokedAt: m.revokedAt, revocationReason: m.revocationReason } : {}),
    ...(m.statement ? { statement: m.statement, statementSignature: m.statementSignature } : {}),
    ...(m.validUntil ? { validUntil: m.validUntil } : {}),
    ...(m.keyExpiresAt ? { keyExpiresAt: m.keyExpiresAt } : {}),
  };
}

/**
 * One page of a party's members, oldest enrolment first, with their signed statements. Any
 * member may list any party's directory: it holds public keys and officer-signed statements
 * that clients verify against their pins, nothing more.
 */
export async function memberPage(hub: Hub, party: string, query: MembersQuery): Promise<Page<Member>> {
  const page = await hub.store.members.page({ party, includeRevoked: query.include === 'revoked', limit: query.limit, cursor: query.cursor });
  return { items: page.items.map(publicMember), nextCursor: page.nextCursor };
}

/** One page of a party's officer key rotations, oldest first (each signed by both keys). */
export function rotationPage(hub: Hub, party: string, query: PlainListQuery): Promise<Page<RotationRecord>> {
  return hub.store.members.rotationPage({ party, limit: query.limit, cursor: query.cursor });
}

/** One page of a party's contact directory entries, oldest first (each signed by an officer). */
export function contactPage(hub: Hub, party: string, query: PlainListQuery): Promise<Page<ContactRecord>> {
  return hub.store.members.contactPage({ party, limit: query.limit, cursor: query.cursor });
}

/**
 * The statement in `body`, verified as `kind` against `signer`'s key and naming `signer` as the one
 * who signs it (`namedSigner`), then parsed with `schema`: no rule below reads a field of a
 * statement whose signature has not been checked.
 */
async function verifiedStatement<S extends z.ZodType>(hub: Hub, kind: StatementKind, schema: S, body: { statement: string; signature: string }, signer: { fingerprint: string; publicKey: string }, what: string, namedSigner: (value: z.output<S>) => string): Promise<z.output<S>> {
  const key = await readPublicKey(signer.publicKey).catch(() => {
    throw new Problem('bad-request', `the ${what} cannot be checked: the signing key cannot be read`);
  });
  const verification = await verifyStatement(kind, schema, body, [key], hub.now(), { namedSigner });
  return verifiedOrRefuse(verification, what, `the ${what} must name the key that signs it (${signer.fingerprint})`);
}

/** The caller must be an officer of `party` (the statement names them as its signer: verifiedStatement checked it). */
function requireOwnOfficer(hub: Hub, caller: MemberRecord, party: string): void {
  if (!isOfficerOf(caller, party, hub.now())) throw new Problem('forbidden', `only a security officer of ${party} can do this; you are ${caller.roles.includes('officer') ? `an officer of ${caller.party}` : 'not an officer'}`);
}

function checkValidity(hub: Hub, s: MembershipStatement): void {
  const now = hub.now().toISOString();
  requireSignedNear(hub.now(), s.issuedAt, 'statement date (issuedAt)');
  if (s.validUntil && s.validUntil <= now) throw new Problem('bad-request', 'the statement has already expired');
}

/** Run a transaction that inserts a member; a key enrolled meanwhile by someone else is a conflict, not a fault. */
async function insertingMember(hub: Hub, fingerprint: string, fn: () => Promise<void>): Promise<void> {
  try {
    await hub.store.transaction(fn);
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw new Problem('conflict', `key ${fingerprint} is already enrolled`, {}, { cause: error });
    throw error;
  }
}

/** Enroll a member's key on an officer's signed statement. */
export async function enrollByOfficer(hub: Hub, officer: MemberRecord, body: { publicKey: string; statement: string; signature: string }): Promise<MemberRecord> {
  const s = await verifiedStatement(hub, 'membership', MembershipStatement, body, officer, 'membership statement', (v) => v.officer);
  requireOwnOfficer(hub, officer, s.party);
  checkValidity(hub, s);
  let info;
  let expires;
  try {
    const key = await readPublicKey(body.publicKey);
    info = await inspectPublicKey(key, hub.now());
    expires = await keyExpiry(key);
  } catch (error) {
    throw new Problem('bad-request', error instanceof KeyError ? error.message : 'the public key cannot be read');
  }
  if (info.fingerprint !== s.fingerprint) throw new Problem('bad-request', `the statement is for ${s.fingerprint}, the key is ${info.fingerprint}`);
  if (await hub.store.members.get(info.fingerprint)) throw new Problem('conflict', `key ${info.fingerprint} is already enrolled`);
  if (s.successorOf) {
    const previous = await hub.store.members.get(s.successorOf);
    if (!previous || previous.party !== s.party) throw new Problem('bad-request', `${s.successorOf} is not a member of ${s.party}`);
  }
  const member: MemberRecord = {
    fingerprint: info.fingerprint,
    party: s.party,
    name: s.name,
    roles: [...new Set(s.roles)],
    clearance: s.clearance,
    publicKey: info.armored,
    encryptionKeyId: info.encryptionKeyId,
    enrolledAt: hub.now().toISOString(),
    statement: body.statement,
    statementSignature: body.signature,
    validFrom: s.validFrom,
    ...(s.validUntil ? { validUntil: s.validUntil } : {}),
    ...(expires ? { keyExpiresAt: expires.toISOString() } : {}),
  };
  await insertingMember(hub, member.fingerprint, async () => {
    await hub.store.members.insert(member);
    await hub.audit({ actor: officer.fingerprint, party: officer.party, action: 'member.enroll', object: member.fingerprint, outcome: 'allow', detail: { roles: member.roles, clearance: member.clearance, validUntil: s.validUntil ?? null, successorOf: s.successorOf ?? null, algorithm: info.algorithm } });
  });
  return member;
}

/** A new statement for an enrolled member: clearance or roles change on the very next request. */
export async function restateMember(hub: Hub, officer: MemberRecord, fingerprint: string, body: SignedStatement): Promise<MemberRecord> {
  const member = await hub.store.members.get(fingerprint);
  if (!member) throw notFound('member');
  // Members are listed to every party (the directory), so another party's is refused, not hidden.
  requireOwnOfficer(hub, officer, member.party);
  const s = await verifiedStatement(hub, 'membership', MembershipStatement, body, officer, 'membership statement', (v) => v.officer);
  if (s.fingerprint !== fingerprint || s.party !== member.party) throw new Problem('bad-request', 'the statement is for another key or party');
  if (member.revokedAt) throw new Problem('conflict', 'the key is revoked');
  const previous = member.statement ? parseCanonical(MembershipStatement, member.statement, 'statement') : undefined;
  if (previous?.ok && s.issuedAt <= previous.value.issuedAt) throw new Problem('conflict', 'a newer statement for this key is already on record');
  checkValidity(hub, s);
  const at = hub.now().toISOString();
  await hub.store.transaction(async () => {
    // Compare-and-set on the statement read above: of two statements sent together, the one that
    // lands second finds the first in place and is refused, so an older one never replaces a newer.
    const landed = await hub.store.members.updateMembership(fingerprint, member.statement, { roles: [...new Set(s.roles)], clearance: s.clearance, validFrom: s.validFrom, ...(s.validUntil ? { validUntil: s.validUntil } : {}), statement: body.statement, signature: body.signature, at });
    if (!landed) throw new Problem('conflict', 'the membership of this key changed while this statement was checked; read it again');
    await hub.audit({ actor: officer.fingerprint, party: officer.party, action: 'member.restate', object: fingerprint, outcome: 'allow', detail: { from: { roles: member.roles, clearance: member.clearance }, to: { roles: s.roles, clearance: s.clearance }, validUntil: s.validUntil ?? null } });
  });
  return (await hub.store.members.get(fingerprint))!;
}

/** Revoke a key, by an officer of its party or by its own holder. */
export async function revokeMember(hub: Hub, caller: MemberRecord, fingerprint: string, body: SignedStatement): Promise<MemberRecord> {
  const member = await hub.store.members.get(fingerprint);
  if (!member) throw notFound('member');
  const self = caller.fingerprint === fingerprint;
  if (!self) requireOwnOfficer(hub, caller, member.party);
  const r = await verifiedStatement(hub, 'revocation', RevocationStatement, body, caller, 'revocation', (v) => v.signer);
  if (r.fingerprint !== fingerprint || r.party !== member.party) throw new Problem('bad-request', 'the revocation is for another key or party');
  if (member.revokedAt) throw new Problem('conflict', `the key was already revoked at ${member.revokedAt}`);
  const now = hub.now().toISOString();
  // A revocation can be backdated (a key known lost earlier), but not to before the key was
  // enrolled here, and never postdated.
  requireBetween(hub.now(), r.revokedAt, member.enrolledAt, 'revocation time (revokedAt)');
  await hub.store.transaction(async () => {
    if (!await hub.store.members.revoke(fingerprint, { revokedAt: r.revokedAt < now ? r.revokedAt : now, reason: r.reason, revocation: body.statement, signature: body.signature })) {
      throw new Problem('conflict', 'the key was already revoked');
    }
    await hub.audit({ actor: caller.fingerprint, party: caller.party, action: 'member.revoke', object: fingerprint, outcome: 'allow', detail: { byHolder: self, revokedAt: r.revokedAt } });
  });
  return (await hub.store.members.get(fingerprint))!;
}

/**
 * An officer moves to a new key: a rotation statement signed by the old key and by the new one.
 * The new key becomes an officer of the party with the old key's clearance; the old key is revoked.
 */
export async function rotateOfficer(hub: Hub, officer: MemberRecord, body: { publicKey: string; statement: string; signatureFrom: string; signatureTo: string }): Promise<MemberRecord> {
  const r = await verifiedStatement(hub, 'rotation', OfficerRotation, { statement: body.statement, signature: body.signatureFrom }, officer, 'rotation (old key)', (v) => v.from);
  requireOwnOfficer(hub, officer, r.party);
  requireSignedNear(hub.now(), r.at, 'rotation date (at)');
  const key = await readPublicKey(body.publicKey).catch(() => {
    throw new Problem('bad-request', 'the new public key cannot be read');
  });
  let info;
  try {
    info = await inspectPublicKey(key, hub.now());
  } catch (error) {
    throw new Problem('bad-request', (error as Error).message);
  }
  if (fingerprintOf(key) !== r.to) throw new Problem('bad-request', 'the rotation names another new key');
  if (await hub.store.members.get(r.to)) throw new Problem('conflict', 'the new key is already enrolled');
  const byNew = await verifyStatement('rotation', OfficerRotation, { statement: body.statement, signature: body.signatureTo }, [key], hub.now(), { namedSigner: (v) => v.to });
  if (!byNew.valid) throw new Problem('bad-request', `the rotation is not signed by the new key: ${byNew.reason}`);
  const now = hub.now().toISOString();
  const member: MemberRecord = {
    fingerprint: r.to,
    party: r.party,
    name: officer.name,
    roles: officer.roles,
    clearance: officer.clearance,
    publicKey: info.armored,
    encryptionKeyId: info.encryptionKeyId,
    enrolledAt: now,
  };
  await insertingMember(hub, member.fingerprint, async () => {
    await hub.store.members.insert(member);
    await hub.store.members.insertRotation({ party: r.party, from: r.from, to: r.to, statement: body.statement, signatureFrom: body.signatureFrom, signatureTo: body.signatureTo, recordedAt: now });
    if (!await hub.store.members.revoke(r.from, { revokedAt: now, reason: `rotated to ${r.to}`, revocation: body.statement, signature: body.signatureFrom })) {
      throw new Problem('conflict', 'the old key was revoked while the rotation was checked');
    }
    await hub.audit({ actor: officer.fingerprint, party: officer.party, action: 'officer.rotate', object: r.to, outcome: 'allow', detail: { from: r.from } });
  });
  return member;
}

/** Record a contact-directory entry signed by an officer; flag it when notified past the agreement's deadline. */
export async function recordContact(hub: Hub, officer: MemberRecord, party: string, body: SignedStatement): Promise<ContactRecord> {
  if (officer.party !== party) throw new Problem('forbidden', `only a security officer of ${party} can record its contacts`);
  const c = await verifiedStatement(hub, 'contact', ContactEntry, body, officer, 'contact entry', (v) => v.officer);
  requireOwnOfficer(hub, officer, c.party);
  requireSignedNear(hub.now(), c.issuedAt, 'contact entry date (issuedAt)');
  const agreement = agreementOf(hub.agreements, c.agreementId);
  if (!agreement.parties.some((p) => p.id === c.party)) throw new Problem('bad-request', `${c.party} is not a party of ${c.agreementId}`);
  const now = hub.now();
  const rule = agreement.deadlines.contactChangeNotice;
  const dueAt = rule?.days ? addDeadline(c.effectiveFrom, { days: rule.days }) : undefined;
  const late = dueAt !== undefined && now.toISOString() > dueAt;
  const record = { party: c.party, agreementId: c.agreementId, statement: body.statement, signature: body.signature, recordedAt: now.toISOString(), late };
  let id = 0;
  await hub.store.transaction(async () => {
    id = await hub.store.members.insertContact(record);
    await hub.audit({ actor: officer.fingerprint, party: officer.party, action: 'contact.record', object: `${c.party}/${c.agreementId}`, outcome: 'allow', detail: { kind: c.kind, late, ...(late && rule ? { article: rule.article } : {}) } });
  });
  return { id, ...record };
}
