/**
 * The web client in real Chromium against a real hub (`liaison serve`), beside the real CLI and
 * GnuPG: first run, key export, enrolment by a CLI officer, pins, login, inbox, opening a
 * CLI-sent packet, sending one the CLI fetches and gpg decrypts, completeness refusal and draft,
 * idle lock and lock now, logout ending the session on the hub, keyboard-only use, axe-core,
 * no CSP violation, no readable token, and the plaintext canary. Then a lying hub in front of the
 * same data: the browser refuses an injected key and a forged manifest.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePersonKey } from '../../keys/identity.ts';
import { DEMO_PASSPHRASE, liaison, Person, startHub, type RunningHub, type RunResult } from '../../scripts/harness.ts';
import { createApp, type LiaisonApp } from '../../server/app.ts';
import { axeProblems, launch, pageViolations, tabTo, type Browser } from '../helpers/browser.ts';
import { GnuPG } from '../helpers/gpg.ts';
import { startLyingHub, type LyingHub } from '../helpers/lying-hub.ts';
import { AGREEMENTS_DIR, CANARY } from '../helpers/world.ts';
// The request form's fields (request send), as test/cli/support.ts gives them.
const REQUEST_FORM = ['--requesting-authority', 'MOI-NC', '--requested-authority', 'GENPROC', '--purpose', 'Money laundering case', '--assistance', 'Bank records'];

const IMAGES = join(import.meta.dirname, '../../docs/images');
const WEB_PASSPHRASE = 'browser passphrase 2026';
const EN = `Request for legal assistance. Please identify the holders of the bank accounts and report the movements of funds. ${CANARY}\n`;
const RU = `Запрос о правовой помощи. Просим установить владельцев банковских счетов и сообщить сведения о движении средств. ${CANARY}\n`;
const UR = `قانونی معاونت کی درخواست۔ براہ کرم بینک کھاتوں کے مالکان کی شناخت کریں اور رقوم کی نقل و حرکت کے بارے میں مطلع کریں۔ ${CANARY}\n`;

let root: string;
let dataDir: string;
let hub: RunningHub;
let browser: Browser;
let sergei: Person, imran: Person, ayesha: Person, daniyar: Person, aigerim: Person;
let browserFingerprint = '';
let cliPacketId = '';
let browserPacketId = '';

async function ok(r: Promise<RunResult>): Promise<RunResult> {
  const result = await r;
  if (result.code !== 0) throw new Error(`command failed: ${result.stderr}`);
  return result;
}

function file(name: string, content: string): string {
  const path = join(root, name);
  writeFileSync(path, content);
  return path;
}

async function exportKey(person: Person): Promise<string> {
  person.fingerprint = (await ok(person.run('key', 'fingerprint'))).stdout.trim();
  const keyFile = join(root, `${person.fingerprint}.asc`);
  await ok(person.run('key', 'export', '--public', '--out', keyFile));
  return keyFile;
}

function sessionsOf(fingerprint: string): number {
  const db = new Database(join(dataDir, 'hub.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM sessions WHERE fingerprint = ?').get(fingerprint) as { n: number }).n;
  } finally {
    db.close();
  }
}

async function shot(name: string): Promise<void> {
  await browser.page.screenshot({ path: join(IMAGES, `${name}.png`), fullPage: true });
}

async function expectAccessible(): Promise<void> {
  expect(await axeProblems(browser.page)).toEqual([]);
}

/** Download what clicking `name` offers, and read it. */
async function downloadOf(name: string | RegExp): Promise<string> {
  const [download] = await Promise.all([browser.page.waitForEvent('download'), browser.page.getByRole('button', { name }).click()]);
  const path = join(root, `download-${Date.now()}`);
  await download.saveAs(path);
  return readFileSync(path, 'utf8');
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'liaison-web-'));
  dataDir = join(root, 'hub');
  await ok(liaison(['hub', 'init', '--data', dataDir]));
  sergei = new Person('Sergei Volkov', 'RU', root);
  imran = new Person('Imran Qureshi', 'PK', root);
  ayesha = new Person('Ayesha Khan', 'PK', root);
  daniyar = new Person('Daniyar Seitkali', 'KZ', root);
  aigerim = new Person('Aigerim Nurlanovna', 'KZ', root);
  const cli = [sergei, imran, ayesha, daniyar, aigerim];
  await Promise.all(cli.map((p) => ok(p.run('keygen', '--name', p.name))));
  for (const officer of [sergei, imran, daniyar]) await ok(liaison(['hub', 'enroll', '--data', dataDir, '--party', officer.party, '--key', await exportKey(officer)]));
  for (const p of cli) for (const o of [sergei, imran, daniyar]) await ok(p.run('trust', 'add', '--party', o.party, '--officer', o.fingerprint));
  hub = await startHub(dataDir, join(root, 'hub.log'));
  for (const p of [sergei, imran, daniyar]) await ok(p.run('login', '--server', hub.url));
  await ok(imran.run('officer', 'enroll', '--key', await exportKey(ayesha), '--roles', 'contact', '--clearance', 'SECRET'));
  await ok(daniyar.run('officer', 'enroll', '--key', await exportKey(aigerim), '--roles', 'contact', '--clearance', 'SECRET'));
  for (const p of [ayesha, aigerim]) await ok(p.run('login', '--server', hub.url));
  browser = await launch();
  // A dozen CLI processes and a hub on two shared cores: generous, as the whole suite runs beside it.
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('the web client, served by the hub at /', () => {
  it('first run: creates a key in the GnuPG 2.2 profile inside the browser, kept only passphrase-protected', async () => {
    const { page } = browser;
    const response = await page.goto(`${hub.url}/`);
    const csp = response!.headers()['content-security-policy']!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|wasm-unsafe-eval/);
    await page.getByRole('heading', { name: 'First run: your key' }).waitFor();
    await expectAccessible();
    await shot('web-first-run');
    await page.getByLabel('Full name').fill('Ivan Petrov');
    await page.getByLabel('Passphrase', { exact: true }).first().fill(WEB_PASSPHRASE);
    await page.getByLabel('Passphrase again').fill(WEB_PASSPHRASE);
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('heading', { name: 'Log in to this hub' }).waitFor({ timeout: 60_000 });
    browserFingerprint = ((await page.locator('code.fingerprint').first().textContent()) ?? '').replace(/\s+/g, '');
    expect(browserFingerprint).toMatch(/^[0-9A-F]{40}$/);
    // Shown in groups of four for comparing out of band.
    expect(await page.locator('code.fingerprint').first().textContent()).toMatch(/^([0-9A-F]{4} ){9}[0-9A-F]{4}$/);
    // IndexedDB holds the key encrypted; nothing in localStorage or cookies.
    const stored = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
    expect(stored).toEqual({ local: 0, session: 0, cookie: '' });
  }, 120_000);

  it('exports the public key, which the CLI officer enrolls; the secret-key backup stays protected', async () => {
    await browser.page.goto(`${hub.url}/#/key`);
    await browser.page.getByRole('heading', { name: 'My key' }).waitFor();
    const publicKey = await downloadOf(/Save my public key/);
    expect(publicKey).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    const keyFile = file('ivan-browser.asc', publicKey);
    const backup = await downloadOf(/Back up my secret key/);
    expect(backup).toContain('BEGIN PGP PRIVATE KEY BLOCK');
    file('ivan-browser-secret.asc', backup);
    // GnuPG 2.2 reads the browser's key, and it is protected: importing the secret asks for the passphrase.
    const gpg = new GnuPG(WEB_PASSPHRASE);
    try {
      const listed = gpg.run(['--with-colons', '--import-options', 'show-only', '--import', keyFile]);
      expect(listed.stdout.toString()).toMatch(/^pub:.*:22:/m); // EdDSA primary, v4
      expect(listed.stdout.toString()).toMatch(/^sub:.*:18:/m); // ECDH subkey
    } finally {
      gpg.cleanup();
    }
    const enrolled = await ok(sergei.run('officer', 'enroll', '--key', keyFile, '--roles', 'contact', '--clearance', 'TOP SECRET'));
    expect(enrolled.stderr + enrolled.stdout).toMatch(/Ivan Petrov/);
  }, 120_000);

  it('pins the partner officers by fingerprint and refuses a malformed one', async () => {
    const { page } = browser;
    await page.goto(`${hub.url}/#/trust`);
    await page.getByRole('heading', { name: 'Trusted officers' }).waitFor();
    await page.getByLabel('Party').fill('RU');
    await page.getByLabel('Fingerprint').fill('1234');
    await page.getByRole('button', { name: 'Pin officer' }).click();
    await page.getByRole('alert').filter({ hasText: '40 hexadecimal' }).waitFor();
    for (const officer of [sergei, imran, daniyar]) {
      await page.getByLabel('Party').fill(officer.party);
      await page.getByLabel('Fingerprint').fill(officer.fingerprint.match(/.{4}/g)!.join(' '));
      await page.getByRole('button', { name: 'Pin officer' }).click();
      await page.getByRole('cell', { name: officer.fingerprint.match(/.{4}/g)!.join(' ') }).waitFor();
    }
    await expectAccessible();
    await shot('web-trust');
  }, 60_000);

  it('logs in by signing the challenge in the worker; the token is not readable by page script', async () => {
    const { page } = browser;
    await page.goto(`${hub.url}/#/inbox`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('header .who').textContent()).toContain('Ivan Petrov · RU · contact · TOP SECRET');
    expect(await page.locator('header .lock-info').textContent()).toMatch(/Locks at .* \(15 min\)/);
    const visible = await page.evaluate(() => ({ cookie: document.cookie, local: JSON.stringify({ ...localStorage }), session: JSON.stringify({ ...sessionStorage }), html: document.documentElement.outerHTML }));
    expect(visible.cookie).toBe('');
    expect(visible.local).toBe('{}');
    expect(visible.session).toBe('{}');
    expect(await browser.context.cookies()).toEqual([]);
    // The hub issued a token; it appears nowhere the page can read.
    expect(visible.html).not.toMatch(/[A-Za-z0-9_-]{40,}\.[A-Za-z0-9_-]{20,}/);
  }, 60_000);

  it('opens a packet sent by the CLI: marking banner, side-by-side text, right-to-left Urdu, receipts, files to save', async () => {
    const sent = await ok(
      ayesha.run('request', 'send', '--agreement', 'RU-PK', '--to', 'RU', '--marking', 'SECRET', '--original', file('request-en.txt', EN), '--lang', 'en', '--translation', `ru:${file('zapros-ru.txt', RU)}`, '--translation', `ur:${file('darkhwast-ur.txt', UR)}`, ...REQUEST_FORM, '--quiet'),
    );
    cliPacketId = sent.stdout.trim();
    const { page } = browser;
    await page.getByRole('button', { name: 'Refresh' }).click();
    const row = page.locator('tr.unread', { hasText: 'RU-PK' });
    await row.waitFor();
    expect(await row.locator('.marking').textContent()).toBe('SECRET · СОВЕРШЕННО СЕКРЕТНО · originator: SECRET');
    await expectAccessible();
    await shot('web-inbox');
    await row.getByRole('link', { name: /Open/ }).click();
    await page.locator('pre.document').first().waitFor({ timeout: 60_000 });
    expect(await page.locator('section > .marking').textContent()).toBe('SECRET · СОВЕРШЕННО СЕКРЕТНО · originator: SECRET');
    expect(await page.locator('pre.document[lang="en"]').textContent()).toBe(EN);
    expect(await page.locator('pre.document[lang="ru"]').textContent()).toBe(RU);
    expect(await page.locator('pre.document[lang="ur"]').getAttribute('dir')).toBe('rtl');
    expect(await page.locator('pre.document[lang="ur"]').textContent()).toBe(UR);
    // The request form (the four fields RU-PK asks for, filled by the CLI) is shown field by field, not language-checked.
    const form = page.locator('dl.request-form');
    expect(await form.locator('dt').allTextContents()).toEqual(['Requesting authority', 'Requested authority', 'Purpose', 'Assistance requested']);
    expect(await form.locator('dd').allTextContents()).toEqual(['MOI-NC', 'GENPROC', 'Money laundering case', 'Bank records']);
    expect(await page.locator('ul.notices').textContent()).not.toMatch(/request-form.*declared|warning/);
    expect(await page.locator('dl.facts').textContent()).toMatch(/Ayesha Khan \(PK\).*vouched for by officer/);
    expect(await page.locator('ul.notices').textContent()).toContain('retrieval receipt signed and sent to the hub');
    // Receipts verified in the browser against the hub's key.
    const receipts = page.locator('table', { has: page.getByRole('columnheader', { name: 'Receipt' }) });
    await expect.poll(async () => (await receipts.locator('td.ok').count()) > 0).toBe(true);
    expect(await receipts.locator('td.bad').count()).toBe(0);
    // Files are offered for saving as octet-streams, never rendered.
    const save = page.getByRole('link', { name: 'Save request-en.txt' });
    expect(await save.getAttribute('download')).toBe('request-en.txt');
    const [download] = await Promise.all([page.waitForEvent('download'), save.click()]);
    const saved = join(root, 'saved-en.txt');
    await download.saveAs(saved);
    expect(readFileSync(saved, 'utf8')).toBe(EN);
    await expectAccessible();
    await shot('web-packet');
    // The CLI sender sees the browser's retrieval receipt.
    const receiptsOut = await ok(ayesha.run('receipts', cliPacketId));
    expect(receiptsOut.stdout).toMatch(/retrieved/);
  }, 180_000);

  it('refuses an incomplete packet naming the article, saves it as a draft, and sends a complete one that the CLI and gpg open', async () => {
    const { page } = browser;
    await page.goto(`${hub.url}/#/compose`);
    await page.getByRole('heading', { name: 'Compose a packet' }).waitFor();
    await page.getByLabel('Agreement').selectOption('RU-PK');
    await page.getByRole('checkbox', { name: 'PK' }).check();
    await page.getByLabel('Marking level').selectOption('SECRET');
    await page.getByLabel('Original file').setInputFiles(file('zapros.txt', RU));
    await page.getByLabel(/Language of the original/).fill('ru');
    await page.getByRole('button', { name: 'Encrypt and send' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor({ timeout: 60_000 });
    expect(await refusal.textContent()).toMatch(/incomplete.*RU-PK Art\. 6/);
    // A wrong-language "translation" is refused before anything is encrypted.
    await page.getByRole('button', { name: 'Add a translation' }).click();
    await page.getByLabel('Translation file').setInputFiles(file('fake-en.txt', RU));
    await page.getByLabel('Language of the translation').fill('en');
    await page.getByRole('button', { name: 'Encrypt and send' }).click();
    await page.getByRole('alert').filter({ hasText: 'is not in en' }).waitFor({ timeout: 60_000 });
    await page.getByLabel('Translation file').setInputFiles(file('request-ru-en.txt', EN));
    await shot('web-compose');
    await page.getByRole('button', { name: 'Encrypt and send' }).click();
    const done = page.locator('p[role="status"].ok');
    await done.waitFor({ timeout: 60_000 });
    browserPacketId = /Packet ([0-9a-f-]{36}) is submitted/.exec((await done.textContent()) ?? '')![1]!;
    await expectAccessible();

    // The CLI recipient fetches it and GnuPG decrypts it: the browser's packet is plain OpenPGP.
    const raw = join(root, 'raw-browser');
    await ok(ayesha.run('fetch', browserPacketId, '--out', raw, '--raw'));
    const out = join(root, 'ayesha-browser');
    await ok(ayesha.run('fetch', browserPacketId, '--out', out));
    expect(readFileSync(join(out, 'zapros.txt'), 'utf8')).toBe(RU);
    const gpg = new GnuPG(DEMO_PASSPHRASE);
    try {
      const secret = join(root, 'ayesha-secret.asc');
      await ok(ayesha.run('key', 'export', '--secret', '--out', secret));
      gpg.ok(['--import', secret]);
      gpg.ok(['--import', join(root, 'ivan-browser.asc')]);
      const result = gpg.run(['--status-fd', '2', '--trust-model', 'always', '--decrypt', join(raw, 'p2-translation-en.pgp')]);
      expect(result.code).toBe(0);
      expect(result.stdout.toString('utf8')).toBe(EN);
      expect(result.stderr).toMatch(new RegExp(`VALIDSIG ${browserFingerprint}`));
    } finally {
      gpg.cleanup();
    }

    // Saved as a draft instead: visible in Drafts, not to the recipient.
    await page.goto(`${hub.url}/#/compose`);
    await page.getByLabel('Agreement').selectOption('RU-PK');
    await page.getByRole('checkbox', { name: 'PK' }).check();
    await page.getByLabel('Original file').setInputFiles(join(root, 'zapros.txt'));
    await page.getByLabel(/Language of the original/).fill('ru');
    await page.getByRole('checkbox', { name: /Save as a draft/ }).check();
    await page.getByRole('button', { name: 'Encrypt and send' }).click();
    await page.locator('p[role="status"].ok').filter({ hasText: 'is draft' }).waitFor({ timeout: 60_000 });
    await page.goto(`${hub.url}/#/drafts`);
    await page.locator('td', { hasText: 'draft' }).first().waitFor();
  }, 240_000);

  it('shows the requests to my party with their deadline, and moves one on', async () => {
    const { page } = browser;
    await page.goto(`${hub.url}/#/requests`);
    await page.getByRole('heading', { name: 'Requests and deadlines' }).waitFor();
    const row = page.locator('tr', { has: page.locator(`a[href="#/packet/${cliPacketId}"]`) });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.locator('td').nth(3).textContent()).toBe('received');
    expect(await row.locator('.due').textContent()).toMatch(/due|no deadline/);
    await row.getByRole('combobox').selectOption('acknowledged');
    await row.getByRole('button', { name: 'Change state' }).click();
    await page.getByRole('status').filter({ hasText: 'The request is now acknowledged.' }).waitFor({ timeout: 30_000 });
    await expect.poll(async () => row.locator('td').nth(3).textContent()).toBe('acknowledged');
    await expectAccessible();
    await shot('web-requests');
    // The requester sees the state the browser set.
    const shown = await ok(ayesha.run('request', 'show', cliPacketId));
    expect(shown.stdout).toMatch(/acknowledged/);
  }, 120_000);

  it('requests an onward release, and after the originator consents executes it in the browser: the third party reads the packet', async () => {
    const { page } = browser;
    await page.goto(`${hub.url}/#/packet/${cliPacketId}`);
    await page.getByRole('heading', { name: 'Request onward release to a third party' }).waitFor({ timeout: 60_000 });
    await page.getByLabel('Third party').fill('KZ');
    await page.getByLabel('Purpose').fill('Kazakh part of the same network');
    await page.getByRole('button', { name: 'Request onward release to a third party' }).click();
    await page.getByRole('status').filter({ hasText: 'Release requested: consent requested' }).waitFor({ timeout: 30_000 });
    // Blocked for KZ until PK's officer consents (the CLI here).
    expect((await aigerim.run('fetch', cliPacketId, '--out', join(root, 'kz-early'))).code).not.toBe(0);
    const releases = JSON.parse((await ok(imran.run('release', 'list', '--json'))).stdout) as Array<{ id: string; packetId: string; state: string }>;
    const release = releases.find((r) => r.packetId === cliPacketId && r.state === 'requested')!;
    await ok(imran.run('release', 'consent', release.id, '--to', 'KZ', '--conditions', 'Only for this investigation'));
    await page.goto(`${hub.url}/#/releases`);
    await page.getByRole('cell', { name: 'Only for this investigation' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: new RegExp(`Execute .*${release.id}`) }).click();
    await page.getByRole('cell', { name: 'executed' }).first().waitFor({ timeout: 60_000 });
    await expectAccessible();
    await shot('web-releases');
    const out = join(root, 'kz-fetch');
    await ok(aigerim.run('fetch', cliPacketId, '--out', out));
    expect(readFileSync(join(out, 'request-en.txt'), 'utf8')).toBe(EN);
  }, 180_000);

  it('composes and sends a complete packet with the keyboard alone (the files chosen through the file dialog); the CLI recipient reads it', async () => {
    const { page } = browser;
    await page.goto(`${hub.url}/#/compose`);
    await page.getByRole('heading', { name: 'Compose a packet' }).waitFor();
    await page.locator('body').focus();
    // A closed <select> takes typed letters as a choice, as a person selects an agreement or a level.
    await tabTo(page, (el) => el.name === 'agreement');
    await page.keyboard.type('RU-PK');
    await tabTo(page, (el) => el.name === 'to');
    await page.keyboard.press('Space');
    await tabTo(page, (el) => el.name === 'level');
    await page.keyboard.type('SECRET');
    const choose = async (name: string, path: string) => {
      await tabTo(page, (el) => el.name === name);
      const chooser = page.waitForEvent('filechooser');
      await page.keyboard.press('Space');
      await (await chooser).setFiles(path);
    };
    await choose('original', file('keyboard-zapros.txt', RU));
    await tabTo(page, (el) => el.name === 'original-lang');
    await page.keyboard.type('ru');
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Add a translation');
    await page.keyboard.press('Enter');
    // The new translation's fields come before the button: back to them.
    await page.locator('body').focus();
    await choose('translation-0', file('keyboard-request-en.txt', EN));
    await tabTo(page, (el) => el.name === 'translation-lang-0');
    await page.keyboard.type('en');
    expect([await page.locator('select[name="agreement"]').inputValue(), await page.locator('select[name="level"]').inputValue()]).toEqual(['RU-PK', 'SECRET']);
    expect(await page.locator('input[name="to"]').isChecked()).toBe(true);
    await page.keyboard.press('Enter');
    const done = page.locator('p[role="status"].ok').filter({ hasText: /Packet [0-9a-f-]{36} is submitted/ });
    await done.waitFor({ timeout: 60_000 });
    const id = /Packet ([0-9a-f-]{36}) is submitted/.exec((await done.textContent()) ?? '')![1]!;
    const out = join(root, 'ayesha-keyboard');
    await ok(ayesha.run('fetch', id, '--out', out));
    expect(readFileSync(join(out, 'keyboard-zapros.txt'), 'utf8')).toBe(RU);
    expect(readFileSync(join(out, 'keyboard-request-en.txt'), 'utf8')).toBe(EN);
    await expectAccessible();
  }, 180_000);

  it('works with the keyboard alone: lock now, unlock, open the inbox and a packet', async () => {
    const { page } = browser;
    await page.goto(`${hub.url}/#/inbox`);
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.locator('body').focus();
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Lock now');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Unlock your key' }).waitFor();
    await expectAccessible();
    await tabTo(page, (el) => el.name === 'passphrase');
    await page.keyboard.type(WEB_PASSPHRASE);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Inbox' }).waitFor({ timeout: 30_000 });
    await tabTo(page, (el) => el.tag === 'a' && el.text.startsWith('Open'));
    await page.keyboard.press('Enter');
    await page.locator('pre.document').first().waitFor({ timeout: 60_000 });
    // Logout ends the session on the hub, not only in the page: its session row is gone.
    expect(sessionsOf(browserFingerprint)).toBe(1);
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Log out');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Log in to this hub' }).waitFor();
    expect(sessionsOf(browserFingerprint)).toBe(0);
    await expectAccessible();
  }, 120_000);

  it('a security officer works in the browser with the CLI key imported: verified members, and enrolling a CLI-made key', async () => {
    const officerBrowser = await launch();
    try {
      const page = officerBrowser.page;
      const secret = join(root, 'sergei-secret.asc');
      await ok(sergei.run('key', 'export', '--secret', '--out', secret));
      await page.goto(`${hub.url}/`);
      await page.getByLabel(/Armored secret key/).fill(readFileSync(secret, 'utf8'));
      await page.getByLabel('Passphrase', { exact: true }).nth(1).fill(DEMO_PASSPHRASE);
      await page.getByRole('button', { name: 'Import key' }).click();
      await page.getByRole('heading', { name: 'Log in to this hub' }).waitFor({ timeout: 60_000 });
      await page.goto(`${hub.url}/#/trust`);
      for (const officer of [sergei, imran, daniyar]) {
        await page.getByLabel('Party').fill(officer.party);
        await page.getByLabel('Fingerprint').fill(officer.fingerprint);
        await page.getByRole('button', { name: 'Pin officer' }).click();
        await page.getByRole('cell', { name: officer.fingerprint.match(/.{4}/g)!.join(' ') }).waitFor();
      }
      await page.goto(`${hub.url}/#/officer`);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('link', { name: 'Security officer' }).click();
      await page.getByRole('heading', { name: 'Members of RU' }).waitFor({ timeout: 30_000 });
      await page.getByRole('cell', { name: 'Ivan Petrov', exact: true }).waitFor();
      // A key made by the CLI, enrolled by the officer in the browser.
      const olga = new Person('Olga Smirnova', 'RU', root);
      await ok(olga.run('keygen', '--name', olga.name));
      for (const o of [sergei, imran]) await ok(olga.run('trust', 'add', '--party', o.party, '--officer', o.fingerprint));
      await page.getByLabel(/public key \(armored\)/).fill(readFileSync(await exportKey(olga), 'utf8'));
      await page.getByRole('checkbox', { name: 'contact' }).uncheck();
      await page.getByRole('checkbox', { name: 'clerk' }).check();
      await page.getByLabel('Clearance').selectOption('SECRET');
      await page.getByRole('button', { name: 'Sign and enroll' }).click();
      await page.getByRole('status').filter({ hasText: 'Enrolled Olga Smirnova' }).waitFor({ timeout: 30_000 });
      await page.getByRole('cell', { name: 'Olga Smirnova', exact: true }).waitFor();
      expect(await axeProblems(page)).toEqual([]);
      await page.screenshot({ path: join(IMAGES, 'web-officer.png'), fullPage: true });
      // The CLI verifies the browser-signed statement against its own pins.
      await ok(olga.run('login', '--server', hub.url));
      const members = await ok(olga.run('members', 'RU'));
      expect(members.stdout).toMatch(/Olga Smirnova/);
      // A release of the browser-sent (RU) packet: the RU officer sees exactly what they sign, in the browser.
      const releaseId = (await ok(ayesha.run('release', 'request', browserPacketId, '--to', 'KZ', '--purpose', 'Joint investigation with KZ'))).stdout.trim();
      await page.getByRole('link', { name: 'Releases' }).click();
      await page.getByRole('button', { name: new RegExp(`Review and decide .*${releaseId}`) }).click();
      await page.getByLabel(/The third party, as you decide it/).fill('KZ');
      await page.getByLabel('Conditions').fill('Not to be used as evidence in court');
      await page.getByRole('button', { name: 'Show exactly what I will sign' }).click();
      const statement = page.locator('pre.statement.canonical');
      await page.locator('pre.statement').first().waitFor({ timeout: 30_000 });
      expect(await page.locator('pre.statement').first().textContent()).toMatch(/Consent to be signed by .*\n {2}release: {5}.*\n {2}packet:.*\n {2}to: {10}KZ/);
      const shown = JSON.parse((await statement.textContent()) ?? '{}') as Record<string, string>;
      expect(shown).toMatchObject({ releaseId, packetId: browserPacketId, thirdParty: 'KZ', purpose: 'Joint investigation with KZ', decision: 'consent', conditions: 'Not to be used as evidence in court', officer: sergei.fingerprint });
      expect(await axeProblems(page)).toEqual([]);
      await page.screenshot({ path: join(IMAGES, 'web-release-decision.png'), fullPage: true });
      await page.getByRole('button', { name: 'Sign this decision' }).click();
      await page.getByRole('status').filter({ hasText: 'Decision recorded: consented' }).waitFor({ timeout: 30_000 });
      await ok(ayesha.run('release', 'execute', releaseId));
      const kz = join(root, 'kz-browser-packet');
      await ok(aigerim.run('fetch', browserPacketId, '--out', kz));
      expect(readFileSync(join(kz, 'zapros.txt'), 'utf8')).toBe(RU);
      // The Russian catalogue is complete on the same page.
      await page.getByRole('link', { name: 'Security officer' }).click();
      await page.getByLabel('Language').selectOption('ru');
      await page.getByRole('heading', { name: 'Офицер безопасности' }).waitFor();
      await page.screenshot({ path: join(IMAGES, 'web-officer-ru.png'), fullPage: true });
      expect(officerBrowser.violations).toEqual([]);
    } finally {
      await officerBrowser.close();
    }
  }, 180_000);

  it('reported no CSP violation and no page error during the whole run', async () => {
    expect(browser.violations).toEqual([]);
    expect(await pageViolations(browser.page)).toEqual([]);
  });

  it('left no plaintext on the hub: database, WAL, blobs, its temp directory and log', () => {
    const needles = [CANARY, 'CANARY-7f3e9a1c'].map((n) => Buffer.from(n, 'utf8'));
    const hits: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (needles.some((n) => readFileSync(path).includes(n))) hits.push(path);
      }
    };
    walk(dataDir);
    const log = join(root, 'hub.log');
    if (existsSync(log) && needles.some((n) => readFileSync(log).includes(n))) hits.push(log);
    expect(hits).toEqual([]);
  });
});

describe('a lying hub in front of the same data', () => {
  let app: LiaisonApp;
  let lying: LyingHub;
  let page: Browser['page'];

  beforeAll(async () => {
    await hub.stop();
    app = await createApp({ dataDir, agreementsDir: AGREEMENTS_DIR, logLevel: 'silent' });
    lying = await startLyingHub(app.app);
    page = browser.page;
    // Another origin, another IndexedDB: the person restores their key from the backup.
    await page.goto(`${lying.url}/`);
    await page.getByRole('heading', { name: 'First run: your key' }).waitFor();
    await page.getByLabel(/Armored secret key/).fill(readFileSync(join(root, 'ivan-browser-secret.asc'), 'utf8'));
    await page.getByLabel('Passphrase', { exact: true }).nth(1).fill(WEB_PASSPHRASE);
    await page.getByRole('button', { name: 'Import key' }).click();
    await page.getByRole('heading', { name: 'Log in to this hub' }).waitFor({ timeout: 60_000 });
    expect(((await page.locator('code.fingerprint').first().textContent()) ?? '').replace(/\s+/g, '')).toBe(browserFingerprint);
    await page.goto(`${lying.url}/#/trust`);
    for (const officer of [sergei, imran]) {
      await page.getByLabel('Party').fill(officer.party);
      await page.getByLabel('Fingerprint').fill(officer.fingerprint);
      await page.getByRole('button', { name: 'Pin officer' }).click();
      await page.getByRole('cell', { name: officer.fingerprint.match(/.{4}/g)!.join(' ') }).waitFor();
    }
    await page.goto(`${lying.url}/#/inbox`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor({ timeout: 30_000 });
  }, 180_000);

  afterAll(async () => {
    await lying?.close();
    await app?.close();
  });

  it('cannot make the browser encrypt to a key it injects into the directory', async () => {
    const injected = await generatePersonKey({ name: 'Injected Listener', passphrase: 'irrelevant passphrase', date: new Date() });
    lying.rewrite = (path, body) => {
      // The directory is paged (?limit=&cursor=): the lie is told on the page it comes in.
      const page = body as { items?: unknown[] } | undefined;
      if (path.split('?')[0] === '/v1/parties/PK/members' && page && Array.isArray(page.items)) {
        const template = page.items[0] as Record<string, unknown>;
        return { ...page, items: [...page.items, { ...template, fingerprint: injected.fingerprint, name: 'Injected Listener', publicKey: injected.armoredPublicKey, roles: ['contact'], clearance: 'TOP SECRET', statement: undefined, statementSignature: undefined }] };
      }
      return body;
    };
    await page.goto(`${lying.url}/#/compose`);
    await page.getByLabel('Agreement').selectOption('RU-PK');
    await page.getByRole('checkbox', { name: 'PK' }).check();
    await page.getByLabel('Original file').setInputFiles(join(root, 'request-en.txt'));
    await page.getByLabel(/Language of the original/).fill('en');
    await page.getByRole('button', { name: 'Encrypt and send' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 60_000 });
    expect(await alert.textContent()).toContain(`key ${injected.fingerprint} listed for PK has no membership statement and is not a pinned officer; refusing to trust it`);
    lying.rewrite = undefined;
  }, 120_000);

  it('cannot make the browser accept a forged manifest: a changed field breaks the signature, a changed kind the manifest rules', async () => {
    // A request's manifest with the Urdu translation relabelled Persian: well-formed, but not what Ayesha signed.
    const forgeries: Array<[string, string, RegExp]> = [
      ['"lang":"ur"', '"lang":"fa"', /manifest signature of .* does not verify/],
      // A request form in an "information" packet is not a manifest at all: refused before any key is looked up.
      ['"kind":"request"', '"kind":"information"', /the manifest is invalid: only a request carries a request form/],
    ];
    for (const [from, to, refusal] of forgeries) {
      lying.rewrite = (path, body) => {
        if (path === `/v1/packets/${cliPacketId}` && body && typeof body === 'object') {
          const detail = body as { manifest: string };
          expect(detail.manifest).toContain(from);
          return { ...detail, manifest: detail.manifest.replace(from, to) };
        }
        return body;
      };
      await page.goto(`${lying.url}/#/inbox`);
      await page.getByRole('heading', { name: 'Inbox' }).waitFor();
      await page.goto(`${lying.url}/#/packet/${cliPacketId}`);
      const alert = page.getByRole('alert');
      await alert.waitFor({ timeout: 60_000 });
      expect(await alert.textContent()).toMatch(refusal);
      expect(await page.locator('pre.document').count()).toBe(0);
    }
    lying.rewrite = undefined;
  }, 120_000);
});
