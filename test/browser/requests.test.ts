/**
 * Requests, deadlines, clerks, third parties and evidence in real Chromium against a real hub,
 * beside the real CLI: a request under SCO with the Art. 5(4)
 * form (a missing field refused naming the article, the form read back by the requested party's
 * CLI); the deadlines view with due, due soon and overdue; a refusal with its written reasons sent
 * by keyboard alone as the refusal packet the workflow requires; a clerk attaching the translation
 * to a contact's draft, which the contact submits; a third party seeing the terms it received a
 * packet under, verified against the originating officer; an evidence bundle verified before it
 * is saved; and the audit checkpoint kept in the browser, which refuses by name a hub that
 * rewrites its history on a later visit. axe-core on each page, no CSP violation, no page error,
 * and the plaintext canary absent from the hub's files.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../../scripts/harness.ts';
import { pageViolations, tabTo, type Browser } from '../helpers/browser.ts';
import { CANARY } from '../helpers/world.ts';
import { browserAs, expectAccessible, IMAGES, ok, world, type World } from './support.ts';

const RU_REQUEST = `Запрос о правовой помощи по делу о контрабанде. Просим сообщить сведения о владельцах транспортных средств и маршрутах их движения. ${CANARY}\n`;
const RU_DRAFT = `Информация о задержании курьера в аэропорту. Просим сообщить, известен ли он вашим органам. ${CANARY}\n`;
const EN_DRAFT = `Information on a courier detained at the airport. Please tell us whether your services know him. ${CANARY}\n`;
const REASONS = 'Запрос не может быть исполнен: указанные сведения составляют государственную тайну и не подлежат передаче.';
// Every field SCO Art. 5(4) requires, as the KZ CLI gives them.
const SCO_FORM = ['--requesting-authority', 'MVD-KZ', '--requested-authority', 'MVD-RU', '--purpose', 'Расследование контрабанды', '--justification', 'Связь с делом № 17', '--assistance', 'Сведения о владельцах', '--facts', 'Курьер задержан 3 марта', '--confidentiality', 'Не разглашать'];

let w: World;
let rustam: Person, olga: Person, ayesha: Person, aigerim: Person;
let browser: Browser;
let clerkBrowser: Browser | undefined;
let kzBrowser: Browser | undefined;
let kzRequest = '';
let draftId = '';

beforeAll(async () => {
  w = await world([
    ['Sergei Volkov', 'RU'],
    ['Imran Qureshi', 'PK'],
    ['Daniyar Seitkali', 'KZ'],
  ]);
  rustam = await w.person('Rustam Ivanov', 'RU', 'contact', 'TOP SECRET');
  olga = await w.person('Olga Smirnova', 'RU', 'clerk', 'SECRET');
  ayesha = await w.person('Ayesha Khan', 'PK', 'contact', 'SECRET');
  aigerim = await w.person('Aigerim Nurlanovna', 'KZ', 'contact', 'SECRET');
  browser = await browserAs(w, rustam);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await clerkBrowser?.close();
  await kzBrowser?.close();
  await w?.close();
  if (w) rmSync(w.root, { recursive: true, force: true });
});

describe('requests and deadlines in the browser', () => {
  it('sends a request under SCO with the Art. 5(4) form: a missing field is refused naming the article, and KZ reads the form', async () => {
    const { page } = browser;
    await page.goto(`${w.hub.url}/#/compose`);
    await page.getByRole('heading', { name: 'Compose a packet' }).waitFor();
    await page.getByLabel('Agreement').selectOption('SCO');
    await page.getByRole('checkbox', { name: 'KZ' }).check();
    await page.getByLabel('Marking level').selectOption('SECRET');
    await page.getByLabel('Kind').selectOption('request');
    await page.getByRole('group', { name: 'Request form' }).waitFor();
    // The fields SCO requires are marked with the article.
    expect(await page.getByRole('group', { name: 'Request form' }).locator('.required').count()).toBe(7);
    await page.getByLabel(/^Requesting authority/).fill('MVD-RU');
    await page.getByLabel(/^Requested authority/).fill('MVD-KZ');
    await page.getByLabel(/^Purpose \(/).fill('Расследование контрабанды');
    await page.getByLabel(/^Original file/).setInputFiles(w.file('zapros-sco.txt', RU_REQUEST));
    await page.getByLabel(/Language of the original/).fill('ru');
    await page.getByRole('button', { name: 'Encrypt and send' }).click();
    const refusal = page.getByRole('alert');
    await refusal.waitFor({ timeout: 60_000 });
    expect(await refusal.textContent()).toMatch(/a request under SCO must state justification, assistanceRequested, facts, confidentiality \(SCO Art\. 5\(4\)\)/);
    await page.getByLabel(/^Justification/).fill('Связь с делом № 17');
    await page.getByLabel(/^Assistance requested/).fill('Сведения о транспортных средствах');
    await page.getByLabel(/^Facts of the case/).fill('Груз задержан на границе');
    await page.getByLabel(/^Confidentiality/).fill('Не разглашать');
    await expectAccessible(browser);
    await page.screenshot({ path: join(IMAGES, 'web-compose-request.png'), fullPage: true });
    await page.getByRole('button', { name: 'Encrypt and send' }).click();
    const done = page.locator('p[role="status"].ok');
    await done.waitFor({ timeout: 60_000 });
    const packetId = /Packet ([0-9a-f-]{36}) is submitted/.exec((await done.textContent()) ?? '')![1]!;
    // The requested party's CLI decrypts the form and finds every field SCO requires.
    const shown = JSON.parse((await ok(aigerim.run('request', 'show', packetId, '--out', mkdtempSync(join(w.root, 'kz-form-')), '--json'))).stdout) as { form: { form: Record<string, string>; missing: string[] } };
    expect(shown.form.missing).toEqual([]);
    expect(shown.form.form).toMatchObject({ agreementId: 'SCO', requestingAuthority: 'MVD-RU', requestedAuthority: 'MVD-KZ', justification: 'Связь с делом № 17', facts: 'Груз задержан на границе', confidentiality: 'Не разглашать' });
  }, 180_000);

  it('shows the deadlines that run with due, due soon and overdue, and who must act', async () => {
    const hour = 3600_000;
    // Oral requests RU made to KZ: RU must confirm in writing within 72 hours (SCO Art. 5(2)).
    for (const ago of [10, 60, 80]) await ok(aigerim.run('request', 'oral', '--agreement', 'SCO', '--from', 'RU', '--to', 'KZ', '--made-at', new Date(Date.now() - ago * hour).toISOString()));
    kzRequest = (await ok(aigerim.run('request', 'send', '--agreement', 'SCO', '--to', 'RU', '--marking', 'SECRET', '--original', w.file('kz-zapros.txt', RU_REQUEST), '--lang', 'ru', ...SCO_FORM, '--quiet'))).stdout.trim();
    const { page } = browser;
    await page.goto(`${w.hub.url}/#/requests`);
    await page.getByRole('heading', { name: 'Requests and deadlines' }).waitFor();
    const deadlines = page.locator('table', { has: page.getByRole('columnheader', { name: 'Who acts' }) });
    await deadlines.locator('tbody tr').nth(3).waitFor({ timeout: 30_000 });
    const rows = await deadlines.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')));
    const oral = rows.filter((r) => r[2] === 'written confirmation of an oral request');
    expect(oral.map((r) => r[0]).sort()).toEqual(['due', 'due soon', 'overdue']);
    expect(oral.every((r) => r[4] === 'we do' && r[6] === 'SCO Art. 5(2)')).toBe(true);
    const execution = rows.find((r) => r[2] === 'execution of a request')!;
    expect(execution[0]).toBe('due');
    expect(execution[6]).toBe('SCO Art. 6(1)');
    expect(await page.locator('.due-summary').textContent()).toMatch(/overdue 1 .*due soon 1 .*due \d+/);
    await expectAccessible(browser);
    await page.screenshot({ path: join(IMAGES, 'web-deadlines.png'), fullPage: true });
  }, 120_000);

  it('refuses a request with its written reasons by keyboard alone: a refusal packet in reply, which KZ reads', async () => {
    const { page } = browser;
    await page.goto(`${w.hub.url}/#/requests`);
    const row = page.locator('tr', { has: page.locator(`a[href="#/packet/${kzRequest}"]`) });
    await row.waitFor({ timeout: 30_000 });
    await page.locator('body').focus();
    const select = row.getByRole('combobox');
    await select.focus();
    await select.selectOption('refused');
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Change state');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /^Request .* of KZ: refused$/ }).waitFor();
    await tabTo(page, (el) => el.name === 'reasons');
    await page.keyboard.type(REASONS);
    await tabTo(page, (el) => el.name === 'reasons-lang');
    await page.keyboard.type('ru');
    await expectAccessible(browser);
    await page.screenshot({ path: join(IMAGES, 'web-refusal.png'), fullPage: true });
    await tabTo(page, (el) => el.tag === 'button' && el.text.startsWith('Sign, encrypt and send'));
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'The request is now refused.' }).waitFor({ timeout: 60_000 });
    // The requester's CLI sees the refusal pointing to a packet of kind refusal, and reads the reasons in it.
    const states = JSON.parse((await ok(aigerim.run('request', 'show', kzRequest, '--json'))).stdout) as { states: Array<{ state: string; history: Array<{ state: string; packetId?: string }> }> };
    expect(states.states[0]!.state).toBe('refused');
    const reasonsPacket = states.states[0]!.history.find((h) => h.state === 'refused')!.packetId!;
    const out = join(w.root, 'kz-reasons');
    await ok(aigerim.run('fetch', reasonsPacket, '--out', out));
    expect(readFileSync(join(out, 'refusal-ru.txt'), 'utf8')).toBe(REASONS);
    const packets = JSON.parse((await ok(aigerim.run('inbox', '--json'))).stdout) as Array<{ packetId: string; kind: string }>;
    expect(packets.find((p) => p.packetId === reasonsPacket)?.kind).toBe('refusal');
  }, 180_000);
});

describe('a clerk and a contact person on one draft', () => {
  it('the contact saves a draft without its English translation; the clerk attaches it; the contact submits; PK reads both', async () => {
    const { page } = browser;
    await page.goto(`${w.hub.url}/#/compose`);
    await page.getByLabel('Agreement').selectOption('RU-PK');
    await page.getByRole('checkbox', { name: 'PK' }).check();
    await page.getByLabel('Marking level').selectOption('SECRET');
    await page.getByLabel(/^Original file/).setInputFiles(w.file('zaderzhanie.txt', RU_DRAFT));
    await page.getByLabel(/Language of the original/).fill('ru');
    await page.getByRole('checkbox', { name: /Save as a draft/ }).check();
    await page.getByRole('button', { name: 'Encrypt and send' }).click();
    const done = page.locator('p[role="status"].ok').filter({ hasText: 'is draft' });
    await done.waitFor({ timeout: 60_000 });
    draftId = /Packet ([0-9a-f-]{36}) is draft/.exec((await done.textContent()) ?? '')![1]!;
    clerkBrowser = await browserAs(w, olga);
    const clerk = clerkBrowser.page;
    await clerk.goto(`${w.hub.url}/#/drafts`);
    await clerk.locator(`a[href="#/packet/${draftId}"]`).click();
    await clerk.getByRole('heading', { name: 'Attach a translation' }).waitFor({ timeout: 60_000 });
    await clerk.getByLabel('Translation file').setInputFiles(w.file('detained-en.txt', EN_DRAFT));
    await clerk.getByLabel('Language of the translation').fill('en');
    await expectAccessible(clerkBrowser);
    await clerk.screenshot({ path: join(IMAGES, 'web-clerk.png'), fullPage: true });
    await clerk.getByRole('button', { name: 'Attach', exact: true }).click();
    await clerk.getByRole('status').filter({ hasText: 'is draft' }).waitFor({ timeout: 60_000 });
    expect(clerkBrowser.violations).toEqual([]);
    await clerkBrowser.close();
    clerkBrowser = undefined;
    // The contact opens the completed draft (both parts verify) and submits it.
    await page.goto(`${w.hub.url}/#/packet/${draftId}`);
    await page.locator('pre.document[lang="en"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('pre.document[lang="en"]').textContent()).toBe(EN_DRAFT);
    await page.getByRole('button', { name: 'Submit', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'is submitted' }).waitFor({ timeout: 60_000 });
    const out = join(w.root, 'pk-draft');
    await ok(ayesha.run('fetch', draftId, '--out', out));
    expect(readFileSync(join(out, 'zaderzhanie.txt'), 'utf8')).toBe(RU_DRAFT);
    expect(readFileSync(join(out, 'detained-en.txt'), 'utf8')).toBe(EN_DRAFT);
  }, 240_000);
});

describe('a colleague enrolled later', () => {
  it('is listed as waiting for earlier packets, and the browser re-wraps them: the colleague then reads them', async () => {
    const nikolai = await w.person('Nikolai Petrov', 'RU', 'contact', 'SECRET');
    // Sent before Nikolai was enrolled: not encrypted to his key.
    expect((await nikolai.run('fetch', draftId, '--out', join(w.root, 'nikolai-early'))).code).not.toBe(0);
    const { page } = browser;
    await page.goto(`${w.hub.url}/#/colleagues`);
    await page.getByRole('heading', { name: 'Colleagues waiting for earlier packets' }).waitFor();
    const row = page.locator('tr', { has: page.getByRole('cell', { name: 'Nikolai Petrov', exact: true }) });
    await row.waitFor({ timeout: 30_000 });
    expect(Number.parseInt((await row.locator('td').nth(2).textContent()) ?? '0', 10)).toBeGreaterThan(0);
    await expectAccessible(browser);
    await row.getByRole('button', { name: /Re-wrap for/ }).click();
    await page.getByRole('status').filter({ hasText: /Re-wrapped [1-9]\d* packet\(s\) for Nikolai Petrov; 0 skipped/ }).waitFor({ timeout: 120_000 });
    // The count is read again from the hub after the status line: wait for the refreshed row, not the first paint.
    await expect.poll(async () => row.locator('td').nth(2).textContent(), { timeout: 30_000 }).toBe('0');
    const out = join(w.root, 'nikolai-late');
    await ok(nikolai.run('fetch', draftId, '--out', out));
    expect(readFileSync(join(out, 'detained-en.txt'), 'utf8')).toBe(EN_DRAFT);
  }, 240_000);
});

describe('a third party in the browser', () => {
  it('sees the terms it received the packet under, verified against the originating officer', async () => {
    const [sergei] = w.officers;
    const releaseId = (await ok(ayesha.run('release', 'request', draftId, '--to', 'KZ', '--purpose', 'Kazakh leg of the courier network'))).stdout.trim();
    await ok(sergei!.run('release', 'consent', releaseId, '--to', 'KZ', '--conditions', 'Для оперативного использования, не в качестве доказательства'));
    await ok(ayesha.run('release', 'execute', releaseId));
    kzBrowser = await browserAs(w, aigerim);
    const page = kzBrowser.page;
    await page.goto(`${w.hub.url}/#/packet/${draftId}`);
    const terms = page.locator('section.received-under');
    await terms.waitFor({ timeout: 60_000 });
    expect(await terms.locator('pre').textContent()).toMatch(/Released to KZ with the written consent of RU \(signed by its officer Sergei Volkov .*\) for "Kazakh leg of the courier network"\.\nConditions: Для оперативного использования, не в качестве доказательства/);
    expect(await terms.locator('p.ok').textContent()).toBe('Verified in this browser: signed by Sergei Volkov, a vouched-for officer of RU.');
    // Every receipt verifies here, the third party's own retrieval receipt included; the clerk's revision is named.
    expect(await page.locator('table', { has: page.getByRole('columnheader', { name: 'Receipt' }) }).locator('td.bad').count()).toBe(0);
    expect(await page.locator('dl.facts').textContent()).toMatch(/Rustam Ivanov \(RU\).*Revision 2 signed byOlga Smirnova/);
    // The release history shows the same terms with the signer verified.
    expect(await page.getByRole('cell', { name: 'Sergei Volkov (verified)' }).count()).toBe(1);
    await expectAccessible(kzBrowser);
    await page.screenshot({ path: join(IMAGES, 'web-third-party.png'), fullPage: true });
    expect(kzBrowser.violations).toEqual([]);
    await kzBrowser.close();
    kzBrowser = undefined;
  }, 240_000);
});

describe('evidence in the browser', () => {
  it('downloads an evidence bundle only after verifying it', async () => {
    const { page } = browser;
    await page.goto(`${w.hub.url}/#/packet/${kzRequest}`);
    await page.getByRole('button', { name: /Download the evidence bundle/ }).waitFor({ timeout: 60_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Download the evidence bundle/ }).click()]);
    const path = join(w.root, 'evidence.json');
    await download.saveAs(path);
    const bundle = JSON.parse(readFileSync(path, 'utf8')) as { format: string; packetId: string; receipts: unknown[] };
    expect(bundle.packetId).toBe(kzRequest);
    expect(bundle.receipts.length).toBeGreaterThan(0);
    expect(await page.locator('ul.evidence-lines').textContent()).toMatch(/hub [0-9A-F]{40}; checkpoint of \d+ events/);
  }, 120_000);

  it('keeps the audit checkpoint in the browser and, on a later visit, refuses by name a hub that rewrites its history', async () => {
    const { page } = browser;
    const relogin = async () => {
      await page.goto(`${w.hub.url}/#/inbox`);
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Inbox' }).waitFor({ timeout: 30_000 });
    };
    await relogin();
    await page.goto(`${w.hub.url}/#/evidence`);
    await page.getByRole('heading', { name: 'The hub’s audit log' }).waitFor();
    expect(await page.locator('p.ok').textContent()).toMatch(/the log extends every checkpoint kept in this browser/);
    const keptBefore = await page.locator('table tbody tr').count();
    expect(keptBefore).toBeGreaterThanOrEqual(2);
    await expectAccessible(browser);
    await page.screenshot({ path: join(IMAGES, 'web-audit.png'), fullPage: true });
    // The hub now answers with a log whose proofs do not extend what this browser kept.
    w.hub.rewrite = (path, body) => {
      if (path.split('?')[0] === '/v1/audit' && body && typeof body === 'object') {
        const data = body as { consistency: Array<{ fromSize: number; proof: string[] }> };
        return { ...data, consistency: data.consistency.map((c) => ({ ...c, proof: c.proof.map(() => '0'.repeat(64)) })) };
      }
      return body;
    };
    await relogin();
    const alarm = page.locator('.audit-alarm');
    await alarm.waitFor({ timeout: 30_000 });
    expect(await alarm.textContent()).toMatch(/The hub’s history does not hold: the hub's audit log does not extend what this browser kept: the log does not extend the kept checkpoint of \d+ events signed at .*: rewritten, or an older database restored/);
    await page.goto(`${w.hub.url}/#/evidence`);
    await page.getByRole('button', { name: 'Check the audit log now' }).click();
    await page.locator('p.bad').filter({ hasText: 'rewritten' }).waitFor({ timeout: 30_000 });
    // Nothing the lying hub said was kept.
    expect(await page.locator('table tbody tr').count()).toBe(keptBefore);
    w.hub.rewrite = undefined;
    await page.getByRole('button', { name: 'Check the audit log now' }).click();
    await page.locator('p.ok').filter({ hasText: 'extends every checkpoint' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('.audit-alarm').count()).toBe(0);
  }, 180_000);

  it('reported no CSP violation and no page error, and left no plaintext on the hub', async () => {
    expect(browser.violations).toEqual([]);
    expect(await pageViolations(browser.page)).toEqual([]);
    const needle = Buffer.from(CANARY, 'utf8');
    const hits: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (readFileSync(path).includes(needle)) hits.push(path);
      }
    };
    walk(w.dataDir);
    expect(hits).toEqual([]);
  });
});
