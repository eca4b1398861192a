/**
 * What the browser tests of each role share: a real hub (the exported app served for real, behind
 * the loopback proxy the trust tests use, so a test can make it lie later on the same origin), CLI
 * people with their keys enrolled by their officers, and a browser session of one of them: their
 * CLI key imported (the backup path of docs/web.md), the officers pinned, logged in.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { DEMO_PASSPHRASE, liaison, Person, type RunResult } from '../../scripts/harness.ts';
import { createApp, type LiaisonApp } from '../../server/app.ts';
import { axeProblems, launch, type Browser } from '../helpers/browser.ts';
import { startLyingHub, type LyingHub } from '../helpers/lying-hub.ts';
import { AGREEMENTS_DIR } from '../helpers/world.ts';

export const IMAGES = join(import.meta.dirname, '../../docs/images');

export async function ok(r: Promise<RunResult>): Promise<RunResult> {
  const result = await r;
  if (result.code !== 0) throw new Error(`command failed: ${result.stderr}`);
  return result;
}

export interface World {
  root: string;
  dataDir: string;
  app: LiaisonApp;
  hub: LyingHub;
  officers: Person[];
  file(name: string, content: string): string;
  /** A CLI person with a key, enrolled by their party's officer, trusting every officer, logged in. */
  person(name: string, party: string, roles: string, clearance: string): Promise<Person>;
  close(): Promise<void>;
}

export async function exportKey(root: string, person: Person): Promise<string> {
  person.fingerprint = (await ok(person.run('key', 'fingerprint'))).stdout.trim();
  const keyFile = join(root, `${person.fingerprint}.asc`);
  await ok(person.run('key', 'export', '--public', '--out', keyFile));
  return keyFile;
}

/** A hub with the officers of `parties` recorded by the operator, each logged in with the CLI. */
export async function world(parties: Array<[string, string]>): Promise<World> {
  const root = mkdtempSync(join(tmpdir(), 'liaison-web-roles-'));
  const dataDir = join(root, 'hub');
  await ok(liaison(['hub', 'init', '--data', dataDir]));
  const officers = parties.map(([name, party]) => new Person(name, party, root));
  await Promise.all(officers.map((p) => ok(p.run('keygen', '--name', p.name))));
  for (const officer of officers) await ok(liaison(['hub', 'enroll', '--data', dataDir, '--party', officer.party, '--key', await exportKey(root, officer)]));
  for (const p of officers) for (const o of officers) await ok(p.run('trust', 'add', '--party', o.party, '--officer', o.fingerprint));
  const app = await createApp({ dataDir, agreementsDir: AGREEMENTS_DIR, logLevel: 'silent' });
  const hub = await startLyingHub(app.app);
  for (const p of officers) await ok(p.run('login', '--server', hub.url));
  return {
    root,
    dataDir,
    app,
    hub,
    officers,
    file(name, content) {
      const path = join(root, name);
      writeFileSync(path, content);
      return path;
    },
    async person(name, party, roles, clearance) {
      const p = new Person(name, party, root);
      await ok(p.run('keygen', '--name', name));
      for (const o of officers) await ok(p.run('trust', 'add', '--party', o.party, '--officer', o.fingerprint));
      const officer = officers.find((o) => o.party === party)!;
      await ok(officer.run('officer', 'enroll', '--key', await exportKey(root, p), '--roles', roles, '--clearance', clearance));
      await ok(p.run('login', '--server', hub.url));
      return p;
    },
    async close() {
      await hub.close();
      await app.close();
    },
  };
}

/** A fresh browser profile holding `person`'s CLI key, the officers pinned, logged in on the inbox. */
export async function browserAs(w: World, person: Person): Promise<Browser> {
  const browser = await launch();
  const { page } = browser;
  const secret = join(w.root, `${person.fingerprint}-secret.asc`);
  await ok(person.run('key', 'export', '--secret', '--out', secret));
  await page.goto(`${w.hub.url}/`);
  await page.getByLabel(/Armored secret key/).fill(readFileSync(secret, 'utf8'));
  await page.getByLabel('Passphrase', { exact: true }).nth(1).fill(DEMO_PASSPHRASE);
  await page.getByRole('button', { name: 'Import key' }).click();
  await page.getByRole('heading', { name: 'Log in to this hub' }).waitFor({ timeout: 60_000 });
  await page.goto(`${w.hub.url}/#/trust`);
  for (const officer of w.officers) {
    await page.getByLabel('Party').fill(officer.party);
    await page.getByLabel('Fingerprint').fill(officer.fingerprint);
    await page.getByRole('button', { name: 'Pin officer' }).click();
    await page.getByRole('cell', { name: officer.fingerprint.match(/.{4}/g)!.join(' ') }).waitFor();
  }
  await page.goto(`${w.hub.url}/#/inbox`);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor({ timeout: 30_000 });
  return browser;
}

export async function expectAccessible(browser: Browser): Promise<void> {
  expect(await axeProblems(browser.page)).toEqual([]);
}
