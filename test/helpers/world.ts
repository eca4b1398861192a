/**
 * A small world for tests: a fresh hub in a temp directory with the shipped agreements, a
 * shiftable clock, and people with real keys enrolled in their parties. Nothing is mocked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enrollMember, initHub } from '../../server/admin.ts';
import { createApp, type LiaisonApp } from '../../server/app.ts';
import { parseHubConfig } from '../../server/config.ts';
import { openHub } from '../../server/hub.ts';
import { enrollByOfficer } from '../../server/members.ts';
import { signMembership } from '../../client/core/officer.ts';
import { generatePersonKey, unlockPrivateKey, type PrivateKey } from '../../keys/identity.ts';
import type { Level } from '../../protocol/levels.ts';
import type { Role } from '../../protocol/ids.ts';

export const AGREEMENTS_DIR = fileURLToPath(new URL('../../agreements/', import.meta.url));
export const PASSPHRASE = 'correct horse battery staple';
/** Every test document carries this; it must never appear in anything the hub stores or logs. */
export const CANARY = 'CANARY-7f3e9a1c-НЕ-ДОЛЖНО-ПОКИДАТЬ-КЛИЕНТ';

export class TestClock {
  private offsetMs = 0;
  private readonly base: number;
  private readonly started = Date.now();
  constructor(base = Date.now()) {
    this.base = base;
  }
  now = (): Date => new Date(this.base + this.offsetMs + (Date.now() - this.started));
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface Person {
  name: string;
  party: string;
  fingerprint: string;
  armoredPrivateKey: string;
  armoredPublicKey: string;
  key: PrivateKey;
}

export async function makePerson(name: string, party: string, date = new Date()): Promise<Person> {
  const generated = await generatePersonKey({ name, email: `${name.toLowerCase().replace(/[^a-z]/g, '')}@${party.toLowerCase()}.example`, passphrase: PASSPHRASE, date });
  return { name, party, ...generated, key: await unlockPrivateKey(generated.armoredPrivateKey, PASSPHRASE) };
}

export interface World {
  dir: string;
  dataDir: string;
  agreementsDir: string;
  clock: TestClock;
  /** The officer who vouches for the members of each party (the first officer enrolled, or one made for it). */
  officers: Map<string, Person>;
  /**
   * Enroll as a real hub would: a party's first officer by the operator, everyone else by a
   * membership statement signed by that party's officer.
   */
  enroll(person: Person, roles: Role[], clearance: Level, extra?: { validUntil?: string }): Promise<void>;
  open(): Promise<LiaisonApp>;
  cleanup(): void;
}

/**
 * A new hub on the shipped agreements (or on `agreementsDir`, for scenarios that write their own).
 * This is the one world builder: the security cast (test/security/support.ts), the workflow
 * scenes (test/workflow/support.ts) and the trust tests all stand on it.
 */
export async function makeWorld(agreementsDir = AGREEMENTS_DIR): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'liaison-test-'));
  const dataDir = join(dir, 'hub');
  const clock = new TestClock();
  await initHub({ dataDir, agreementsDir, now: clock.now() });
  const officers = new Map<string, Person>();
  const bootstrap = async (officer: Person) => {
    await enrollMember({ dataDir, agreementsDir, party: officer.party, publicKey: new TextEncoder().encode(officer.armoredPublicKey), roles: ['officer'], clearance: 'TOP SECRET', now: clock.now() });
    officers.set(officer.party, officer);
  };
  const world: World = {
    dir,
    dataDir,
    clock,
    officers,
    async enroll(person, roles, clearance, extra = {}) {
      if (!officers.has(person.party)) {
        if (roles.length === 1 && roles[0] === 'officer') return bootstrap(person);
        await bootstrap(await makePerson(`Officer ${person.party}`, person.party, clock.now()));
      }
      const officer = officers.get(person.party)!;
      const hub = await openHub(parseHubConfig({ dataDir, agreementsDir, logLevel: 'silent' }), clock.now);
      try {
        const signed = await signMembership(officer, person.armoredPublicKey, { party: person.party, roles, clearance, ...extra }, clock.now());
        await enrollByOfficer(hub, hub.store.getMember(officer.fingerprint)!, { publicKey: person.armoredPublicKey, statement: signed.statement, signature: signed.signature });
      } finally {
        await hub.close();
      }
    },
    agreementsDir,
    open: () => createApp({ dataDir, agreementsDir, logLevel: 'info', logFile: join(dir, 'hub.log') }, clock.now),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return world;
}
