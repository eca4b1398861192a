/**
 * Shared steps of the workflow scenarios: a hub on any agreements directory, people enrolled the
 * way a real hub enrolls them (first officer by the operator, everyone else by that officer's
 * signed statement), real packets in reply to requests, and JSON calls over real HTTP.
 */
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { expect } from 'vitest';
import { markingLevel, type Agreement } from '../../protocol/agreement.ts';
import type { Level } from '../../protocol/levels.ts';
import type { PacketKind } from '../../protocol/manifest.ts';
import { loadAgreements } from '../../server/agreements.ts';
import type { LiaisonApp } from '../../server/app.ts';
import { expectProblem, filesUnder } from '../helpers/http.ts';
import { buildPacket, login, uploadRequest, type PartSpec } from '../helpers/packets.ts';
import { CANARY, makePerson, makeWorld, type Person, type TestClock } from '../helpers/world.ts';

export { CANARY };

export interface Scene {
  dir: string;
  dataDir: string;
  agreementsDir: string;
  clock: TestClock;
  app: LiaisonApp;
  people: Map<string, Person>;
  tokens: Map<string, string>;
  /** Log everyone in again (after the clock moved past the session lifetime). */
  relogin(): Promise<void>;
  /** Reopen the hub, for example after an agreement file changed. */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A fresh hub on `agreementsDir` with one contact per party (cleared `clearance`) and each party's
 * officer. `people` is keyed by party for contacts and `OFFICER-<party>` for officers.
 */
export async function makeScene(agreementsDir: string, parties: string[], clearance: Level = 'SECRET'): Promise<Scene> {
  const world = await makeWorld(agreementsDir);
  const { clock } = world;
  const people = new Map<string, Person>();
  for (const party of parties) {
    const officer = await makePerson(`Officer ${party}`, party, clock.now());
    await world.enroll(officer, ['officer'], 'TOP SECRET');
    const contact = await makePerson(`Contact ${party}`, party, clock.now());
    await world.enroll(contact, ['contact'], clearance);
    people.set(party, contact);
    people.set(`OFFICER-${party}`, officer);
  }
  const scene: Scene = {
    dir: world.dir,
    dataDir: world.dataDir,
    agreementsDir,
    clock,
    app: await world.open(),
    people,
    tokens: new Map(),
    async relogin() {
      for (const person of people.values()) scene.tokens.set(person.fingerprint, await login(scene.app.app, person, clock.now()));
    },
    async reopen() {
      await scene.app.close();
      scene.app = await world.open();
    },
    async close() {
      await scene.app.close();
      world.cleanup();
    },
  };
  await scene.relogin();
  return scene;
}

export function person(scene: Scene, key: string): Person {
  const p = scene.people.get(key);
  if (!p) throw new Error(`no ${key} in this scene`);
  return p;
}

const token = (scene: Scene, who: Person) => scene.tokens.get(who.fingerprint)!;

export function get(scene: Scene, who: Person, path: string) {
  return request(scene.app.app).get(path).set('Authorization', `Bearer ${token(scene, who)}`);
}

export function post(scene: Scene, who: Person, path: string, body?: object) {
  const req = request(scene.app.app).post(path).set('Authorization', `Bearer ${token(scene, who)}`);
  return body === undefined ? req : req.send(body);
}

export function agreementIn(dir: string, id: string): Agreement {
  const agreement = loadAgreements(dir).get(id);
  if (!agreement) throw new Error(`no agreement ${id} in ${dir}`);
  return agreement;
}

/** Send a submitted packet under `agreement`, readable by the contacts of the sender and the recipients. */
export async function sendPacket(
  scene: Scene,
  agreement: Agreement,
  from: string,
  to: string[],
  kind: PacketKind,
  parts: PartSpec[],
  options: { level?: Level; inReplyTo?: string } = {},
): Promise<string> {
  const level = options.level ?? 'SECRET';
  const entry = markingLevel(agreement, level)!;
  const labels = Object.fromEntries([from, ...to].map((p) => [p, entry.labels[p]!]));
  const packet = await buildPacket({
    sender: person(scene, from),
    readers: [from, ...to].map((p) => person(scene, p)),
    parts,
    date: scene.clock.now(),
    agreementId: agreement.id,
    to,
    level,
    labels,
    kind,
    tamperManifest: options.inReplyTo ? (m) => void (m.references = { inReplyTo: options.inReplyTo }) : undefined,
  });
  const res = await uploadRequest(scene.app.app, token(scene, person(scene, from)), packet, true);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return packet.manifest.packetId;
}

/** The problem+json answer of a refusal: status, and the article it cites (test/helpers/http.ts). */
export function expectRefusal(res: { status: number; body: unknown; headers: Record<string, string>; text?: string }, status: number, article?: string): void {
  expectProblem(res, status, article);
}

/** The audit actions recorded for `object`, in order. */
export function auditedActions(scene: Scene, object: string): string[] {
  return scene.app.hub.store
    .auditEvents()
    .filter((e) => e.object === object && e.outcome === 'allow')
    .map((e) => e.action);
}

/** No plaintext reached the hub: the canary is in no file of its data directory. */
export function expectNoCanaryOnHub(scene: Scene): void {
  for (const file of filesUnder(scene.dataDir)) expect(readFileSync(file).includes(Buffer.from(CANARY)), file).toBe(false);
}

export const DAY = 24 * 3600 * 1000;
export const HOUR = 3600 * 1000;
