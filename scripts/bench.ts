/**
 * `npm run bench [-- --quick]`: every figure of the performance review (docs/performance.md), each beside a baseline measured in the
 * same run on the same machine, with the ratio; medians of three. Never a pass/fail threshold:
 * these machines are shared and noisy. Loopback only. `--quick` uses a smaller store and files
 * (20,000 packets, 30,000 audit events, 32 MiB); the full run seeds 1,000,000 packets and events.
 * Sizes can be set with BENCH_PACKETS, BENCH_EVENTS, BENCH_MB, BENCH_SECONDS, and BENCH_WEB_MB for
 * the web client's large file (scripts/bench-web.ts: 1024 MiB, 32 with --quick); `--web-only`
 * prints only the web client's rows and the CLI rows beside them; `--no-files` skips the big files
 * (send, fetch, ingest, stamping, the browser). BENCH_PROFILE=<dir> writes a CPU profile of the
 * in-process hub for each load section (`node scripts/profile-top.ts <file>` prints where it went).
 *
 * The hub under load runs in this process (so perf_hooks.monitorEventLoopDelay sees its event
 * loop); the load generator (scripts/load.ts) and the CLI run as child processes.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import FormData from 'form-data';
import { readPublicKey, unlockPrivateKey, type PrivateKey, type PublicKey } from '../keys/identity.ts';
import { decryptPart, encryptPartForRecipients, type ByteStream } from '../keys/parts.ts';
import { signStatement } from '../keys/statements.ts';
import { MANIFEST_FORMAT, Manifest } from '../protocol/manifest.ts';
import { AUDIT_GENESIS, auditEventHash } from '../protocol/evidence.ts';
import { signCheckpoint } from '../server/evidence.ts';
import { clearedReceivers } from '../server/policy/packets.ts';
import { MerkleAccumulator } from '../protocol/audit-stream.ts';
import { createApp } from '../server/app.ts';
import type { SqliteStorage } from '../storage/sqlite/index.ts';
import { DEFAULT_AGREEMENTS_DIR } from '../server/cli.ts';
import { DEMO_PASSPHRASE, LIAISON_BIN, liaison, Person, startHub, type RunResult } from './harness.ts';
import type { LoadResult } from './load.ts';
import { seededPacketId, seedPackets } from './seed.ts';
import { PDFDocument } from '@cantoo/pdf-lib';
import { stampDocument } from '../client/core/stamp/index.ts';
import { systemFonts } from '../client/node/stamp-fonts.ts';
import { makeSamplePdf } from './sample-pdf.ts';
import { benchWeb } from './bench-web.ts';
import { currentBundle } from '../bin/current-bundle.js';

const QUICK = process.argv.includes('--quick');
const PACKETS = Number(process.env.BENCH_PACKETS ?? (QUICK ? 20_000 : 1_000_000));
const EVENTS = Number(process.env.BENCH_EVENTS ?? (QUICK ? 30_000 : 1_000_000));
const MB = Number(process.env.BENCH_MB ?? (QUICK ? 32 : 256));
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 2 : 4));
/** Packets uploaded in the uploads row, a third per run (BENCH_UPLOADS: more for steadier CPU figures). */
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? (QUICK ? 150 : 400));
const WEB_MB = Number(process.env.BENCH_WEB_MB ?? (QUICK ? 32 : 1024));
const WEB_ONLY = process.argv.includes('--web-only');
/** Skip the big files (send, fetch, ingest, stamping, the web client): for developing the hub's rows. */
const NO_FILES = process.argv.includes('--no-files');
/** A directory: each load section of the in-process hub writes `<section>.cpuprofile` there (read them with scripts/profile-top.ts). */
const PROFILE_DIR = process.env.BENCH_PROFILE;
/**
 * BENCH_ONLY=requests,listings,uploads,evidence: only those sections of the in-process hub (for
 * development; the CLI start-up rows always run). `transfers` (without --no-files): of the big
 * files, only send and fetch with their baselines and a bare openpgp.js encrypt and decrypt.
 */
const ONLY = process.env.BENCH_ONLY?.split(',');
const want = (section: 'requests' | 'listings' | 'uploads' | 'evidence') => !ONLY || ONLY.includes(section);
const LOAD = fileURLToPath(new URL('./load.ts', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'liaison-bench-'));

// --- measuring -------------------------------------------------------------------------------

/** A child process to completion, without blocking this process (which serves the baselines). */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function timed<T>(fn: () => T): Promise<[number, Awaited<T>]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [Number(process.hrtime.bigint() - start) / 1e9, value];
}
/**
 * CLI start-up: median wall times (s) over `rounds` rounds, each round running every command once
 * in turn, so that each shares the machine's load of the moment with its `node -e 0` baseline.
 */
type Run = () => unknown;
async function startupRounds(commands: [Run, Run, Run], rounds = 9): Promise<[number, number, number]> {
  const runs: [number[], number[], number[]] = [[], [], []];
  for (let i = 0; i < rounds; i++) for (const [j, command] of commands.entries()) runs[j]!.push((await timed(command))[0]);
  return [median(runs[0]), median(runs[1]), median(runs[2])];
}
/** Whether the CLI runs its bundle (bin/dist/, built by npm ci and npm test) or, when that is stale or missing, the sources. */
const BUNDLED = currentBundle(fileURLToPath(new URL('..', import.meta.url))) !== undefined;
const FROM_SOURCES = { LIAISON_NO_BUNDLE: '1' };

/** Median wall time (s) of three runs. */
async function median3(fn: () => unknown): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) runs.push((await timed(fn))[0]);
  return median(runs);
}

type LoadSpec = { url: string; concurrency?: number; headers?: Record<string, string>; bodies?: string[]; expect?: number; profile?: string };
/**
 * A run's figures, the longest event-loop stall, this process's CPU time per request (µs: the
 * hub's or the bare server's cost, which the machine's other load changes much less than the
 * rate; it includes libuv's pool, so an upload's file system calls), and the main thread's own
 * CPU time per request (µs; the thread that serialises requests).
 */
type Measured = LoadResult & { loopMaxMs: number; cpuUs: number; mainCpuUs: number; gap: Gap };

/** CPU time (user + system, ms) of the calling thread (here the main thread: the hub's event loop) so far. */
function mainThreadCpuMs(): number {
  const cpu = process.threadCpuUsage();
  return (cpu.user + cpu.system) / 1000;
}

/** The longest gap between two ticks of a 5 ms timer, and how much CPU this thread used in it. */
type Gap = { ms: number; cpuMs: number };

/**
 * Watch for the longest gap between ticks of a 5 ms timer, with the CPU time this thread (the
 * hub's event loop) spent in it: a stall that is mostly CPU is the hub's own work (a request, a
 * GC, a checkpoint); one with little CPU is this process waiting for a core the machine gave to
 * something else (the load generator, other sessions).
 */
function watchGaps(): { stop: () => Gap } {
  let last = performance.now();
  let lastCpu = process.threadCpuUsage();
  let longest: Gap = { ms: 0, cpuMs: 0 };
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = process.threadCpuUsage();
    if (now - last > longest.ms) longest = { ms: now - last, cpuMs: (cpu.user + cpu.system - lastCpu.user - lastCpu.system) / 1000 };
    last = now;
    lastCpu = cpu;
  }, 5);
  return {
    stop: () => {
      clearInterval(timer);
      return longest;
    },
  };
}

/** One run of the load generator against `spec.url` (run `i` of three: its share of `bodies`), with the event loop watched. */
async function loadOnce(spec: LoadSpec, i: number): Promise<Measured> {
  let bodies: string | undefined;
  if (spec.bodies) {
    const share = Math.floor(spec.bodies.length / 3);
    bodies = join(root, `bodies-${i}.json`);
    writeFileSync(bodies, JSON.stringify(spec.bodies.slice(i * share, (i + 1) * share).map((path) => ({ path, contentType: readFileSync(`${path}.type`, 'utf8') }))));
  }
  // The first run of a section is profiled when BENCH_PROFILE is set.
  const profiler = PROFILE_DIR && spec.profile && i === 0 ? await startProfile() : undefined;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const gaps = watchGaps();
  const cpu = process.cpuUsage();
  const mainCpu = mainThreadCpuMs();
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [LOAD, JSON.stringify({ url: spec.url, concurrency: spec.concurrency ?? 10, seconds: bodies ? 600 : SECONDS, headers: spec.headers ?? {}, bodies, expect: spec.expect })], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`the load generator failed (${code})`))));
  });
  const used = process.cpuUsage(cpu);
  const gap = gaps.stop();
  const mainUsed = mainThreadCpuMs() - mainCpu;
  loop.disable();
  if (profiler) await profiler.stop(join(PROFILE_DIR!, `${spec.profile}.cpuprofile`));
  const result = JSON.parse(out) as LoadResult;
  if (result.errors > 0) throw new Error(`${result.errors} of ${result.requests} requests to ${spec.url} failed; first: ${result.firstError}`);
  return { ...result, loopMaxMs: loop.max / 1e6, cpuUs: (used.user + used.system) / Math.max(1, result.requests), mainCpuUs: (mainUsed * 1000) / Math.max(1, result.requests), gap };
}

/** The median run by throughput, with the worst event-loop stall of all runs. */
function medianRun(runs: Measured[]): Measured {
  const byRate = [...runs].sort((a, b) => a.perSecond - b.perSecond);
  const gap = runs.map((r) => r.gap).reduce((a, b) => (b.ms > a.ms ? b : a));
  return { ...byRate[Math.floor(byRate.length / 2)]!, loopMaxMs: Math.max(...runs.map((r) => r.loopMaxMs)), gap };
}

/** Run the load generator three times against `url`; the median run by throughput, and the worst event-loop stall. */
async function load(spec: LoadSpec): Promise<Measured> {
  return medianRun(await loadRuns(spec));
}

/** The three runs of `load`. */
async function loadRuns(spec: LoadSpec): Promise<Measured[]> {
  const runs: Measured[] = [];
  for (let i = 0; i < 3; i++) runs.push(await loadOnce(spec, i));
  return runs;
}

/**
 * `spec` and its baseline, run by turns (baseline, Liaison, three times): on a shared machine the
 * load changes from second to second, and a ratio of runs made apart measures that change.
 */
async function loadBeside(spec: LoadSpec, baseline: LoadSpec): Promise<{ liaison: Measured; baseline: Measured; ratio: number; cpuRatio: number }> {
  const ours: Measured[] = [];
  const theirs: Measured[] = [];
  for (let i = 0; i < 3; i++) {
    theirs.push(await loadOnce(baseline, i));
    ours.push(await loadOnce(spec, i));
  }
  const liaison = medianRun(ours);
  const base = medianRun(theirs);
  // The median of the three paired ratios: each pair ran back to back.
  const ratio = median(ours.map((r, i) => r.perSecond / theirs[i]!.perSecond));
  // CPU per request, the baseline's over ours: the rate ratio the hub would reach if it alone were the bottleneck.
  const cpuRatio = median(ours.map((r, i) => theirs[i]!.cpuUs / r.cpuUs));
  return { liaison, baseline: base, ratio, cpuRatio };
}

/** A CPU profile of this process (the in-process hub) from now until `stop`. */
async function startProfile(): Promise<{ stop: (file: string) => Promise<void> }> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    stop: async (file) => {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(PROFILE_DIR!, { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const lines: string[] = [];
function report(figure: string, value: string, baseline: string, ratio: string, note = ''): void {
  const line = `${figure.padEnd(44)} ${value.padEnd(24)} ${baseline.padEnd(34)} ${ratio.padEnd(10)} ${note}`.trimEnd();
  lines.push(line);
  console.log(line);
}
const fmt = (n: number, digits = 0) => n.toFixed(digits);
const rps = (r: LoadResult) => `${fmt(r.perSecond)} req/s p99 ${fmt(r.p99, 1)} ms`;
/** The CPU-time view of a paired measurement, for the note column. */
/** What the longest stall was made of (watchGaps). */
const gapNote = (g: Gap) => `the longest gap ${fmt(g.ms, 1)} ms held ${fmt(g.cpuMs, 1)} ms of the hub thread's CPU`;
const cpuNote = (m: { liaison: Measured; baseline: Measured; cpuRatio: number }) => `cpu/request ${fmt(m.liaison.cpuUs)} µs vs ${fmt(m.baseline.cpuUs)} µs: ${fmt(m.cpuRatio, 2)}x`;

// --- baselines -------------------------------------------------------------------------------

/** Bodies the bare server answers at a path: the same bytes a route of the hub answers (a page of the listing, a packet). */
const sameBodies = new Map<string, string>();

/** A bare node:http server answering a small JSON body: what any framework's overhead is measured against. */
async function bareServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const body = JSON.stringify([{ id: 'RU-PK', title: 'Agreement', status: 'in-force', provisional: false, parties: ['RU', 'PK'] }]);
  const server = http.createServer((req, res) => {
    if (req.method === 'POST') {
      // A raw upload: stream the body to a file.
      const out = createWriteStream(join(root, 'raw-upload.bin'));
      void pipeline(req, out).then(() => res.end('{}'));
      return;
    }
    const same = req.url ? sameBodies.get(req.url) : undefined;
    if (same !== undefined) {
      // The same bytes a route of the hub answers: the floor for sending that much JSON.
      res.setHeader('Content-Type', 'application/json');
      res.end(same);
      return;
    }
    if (req.url?.startsWith('/file/')) {
      // A raw download of a file of the bench's directory (the same bytes the client sends).
      res.setHeader('Content-Type', 'application/octet-stream');
      void pipeline(createReadStream(join(root, basename(req.url.slice('/file/'.length))), { highWaterMark: 1024 * 1024 }), res).catch(() => undefined);
      return;
    }
    res.setHeader('Content-Type', 'application/json');
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Write + fsync + rename + fsync(dir) of `bytes`, `count` times with `concurrency` at once: the durable-write floor. */
async function durableWrites(bytes: Buffer, count: number, concurrency: number): Promise<{ perSecond: number; p99: number }> {
  const dir = join(root, 'durable');
  mkdirSync(dir, { recursive: true });
  const { promises: fs } = await import('node:fs');
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        const tmp = join(dir, `t${i}`);
        const h = await fs.open(tmp, 'wx', 0o600);
        await h.write(bytes);
        await h.sync();
        await h.close();
        await fs.rename(tmp, join(dir, `b${i}`));
        const d = await fs.open(dir, 'r');
        await d.sync();
        await d.close();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { perSecond: count / ((performance.now() - started) / 1000), p99: latencies[Math.floor(0.99 * latencies.length)]! };
}

// --- the store at scale ----------------------------------------------------------------------

/**
 * Append `count` hash-chained audit events by direct SQL in one transaction (after the real
 * ones), and the interval checkpoints a running hub would have signed and stored for them (one
 * every `every` events, signed with the hub key), so the export and verify carry what a hub of
 * that size carries. Returns how many checkpoints were signed.
 */
async function seedAuditEvents(db: import('better-sqlite3').Database, count: number, hubKey: PrivateKey, hubFingerprint: string, every: number): Promise<number> {
  const events = db.prepare('SELECT seq, hash FROM audit_events ORDER BY seq').all() as Array<{ seq: number; hash: string }>;
  const insert = db.prepare('INSERT INTO audit_events (seq, at, actor, party, action, object, outcome, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const merkle = new MerkleAccumulator();
  for (const e of events) merkle.push(e.hash);
  let seq = events.at(-1)?.seq ?? 0;
  let prevHash = events.at(-1)?.hash ?? AUDIT_GENESIS;
  const start = Date.now() - count;
  const due: Array<{ size: number; root: string; head: string }> = [];
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      seq++;
      const base = { seq, at: new Date(start + i).toISOString(), actor: '-', party: 'RU', action: 'bench.event', object: seededPacketId(i), outcome: 'allow' as const, detail: '{}', prevHash };
      const hash = auditEventHash(base);
      insert.run(base.seq, base.at, base.actor, base.party, base.action, base.object, base.outcome, base.detail, base.prevHash, hash);
      prevHash = hash;
      merkle.push(hash);
      if (seq % every === 0) due.push({ size: seq, root: merkle.root(), head: hash });
    }
  })();
  const stored = db.prepare('INSERT INTO checkpoints (size, statement, signature, created_at) SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM checkpoints WHERE size = ?)');
  const rows: Array<[number, string, string, string, number]> = [];
  for (const c of due) {
    const at = new Date();
    const signed = await signCheckpoint({ hubKey, hubFingerprint }, c, at);
    rows.push([c.size, signed.statement, signed.signature, at.toISOString(), c.size]);
  }
  db.transaction(() => rows.forEach((r) => stored.run(...r)))();
  return rows.length;
}

// --- uploads ---------------------------------------------------------------------------------

const LABELS = { RU: 'СОВЕРШЕННО СЕКРЕТНО', PK: 'SECRET' };

/** A complete, signed multipart upload of one packet with one part of `bytes`, written to a file. */
async function uploadBody(path: string, bytes: Buffer, sender: { key: PrivateKey; fingerprint: string }, readers: PublicKey[], date: Date): Promise<void> {
  const encrypted = await encryptPartForRecipients(Readable.toWeb(Readable.from([bytes])) as ByteStream, { filename: 'evidence.bin', signingKey: sender.key, recipientKeys: readers, date });
  const ciphertext = Buffer.from(await new Response(encrypted as unknown as ReadableStream).arrayBuffer());
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    packetId: randomUUID(),
    revision: 1,
    agreementId: 'RU-PK',
    createdAt: date.toISOString(),
    sender: { party: 'RU', fingerprint: sender.fingerprint },
    signedBy: sender.fingerprint,
    recipients: ['PK'],
    marking: { level: 'SECRET', labels: LABELS },
    kind: 'information',
    references: {},
    parts: [{ id: 'p1', role: 'original', lang: 'en', mediaType: 'application/octet-stream', size: ciphertext.length, sha256: createHash('sha256').update(ciphertext).digest('hex') }],
  };
  const signed = await signStatement('manifest', Manifest, manifest, sender.key, date);
  const form = new FormData();
  form.append('manifest', signed.statement);
  form.append('signature', signed.signature);
  form.append('submit', 'true');
  form.append('p1', ciphertext, { filename: 'p1.pgp', contentType: 'application/octet-stream' });
  writeFileSync(path, form.getBuffer());
  writeFileSync(`${path}.type`, form.getHeaders()['content-type'] as string);
}

// --- main ------------------------------------------------------------------------------------

const must = async (result: Promise<RunResult>): Promise<RunResult> => {
  const r = await result;
  if (r.code !== 0) throw new Error(r.stderr.trim());
  return r;
};

async function main(): Promise<void> {
  console.log(`Liaison bench${QUICK ? ' (quick)' : ''}${WEB_ONLY ? ' (web client only)' : ''}: ${PACKETS} packets, ${EVENTS} audit events, ${MB} MiB files, ${WEB_MB} MiB through the browser, in ${root}. Medians of three.`);
  console.log('');
  console.log(`${'figure'.padEnd(44)} ${'Liaison'.padEnd(24)} ${'baseline'.padEnd(34)} ${'ratio'.padEnd(10)} target`);

  // 1. Start-up: as installed (the bundle), and from the sources (a checkout edited since the last
  // build, or LIAISON_NO_BUNDLE=1), each against `node -e 0` in the same rounds.
  const bareRun = () => execFileSync(process.execPath, ['-e', '0']);
  const helpRun = (env: Record<string, string> = {}) => () => execFileSync(process.execPath, [LIAISON_BIN, '--help'], { stdio: 'ignore', env: { ...process.env, ...env } });
  const [bare, help, helpSources] = await startupRounds([bareRun, helpRun(), helpRun(FROM_SOURCES)]);
  const shape = BUNDLED ? 'bundle' : 'sources: the bundle is stale or missing (npm run build:cli)';
  report('CLI start-up: liaison --help', `${fmt(help * 1000)} ms`, `node -e 0 ${fmt(bare * 1000)} ms`, `${fmt(help / bare, 1)}x`, `within 3x (${shape})`);
  report('  from the sources (LIAISON_NO_BUNDLE=1)', `${fmt(helpSources * 1000)} ms`, `node -e 0 ${fmt(bare * 1000)} ms`, `${fmt(helpSources / bare, 1)}x`);

  // The same setup a real hub has: first officers by the operator, members by their officers.
  const ru = new Person('Bench Sender', 'RU', root);
  const pk = new Person('Bench Receiver', 'PK', root);
  const officers = [new Person('Bench Officer RU', 'RU', root), new Person('Bench Officer PK', 'PK', root)];
  for (const p of [ru, pk, ...officers]) {
    p.fingerprint = (await must(p.run('keygen', '--name', p.name))).stdout.trim();
    await must(p.run('key', 'export', '--public', '--out', join(root, `${p === ru ? 'RU' : p === pk ? 'PK' : p.fingerprint}.asc`)));
  }
  const dataDir = join(root, 'hub');
  await must(liaison(['hub', 'init', '--data', dataDir, ...officers.flatMap((o) => ['--officer', `${o.party}=${join(root, `${o.fingerprint}.asc`)}`])]));
  for (const p of [ru, pk, ...officers]) for (const o of officers) await must(p.run('trust', 'add', '--party', o.party, '--officer', o.fingerprint));
  const child = await startHub(dataDir, join(root, 'hub.log'));
  try {
    for (const [officer, member, file] of [[officers[0]!, ru, 'RU.asc'], [officers[1]!, pk, 'PK.asc']] as const) {
      await must(officer.run('login', '--server', child.url));
      await must(officer.run('officer', 'enroll', '--key', join(root, file), '--roles', 'contact', '--clearance', 'SECRET'));
      await must(member.run('login', '--server', child.url));
    }
    if (!WEB_ONLY) {
      const [bareAgain, inbox, inboxSources] = await startupRounds([bareRun, () => must(pk.run('inbox')), () => must(liaison(['inbox'], { ...pk.env, ...FROM_SOURCES }))]);
      report('CLI start-up: liaison inbox (one page)', `${fmt(inbox * 1000)} ms`, `node -e 0 ${fmt(bareAgain * 1000)} ms`, `${fmt(inbox / bareAgain, 1)}x`, `within 3x (${shape})`);
      report('  from the sources (LIAISON_NO_BUNDLE=1)', `${fmt(inboxSources * 1000)} ms`, `node -e 0 ${fmt(bareAgain * 1000)} ms`, `${fmt(inboxSources / bareAgain, 1)}x`);
    }
    if (!NO_FILES) await bigFiles(child.url, ru, pk, officers, child.process.pid!);
  } finally {
    await child.stop();
  }
  if (WEB_ONLY) return;

  // 2-5 run against the hub in this process, so its event loop can be watched.
  const token = (p: Person) => (JSON.parse(readFileSync(join(p.home, 'session.json'), 'utf8')) as { token: string }).token;
  const hub = await createApp({ dataDir, agreementsDir: DEFAULT_AGREEMENTS_DIR, logFile: join(root, 'hub-inproc.log') });
  const server = await new Promise<http.Server>((resolve) => {
    const s = hub.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const baseline = await bareServer();
  try {
    const auth = { Authorization: `Bearer ${token(pk)}` };
    const bare = { url: baseline.url };
    if (want('requests')) {
      const agreements = await loadBeside({ url: `${url}/v1/agreements`, profile: 'agreements' }, bare);
        report('GET /v1/agreements (no auth, no database)', rps(agreements.liaison), `bare node:http ${rps(agreements.baseline)}`, `${fmt(agreements.ratio, 2)}x`, `at least 0.5x; ${cpuNote(agreements)}`);
      const me = await loadBeside({ url: `${url}/v1/me`, headers: auth, profile: 'me' }, bare);
      report('GET /v1/me (auth)', rps(me.liaison), `bare node:http ${fmt(me.baseline.perSecond)} req/s`, `${fmt(me.ratio, 2)}x`, `at least 0.5x; ${cpuNote(me)}`);
    }

    // Seeding is part of the benchmark.
    const db = (hub.hub.store as SqliteStorage).db;
    const members = db.prepare("SELECT fingerprint, party FROM members WHERE roles LIKE '%contact%'").all() as Array<{ fingerprint: string; party: string }>;
    const of = (party: string) => members.find((m) => m.party === party)!.fingerprint;
    if (want('requests') || want('listings')) {
      const [seedSeconds] = await timed(() =>
        seedPackets(db, {
          count: PACKETS,
          pairs: [{ from: 'RU', fromFingerprint: of('RU'), to: 'PK' }, { from: 'PK', fromFingerprint: of('PK'), to: 'RU' }],
          agreementId: 'RU-PK',
          levels: ['CONFIDENTIAL', 'SECRET'],
          start: new Date(Date.now() - PACKETS - 60_000),
          draftEvery: 10,
        }),
      );
      report(`seed ${PACKETS} packets (direct SQL, one transaction)`, `${fmt(seedSeconds, 1)} s`, '', '', `${fmt(PACKETS / seedSeconds)} packets/s`);
      // One transaction of a million rows leaves a WAL of a gigabyte that every read must consult
      // and that SQLite checkpoints while the load runs; a hub never writes that much at once.
      db.pragma('wal_checkpoint(TRUNCATE)');
    }
    if (want('requests')) {
      const detailPath = `/v1/packets/${seededPacketId(1)}`;
      sameBodies.set('/detail', await (await fetch(`${url}${detailPath}`, { headers: auth })).text());
      const detail = await loadBeside({ url: `${url}${detailPath}`, headers: auth, profile: 'detail' }, bare);
      report(`GET /v1/packets/:id (${PACKETS} packets)`, rps(detail.liaison), `bare node:http ${fmt(detail.baseline.perSecond)} req/s`, `${fmt(detail.ratio, 2)}x`, `at least 0.5x; ${cpuNote(detail)}`);
      const detailSame = await loadBeside({ url: `${url}${detailPath}`, headers: auth }, { url: `${baseline.url}/detail` });
      report(`  against bare node:http sending the same ${fmt(Buffer.byteLength(sameBodies.get('/detail')!) / 1024, 1)} KiB`, rps(detailSame.liaison), `bare ${rps(detailSame.baseline)}`, `${fmt(detailSame.ratio, 2)}x`, cpuNote(detailSame));
    }
    if (want('listings')) {
      const first = await load({ url: `${url}/v1/packets?box=inbox&limit=50`, concurrency: 1, headers: auth });
      report(`first page of 50, one client (${PACKETS} packets)`, `p99 ${fmt(first.p99, 1)} ms`, '', '', 'under 20 ms p99');
      const pagePath = '/v1/packets?box=inbox&limit=50';
      sameBodies.set('/page', await (await fetch(`${url}${pagePath}`, { headers: auth })).text());
      const listings = await loadBeside({ url: `${url}${pagePath}`, headers: auth, profile: 'listings' }, { url: `${baseline.url}/page` });
      const listing = listings.liaison;
      report(`listings at concurrency 10 (${PACKETS})`, rps(listing), '', '', '3,000 req/s');
      report(`  bare node:http sending the same ${fmt(Buffer.byteLength(sameBodies.get('/page')!) / 1024)} KiB page`, rps(listings.baseline), '', `${fmt(listings.ratio, 2)}x`, `the floor for that many bytes; ${cpuNote(listings)}`);
      report('  longest event-loop stall during listings', `${fmt(listing.loopMaxMs, 1)} ms`, '', '', `under 50 ms; ${gapNote(listing.gap)}`);
      const pageAfter = async (cursor: string | null): Promise<string | null> => {
        const res = await fetch(`${url}/v1/packets?box=inbox&limit=500${cursor ? `&cursor=${cursor}` : ''}`, { headers: auth });
        return ((await res.json()) as { nextCursor: string | null }).nextCursor;
      };
      let cursor: string | null = null;
      let depth = 0;
      for (let i = 0; i < 20; i++) {
        const next = await pageAfter(cursor);
        if (!next) break;
        cursor = next;
        depth += 500;
      }
      if (cursor) {
        const deep = await load({ url: `${url}/v1/packets?box=inbox&limit=50&cursor=${cursor}`, headers: auth });
        report(`  a page ${depth} packets deep, concurrency 10`, rps(deep), '', '', 'same as the first page');
      }
    }

    if (want('uploads')) {
      // Durable uploads of 64 KiB packets.
      const ruKey = await unlockPrivateKey(readFileSync(join(ru.home, 'private-key.asc'), 'utf8'), DEMO_PASSPHRASE);
      // Every cleared reader of RU and PK, as the hub will check (the web rows enrolled a browser key too).
      const cleared = (await Promise.all(['RU', 'PK'].map((party) => hub.hub.store.members.ofParty(party)))).flatMap((m) => clearedReceivers(m, 'SECRET', new Date()));
      const readers = await Promise.all(cleared.map((m) => readPublicKey(m.publicKey)));
      const bodies: string[] = [];
      const chunk = randomBytes(64 * 1024);
      mkdirSync(join(root, 'uploads'));
      for (let i = 0; i < UPLOADS; i++) {
        const path = join(root, 'uploads', `u${i}`);
        await uploadBody(path, chunk, { key: ruKey, fingerprint: ru.fingerprint }, readers, new Date());
        bodies.push(path);
      }
      const runs = await loadRuns({ url: `${url}/v1/packets`, headers: { Authorization: `Bearer ${token(ru)}` }, bodies, expect: 201, profile: 'uploads' });
      // The CPU figures are medians of the three runs (with BENCH_PROFILE, of the two not profiled).
      const unprofiled = PROFILE_DIR ? runs.slice(1) : runs;
      const uploads = { ...medianRun(runs), cpuUs: median(unprofiled.map((r) => r.cpuUs)), mainCpuUs: median(unprofiled.map((r) => r.mainCpuUs)) };
      const floor = await durableWrites(chunk, 200, 10);
      report('durable 64 KiB uploads, concurrency 10', `${fmt(uploads.perSecond)} /s p99 ${fmt(uploads.p99)} ms`, `write+fsync+rename+fsync ${fmt(floor.perSecond)} /s`, `${fmt(uploads.perSecond / floor.perSecond, 2)}x`, `300/s, p99 under 80 ms; hub CPU ${fmt(uploads.cpuUs / 1000, 1)} ms per upload, main thread ${fmt(uploads.mainCpuUs / 1000, 1)} ms`);
      report('  longest event-loop stall during uploads', `${fmt(uploads.loopMaxMs, 1)} ms`, '', '', `under 50 ms; ${gapNote(uploads.gap)}`);
    }

    if (want('evidence')) {
      // Evidence at scale.
      const [auditSeed, signed] = await timed(() => seedAuditEvents(db, EVENTS, hub.hub.hubKey, hub.hub.hubFingerprint, hub.hub.settings.checkpointEvery));
      report(`seed ${EVENTS} audit events (direct SQL)`, `${fmt(auditSeed, 1)} s`, '', '', `and ${signed} signed interval checkpoints, as a running hub stores them`);
      // A running hub indexes each event as it appends it (audit_access, audit_objects, audit_tree:
      // storage/sqlite/audit.ts); events seeded by direct SQL are indexed here, or the export's
      // own opening of the store would index the backlog and the export would be timed with it.
      const [indexSeconds, indexed] = await timed(() => (hub.hub.store as SqliteStorage).audit.indexBacklog());
      report(`  index ${indexed} seeded audit events`, `${fmt(indexSeconds, 1)} s`, '', '', 'what a running hub does as it appends');
    }
  } finally {
    await baseline.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await hub.close();
  }
  if (want('evidence')) await evidence(dataDir);
  console.log('');
  writeFileSync(join(tmpdir(), 'liaison-bench-last.txt'), lines.join('\n') + '\n');
}

/** Send and fetch of a big file against gpg and raw transfers; hub ingest against sha256sum. */
function peakKiB(pid: number): number {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

async function bigFiles(url: string, ru: Person, pk: Person, officers: Person[], hubPid: number): Promise<void> {
  const input = join(root, 'input.bin');
  const out = openSync(input, 'w');
  for (let i = 0; i < MB; i++) writeSync(out, randomBytes(1024 * 1024));
  fsyncSync(out);
  closeSync(out);
  writeFileSync(join(root, 'en.txt'), 'This is the English translation of the attached binary evidence file, describing what it contains and why it is sent.\n');
  const gnupg = join(root, 'gnupg');
  mkdirSync(gnupg, { mode: 0o700 });
  const gpg = (...args: string[]) => execFileSync('gpg', ['--batch', '--quiet', '--homedir', gnupg, ...args], { stdio: 'ignore' });
  gpg('--import', join(root, 'PK.asc'));
  const pkSecret = join(root, 'pk-secret.asc');
  await must(liaison(['key', 'export', '--secret', '--out', pkSecret], pk.env));
  gpg('--pinentry-mode', 'loopback', '--passphrase', DEMO_PASSPHRASE, '--import', pkSecret);
  const ruSecret = join(root, 'ru-secret.asc');
  await must(liaison(['key', 'export', '--secret', '--out', ruSecret], ru.env));
  gpg('--pinentry-mode', 'loopback', '--passphrase', DEMO_PASSPHRASE, '--import', ruSecret);
  const fpr = (p: Person) => p.fingerprint;

  const baseline = await bareServer();
  /** The baselines of send and fetch for `file`: gpg --sign --encrypt + a raw upload; a raw download + gpg --decrypt. */
  const transferBaselines = async (file: string): Promise<{ send: number; fetch: number }> => {
    const send = await median3(async () => {
      rmSync(join(root, 'gpg.pgp'), { force: true });
      gpg('--pinentry-mode', 'loopback', '--passphrase', DEMO_PASSPHRASE, '--trust-model', 'always', '--compress-algo', 'none', '--local-user', fpr(ru), '--recipient', fpr(pk), '--recipient', fpr(ru), '--output', join(root, 'gpg.pgp'), '--sign', '--encrypt', file);
      // -T streams the file (--data-binary @file reads it whole into memory, which fails at 1 GiB).
      await run('curl', ['-s', '-f', '-o', '/dev/null', '-X', 'POST', '-T', join(root, 'gpg.pgp'), '-H', 'Content-Type: application/octet-stream', baseline.url]);
    });
    const fetch = await median3(async () => {
      await run('curl', ['-s', '-f', '-o', join(root, 'raw-download.bin'), `${baseline.url}/file/${basename(file)}`]);
      rmSync(join(root, 'gpg.out'), { force: true });
      gpg('--pinentry-mode', 'loopback', '--passphrase', DEMO_PASSPHRASE, '--output', join(root, 'gpg.out'), '--decrypt', join(root, 'gpg.pgp'));
    });
    rmSync(join(root, 'raw-download.bin'), { force: true });
    rmSync(join(root, 'gpg.out'), { force: true });
    return { send, fetch };
  };
  try {
    if (WEB_ONLY) {
      await benchWeb({ url, root, mb: WEB_MB, officer: officers[0]!, officers, sender: ru, recipient: pk, report, baselines: transferBaselines });
      return;
    }
    const { send: gpgSend, fetch: gpgFetch } = await transferBaselines(input);
    let packetId = '';
    const before = peakKiB(hubPid);
    // With BENCH_PROFILE, the first send and fetch write CPU profiles to <dir>/send/ and <dir>/fetch/.
    let runs = 0;
    const profiled = (person: Person, name: string): Record<string, string> => ({ ...person.env, ...(PROFILE_DIR && runs++ % 3 === 0 ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${join(PROFILE_DIR, name)}` } : {}) });
    const send = await median3(async () => {
      packetId = (await must(liaison(['send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', input, '--lang', 'ru', '--translation', `en:${join(root, 'en.txt')}`, '--quiet'], profiled(ru, 'send')))).stdout.trim();
    });
    const after = peakKiB(hubPid);
    report(`liaison send ${MB} MiB`, `${fmt(send, 2)} s`, `gpg --sign --encrypt + raw upload ${fmt(gpgSend, 2)} s`, `${fmt(send / gpgSend, 2)}x`, 'within 1.5x');
    const fetchTime = await median3(async () => {
      rmSync(join(root, 'out'), { recursive: true, force: true });
      await must(liaison(['fetch', packetId, '--out', join(root, 'out'), '--quiet'], profiled(pk, 'fetch')));
    });
    if (statSync(join(root, 'out', 'input.bin')).size !== MB * 1024 * 1024) throw new Error('fetched size differs');
    report(`liaison fetch ${MB} MiB`, `${fmt(fetchTime, 2)} s`, `raw download + gpg --decrypt ${fmt(gpgFetch, 2)} s`, `${fmt(fetchTime / gpgFetch, 2)}x`, 'within 2x');
    // What openpgp.js alone takes for the same file, file to file, in this process: the floor of
    // send and fetch whatever the CLI does around it.
    const bare = await bareOpenpgp(input, ru, pk);
    report(`  openpgp.js alone: sign+encrypt ${MB} MiB`, `${fmt(bare.encrypt, 2)} s`, `gpg --sign --encrypt + raw upload ${fmt(gpgSend, 2)} s`, `${fmt(bare.encrypt / gpgSend, 2)}x`, `send is ${fmt(send / bare.encrypt, 2)}x this`);
    report(`  openpgp.js alone: decrypt+verify ${MB} MiB`, `${fmt(bare.decrypt, 2)} s`, `raw download + gpg --decrypt ${fmt(gpgFetch, 2)} s`, `${fmt(bare.decrypt / gpgFetch, 2)}x`, `fetch is ${fmt(fetchTime / bare.decrypt, 2)}x this`);
    if (ONLY?.includes('transfers')) return;

    // Hub ingest: the upload of an already encrypted packet, against sha256sum of the same bytes.
    const ruKey = await unlockPrivateKey(readFileSync(join(ru.home, 'private-key.asc'), 'utf8'), DEMO_PASSPHRASE);
    const readers = await Promise.all([ru, pk].map((p) => readPublicKey(readFileSync(join(p.home, 'public-key.asc'), 'utf8'))));
    const ingestBodies: string[] = [];
    for (let i = 0; i < 3; i++) {
      const path = join(root, `ingest-${i}`);
      await uploadBody(path, readFileSync(input), { key: ruKey, fingerprint: ru.fingerprint }, readers, new Date());
      ingestBodies.push(path);
    }
    const token = (JSON.parse(readFileSync(join(ru.home, 'session.json'), 'utf8')) as { token: string }).token;
    let i = 0;
    const ingest = await median3(async () => {
      const body = ingestBodies[i++]!;
      await run('curl', ['-s', '-f', '-o', '/dev/null', '--data-binary', `@${body}`, '-H', `Content-Type: ${readFileSync(`${body}.type`, 'utf8')}`, '-H', `Authorization: Bearer ${token}`, `${url}/v1/packets`]);
    });
    const sha = await median3(() => execFileSync('sha256sum', [ingestBodies[0]!], { stdio: 'ignore' }));
    report(`hub ingest of a ${MB} MiB part`, `${fmt(MB / ingest)} MiB/s`, `sha256sum ${fmt(MB / sha)} MiB/s`, `${fmt(sha / ingest, 2)}x`, '0.8x or better');
    report(`hub peak memory over ${MB} MiB sends`, `+${fmt((after - before) / 1024)} MB`, `${fmt(before / 1024)} MB before`, '', 'growth under 100 MB');

    // Stamping: a 50-page PDF, against loading and saving the same PDF with the same library.
    const pdf = await makeSamplePdf({ lines: ['Запрос о правовой помощи: сведения о движении денежных средств.'], pages: 50, script: 'latin' });
    const pdfRoundTrip = await median3(async () => (await PDFDocument.load(pdf)).save());
    const marking = { level: 'SECRET' as const, agreementId: 'RU-PK', packetId: '00000000-0000-4000-8000-000000000000', originatorParty: 'RU', readerParty: 'PK', labels: { RU: 'СОВЕРШЕННО СЕКРЕТНО', PK: 'SECRET' }, readerName: pk.name };
    await stampDocument(pdf, 'application/pdf', marking, systemFonts()); // fonts read once, as on a second fetch
    const stamp = await median3(async () => {
      const stamped = await stampDocument(pdf, 'application/pdf', marking, systemFonts());
      if (!stamped.stamped) throw new Error(stamped.reason);
    });
    report('stamp a 50-page PDF', `${fmt(stamp * 1000)} ms`, `pdf-lib load+save ${fmt(pdfRoundTrip * 1000)} ms`, `${fmt(stamp / pdfRoundTrip, 2)}x`);

    // The same transfers through the web client in Chromium, beside the CLI (scripts/bench-web.ts).
    await benchWeb({ url, root, mb: WEB_MB, officer: officers[0]!, officers, sender: ru, recipient: pk, report, baselines: transferBaselines });
  } finally {
    await baseline.close();
  }
}

/** openpgp.js's own sign+encrypt and decrypt+verify of `input`, file to file through web streams as the CLI reads and writes (medians of three). */
async function bareOpenpgp(input: string, sender: Person, recipient: Person): Promise<{ encrypt: number; decrypt: number }> {
  const senderKey = await unlockPrivateKey(readFileSync(join(sender.home, 'private-key.asc'), 'utf8'), DEMO_PASSPHRASE);
  const recipientKey = await unlockPrivateKey(readFileSync(join(recipient.home, 'private-key.asc'), 'utf8'), DEMO_PASSPHRASE);
  const readers = await Promise.all([sender, recipient].map((p) => readPublicKey(readFileSync(join(p.home, 'public-key.asc'), 'utf8'))));
  const senderPublic = readers[0]!;
  const cipher = join(root, 'bare.pgp');
  const plain = join(root, 'bare.out');
  const fileIn = (path: string) => Readable.toWeb(createReadStream(path, { highWaterMark: 1024 * 1024 })) as ByteStream;
  const fileOut = (path: string) => Writable.toWeb(createWriteStream(path)) as WritableStream<Uint8Array>;
  const encrypt = await median3(async () => {
    const encrypted = await encryptPartForRecipients(fileIn(input), { filename: 'input.bin', signingKey: senderKey, recipientKeys: readers, date: new Date() });
    await (encrypted as unknown as ReadableStream<Uint8Array>).pipeTo(fileOut(cipher));
  });
  const decrypt = await median3(async () => {
    const opened = await decryptPart(fileIn(cipher), { decryptionKey: recipientKey, senderKeys: [senderPublic], date: new Date() });
    await (opened.data as unknown as ReadableStream<Uint8Array>).pipeTo(fileOut(plain));
    if (!(await opened.verification).valid) throw new Error('the bare decryption did not verify');
  });
  if (statSync(plain).size !== statSync(input).size) throw new Error('the bare decryption differs in size');
  rmSync(cipher, { force: true });
  rmSync(plain, { force: true });
  return { encrypt, decrypt };
}

const PEAK_RSS = fileURLToPath(new URL('./peak-rss.ts', import.meta.url));

/** Run the CLI and read its peak RSS (MB) from the preload's file. */
async function withPeakRss(args: string[], profile?: string): Promise<[RunResult, number]> {
  const file = join(root, `peak-${randomUUID()}`);
  // With BENCH_PROFILE, the CLI writes its CPU profile to <dir>/<profile>/.
  const cpuProf = PROFILE_DIR && profile ? ` --cpu-prof --cpu-prof-dir=${join(PROFILE_DIR, profile)}` : '';
  const result = await liaison(args, { NODE_OPTIONS: `--import=${PEAK_RSS}${cpuProf}`, LIAISON_PEAK_RSS: file });
  return [result, Number(readFileSync(file, 'utf8')) / 1024];
}

/** Audit export and verify of the seeded log, with the operator's commands. */
async function evidence(dataDir: string): Promise<void> {
  const file = join(root, 'audit-export.json');
  const [exportSeconds, [exported, exportRss]] = await timed(() => withPeakRss(['audit', 'export', '--data', dataDir, '--out', file], 'export'));
  if (exported.code !== 0) {
    report(`audit export of ${EVENTS} events`, 'failed', '', '', exported.stderr.trim().slice(0, 80));
    return;
  }
  const sha = await median3(() => execFileSync('sha256sum', [file], { stdio: 'ignore' }));
  report(`audit export of ${EVENTS} events`, `${fmt(exportSeconds, 1)} s`, `sha256sum of the export ${fmt(sha, 2)} s`, `${fmt(exportSeconds / sha, 0)}x`, '1M events under 60 s');
  report('  peak memory of the export', `${fmt(exportRss)} MB`, `file ${fmt(statSync(file).size / 1024 / 1024)} MB`, '', 'flat in the number of events');
  // The hub's fingerprint from the head line: the file is read as a stream, never whole.
  const fd = openSync(file, 'r');
  const headBytes = Buffer.alloc(4096);
  readSync(fd, headBytes, 0, headBytes.length, 0);
  closeSync(fd);
  const head = headBytes.toString('utf8');
  const hubFingerprint = /"fingerprint":"([0-9A-F]{40})"/.exec(head)?.[1] ?? '';
  let verifyRss = 0;
  const verify = await median3(async () => {
    const [result, rss] = await withPeakRss(['audit', 'verify', '--file', file, '--hub-fingerprint', hubFingerprint], 'verify');
    if (result.code !== 0) throw new Error(result.stderr.trim());
    verifyRss = Math.max(verifyRss, rss);
  });
  report(`audit verify of ${EVENTS} events`, `${fmt(verify, 1)} s`, `sha256sum of the export ${fmt(sha, 2)} s`, `${fmt(verify / sha, 0)}x`, '1M events under 10 s');
  report('  peak memory of verify', `${fmt(verifyRss)} MB`, '', '', 'flat in the number of events');
}

main()
  .then(() => rmSync(root, { recursive: true, force: true }))
  .catch((error: unknown) => {
    console.error(`bench failed: ${(error as Error).stack ?? (error as Error).message}`);
    rmSync(root, { recursive: true, force: true });
    process.exit(1);
  });
