/**
 * The cast of the tests: people with real keys, in their parties with their roles and clearances,
 * enrolled on a world (test/helpers/world.ts) the way a real hub enrolls them. Tests name the
 * people they need (RU_PK_CAST, or a cast of their own for an attack that needs one) and stand on
 * setUp (a fresh hub, everyone logged in) or on enrollCast (a world the test opens itself).
 */
import type { Express } from 'express';
import type { Role } from '../../protocol/ids.ts';
import type { Level } from '../../protocol/levels.ts';
import type { LiaisonApp } from '../../server/app.ts';
import { login } from './packets.ts';
import { makePerson, makeWorld, type Person, type World } from './world.ts';

export interface CastMember {
  name: string;
  party: string;
  roles: readonly Role[];
  clearance: Level;
}

export interface Cast<K extends string> {
  world: World;
  hub: LiaisonApp;
  app: Express;
  people: Record<K, Person>;
  tokens: Record<K, string>;
}

/**
 * The RU-PK cast most attacks need. SECRET readers are ruContact, ruClerk and pkContact;
 * ruOfficer has no receiving role, pkLow is cleared below SECRET, KZ is a third party to RU-PK.
 */
export const RU_PK_CAST = {
  ruContact: { name: 'Ivan Petrov', party: 'RU', roles: ['contact'], clearance: 'TOP SECRET' },
  ruClerk: { name: 'Olga Smirnova', party: 'RU', roles: ['clerk'], clearance: 'SECRET' },
  ruOfficer: { name: 'Sergei Volkov', party: 'RU', roles: ['officer'], clearance: 'TOP SECRET' },
  pkContact: { name: 'Ayesha Khan', party: 'PK', roles: ['contact'], clearance: 'SECRET' },
  pkLow: { name: 'Bilal Ahmed', party: 'PK', roles: ['contact'], clearance: 'CONFIDENTIAL' },
  kzContact: { name: 'Aigerim Nurlanovna', party: 'KZ', roles: ['contact'], clearance: 'SECRET' },
} as const satisfies Record<string, CastMember>;

/** Make the people of `members` (keys generated once, in parallel) and enroll them in `world` as its officers would. */
export async function enrollCast<K extends string>(world: World, members: Record<K, CastMember>): Promise<Record<K, Person>> {
  const date = world.clock.now();
  const keys = Object.keys(members) as K[];
  const made = await Promise.all(keys.map((k) => makePerson(members[k].name, members[k].party, date)));
  const people = {} as Record<K, Person>;
  keys.forEach((k, i) => (people[k] = made[i]!));
  for (const k of keys) await world.enroll(people[k], [...members[k].roles], members[k].clearance);
  return people;
}

/** A fresh hub with `members` enrolled (keys generated once, in parallel) and logged in. */
export async function setUp<K extends string>(members: Record<K, CastMember>): Promise<Cast<K>> {
  const world = await makeWorld();
  const people = await enrollCast(world, members);
  const hub = await world.open();
  const keys = Object.keys(members) as K[];
  const tokens = {} as Record<K, string>;
  for (const k of keys) tokens[k] = await login(hub.app, people[k], world.clock.now());
  return { world, hub, app: hub.app, people, tokens };
}

/** Close the hub (which finishes its log) and remove everything. */
export async function tearDown(cast: { world: World; hub: LiaisonApp } | undefined): Promise<void> {
  if (!cast) return;
  await cast.hub.close();
  cast.world.cleanup();
}
