/**
 * Operator commands that work on a hub's data directory directly (no HTTP): create a hub, and
 * record each party's first security officer (the bootstrap of the trust chain). Everyone else is
 * enrolled by their officers with signed statements (server/members.ts); clients trust an
 * operator-enrolled officer only if they pinned its fingerprint out of band.
 */
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { generateHubKey, holdsSecretKey, inspectPublicKey, readPublicKeyBytes, KeyError } from '../keys/identity.ts';
import { clearanceOf } from '../protocol/levels.ts';
import { PartyId, Role } from '../protocol/ids.ts';
import type { MemberRecord } from '../storage/records.ts';
import { openStorage } from '../storage/sqlite/index.ts';
import { openFileBlobStore } from '../storage/blobs.ts';
import { loadAgreements, partiesOf } from './agreements.ts';
import { hubPaths } from './config.ts';
import { isOfficer } from './policy/roles.ts';

export class AdminError extends Error {
  override name = 'AdminError';
}

export const SECRET_KEY_WARNING = "the key file holds a SECRET key, which must never leave its owner's machine: ask for the public key (liaison key export --public, or gpg --export --armor) and have the owner keep the secret one safe";

export async function initHub(options: { dataDir: string; agreementsDir: string; now: Date }): Promise<{ fingerprint: string; agreements: string[] }> {
  const paths = hubPaths(options.dataDir);
  if (existsSync(paths.db) || existsSync(paths.hubKey)) {
    throw new AdminError(`a hub already exists in ${options.dataDir}`);
  }
  const agreements = loadAgreements(options.agreementsDir);
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const hubKey = await generateHubKey({ hubName: 'Liaison hub', date: options.now });
  writeFileSync(paths.hubKey, hubKey.armoredPrivateKey, { mode: 0o600, flag: 'wx' });
  writeFileSync(paths.hubPublicKey, hubKey.armoredPublicKey, { mode: 0o644, flag: 'wx' });
  const store = openStorage(paths.db);
  try {
    await store.transaction(async () => {
      await store.meta.set('created_at', options.now.toISOString());
      await store.meta.set('hub_fingerprint', hubKey.fingerprint);
      await store.audit.append({
        at: options.now.toISOString(),
        actor: 'operator',
        party: 'HUB',
        action: 'hub.init',
        object: hubKey.fingerprint,
        outcome: 'allow',
        detail: { agreements: [...agreements.keys()] },
      });
    });
  } finally {
    await store.close();
  }
  await openFileBlobStore(options.dataDir);
  return { fingerprint: hubKey.fingerprint, agreements: [...agreements.keys()] };
}

export async function enrollMember(options: {
  dataDir: string;
  agreementsDir: string;
  party: string;
  publicKey: Uint8Array;
  roles: string[];
  clearance: string;
  now: Date;
}): Promise<MemberRecord> {
  const paths = hubPaths(options.dataDir);
  if (!existsSync(paths.db)) throw new AdminError(`no hub in ${options.dataDir}: run "liaison hub init" first`);
  const party = PartyId.safeParse(options.party);
  if (!party.success) throw new AdminError(`"${options.party}" is not a party code (upper case, such as RU)`);
  const agreements = loadAgreements(options.agreementsDir);
  const known = partiesOf(agreements);
  if (!known.has(party.data)) throw new AdminError(`${party.data} is not a party of any agreement on this hub (${[...known].sort().join(', ')})`);
  // A common level or a national label of the party, read as the clients read one.
  const clearance = clearanceOf(options.clearance, agreements.values(), party.data);
  if (!clearance.ok) throw new AdminError(clearance.reason);
  const roles = options.roles.map((r) => Role.safeParse(r));
  const badRole = options.roles.find((_r, i) => !roles[i]!.success);
  if (badRole !== undefined || roles.length === 0) throw new AdminError(`"${badRole ?? ''}" is not a role (contact, clerk, officer)`);
  if (!options.roles.includes('officer')) {
    throw new AdminError('the operator enrolls only a party\'s first security officer; officers enroll everyone else (liaison officer enroll)');
  }
  if (await holdsSecretKey(options.publicKey)) throw new AdminError(SECRET_KEY_WARNING);
  let info;
  try {
    info = await inspectPublicKey(await readPublicKeyBytes(options.publicKey), options.now);
  } catch (error) {
    throw new AdminError(error instanceof KeyError ? error.message : 'the key file is not an OpenPGP public key');
  }
  const store = openStorage(paths.db);
  try {
    if (await store.members.get(info.fingerprint)) throw new AdminError(`key ${info.fingerprint} is already enrolled`);
    const officers = (await store.members.ofParty(party.data)).filter((m) => isOfficer(m));
    if (officers.length > 0) throw new AdminError(`${party.data} already has a security officer (${officers[0]!.fingerprint}); further enrollment is done by officers (liaison officer enroll)`);
    const member: MemberRecord = {
      fingerprint: info.fingerprint,
      party: party.data,
      name: info.userIds[0] ?? info.fingerprint,
      roles: [...new Set(roles.map((r) => r.data!))],
      clearance: clearance.level,
      publicKey: info.armored,
      encryptionKeyId: info.encryptionKeyId,
      enrolledAt: options.now.toISOString(),
    };
    await store.transaction(async () => {
      await store.members.insert(member);
      await store.audit.append({
        at: member.enrolledAt,
        actor: 'operator',
        party: member.party,
        action: 'member.enroll',
        object: member.fingerprint,
        outcome: 'allow',
        detail: { roles: member.roles, clearance: member.clearance, algorithm: info.algorithm },
      });
    });
    return member;
  } finally {
    await store.close();
  }
}

/** A key file as GnuPG or `liaison key export` writes it: armored text or binary. */
export function readKeyFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch {
    throw new AdminError(`cannot read the key file ${path}`);
  }
}
