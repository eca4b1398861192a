/**
 * Drive the web client through its own pages in Debian's Chromium (playwright-core, a fresh
 * profile, never a downloaded browser), and watch the browser's memory while it works through
 * the Chrome DevTools Protocol and /proc. Shared by the large-file bench (scripts/bench-web.ts)
 * and its test (test/browser/large-files.test.ts), so both measure exactly the same thing.
 *
 * What it measures: the page's JS heap (Performance.getMetrics JSHeapUsedSize), the key
 * worker's JS heap and the array-buffer memory it holds outside the heap (Runtime.getHeapUsage,
 * where the bytes of a streamed part would pile up), and the resident memory of the renderer
 * (which runs the page and the worker) and of all Chromium processes together (PSS, so shared
 * pages are not counted twice). Never asserts anything itself; never a timing.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

export interface WebSession {
  context: BrowserContext;
  page: Page;
  profile: string;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<WebSession> {
  const profile = mkdtempSync(join(tmpdir(), 'liaison-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, acceptDownloads: true, viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    profile,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// --- the web client's pages --------------------------------------------------------------------

const LONG = 30 * 60_000;

/** First run: a new key made in the browser; answers its fingerprint. */
export async function createKey(page: Page, url: string, name: string, passphrase: string): Promise<string> {
  await page.goto(`${url}/`);
  await page.getByRole('heading', { name: 'First run: your key' }).waitFor();
  await page.getByLabel('Full name').fill(name);
  await page.getByLabel('Passphrase', { exact: true }).first().fill(passphrase);
  await page.getByLabel('Passphrase again').fill(passphrase);
  await page.getByRole('button', { name: 'Create key' }).click();
  await page.getByRole('heading', { name: 'Log in to this hub' }).waitFor({ timeout: 120_000 });
  return ((await page.locator('code.fingerprint').first().textContent()) ?? '').replace(/\s+/g, '');
}

/** The armored public key the browser offers for the officer. */
export async function publicKeyOf(page: Page, url: string, dir: string): Promise<string> {
  await page.goto(`${url}/#/key`);
  await page.getByRole('heading', { name: 'My key' }).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /Save my public key/ }).click()]);
  const path = join(dir, `browser-public-${Date.now()}.asc`);
  await download.saveAs(path);
  return path;
}

export async function pinOfficers(page: Page, url: string, officers: Array<{ party: string; fingerprint: string }>): Promise<void> {
  await page.goto(`${url}/#/trust`);
  await page.getByRole('heading', { name: 'Trusted officers' }).waitFor();
  for (const officer of officers) {
    const grouped = officer.fingerprint.match(/.{4}/g)!.join(' ');
    await page.getByLabel('Party').fill(officer.party);
    await page.getByLabel('Fingerprint').fill(grouped);
    await page.getByRole('button', { name: 'Pin officer' }).click();
    await page.getByRole('cell', { name: grouped }).waitFor();
  }
}

export async function logIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/#/inbox`);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Inbox' }).waitFor({ timeout: 60_000 });
}

/** Compose and send one file as the original of an RU-PK packet to `to`; answers the packet id. */
export async function sendFile(page: Page, url: string, path: string, options: { to: string; level: string; lang: string }): Promise<string> {
  await page.goto(`${url}/#/compose`);
  await page.getByRole('heading', { name: 'Compose a packet' }).waitFor();
  await page.getByLabel('Agreement').selectOption('RU-PK');
  await page.getByRole('checkbox', { name: options.to }).check();
  await page.getByLabel('Marking level').selectOption(options.level);
  await page.getByLabel('Original file').setInputFiles(path);
  await page.getByLabel(/Language of the original/).fill(options.lang);
  await page.getByRole('button', { name: 'Encrypt and send' }).click();
  const done = page.locator('p[role="status"].ok');
  const refused = page.getByRole('alert');
  await Promise.race([done.waitFor({ timeout: LONG }), refused.waitFor({ timeout: LONG })]);
  if (await refused.isVisible()) throw new Error(`the browser refused to send: ${await refused.textContent()}`);
  return /Packet ([0-9a-f-]{36}) is/.exec((await done.textContent()) ?? '')![1]!;
}

/** Open a packet's page: answers the names of the files offered for saving, or the refusal shown. */
export async function openPacket(page: Page, url: string, packetId: string): Promise<{ saves: string[]; refusal?: string }> {
  // Leave the page first, so opening the same packet again starts a fresh open.
  await page.goto(`${url}/#/inbox`);
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  await page.goto(`${url}/#/packet/${packetId}`);
  const save = page.getByRole('link', { name: /^Save / });
  const refused = page.getByRole('alert');
  await Promise.race([save.first().waitFor({ timeout: LONG }), refused.waitFor({ timeout: LONG })]);
  const saves = await save.allTextContents();
  if (await refused.isVisible()) return { saves, refusal: (await refused.textContent()) ?? '' };
  return { saves };
}

/** Save the file offered under `name` (the person's download) to `dest`. */
export async function saveOffered(page: Page, name: string, dest: string): Promise<void> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: LONG }), page.getByRole('link', { name: `Save ${name}` }).click()]);
  await download.saveAs(dest);
  await download.delete();
}

/** Every file in this origin's private file system, with its folder (the page sees the worker's OPFS). */
export async function opfsFiles(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const out: string[] = [];
    const walk = async (dir: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
      for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
        if (handle.kind === 'directory') await walk(handle as FileSystemDirectoryHandle, `${prefix}${name}/`);
        else out.push(`${prefix}${name}`);
      }
    };
    await walk(await navigator.storage.getDirectory(), '');
    return out;
  });
}

// --- memory ------------------------------------------------------------------------------------

export interface MemoryPeaks {
  /** The page's JS heap (bytes). */
  pageHeap: number;
  /** The key worker's JS heap (bytes). */
  workerHeap: number;
  /** Array-buffer memory the worker holds outside its heap (bytes): chunks of a part in flight. */
  workerBuffers: number;
  /** Resident memory of the renderer processes (bytes): the page and the worker run there. */
  rendererRss: number;
  /** Proportional set size of every Chromium process together (bytes). */
  chromiumPss: number;
  samples: number;
}

const ZERO: MemoryPeaks = { pageHeap: 0, workerHeap: 0, workerBuffers: 0, rendererRss: 0, chromiumPss: 0, samples: 0 };

function procText(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** The Chromium process started with this profile, and all its descendants, by type. */
function chromiumProcesses(profile: string): Array<{ pid: number; type: string }> {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  const parent = new Map<number, number>();
  let root: number | undefined;
  for (const pid of all) {
    const stat = procText(pid, 'stat');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parent.set(pid, ppid);
    if (root === undefined && procText(pid, 'cmdline').includes(`--user-data-dir=${profile}`) && !procText(pid, 'cmdline').includes('--type=')) root = pid;
  }
  if (root === undefined) return [];
  const isDescendant = (pid: number): boolean => {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  return all.filter(isDescendant).map((pid) => ({ pid, type: /--type=(\S+)/.exec(procText(pid, 'cmdline').replace(/\0/g, ' '))?.[1] ?? 'browser' }));
}

const kib = (text: string, field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1] ?? 0) * 1024;

export interface WatchOptions {
  intervalMs?: number;
  /**
   * Collect garbage in the page and the worker before each sample, so the heap figures are what
   * is still referenced (what a stream retains) rather than what V8 has not yet collected: it
   * lets a garbage allocation pattern run up to V8's external-memory trigger (about 64 MiB) before
   * a collection. Slows the work down; the bench samples without it.
   */
  collectGarbage?: boolean;
}

/**
 * Sample the browser's memory until `stop()`, which answers the peaks and the first sample
 * (`before`). The key worker is reached through the page's DevTools session (auto-attach); the
 * page's own heap through the Performance domain.
 */
export async function watchMemory(session: WebSession, options: WatchOptions = {}): Promise<{ stop(): Promise<{ peak: MemoryPeaks; before: MemoryPeaks }> }> {
  const intervalMs = options.intervalMs ?? 250;
  const cdp: CDPSession = await session.context.newCDPSession(session.page);
  await cdp.send('Performance.enable');
  const workers = new Set<string>();
  const waiting = new Map<number, (result: { usedSize?: number; backingStorageSize?: number }) => void>();
  let nextId = 1;
  cdp.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'worker') workers.add(e.sessionId);
  });
  cdp.on('Target.detachedFromTarget', (e) => workers.delete(e.sessionId));
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const message = JSON.parse(e.message) as { id?: number; result?: { usedSize?: number; backingStorageSize?: number } };
    if (message.id !== undefined && message.result) waiting.get(message.id)?.(message.result);
    if (message.id !== undefined) waiting.delete(message.id);
  });
  // flatten: false, so messages to the worker go through this session (playwright keeps its own flat sessions).
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });

  const inWorker = async (sessionId: string, method: string): Promise<{ usedSize?: number; backingStorageSize?: number } | undefined> => {
    const id = nextId++;
    const answer = new Promise<{ usedSize?: number; backingStorageSize?: number } | undefined>((resolve) => {
      waiting.set(id, resolve);
      setTimeout(() => resolve(undefined), 10_000);
    });
    await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) }).catch(() => undefined);
    return answer;
  };
  const workerUsage = async (): Promise<{ heap: number; buffers: number }> => {
    let heap = 0;
    let buffers = 0;
    for (const sessionId of workers) {
      if (options.collectGarbage) await inWorker(sessionId, 'HeapProfiler.collectGarbage');
      const usage = await inWorker(sessionId, 'Runtime.getHeapUsage');
      heap += usage?.usedSize ?? 0;
      buffers += usage?.backingStorageSize ?? 0;
    }
    return { heap, buffers };
  };
  const sample = async (): Promise<MemoryPeaks> => {
    if (options.collectGarbage) await cdp.send('HeapProfiler.collectGarbage').catch(() => undefined);
    const metrics: { metrics: Array<{ name: string; value: number }> } = await cdp.send('Performance.getMetrics').catch(() => ({ metrics: [] }));
    const worker = await workerUsage();
    let rendererRss = 0;
    let chromiumPss = 0;
    for (const p of chromiumProcesses(session.profile)) {
      if (p.type === 'renderer') rendererRss += kib(procText(p.pid, 'status'), 'VmRSS');
      chromiumPss += kib(procText(p.pid, 'smaps_rollup'), 'Pss');
    }
    return { pageHeap: metrics.metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0, workerHeap: worker.heap, workerBuffers: worker.buffers, rendererRss, chromiumPss, samples: 1 };
  };
  const before = await sample();
  let peaks = { ...ZERO };
  let running = true;
  const loop = (async () => {
    while (running) {
      const s = await sample();
      peaks = {
        pageHeap: Math.max(peaks.pageHeap, s.pageHeap),
        workerHeap: Math.max(peaks.workerHeap, s.workerHeap),
        workerBuffers: Math.max(peaks.workerBuffers, s.workerBuffers),
        rendererRss: Math.max(peaks.rendererRss, s.rendererRss),
        chromiumPss: Math.max(peaks.chromiumPss, s.chromiumPss),
        samples: peaks.samples + 1,
      };
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await cdp.detach().catch(() => undefined);
      return { peak: peaks, before };
    },
  };
}

/** Whether this machine has the Chromium the tests and the bench use. */
export const hasChromium = () => existsSync(CHROMIUM);
