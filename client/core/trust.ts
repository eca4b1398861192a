/**
 * The client's trust in keys: the officer fingerprints this person pinned (exchanged out of
 * band), and a directory that accepts a member's key only with a membership statement signed by
 * a trusted officer of that party. Whatever the hub lists is a hint: an injected key, a key of
 * another party, a stale statement or one signed by an unpinned officer is refused by name.
 *
 * What it cannot know: a revocation or a newer statement that the hub withholds. It remembers
 * the newest statement seen for each key, so a hub cannot roll one back once this client saw it.
 *
 * Storage is a port (client/core/storage.ts): the CLI keeps LIAISON_HOME/trust.json
 * (client/node/trust-file.ts), the web client an IndexedDB record. This module never touches a
 * file or a database itself.
 */
import { fingerprintOf, readPublicKey, type PublicKey } from '../../keys/identity.ts';
import { verifyStatement, type StatementVerification } from '../../keys/statements.ts';
import { signedExpiryProblem, signedInstantProblem } from '../../protocol/signing.ts';
import type { Member } from '../../protocol/api.ts';
import type { Role } from '../../protocol/ids.ts';
import type { Level } from '../../protocol/levels.ts';
import { MembershipStatement, OfficerRotation } from '../../protocol/statements.ts';
import type { HubClient } from './api.ts';
import { ClientError } from './errors.ts';
import { TrustData, type Pin, type TrustStorage } from './storage.ts';

export type { Pin, TrustData, TrustStorage } from './storage.ts';

/** Refuse pins for parties no agreement names (`known`, found `from` where): a misspelt party is never pinned. */
export function requireKnownParties(parties: readonly string[], known: ReadonlySet<string>, from: string): void {
  const unknown = [...new Set(parties)].filter((p) => !known.has(p));
  if (unknown.length > 0) throw new ClientError(`${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a party of any agreement ${from} (${[...known].sort().join(', ')}); nothing was pinned`, 'trust.unknown-parties', { parties: unknown.join(', '), from, known: [...known].sort().join(', ') });
}

/** Pins and the newest statement seen per key, kept through `storage` (in memory only without one). */
export class TrustStore {
  private data: TrustData = { pins: [], seen: {} };
  private readonly storage: TrustStorage | undefined;
  private pending: Promise<void> = Promise.resolve();

  constructor(storage?: TrustStorage) {
    this.storage = storage;
    const saved = storage?.load();
    if (saved !== undefined) {
      const parsed = TrustData.safeParse(saved);
      if (!parsed.success) throw new ClientError(`${storage!.where} is damaged; restore it or pin the officers again`, 'trust.store-damaged', { where: storage!.where });
      this.data = parsed.data;
    }
  }

  save(): void {
    if (!this.storage) return;
    const snapshot = structuredClone(this.data);
    this.pending = this.pending.then(() => this.storage!.save(snapshot));
  }

  /** Resolves when every save so far is written (an asynchronous storage; immediate for a file). */
  flushed(): Promise<void> {
    return this.pending;
  }

  pins(party?: string): Pin[] {
    return this.data.pins.filter((p) => party === undefined || p.party === party);
  }

  add(party: string, fingerprint: string, source: Pin['source'], at: Date): boolean {
    if (this.data.pins.some((p) => p.party === party && p.fingerprint === fingerprint)) return false;
    this.data.pins.push({ party, fingerprint, addedAt: at.toISOString(), source });
    this.save();
    return true;
  }

  retire(party: string, fingerprint: string, at: string): void {
    const pin = this.data.pins.find((p) => p.party === party && p.fingerprint === fingerprint);
    if (pin && !pin.retiredAt) {
      pin.retiredAt = at;
      this.save();
    }
  }

  remove(party: string, fingerprint: string): boolean {
    const before = this.data.pins.length;
    this.data.pins = this.data.pins.filter((p) => !(p.party === party && p.fingerprint === fingerprint));
    this.save();
    return this.data.pins.length !== before;
  }

  /** Record a statement's issue time; false if a newer one for the same key was seen before. */
  noteStatement(fingerprint: string, issuedAt: string): boolean {
    const newest = this.data.seen[fingerprint];
    if (newest && newest > issuedAt) return false;
    if (newest !== issuedAt) {
      this.data.seen[fingerprint] = issuedAt;
      this.save();
    }
    return true;
  }
}

export interface TrustedMember {
  fingerprint: string;
  party: string;
  name: string;
  key: PublicKey;
  roles: Role[];
  clearance: Level;
  validUntil?: string;
  keyExpiresAt?: string;
  revokedAt?: string;
  /** How this key is known: a pinned officer, or a statement by which officer. */
  vouchedBy: string;
  /** The membership statement that vouches for it, as verified (absent for a pinned officer without one). */
  statement?: MembershipStatement;
}

type CheckedStatement = StatementVerification<MembershipStatement>;

interface TrustedOfficer {
  key: PublicKey;
  retiredAt?: string;
}

/** The hub's directory, checked against this client's pins. */
export class TrustedDirectory {
  private readonly cache = new Map<string, { officers: Map<string, TrustedOfficer>; members: TrustedMember[] }>();

  private readonly api: HubClient;
  private readonly trust: TrustStore;
  private readonly now: () => Date;

  constructor(api: HubClient, trust: TrustStore, now: () => Date) {
    this.api = api;
    this.trust = trust;
    this.now = now;
  }

  /** Every member of `party` the hub lists (revoked ones too), each verified; throws naming the first bad key. */
  async members(party: string): Promise<TrustedMember[]> {
    return (await this.load(party)).members;
  }

  /** Active members only (not revoked, not expired at now). */
  async activeMembers(party: string): Promise<TrustedMember[]> {
    const now = this.now().toISOString();
    return (await this.members(party)).filter((m) => !m.revokedAt && (!m.validUntil || m.validUntil > now) && (!m.keyExpiresAt || m.keyExpiresAt > now));
  }

  private async load(party: string) {
    const cached = this.cache.get(party);
    if (cached) return cached;
    const pins = this.trust.pins(party);
    if (pins.length === 0) {
      throw new ClientError(`no officer of ${party} is pinned: run "liaison trust add --party ${party} --officer FINGERPRINT" with the fingerprint ${party} notified to you in writing`, 'trust.no-officer-pinned', { party });
    }
    const listed = await this.api.members(party, true);
    const keys = new Map<string, PublicKey>();
    for (const m of listed) {
      let key: PublicKey;
      try {
        key = await readPublicKey(m.publicKey);
      } catch {
        throw new ClientError(`the hub lists an unreadable key ${m.fingerprint} for ${party}; refusing to trust it`, 'trust.unreadable-key', { fingerprint: m.fingerprint, party });
      }
      if (fingerprintOf(key) !== m.fingerprint) throw new ClientError(`the hub lists key ${m.fingerprint} for ${party} with a different key attached; refusing to trust it`, 'trust.key-mismatch', { fingerprint: m.fingerprint, party });
      if (m.party !== party) throw new ClientError(`the hub lists key ${m.fingerprint} of ${m.party} as a member of ${party}; refusing to trust it`, 'trust.wrong-party', { fingerprint: m.fingerprint, listedParty: m.party, party });
      keys.set(m.fingerprint, key);
    }
    // Each statement is verified once, against every listed key: the result names the key that
    // actually signed it (and that it names that key), and only then do the rules below read it.
    const statements = new Map<string, CheckedStatement>();
    for (const m of listed) {
      if (!m.statement || !m.statementSignature) continue;
      statements.set(m.fingerprint, await verifyStatement('membership', MembershipStatement, { statement: m.statement, signature: m.statementSignature }, [...keys.values()], this.now(), { namedSigner: (st) => st.officer }));
    }
    const officers = await this.officers(party, listed, keys, statements);
    const members: TrustedMember[] = [];
    for (const m of listed) members.push(this.verify(party, m, keys.get(m.fingerprint)!, officers, statements.get(m.fingerprint)));
    const result = { officers, members };
    this.cache.set(party, result);
    return result;
  }

  /** Pinned officers, officers they rotated to (both signatures checked), and officers they vouched for. */
  private async officers(party: string, listed: Member[], keys: Map<string, PublicKey>, statements: ReadonlyMap<string, CheckedStatement>): Promise<Map<string, TrustedOfficer>> {
    const officers = new Map<string, TrustedOfficer>();
    for (const pin of this.trust.pins(party)) {
      const key = keys.get(pin.fingerprint);
      if (key) officers.set(pin.fingerprint, { key, ...(pin.retiredAt ? { retiredAt: pin.retiredAt } : {}) });
    }
    for (const r of await this.api.rotations(party)) {
      const from = officers.get(r.from);
      const toKey = keys.get(r.to);
      if (!from || !toKey) continue;
      const byOld = await verifyStatement('rotation', OfficerRotation, { statement: r.statement, signature: r.signatureFrom }, [from.key], this.now(), { namedSigner: (v) => v.from });
      const byNew = await verifyStatement('rotation', OfficerRotation, { statement: r.statement, signature: r.signatureTo }, [toKey], this.now(), { namedSigner: (v) => v.to });
      if (!byOld.valid || !byNew.valid) continue;
      const rotation = byOld.value;
      if (rotation.from !== r.from || rotation.to !== r.to || rotation.party !== party) continue;
      if (signedInstantProblem(rotation.at, this.now(), 'the rotation time')) continue;
      officers.set(r.to, { key: toKey });
      from.retiredAt = rotation.at;
      this.trust.add(party, r.to, 'rotation', this.now());
      this.trust.retire(party, r.from, rotation.at);
    }
    // Officers enrolled by a trusted officer's statement are trusted officers too.
    for (let changed = true; changed; ) {
      changed = false;
      for (const m of listed) {
        const checked = statements.get(m.fingerprint);
        if (officers.has(m.fingerprint) || !checked?.valid) continue;
        const s = checked.value;
        if (!s.roles.includes('officer') || s.party !== party || s.fingerprint !== m.fingerprint) continue;
        const signer = officers.get(checked.signer);
        if (!signer || (signer.retiredAt && s.issuedAt > signer.retiredAt)) continue;
        officers.set(m.fingerprint, { key: keys.get(m.fingerprint)! });
        changed = true;
      }
    }
    return officers;
  }

  private verify(party: string, m: Member, key: PublicKey, officers: Map<string, TrustedOfficer>, checked: CheckedStatement | undefined): TrustedMember {
    const base = { fingerprint: m.fingerprint, party, name: m.name, key, ...(m.revokedAt ? { revokedAt: m.revokedAt } : {}), ...(m.keyExpiresAt ? { keyExpiresAt: m.keyExpiresAt } : {}) };
    if (!checked) {
      if (officers.has(m.fingerprint)) return { ...base, roles: ['officer'], clearance: m.clearance, vouchedBy: 'pinned' };
      throw new ClientError(`key ${m.fingerprint} listed for ${party} has no membership statement and is not a pinned officer; refusing to trust it`, 'trust.no-statement', { fingerprint: m.fingerprint, party });
    }
    // Signed by none of the keys listed for the party: so by no officer this client could trust.
    if (!checked.valid && checked.failure === 'unknown-signer') throw new ClientError(`key ${m.fingerprint} of ${party} is vouched for by a key that is not a pinned officer of ${party}; refusing to trust it`, 'trust.unknown-voucher', { fingerprint: m.fingerprint, party });
    if (!checked.valid) throw new ClientError(`the membership statement of ${m.fingerprint} (${party}) does not verify: ${checked.reason}`, 'trust.statement-invalid', { fingerprint: m.fingerprint, party, reason: checked.reason });
    const s = checked.value;
    if (s.fingerprint !== m.fingerprint || s.party !== party) throw new ClientError(`the statement the hub gave for ${m.fingerprint} is about ${s.fingerprint} of ${s.party}; refusing to trust it`, 'trust.statement-of-another', { fingerprint: m.fingerprint, statedFingerprint: s.fingerprint, statedParty: s.party });
    const dated = signedInstantProblem(s.issuedAt, this.now(), `the membership statement of ${m.fingerprint} (${party})`) ?? (s.validUntil ? signedExpiryProblem(s.validUntil, this.now(), `the validity of ${m.fingerprint} (${party})`) : undefined);
    if (dated) throw new ClientError(`${dated}; refusing to trust it`, 'trust.statement-dated', { reason: dated });
    const officer = officers.get(checked.signer);
    if (!officer) throw new ClientError(`key ${m.fingerprint} of ${party} is vouched for by ${s.officer}, who is not a pinned officer of ${party}; refusing to trust it`, 'trust.voucher-not-pinned', { fingerprint: m.fingerprint, party, officer: s.officer });
    if (officer.retiredAt && s.issuedAt > officer.retiredAt) throw new ClientError(`key ${m.fingerprint} of ${party} was vouched for by ${s.officer} after that officer's key was rotated away`, 'trust.voucher-rotated', { fingerprint: m.fingerprint, party, officer: s.officer });
    if (!this.trust.noteStatement(m.fingerprint, s.issuedAt)) {
      throw new ClientError(`the hub gave a stale membership statement for ${m.fingerprint} (${party}): a newer one was seen before; refusing to trust it`, 'trust.statement-stale', { fingerprint: m.fingerprint, party });
    }
    if (s.validFrom > this.now().toISOString()) throw new ClientError(`the membership of ${m.fingerprint} (${party}) is not valid before ${s.validFrom}`, 'trust.not-yet-valid', { fingerprint: m.fingerprint, party, validFrom: s.validFrom });
    // The name is the one the officer signed, not the one the hub lists.
    return { ...base, name: s.name, roles: s.roles, clearance: s.clearance, ...(s.validUntil ? { validUntil: s.validUntil } : {}), vouchedBy: s.officer, statement: s };
  }
}
