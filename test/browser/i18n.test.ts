/**
 * Refusals in Russian, in real Chromium against a real hub: with the interface switched to Russian,
 * the refusals of the shared core (an incomplete packet, a "translation" in the wrong language,
 * both naming their article; a key the hub lists without a statement chaining to a pinned officer)
 * and of the hub (an oral request between a party and itself, refused under the agreement; one
 * recorded for two other parties, forbidden) are worded in Russian from their stable codes, the
 * article cited as Russian legal text cites it, the hub's own words quoted inside a Russian
 * sentence. The English sentence of the same refusal does not appear.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePersonKey } from '../../keys/identity.ts';
import type { Person } from '../../scripts/harness.ts';
import { pageViolations, type Browser } from '../helpers/browser.ts';
import { CANARY } from '../helpers/world.ts';
import { browserAs, expectAccessible, ok, world, type World } from './support.ts';

const RU = `Запрос о правовой помощи. Просим установить владельцев банковских счетов и сообщить сведения о движении денежных средств за последние три года. ${CANARY}\n`;
const EN = `Request for legal assistance. Please identify the holders of the bank accounts and report the movements of funds over the last three years. ${CANARY}\n`;

let w: World;
let ivan: Person;
let browser: Browser;

beforeAll(async () => {
  w = await world([
    ['Sergei Volkov', 'RU'],
    ['Imran Qureshi', 'PK'],
  ]);
  ivan = await w.person('Ivan Petrov', 'RU', 'contact', 'SECRET');
  await w.person('Ayesha Khan', 'PK', 'contact', 'SECRET');
  browser = await browserAs(w, ivan);
  await browser.page.getByLabel('Language').selectOption('ru');
  await browser.page.getByRole('heading', { name: 'Входящие' }).waitFor();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await w?.close();
  if (w) rmSync(w.root, { recursive: true, force: true });
});

/** The text of the refusal shown after `action`, once it contains `pattern`. */
async function refusal(action: () => Promise<void>, pattern: RegExp): Promise<string> {
  await action();
  const alert = browser.page.getByRole('alert').filter({ hasText: pattern });
  await alert.waitFor({ timeout: 60_000 });
  return (await alert.textContent()) ?? '';
}

async function compose(): Promise<void> {
  const { page } = browser;
  await page.goto(`${w.hub.url}/#/inbox`);
  await page.goto(`${w.hub.url}/#/compose`);
  await page.getByRole('heading', { name: 'Новый пакет' }).waitFor();
  await page.getByLabel('Соглашение', { exact: true }).selectOption('RU-PK');
  await page.getByRole('checkbox', { name: 'PK' }).check();
  await page.getByLabel('Уровень грифа').selectOption('SECRET');
  await page.getByLabel('Файл оригинала').setInputFiles(w.file('zapros.txt', RU));
  await page.getByLabel(/Язык оригинала/).fill('ru');
}

const send = () => browser.page.getByRole('button', { name: 'Зашифровать и отправить' }).click();

describe('refusals in the Russian interface', () => {
  it('words the core’s refusals of an incomplete packet and of a wrong-language translation in Russian, with the article', async () => {
    await compose();
    const incomplete = await refusal(send, /пакет неполон/);
    expect(incomplete).toContain('Отказ: пакет неполон: отсутствует обязательный перевод: en (ст. 6 соглашения RU-PK); добавьте перевод или сохраните пакет как черновик');
    expect(incomplete).not.toMatch(/incomplete|is required|RU-PK Art\./);

    const { page } = browser;
    await page.getByRole('button', { name: 'Добавить перевод' }).click();
    await page.getByLabel('Файл перевода').setInputFiles(w.file('fake-en.txt', RU));
    await page.getByLabel('Язык перевода').fill('en');
    const wrong = await refusal(send, /заявлен на языке en/);
    expect(wrong).toMatch(/перевод fake-en\.txt заявлен на языке en, но текст написан на языке ru \(ст\. \d+(\(\d+\))? соглашения RU-PK\)/);
    expect(wrong).not.toMatch(/is not in en|reads as|Art\./);
    await expectAccessible(browser);
  }, 240_000);

  it('words the refusal of a key the hub lists without a statement chaining to a pinned officer in Russian', async () => {
    const injected = await generatePersonKey({ name: 'Injected Listener', passphrase: 'irrelevant passphrase', date: new Date() });
    w.hub.rewrite = (path, body) => {
      const page = body as { items?: unknown[] } | undefined;
      if (path.split('?')[0] === '/v1/parties/PK/members' && page && Array.isArray(page.items)) {
        const template = page.items[0] as Record<string, unknown>;
        return { ...page, items: [...page.items, { ...template, fingerprint: injected.fingerprint, name: 'Injected Listener', publicKey: injected.armoredPublicKey, roles: ['contact'], clearance: 'SECRET', statement: undefined, statementSignature: undefined }] };
      }
      return body;
    };
    try {
      await compose();
      await browser.page.getByRole('button', { name: 'Добавить перевод' }).click();
      await browser.page.getByLabel('Файл перевода').setInputFiles(w.file('request-en.txt', EN));
      await browser.page.getByLabel('Язык перевода').fill('en');
      const refused = await refusal(send, new RegExp(injected.fingerprint));
      expect(refused).toContain(`ключ ${injected.fingerprint}, указанный для стороны PK, не имеет заявления о членстве и не является ключом закреплённого офицера; в доверии отказано`);
      expect(refused).not.toMatch(/membership statement|refusing to trust/);
    } finally {
      w.hub.rewrite = undefined;
    }
  }, 240_000);

  it('frames the hub’s refusals in Russian by their problem code, quoting the hub, with the article in Russian', async () => {
    const { page } = browser;
    await page.goto(`${w.hub.url}/#/inbox`);
    await page.goto(`${w.hub.url}/#/requests`);
    await page.getByRole('heading', { name: 'Устные запросы' }).waitFor();
    const form = page.getByRole('form', { name: 'Зарегистрировать устный запрос' });
    const record = () => form.getByRole('button', { name: 'Зарегистрировать устный запрос' }).click();

    // A party cannot make an oral request to itself: the hub refuses under RU-PK Art. 5 (treaty-rule).
    await form.getByLabel('Соглашение').selectOption('RU-PK');
    await form.getByLabel('Запрашивающая сторона').selectOption('RU');
    await form.getByLabel('Запрашиваемая сторона').selectOption('RU');
    const itself = await refusal(record, /Отказано в соответствии с соглашением/);
    expect(itself).toContain('Отказ: Отказано в соответствии с соглашением: «an oral request goes between two different parties of RU-PK»');
    expect(itself).toContain('Основание: ст. 5 соглашения RU-PK');
    expect(itself).not.toMatch(/Refused under the agreement|Article:|RU-PK Art\./);

    // RU records an oral request between two other parties of SCO: the hub forbids it (forbidden, no article).
    await form.getByLabel('Соглашение').selectOption('SCO');
    await form.getByLabel('Запрашивающая сторона').selectOption('KZ');
    await form.getByLabel('Запрашиваемая сторона').selectOption('CN');
    const others = await refusal(record, /Хаб не разрешает это действие/);
    expect(others).toContain('Отказ: Хаб не разрешает это действие: «an oral request is recorded by one of its two parties»');
    expect(others).not.toMatch(/This action is not permitted|Основание/);
    await expectAccessible(browser);
  }, 180_000);

  it('reported no CSP violation and no page error during the whole run', async () => {
    expect(browser.violations).toEqual([]);
    expect(await pageViolations(browser.page)).toEqual([]);
  });
});
