/**
 * Chinese PDFs in the browser's language check, in real Chromium against a real hub: one whose
 * text goes through a predefined CMap (UniGB-UCS2-H, no embedded font, no ToUnicode), which
 * pdf.js reads only with its CMap data, fetched from this origin (dist/pdfjs/cmaps/, copied at
 * build time), and one with an embedded subset font (as the stamping makes them), which needs
 * none. Each is confirmed as Chinese when declared zh under SCO (Art. 11: Russian or Chinese) and
 * refused when declared Russian; nothing is fetched from elsewhere and the CSP holds.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../../scripts/harness.ts';
import { pageViolations, type Browser } from '../helpers/browser.ts';
import { predefinedCMapPdf } from '../helpers/cjk-pdf.ts';
import { CHINESE, makePdf } from '../stamp/fixtures.ts';

/** Enough text for the language check to tell (40 letters at least): the request twice over. */
const ZH = `${CHINESE}${CHINESE}`;
import { browserAs, ok, world, type World } from './support.ts';

let w: World;
let ivan: Person;
let browser: Browser;
/** Every URL the page and its worker asked for, in order. */
const fetched: string[] = [];

beforeAll(async () => {
  w = await world([
    ['Sergei Volkov', 'RU'],
    ['Daniyar Seitkali', 'KZ'],
  ]);
  ivan = await w.person('Ivan Petrov', 'RU', 'contact', 'SECRET');
  await w.person('Aigerim Nurlanovna', 'KZ', 'contact', 'SECRET');
  browser = await browserAs(w, ivan);
  browser.context.on('request', (r) => fetched.push(r.url()));
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await w?.close();
  if (w) rmSync(w.root, { recursive: true, force: true });
});

function save(name: string, bytes: Uint8Array): string {
  const path = join(w.root, name);
  writeFileSync(path, bytes);
  return path;
}

/** Compose under SCO to KZ with `original` declared `lang`, send, and return what is shown once it matches `pattern`. */
async function sendOriginal(original: string, lang: string, pattern: RegExp): Promise<string> {
  const { page } = browser;
  await page.goto(`${w.hub.url}/#/inbox`);
  await page.goto(`${w.hub.url}/#/compose`);
  await page.getByRole('heading', { name: 'Compose a packet' }).waitFor();
  await page.getByLabel('Agreement').selectOption('SCO');
  await page.getByRole('checkbox', { name: 'KZ' }).check();
  await page.getByLabel('Marking level').selectOption('SECRET');
  await page.getByLabel('Original file').setInputFiles(original);
  await page.getByLabel(/Language of the original/).fill(lang);
  await page.getByRole('button', { name: 'Encrypt and send' }).click();
  const shown = page.locator('[role="alert"], p[role="status"].ok').filter({ hasText: pattern });
  await shown.waitFor({ timeout: 90_000 });
  return (await shown.textContent()) ?? '';
}

describe('Chinese PDFs in the browser’s language check', () => {
  it('reads a PDF through a predefined CMap with the CMap data of this origin: confirmed as Chinese, refused as Russian', async () => {
    const pdf = save('qingqiu-cmap.pdf', predefinedCMapPdf(ZH));
    const refused = await sendOriginal(pdf, 'ru', /is not in ru/);
    expect(refused).toContain('the original qingqiu-cmap.pdf is not in ru: the text reads as zh (SCO Art. 11)');
    const cmaps = fetched.filter((u) => u.includes('/pdfjs/cmaps/'));
    expect(cmaps.some((u) => u === `${w.hub.url}/pdfjs/cmaps/UniGB-UCS2-H.bcmap`)).toBe(true);
    const sent = await sendOriginal(pdf, 'zh', /is submitted/);
    expect(sent).toContain('qingqiu-cmap.pdf: language zh confirmed');
  }, 240_000);

  it('reads a PDF with an embedded Chinese font as Chinese', async () => {
    const sent = await sendOriginal(save('qingqiu-embedded.pdf', await makePdf(ZH, 1, 'cjk')), 'zh', /is submitted/);
    expect(sent).toContain('qingqiu-embedded.pdf: language zh confirmed');
  }, 240_000);

  it('fetched nothing from another origin, and reported no CSP violation and no page error', async () => {
    expect(fetched.filter((u) => !u.startsWith(w.hub.url) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
    expect(browser.violations).toEqual([]);
    expect(await pageViolations(browser.page)).toEqual([]);
    // The hub still serves what the CLI fetches: the packets reached KZ.
    expect((await ok(w.officers[0]!.run('inbox'))).code).toBe(0);
  });
});
