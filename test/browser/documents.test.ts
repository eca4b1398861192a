/**
 * DOCX and PDF parts in real Chromium against a real hub: the browser's worker
 * reads their text with the code the CLI runs (client/core/documents.ts: mammoth and pdf.js in the
 * worker's own thread, loaded only when a document is checked), refuses a DOCX or PDF
 * "translation" in the wrong language naming the article, accepts the right-language ones, says
 * why a damaged document went unchecked, and the CLI recipient fetches and checks them again.
 * No CSP violation (no eval, nothing fetched from elsewhere) and no page error during the run.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../../scripts/harness.ts';
import { pageViolations, type Browser } from '../helpers/browser.ts';
import { CANARY } from '../helpers/world.ts';
import { makeDocx, makePdf } from '../stamp/fixtures.ts';
import { browserAs, expectAccessible, IMAGES, ok, world, type World } from './support.ts';

const RU = `Генеральная прокуратура Российской Федерации просит установить владельцев банковских счетов, на которые поступили средства от продажи наркотических средств, и сообщить сведения о движении денежных средств за последние три года. ${CANARY}`;
const EN = `The Prosecutor General of the Russian Federation asks the competent authorities to identify the holders of the bank accounts that received the proceeds of the sale of narcotic drugs, and to report the movements of funds over the last three years. ${CANARY}`;

let w: World;
let ivan: Person, ayesha: Person;
let browser: Browser;
/** Every script the page and its worker loaded, in order. */
const loaded: string[] = [];

function save(name: string, bytes: Uint8Array): string {
  const path = join(w.root, name);
  writeFileSync(path, bytes);
  return path;
}

beforeAll(async () => {
  w = await world([
    ['Sergei Volkov', 'RU'],
    ['Imran Qureshi', 'PK'],
  ]);
  ivan = await w.person('Ivan Petrov', 'RU', 'contact', 'SECRET');
  ayesha = await w.person('Ayesha Khan', 'PK', 'contact', 'SECRET');
  browser = await browserAs(w, ivan);
  browser.context.on('request', (r) => {
    if (r.resourceType() === 'script' || r.url().endsWith('.js')) loaded.push(new URL(r.url()).pathname);
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await w?.close();
  if (w) rmSync(w.root, { recursive: true, force: true });
});

async function compose(original: string, lang: string): Promise<void> {
  const { page } = browser;
  await page.goto(`${w.hub.url}/#/compose`);
  await page.getByRole('heading', { name: 'Compose a packet' }).waitFor();
  await page.getByLabel('Agreement').selectOption('RU-PK');
  await page.getByRole('checkbox', { name: 'PK' }).check();
  await page.getByLabel('Marking level').selectOption('SECRET');
  await page.getByLabel('Original file').setInputFiles(original);
  await page.getByLabel(/Language of the original/).fill(lang);
  // The page keeps the form between packets: one translation field is enough.
  if ((await page.getByLabel('Language of the translation').count()) === 0) await page.getByRole('button', { name: 'Add a translation' }).click();
  await page.getByLabel('Language of the translation').fill('en');
}

async function sendExpecting(pattern: RegExp): Promise<string> {
  const { page } = browser;
  await page.getByRole('button', { name: 'Encrypt and send' }).click();
  const shown = page.locator('[role="alert"], p[role="status"].ok').filter({ hasText: pattern });
  await shown.waitFor({ timeout: 90_000 });
  return (await shown.textContent()) ?? '';
}

describe('DOCX and PDF parts in the browser', () => {
  it('loads mammoth and pdf.js only when a document part is checked', async () => {
    // Logged in, on the inbox: the worker runs, no document library has been fetched.
    expect(loaded.some((p) => /mammoth|pdf/.test(p))).toBe(false);
    await compose(save('notice.txt', new TextEncoder().encode(RU)), 'ru');
    await browser.page.getByLabel('Translation file').setInputFiles(save('notice-en.txt', new TextEncoder().encode(EN)));
    await sendExpecting(/is submitted/);
    expect(loaded.filter((p) => /mammoth|pdf/.test(p))).toEqual([]);
    // franc's models too come only with the first check.
    expect(loaded.some((p) => /^\/assets\/language-[\w-]+\.js$/.test(p))).toBe(true);
  }, 180_000);

  it('refuses a PDF and a DOCX "translation" whose text is Russian, naming the article, and sends the right ones', async () => {
    const docxRu = save('zapros.docx', await makeDocx(RU));
    await compose(docxRu, 'ru');
    const { page } = browser;
    await page.getByLabel('Translation file').setInputFiles(save('fake-en.pdf', await makePdf(RU, 1, 'latin')));
    expect(await sendExpecting(/is not in en/)).toContain('the en translation fake-en.pdf is not in en: the text reads as ru (RU-PK Art. 6)');
    await page.getByLabel('Translation file').setInputFiles(save('fake-en.docx', await makeDocx(RU)));
    expect(await sendExpecting(/is not in en/)).toContain('the en translation fake-en.docx is not in en: the text reads as ru (RU-PK Art. 6)');
    // mammoth and pdf.js came as chunks of our own origin, fetched by the worker when a document was read.
    expect(loaded.some((p) => /^\/assets\/mammoth-[\w-]+\.js$/.test(p))).toBe(true);
    expect(loaded.some((p) => /^\/assets\/pdf\.worker-[\w-]+\.js$/.test(p))).toBe(true);

    const pdfEn = save('request-en.pdf', await makePdf(EN, 2, 'latin'));
    await page.getByLabel('Translation file').setInputFiles(pdfEn);
    await browser.page.screenshot({ path: join(IMAGES, 'web-compose-documents.png'), fullPage: true });
    const sent = await sendExpecting(/is submitted/);
    expect(sent).toContain('zapros.docx: language ru confirmed');
    expect(sent).toContain('request-en.pdf: language en confirmed');
    const first = /Packet ([0-9a-f-]{36}) is submitted/.exec(sent)![1]!;

    // The other way round: a Russian PDF original with an English DOCX translation.
    await compose(save('zapros.pdf', await makePdf(RU, 1, 'latin')), 'ru');
    const docxEn = save('request-en.docx', await makeDocx(EN));
    await page.getByLabel('Translation file').setInputFiles(docxEn);
    const second = /Packet ([0-9a-f-]{36}) is submitted/.exec(await sendExpecting(/is submitted/))![1]!;
    await expectAccessible(browser);

    // The CLI recipient fetches both, checks each part's language again (no warning) and has the very bytes.
    for (const [id, files] of [
      [first, { 'zapros.docx': docxRu, 'request-en.pdf': pdfEn }],
      [second, { 'request-en.docx': docxEn }],
    ] as const) {
      const out = join(w.root, `ayesha-${id}`);
      const fetched = await ok(ayesha.run('fetch', id, '--out', out));
      expect(fetched.stdout + fetched.stderr).not.toMatch(/warning: .*declared/);
      for (const [name, path] of Object.entries(files)) expect(readFileSync(join(out, name)).equals(readFileSync(path))).toBe(true);
    }
  }, 400_000);

  it('says why a damaged PDF went unchecked instead of a guess, and the CLI says the same', async () => {
    const broken = save('broken-en.pdf', new TextEncoder().encode(`%PDF-1.4\nthis is not really a PDF ${CANARY}\n`));
    await compose(save('zapros2.docx', await makeDocx(RU)), 'ru');
    await browser.page.getByLabel('Translation file').setInputFiles(broken);
    const sent = await sendExpecting(/is submitted/);
    expect(sent).toContain('broken-en.pdf: language not checked (the PDF could not be read: it is not a valid PDF)');
    const cli = await ok(ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', join(w.root, 'zapros2.docx'), '--lang', 'ru', '--translation', `en:${broken}`));
    expect(cli.stdout + cli.stderr).toContain('broken-en.pdf: language not checked (the PDF could not be read: it is not a valid PDF)');
  }, 180_000);

  it('opens a packet with DOCX and PDF parts sent by the CLI, and checks their language on the way in', async () => {
    const id = (await ok(ayesha.run('send', '--agreement', 'RU-PK', '--to', 'RU', '--marking', 'SECRET', '--original', save('reply-en.pdf', await makePdf(EN, 1, 'latin')), '--lang', 'en', '--quiet'))).stdout.trim();
    const { page } = browser;
    await page.goto(`${w.hub.url}/#/packet/${id}`);
    await page.getByRole('link', { name: 'Save reply-en.pdf' }).waitFor({ timeout: 90_000 });
    expect(await page.locator('ul.notices').textContent()).toContain('retrieval receipt signed and sent to the hub');
    expect(await page.locator('ul.notices').textContent()).not.toMatch(/warning:/);
  }, 180_000);

  it('reported no CSP violation and no page error during the whole run', async () => {
    expect(browser.violations).toEqual([]);
    expect(await pageViolations(browser.page)).toEqual([]);
  });
});
