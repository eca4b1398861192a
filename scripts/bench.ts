/**
 * `npm run bench`: throughput and memory of the real paths, as ratios against baselines measured
 * in the same run on the same file (cp, gpg). Size with BENCH_MB (default 256). Loopback only.
 * Never used as a pass/fail threshold: these machines are shared and noisy.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from '@cantoo/pdf-lib';
import { stampDocument } from '../client/core/stamp/index.ts';
import { systemFonts } from '../client/node/stamp-fonts.ts';
import { liaison, Person, startHub, DEMO_PASSPHRASE, type RunResult } from './harness.ts';
import { makeSamplePdf } from './sample-pdf.ts';

const MB = Number(process.env.BENCH_MB ?? 256);
const root = mkdtempSync(join(tmpdir(), 'liaison-bench-'));

function seconds<T>(fn: () => T): [number, T] {
  const start = process.hrtime.bigint();
  const value = fn();
  return [Number(process.hrtime.bigint() - start) / 1e9, value];
}
async function secondsAsync<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [Number(process.hrtime.bigint() - start) / 1e9, value];
}
function peakKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
}
const rate = (s: number) => `${(MB / s).toFixed(1)} MB/s`;

async function makeInput(path: string): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < MB; i++) if (!out.write(randomBytes(1024 * 1024))) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((r) => out.end(() => r()));
}

async function main(): Promise<void> {
  console.log(`Liaison bench: ${MB} MiB of random data, in ${root}`);
  const input = join(root, 'input.bin');
  await makeInput(input);
  writeFileSync(join(root, 'en.txt'), 'This is the English translation of the attached binary evidence file, describing what it contains and why it is sent.\n');

  const [cp] = seconds(() => copyFileSync(input, join(root, 'copy.bin')));
  rmSync(join(root, 'copy.bin'));

  // The same setup a real hub has: first officers by the operator, members by their officers.
  const must = async (result: Promise<RunResult>): Promise<RunResult> => {
    const r = await result;
    if (r.code !== 0) throw new Error(r.stderr.trim());
    return r;
  };
  const ru = new Person('Bench Sender', 'RU', root);
  const pk = new Person('Bench Receiver', 'PK', root);
  const officers = [new Person('Bench Officer RU', 'RU', root), new Person('Bench Officer PK', 'PK', root)];
  for (const p of [ru, pk, ...officers]) {
    p.fingerprint = (await must(p.run('keygen', '--name', p.name))).stdout.trim();
    await must(p.run('key', 'export', '--public', '--out', join(root, `${p === ru ? 'RU' : p === pk ? 'PK' : p.fingerprint}.asc`)));
  }
  await must(liaison(['hub', 'init', '--data', join(root, 'hub'), ...officers.flatMap((o) => ['--officer', `${o.party}=${join(root, `${o.fingerprint}.asc`)}`])]));
  for (const p of [ru, pk, ...officers]) for (const o of officers) await must(p.run('trust', 'add', '--party', o.party, '--officer', o.fingerprint));
  const hub = await startHub(join(root, 'hub'), join(root, 'hub.log'));
  try {
    for (const [officer, member, file] of [[officers[0]!, ru, 'RU.asc'], [officers[1]!, pk, 'PK.asc']] as const) {
      await must(officer.run('login', '--server', hub.url));
      await must(officer.run('officer', 'enroll', '--key', join(root, file), '--roles', 'contact', '--clearance', 'SECRET'));
      await must(member.run('login', '--server', hub.url));
    }
    const gnupg = join(root, 'gnupg');
    execFileSync('mkdir', ['-m', '700', gnupg]);
    execFileSync('gpg', ['--batch', '--quiet', '--homedir', gnupg, '--import', join(root, 'PK.asc')], { stdio: 'ignore' });
    const pkFingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(execFileSync('gpg', ['--batch', '--homedir', gnupg, '--with-colons', '--list-keys']).toString())![1]!;
    const [gpgEnc] = seconds(() =>
      execFileSync('gpg', ['--batch', '--quiet', '--homedir', gnupg, '--trust-model', 'always', '--compress-algo', 'none', '--recipient', pkFingerprint, '--output', join(root, 'gpg.pgp'), '--encrypt', input], { stdio: 'ignore' }),
    );

    const before = peakKiB(hub.process.pid!);
    const [send, sent] = await secondsAsync(() => ru.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', input, '--lang', 'ru', '--translation', `en:${join(root, 'en.txt')}`, '--quiet'));
    if (sent.code !== 0) throw new Error(sent.stderr);
    const serverPeak = peakKiB(hub.process.pid!);
    const packetId = sent.stdout.trim();

    const [fetch, fetched] = await secondsAsync(() => pk.run('fetch', packetId, '--out', join(root, 'out'), '--quiet'));
    if (fetched.code !== 0) throw new Error(fetched.stderr);
    if (statSync(join(root, 'out', 'input.bin')).size !== MB * 1024 * 1024) throw new Error('fetched size differs');

    const pkSecret = join(root, 'pk-secret.asc');
    await liaison(['key', 'export', '--secret', '--out', pkSecret], pk.env);
    execFileSync('gpg', ['--batch', '--quiet', '--homedir', gnupg, '--pinentry-mode', 'loopback', '--passphrase', DEMO_PASSPHRASE, '--import', pkSecret], { stdio: 'ignore' });
    const [gpgDec] = seconds(() => execFileSync('gpg', ['--batch', '--quiet', '--homedir', gnupg, '--pinentry-mode', 'loopback', '--passphrase', DEMO_PASSPHRASE, '--output', join(root, 'gpg.out'), '--decrypt', join(root, 'gpg.pgp')], { stdio: 'ignore' }));

    console.log('');
    console.log(`cp                         ${cp.toFixed(2)} s  ${rate(cp)}`);
    console.log(`gpg --encrypt (baseline)   ${gpgEnc.toFixed(2)} s  ${rate(gpgEnc)}`);
    console.log(`liaison send               ${send.toFixed(2)} s  ${rate(send)}   ${(send / gpgEnc).toFixed(2)}x gpg --encrypt  (sign+encrypt+hash+upload+store)`);
    console.log(`gpg --decrypt (baseline)   ${gpgDec.toFixed(2)} s  ${rate(gpgDec)}`);
    console.log(`liaison fetch              ${fetch.toFixed(2)} s  ${rate(fetch)}   ${(fetch / gpgDec).toFixed(2)}x gpg --decrypt  (download+hash+decrypt+verify)`);
    // Stamping: a 50-page PDF, against loading and saving the same PDF with the same library.
    const pdf = await makeSamplePdf({ lines: ['Запрос о правовой помощи: сведения о движении денежных средств.'], pages: 50, script: 'latin' });
    const [pdfRoundTrip] = await secondsAsync(async () => (await PDFDocument.load(pdf)).save());
    const marking = { level: 'SECRET' as const, agreementId: 'RU-PK', packetId: '00000000-0000-4000-8000-000000000000', originatorParty: 'RU', readerParty: 'PK', labels: { RU: 'СОВЕРШЕННО СЕКРЕТНО', PK: 'SECRET' }, readerName: pk.name };
    await stampDocument(pdf, 'application/pdf', marking, systemFonts()); // fonts read once, as on a second fetch
    const [stamp, stamped] = await secondsAsync(() => stampDocument(pdf, 'application/pdf', marking, systemFonts()));
    if (!stamped.stamped) throw new Error(stamped.reason);
    console.log(`pdf-lib load+save (baseline) ${(pdfRoundTrip * 1000).toFixed(0)} ms for 50 pages`);
    console.log(`stamp a 50-page PDF        ${(stamp * 1000).toFixed(0)} ms   ${(stamp / pdfRoundTrip).toFixed(2)}x load+save  (${((stamped.bytes.length - pdf.length) / 50 / 1024).toFixed(1)} KiB a page)`);
    console.log(`hub peak memory            ${(before / 1024).toFixed(0)} MB before, ${(serverPeak / 1024).toFixed(0)} MB after a ${MB} MiB upload (+${((serverPeak - before) / 1024).toFixed(0)} MB)`);
  } finally {
    await hub.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).message}`);
  rmSync(root, { recursive: true, force: true });
  process.exit(1);
});
