/**
 * Oral requests in real Chromium against a real hub, beside the real CLI (the
 * CLI's `request oral`, `demand-confirmation`, `confirm-oral`): a contact records an urgent
 * request made orally under SCO, which the requested party's CLI lists with its 72-hour deadline
 * (SCO Art. 5(2)); as the requested party under RU-PK, where written confirmation is given on
 * demand (Art. 5), the browser demands it by keyboard alone, and the requesting party's CLI sees
 * the demand; the written request is then linked as the confirmation, which the other side's CLI
 * sees. A delay in executing a request (SCO Art. 6(2); `liaison request delay`) is notified by
 * its written notice, sent as an information packet in reply, which the requesting CLI reads.
 * Authenticity (SCO Art. 5(3)): the browser asks KZ to confirm a packet, KZ's CLI confirms, and the
 * browser verifies the answer itself; KZ's CLI asks about a packet of RU, the browser signs the
 * confirmation, and KZ's CLI verifies it. Use for another purpose (SCO Art. 7(2)): the browser asks
 * KZ's consent, KZ's officer consents with the CLI, and the browser's release history shows it.
 * axe-core on the page, in English and Russian; no CSP violation, no page error.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OralRequestView } from '../../protocol/requests.ts';
import type { Person } from '../../scripts/harness.ts';
import { pageViolations, tabTo, type Browser } from '../helpers/browser.ts';
import { CANARY } from '../helpers/world.ts';
import { browserAs, expectAccessible, IMAGES, ok, world, type World } from './support.ts';

const RU_REQUEST = `Запрос о правовой помощи, подтверждающий устный запрос. Просим сообщить сведения о владельцах транспортных средств и маршрутах их движения. ${CANARY}\n`;
const SCO_FORM = ['--requesting-authority', 'MVD-RU', '--requested-authority', 'MVD-KZ', '--purpose', 'Расследование контрабанды', '--justification', 'Связь с делом № 17', '--assistance', 'Сведения о владельцах', '--facts', 'Курьер задержан 3 марта', '--confidentiality', 'Не разглашать'];

const KZ_FORM = ['--requesting-authority', 'MVD-KZ', '--requested-authority', 'MVD-RU', '--purpose', 'Расследование контрабанды', '--justification', 'Связь с делом № 17', '--assistance', 'Сведения о владельцах', '--facts', 'Курьер задержан 3 марта', '--confidentiality', 'Не разглашать'];
const DELAY_NOTICE = `Исполнение запроса задерживается: необходимые сведения будут получены из архива не ранее чем через две недели. ${CANARY}`;

let w: World;
let rustam: Person, aigerim: Person, ayesha: Person;
let browser: Browser;
let scoOral = '';
let fromKz = '';

const oralList = async (p: Person) => JSON.parse((await ok(p.run('request', 'oral-list', '--json'))).stdout) as OralRequestView[];

beforeAll(async () => {
  w = await world([
    ['Sergei Volkov', 'RU'],
    ['Imran Qureshi', 'PK'],
    ['Daniyar Seitkali', 'KZ'],
  ]);
  rustam = await w.person('Rustam Ivanov', 'RU', 'contact', 'SECRET');
  aigerim = await w.person('Aigerim Nurlanovna', 'KZ', 'contact', 'SECRET');
  ayesha = await w.person('Ayesha Khan', 'PK', 'contact', 'SECRET');
  browser = await browserAs(w, rustam);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await w?.close();
  if (w) rmSync(w.root, { recursive: true, force: true });
});

async function openRequests(): Promise<void> {
  const { page } = browser;
  await page.goto(`${w.hub.url}/#/inbox`);
  await page.goto(`${w.hub.url}/#/requests`);
  await page.getByRole('heading', { name: 'Oral requests' }).waitFor();
}

describe('oral requests, delay notices and authenticity in the browser', () => {
  it('records an oral request under SCO made two hours ago; the requested party sees it with its 72-hour deadline', async () => {
    await openRequests();
    const { page } = browser;
    const form = page.getByRole('form', { name: 'Record an oral request' });
    await form.getByLabel('Agreement').selectOption('SCO');
    await form.getByLabel('Requesting party').selectOption('RU');
    await form.getByLabel('Requested party').selectOption('KZ');
    const madeAt = new Date(Date.now() - 2 * 3600_000);
    const local = new Date(madeAt.getTime() - madeAt.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await form.getByLabel(/Made at/).fill(local);
    await form.getByRole('button', { name: 'Record oral request' }).click();
    const status = page.getByRole('status').filter({ hasText: /Oral request .* recorded \(SCO Art\. 5\(2\)\)/ });
    await status.waitFor({ timeout: 30_000 });
    scoOral = /Oral request (\S+) recorded/.exec((await status.textContent()) ?? '')![1]!;
    const row = page.locator('tbody tr', { hasText: scoOral });
    expect(await row.textContent()).toContain('awaiting written confirmation');
    await expectAccessible(browser);

    const seen = (await oralList(aigerim)).find((o) => o.id === scoOral)!;
    expect(seen).toMatchObject({ agreementId: 'SCO', requestingParty: 'RU', requestedParty: 'KZ', article: 'SCO Art. 5(2)', confirmation: 'within-deadline' });
    expect(Math.abs(new Date(seen.madeAt).getTime() - madeAt.getTime())).toBeLessThan(60_000);
    expect(new Date(seen.dueAt!).getTime() - new Date(seen.madeAt).getTime()).toBe(72 * 3600_000);
  }, 120_000);

  it('as the requested party under RU-PK, demands written confirmation with the keyboard alone; the requesting CLI sees the demand', async () => {
    const recorded = JSON.parse((await ok(ayesha.run('request', 'oral', '--agreement', 'RU-PK', '--from', 'PK', '--to', 'RU', '--json'))).stdout) as OralRequestView;
    await openRequests();
    const { page } = browser;
    const row = page.locator('tbody tr', { hasText: recorded.id });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain('written confirmation on demand');
    await page.locator('body').focus();
    await tabTo(page, (el) => el.tag === 'button' && el.text === 'Demand written confirmation', 120);
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: `Written confirmation of oral request ${recorded.id} demanded.` }).waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain('written confirmation demanded');
    expect(await row.getByRole('button', { name: 'Demand written confirmation' }).count()).toBe(0);
    const seen = (await oralList(ayesha)).find((o) => o.id === recorded.id)!;
    expect(seen.demandedAt).toBeDefined();
    expect(seen.article).toBe('RU-PK Art. 5');
  }, 120_000);

  it('links the written request as the confirmation of the SCO oral request; the requested party sees it confirmed', async () => {
    const written = (await ok(rustam.run('request', 'send', '--agreement', 'SCO', '--to', 'KZ', '--marking', 'SECRET', '--original', w.file('zapros-oral.txt', RU_REQUEST), '--lang', 'ru', ...SCO_FORM, '--quiet'))).stdout.trim();
    await openRequests();
    const { page } = browser;
    const row = page.locator('tbody tr', { hasText: scoOral });
    await row.getByLabel('Written request (packet id)').fill(written);
    await row.getByRole('button', { name: 'Link as confirmation' }).click();
    await page.getByRole('status').filter({ hasText: `Oral request ${scoOral} is confirmed in writing.` }).waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain('confirmed in writing by');
    expect(await row.getByRole('link').getAttribute('href')).toBe(`#/packet/${written}`);
    const seen = (await oralList(aigerim)).find((o) => o.id === scoOral)!;
    expect(seen.confirmedBy).toBe(written);

    // A packet that is not a written request of RU is refused by the hub, in its words.
    const again = JSON.parse((await ok(ayesha.run('request', 'oral', '--agreement', 'RU-PK', '--from', 'RU', '--to', 'PK', '--json'))).stdout) as OralRequestView;
    await openRequests();
    const other = page.locator('tbody tr', { hasText: again.id });
    await other.getByLabel('Written request (packet id)').fill(written);
    await other.getByRole('button', { name: 'Link as confirmation' }).click();
    await page.getByRole('alert').waitFor({ timeout: 30_000 });
    expect(await other.textContent()).not.toContain('confirmed in writing by');
  }, 180_000);

  it('notifies a delay in executing a request received from KZ with a written notice, which the KZ CLI reads', async () => {
    const requestId = (await ok(aigerim.run('request', 'send', '--agreement', 'SCO', '--to', 'RU', '--marking', 'SECRET', '--original', w.file('kz-zapros.txt', RU_REQUEST), '--lang', 'ru', ...KZ_FORM, '--quiet'))).stdout.trim();
    await openRequests();
    const { page } = browser;
    const row = page.locator('tbody tr', { hasText: requestId });
    await row.getByRole('button', { name: 'Notify a delay' }).click();
    const form = page.getByRole('form', { name: /delay in execution/ });
    await form.getByLabel('Written notice').fill(DELAY_NOTICE);
    await form.getByLabel(/Language of the text/).fill('ru');
    await expectAccessible(browser);
    await form.getByRole('button', { name: 'Sign, encrypt and send the notice' }).click();
    const status = page.getByRole('status').filter({ hasText: /The delay is notified in writing; the notice is packet [0-9a-f-]{36}\./ });
    await status.waitFor({ timeout: 60_000 });
    const notice = /packet ([0-9a-f-]{36})/.exec((await status.textContent()) ?? '')![1]!;
    expect(await row.textContent()).toContain('delay notified');
    // The requesting party's CLI sees the delay and reads the notice, in reply to its request.
    const listed = JSON.parse((await ok(aigerim.run('request', 'list', '--json'))).stdout) as Array<{ packetId: string; delayNotifiedAt?: string }>;
    expect(listed.find((r) => r.packetId === requestId)?.delayNotifiedAt).toBeDefined();
    const out = join(w.root, 'kz-delay');
    const fetched = (await ok(aigerim.run('fetch', notice, '--out', out, '--json', '--quiet'))).stdout;
    expect(readFileSync(join(out, 'delay-notice-ru.txt'), 'utf8')).toBe(DELAY_NOTICE);
    expect(fetched).toContain('Rustam Ivanov (RU)');
    // An information packet (the hub accepts a delay notice only as one, in reply to the request).
    const information = JSON.parse((await ok(aigerim.run('inbox', '--kind', 'information', '--json'))).stdout) as Array<{ packetId: string }>;
    expect(information.map((p) => p.packetId)).toContain(notice);
  }, 180_000);

  it('asks KZ to confirm a packet KZ sent, and verifies the confirmation in the browser', async () => {
    const packetId = (await ok(aigerim.run('send', '--agreement', 'SCO', '--to', 'RU', '--marking', 'SECRET', '--original', w.file('kz-info.txt', RU_REQUEST), '--lang', 'ru', '--quiet'))).stdout.trim();
    fromKz = packetId;
    const { page } = browser;
    await page.goto(`${w.hub.url}/#/inbox`);
    await page.goto(`${w.hub.url}/#/packet/${packetId}`);
    const section = page.getByRole('region', { name: 'Authenticity' });
    await section.getByRole('button', { name: 'Ask the sender to confirm authenticity' }).click({ timeout: 90_000 });
    await section.getByRole('status').filter({ hasText: 'Asked KZ to confirm this packet (SCO Art. 5(3))' }).waitFor({ timeout: 30_000 });
    expect(await section.textContent()).toContain('awaiting the answer of KZ');
    const asked = JSON.parse((await ok(aigerim.run('authenticity', 'list', packetId, '--json'))).stdout) as Array<{ id: string; requestingParty: string }>;
    expect(asked).toHaveLength(1);
    expect(asked[0]!.requestingParty).toBe('RU');
    await ok(aigerim.run('authenticity', 'confirm', asked[0]!.id, '--packet', packetId));
    await page.goto(`${w.hub.url}/#/inbox`);
    await page.goto(`${w.hub.url}/#/packet/${packetId}`);
    await section.locator('.ok').filter({ hasText: 'Verified in this browser: confirmed by Aigerim Nurlanovna' }).waitFor({ timeout: 90_000 });
    await expectAccessible(browser);
    await section.screenshot({ path: join(IMAGES, 'web-authenticity.png') });
  }, 180_000);

  it('confirms, as the sender, a packet of RU that KZ doubts; the KZ CLI verifies the signed confirmation', async () => {
    const packetId = (await ok(rustam.run('send', '--agreement', 'SCO', '--to', 'KZ', '--marking', 'SECRET', '--original', w.file('ru-info.txt', RU_REQUEST), '--lang', 'ru', '--quiet'))).stdout.trim();
    const askedId = (await ok(aigerim.run('authenticity', 'ask', packetId))).stdout.trim();
    const { page } = browser;
    await page.goto(`${w.hub.url}/#/inbox`);
    await page.goto(`${w.hub.url}/#/packet/${packetId}`);
    const section = page.getByRole('region', { name: 'Authenticity' });
    // The sender does not ask about its own packet; it answers.
    expect(await section.getByRole('button', { name: 'Ask the sender to confirm authenticity' }).count()).toBe(0);
    await section.getByRole('button', { name: 'Confirm this packet is ours' }).click({ timeout: 90_000 });
    await section.getByRole('status').filter({ hasText: 'Confirmation signed and sent' }).waitFor({ timeout: 30_000 });
    expect(await section.locator('pre').textContent()).toContain(`packet:    ${packetId}`);
    const checked = await ok(aigerim.run('authenticity', 'check', askedId));
    expect(checked.stdout).toMatch(/Authentic: confirmed by Rustam Ivanov/);
  }, 180_000);

  it('asks KZ consent to use its packet for another purpose (SCO Art. 7(2)); the KZ officer consents and the browser shows it', async () => {
    const { page } = browser;
    await page.goto(`${w.hub.url}/#/inbox`);
    await page.goto(`${w.hub.url}/#/packet/${fromKz}`);
    const form = page.getByRole('form', { name: 'Another use of this packet' });
    await form.getByLabel('The other use').fill('Использование в отдельном таможенном деле', { timeout: 90_000 });
    await form.getByRole('button', { name: 'Ask the originator’s consent' }).click();
    await page.getByRole('status').filter({ hasText: 'Consent asked; KZ’s security officer decides' }).waitFor({ timeout: 60_000 });
    const listed = JSON.parse((await ok(aigerim.run('purpose', 'list', fromKz, '--json'))).stdout) as Array<{ id: string; purpose: string; thirdParty: string; state: string }>;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ purpose: 'Использование в отдельном таможенном деле', thirdParty: 'RU', state: 'requested' });
    const kzOfficer = w.officers.find((o) => o.party === 'KZ')!;
    await ok(kzOfficer.run('release', 'consent', listed[0]!.id, '--to', 'RU', '--conditions', 'Только для таможенного дела'));
    await page.goto(`${w.hub.url}/#/inbox`);
    await page.goto(`${w.hub.url}/#/packet/${fromKz}`);
    const history = page.locator('table', { has: page.getByRole('columnheader', { name: /Purpose/ }) });
    await history.locator('tbody tr', { hasText: 'Использование в отдельном таможенном деле' }).filter({ hasText: 'consented' }).waitFor({ timeout: 90_000 });
    await expectAccessible(browser);
  }, 180_000);

  it('reads in Russian, and is accessible in both languages', async () => {
    const { page } = browser;
    await openRequests();
    await page.getByLabel('Language').selectOption('ru');
    await page.getByRole('heading', { name: 'Устные запросы' }).waitFor();
    await page.getByRole('button', { name: 'Зарегистрировать устный запрос' }).waitFor();
    await expectAccessible(browser);
    await page.screenshot({ path: join(IMAGES, 'web-oral-ru.png'), fullPage: true });
    await page.getByLabel('Язык').selectOption('en');
  }, 60_000);

  it('reported no CSP violation and no page error during the whole run', async () => {
    expect(browser.violations).toEqual([]);
    expect(await pageViolations(browser.page)).toEqual([]);
  });
});
