/**
 * Real Chromium for the web client's tests: Debian's /usr/bin/chromium (installed by .ci/run),
 * driven by playwright-core, each run with a fresh profile; no browser is ever downloaded.
 * Collects every CSP violation and page error, runs axe-core from node_modules, and moves focus
 * with the keyboard only.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Every Content-Security-Policy violation and uncaught page error seen so far. */
  violations: string[];
  close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'liaison-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, acceptDownloads: true, viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const violations: string[] = [];
  // Evaluated through DevTools before any page script: not subject to the page's CSP.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const w = window as unknown as { __csp?: string[] };
      (w.__csp ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const watch = (p: Page) => {
    p.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(`console: ${m.text()}`);
    });
    p.on('pageerror', (e) => violations.push(`pageerror: ${e.message}`));
    p.on('worker', (w) => w.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(`worker: ${m.text()}`);
    }));
  };
  watch(page);
  context.on('page', watch);
  return {
    context,
    page,
    violations,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** CSP violations the page itself recorded (securitypolicyviolation events). */
export async function pageViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the current page (injected through DevTools, not a script tag). */
export async function axeProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: unknown): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help} (${v.targets.join(', ')})`);
}

/** Press Tab until the focused element matches `matches` (an accessible name or selector test). */
export async function tabTo(page: Page, test: (el: { tag: string; name: string; text: string; type: string }) => boolean, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      return { tag: a?.tagName.toLowerCase() ?? '', name: a?.getAttribute('name') ?? '', text: (a?.textContent ?? '').trim(), type: a?.getAttribute('type') ?? '' };
    });
    if (test(el)) return;
  }
  throw new Error('the keyboard never reached the element');
}
