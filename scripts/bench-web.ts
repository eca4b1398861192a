/**
 * The large-file figures of the web client, for `npm run bench` (scripts/bench.ts calls
 * `benchWeb`): a file of BENCH_WEB_MB (1024 in the full run, 32 with --quick) sent and opened
 * through the web client's own pages in Chromium against the bench's real hub on loopback, beside
 * `liaison send`/`fetch` of the same file, each as a ratio against the baselines the CLI rows
 * use (gpg --sign --encrypt + a raw upload; a raw download + gpg --decrypt), and the browser's
 * peak memory during each step read through the DevTools Protocol (scripts/web-driver.ts).
 *
 * One browser run per size (a 1 GiB part three times would take most of an hour on this
 * machine); the baselines are medians of three. Never a threshold: the bench only prints.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Person, RunResult } from './harness.ts';
import { createKey, hasChromium, launchBrowser, logIn, openPacket, pinOfficers, publicKeyOf, saveOffered, sendFile, watchMemory, type MemoryPeaks } from './web-driver.ts';

export interface WebBenchEnv {
  url: string;
  /** The bench's working directory. */
  root: string;
  mb: number;
  /** The officer of the browser person's party (RU), who enrolls the key made in the browser. */
  officer: Person;
  /** Every party's officer, pinned in the browser as the CLI people pin them. */
  officers: Person[];
  /** A CLI contact of RU (the CLI's send) and of PK (the CLI's fetch, and the browser's recipient). */
  sender: Person;
  recipient: Person;
  report: (figure: string, value: string, baseline: string, ratio: string, note?: string) => void;
  /** The baselines of send and fetch for a file, as the CLI rows measure them. */
  baselines: (file: string) => Promise<{ send: number; fetch: number }>;
}

const WEB_PASSPHRASE = 'bench browser passphrase';
const MiB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;

async function must(result: Promise<RunResult>): Promise<RunResult> {
  const r = await result;
  if (r.code !== 0) throw new Error(r.stderr.trim());
  return r;
}

async function seconds<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [Number(process.hrtime.bigint() - start) / 1e9, value];
}

function sha256Of(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: MiB }).on('data', (d) => hash.update(d)).on('error', reject).on('end', () => resolve(hash.digest('hex')));
  });
}

export async function benchWeb(env: WebBenchEnv): Promise<void> {
  const { report, mb } = env;
  if (!hasChromium()) {
    report(`browser send/fetch ${mb} MiB`, 'skipped', '', '', '/usr/bin/chromium is not installed');
    return;
  }
  const input = join(env.root, 'web-input.bin');
  const fd = openSync(input, 'w');
  for (let i = 0; i < mb; i++) writeSync(fd, randomBytes(MiB));
  closeSync(fd);
  const original = await sha256Of(input);
  const base = await env.baselines(input);

  // The CLI on the same file, once, for the rows beside the browser's.
  const [cliSend, sent] = await seconds(() => must(env.sender.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', input, '--lang', 'en', '--quiet')));
  const cliOut = join(env.root, 'web-cli-out');
  const [cliFetch] = await seconds(() => must(env.recipient.run('fetch', sent.stdout.trim(), '--out', cliOut, '--quiet')));
  rmSync(cliOut, { recursive: true, force: true });

  const web = await launchBrowser();
  try {
    await createKey(web.page, env.url, 'Bench Browser Sender', WEB_PASSPHRASE);
    await must(env.officer.run('officer', 'enroll', '--key', await publicKeyOf(web.page, env.url, env.root), '--roles', 'contact', '--clearance', 'SECRET'));
    await pinOfficers(web.page, env.url, env.officers);
    await logIn(web.page, env.url);

    const sendMemory = await watchMemory(web);
    const [webSend, packetId] = await seconds(() => sendFile(web.page, env.url, input, { to: 'PK', level: 'SECRET', lang: 'en' }));
    const sending = await sendMemory.stop();
    // What the browser sent is exactly the file: the CLI recipient fetches it (not timed).
    const out = join(env.root, 'web-fetched');
    await must(env.recipient.run('fetch', packetId, '--out', out, '--quiet'));
    if ((await sha256Of(join(out, 'web-input.bin'))) !== original) throw new Error('the packet the browser sent does not hold the original bytes');
    rmSync(out, { recursive: true, force: true });

    const openMemory = await watchMemory(web);
    const [webOpen, opened] = await seconds(() => openPacket(web.page, env.url, packetId));
    const opening = await openMemory.stop();
    if (opened.refusal) throw new Error(`the browser refused its own packet: ${opened.refusal}`);
    const saved = join(env.root, 'web-saved.bin');
    await saveOffered(web.page, 'web-input.bin', saved);
    if ((await sha256Of(saved)) !== original) throw new Error('the file the browser offered is not the original');
    rmSync(saved, { force: true });

    const rate = (s: number) => `${(mb / s).toFixed(0)} MiB/s`;
    report(`browser send ${mb} MiB (one run)`, `${webSend.toFixed(2)} s ${rate(webSend)}`, `gpg --sign --encrypt + raw upload ${base.send.toFixed(2)} s`, `${(webSend / base.send).toFixed(2)}x`, `CLI ${cliSend.toFixed(2)} s ${(cliSend / base.send).toFixed(2)}x`);
    report(`browser fetch ${mb} MiB (one run)`, `${webOpen.toFixed(2)} s ${rate(webOpen)}`, `raw download + gpg --decrypt ${base.fetch.toFixed(2)} s`, `${(webOpen / base.fetch).toFixed(2)}x`, `CLI ${cliFetch.toFixed(2)} s ${(cliFetch / base.fetch).toFixed(2)}x`);
    for (const [step, m] of [['sending', sending], ['fetching', opening]] as const) memoryRows(report, step, mb, m);
  } finally {
    await web.close();
    rmSync(input, { force: true });
  }
}

function memoryRows(report: WebBenchEnv['report'], step: string, mb: number, m: { peak: MemoryPeaks; before: MemoryPeaks }): void {
  const growth = (key: keyof MemoryPeaks) => `+${mib(m.peak[key] - m.before[key])}`;
  report(`  browser memory while ${step} ${mb} MiB`, `worker ${mib(m.peak.workerHeap)} heap + ${mib(m.peak.workerBuffers)} buffers`, `page heap ${mib(m.peak.pageHeap)}`, '', 'flat: independent of the file size');
  report(`  renderer / all Chromium while ${step}`, `RSS ${mib(m.peak.rendererRss)} (${growth('rendererRss')})`, `PSS ${mib(m.peak.chromiumPss)} (${growth('chromiumPss')})`, '', `peaks, growth over the idle page; ${m.peak.samples} samples`);
}
