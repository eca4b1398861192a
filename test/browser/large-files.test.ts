/**
 * A large part up and down through the web client in real Chromium against a real hub, with the
 * browser's memory watched through the DevTools Protocol (scripts/web-driver.ts): the browser
 * encrypts into OPFS while hashing and uploads that file; the CLI recipient fetches exactly the
 * original bytes; the browser downloads into OPFS, checks the signed manifest, decrypts and
 * verifies, and only then offers the file, which is exactly the original. Its JS heap and the
 * buffers its worker holds stay far below the part's size (a memory bound, never a time bound).
 * A part altered on the hub, and a part whose hash is right but whose ciphertext fails its
 * integrity check while decrypting, are refused: no file is offered and no OPFS file is left.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, mkdtempSync, openAsBlob, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../../client/core/api.ts';
import { keySigner, logIn as logInCli } from '../../client/core/session.ts';
import { readPublicKey } from '../../keys/identity.ts';
import { signDetached } from '../../keys/signatures.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import { MANIFEST_FORMAT, type Manifest } from '../../protocol/manifest.ts';
import { encryptBytes, RU_PK_LABELS } from '../helpers/packets.ts';
import { makePerson, type Person as KeyPerson } from '../helpers/world.ts';
import { liaison, Person, startHub, type RunningHub, type RunResult } from '../../scripts/harness.ts';
import { createKey, launchBrowser, logIn, opfsFiles, openPacket, pinOfficers, publicKeyOf, saveOffered, sendFile, watchMemory, type MemoryPeaks, type WebSession } from '../../scripts/web-driver.ts';

const MB = Number(process.env.LARGE_FILE_MB ?? 128);
const PART_BYTES = MB * 1024 * 1024;
const WEB_PASSPHRASE = 'browser passphrase 2026';
/**
 * Far below the part (a quarter of the default 128 MiB): what the worker still references at any
 * moment, sampled after a forced collection, is its code, a few 1 MiB chunks and openpgp.js's
 * buffers, whatever the part's size (measured: about 6 MiB of heap and 13 MiB of buffers).
 */
const LIVE_BOUND = 32 * 1024 * 1024;

let root: string;
let dataDir: string;
let hub: RunningHub;
let web: WebSession;
let officerRu: Person, officerPk: Person, ayesha: Person;
let oleg: KeyPerson;
let browserKeyFile: string;
let input: string;
let inputSha256: string;
let packetId = '';

async function ok(r: Promise<RunResult>): Promise<RunResult> {
  const result = await r;
  if (result.code !== 0) throw new Error(`command failed: ${result.stderr}`);
  return result;
}

function sha256Of(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: 1024 * 1024 }).on('data', (d) => hash.update(d)).on('error', reject).on('end', () => resolve(hash.digest('hex')));
  });
}

async function exportKey(person: Person): Promise<string> {
  person.fingerprint = (await ok(person.run('key', 'fingerprint'))).stdout.trim();
  const keyFile = join(root, `${person.fingerprint}.asc`);
  await ok(person.run('key', 'export', '--public', '--out', keyFile));
  return keyFile;
}

/** The stored blob of the packet's largest part: the hub keeps blobs as blobs/aa/bb/<sha256>. */
function largestBlob(): string {
  const all: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else all.push(path);
    }
  };
  walk(join(dataDir, 'blobs'));
  return all.sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
}

function flipByteAt(path: string, offset: number): void {
  const fd = openSync(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, offset);
    byte[0] = byte[0]! ^ 0x5a;
    writeSync(fd, byte, 0, 1, offset);
  } finally {
    closeSync(fd);
  }
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const describe1 = (p: MemoryPeaks) => `page heap ${mib(p.pageHeap)}, worker heap ${mib(p.workerHeap)} + buffers ${mib(p.workerBuffers)}, renderer RSS ${mib(p.rendererRss)}, Chromium PSS ${mib(p.chromiumPss)}`;
const describePeaks = (m: { peak: MemoryPeaks; before: MemoryPeaks }) => `peak ${describe1(m.peak)} (${m.peak.samples} samples); before ${describe1(m.before)}`;

function expectFlat({ peak }: { peak: MemoryPeaks }): void {
  // The sampler reached the worker (a sampler that sees nothing would pass any bound).
  expect(peak.samples).toBeGreaterThan(2);
  expect(peak.workerHeap).toBeGreaterThan(0);
  expect(peak.pageHeap).toBeGreaterThan(0);
  expect(peak.pageHeap).toBeLessThan(LIVE_BOUND);
  expect(peak.workerHeap + peak.workerBuffers).toBeLessThan(LIVE_BOUND);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'liaison-large-'));
  dataDir = join(root, 'hub');
  officerRu = new Person('Sergei Volkov', 'RU', root);
  officerPk = new Person('Imran Qureshi', 'PK', root);
  ayesha = new Person('Ayesha Khan', 'PK', root);
  await Promise.all([officerRu, officerPk, ayesha].map((p) => ok(p.run('keygen', '--name', p.name))));
  await ok(liaison(['hub', 'init', '--data', dataDir, '--officer', `RU=${await exportKey(officerRu)}`, '--officer', `PK=${await exportKey(officerPk)}`]));
  for (const p of [officerRu, officerPk, ayesha]) for (const o of [officerRu, officerPk]) await ok(p.run('trust', 'add', '--party', o.party, '--officer', o.fingerprint));
  hub = await startHub(dataDir, join(root, 'hub.log'));
  for (const p of [officerRu, officerPk]) await ok(p.run('login', '--server', hub.url));
  await ok(officerPk.run('officer', 'enroll', '--key', await exportKey(ayesha), '--roles', 'contact', '--clearance', 'SECRET'));
  await ok(ayesha.run('login', '--server', hub.url));

  web = await launchBrowser();
  await createKey(web.page, hub.url, 'Ivan Petrov', WEB_PASSPHRASE);
  browserKeyFile = await publicKeyOf(web.page, hub.url, root);
  await ok(officerRu.run('officer', 'enroll', '--key', browserKeyFile, '--roles', 'contact', '--clearance', 'SECRET'));
  // A sender whose key this test holds, to build a packet no honest client would send.
  oleg = await makePerson('Oleg Smirnov', 'RU');
  const olegKeyFile = join(root, 'oleg.asc');
  writeFileSync(olegKeyFile, oleg.armoredPublicKey);
  await ok(officerRu.run('officer', 'enroll', '--key', olegKeyFile, '--roles', 'contact', '--clearance', 'SECRET'));
  await pinOfficers(web.page, hub.url, [officerRu, officerPk]);
  await logIn(web.page, hub.url);

  input = join(root, 'evidence.bin');
  const fd = openSync(input, 'w');
  for (let i = 0; i < MB; i++) writeSync(fd, randomBytes(1024 * 1024));
  closeSync(fd);
  inputSha256 = await sha256Of(input);
}, 600_000);

afterAll(async () => {
  await web?.close();
  await hub?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe(`a ${MB} MiB part through the web client`, () => {
  it('is encrypted into OPFS and uploaded in flat memory; the CLI recipient fetches exactly the original', async () => {
    const memory = await watchMemory(web, { collectGarbage: true });
    packetId = await sendFile(web.page, hub.url, input, { to: 'PK', level: 'SECRET', lang: 'en' });
    const peaks = await memory.stop();
    console.log(`send ${MB} MiB: ${describePeaks(peaks)}`);
    expectFlat(peaks);
    // The ciphertext file was removed once uploaded.
    expect(await opfsFiles(web.page)).toEqual([]);

    const out = join(root, 'ayesha');
    await ok(ayesha.run('fetch', packetId, '--out', out, '--quiet'));
    expect(statSync(join(out, 'evidence.bin')).size).toBe(PART_BYTES);
    expect(await sha256Of(join(out, 'evidence.bin'))).toBe(inputSha256);
    rmSync(out, { recursive: true, force: true });
  }, 1_800_000);

  it('is downloaded, checked, decrypted and verified into OPFS in flat memory, and only then offered: the saved file is the original', async () => {
    const memory = await watchMemory(web, { collectGarbage: true });
    const opened = await openPacket(web.page, hub.url, packetId);
    const peaks = await memory.stop();
    console.log(`open ${MB} MiB: ${describePeaks(peaks)}`);
    expect(opened.refusal).toBeUndefined();
    expect(opened.saves).toEqual(['Save evidence.bin']);
    expectFlat(peaks);
    // The downloaded ciphertext is gone; only the verified plaintext being offered remains.
    const files = await opfsFiles(web.page);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^opened\//);

    const saved = join(root, 'saved.bin');
    await saveOffered(web.page, 'evidence.bin', saved);
    expect(statSync(saved).size).toBe(PART_BYTES);
    expect(await sha256Of(saved)).toBe(inputSha256);
    rmSync(saved);
  }, 1_800_000);

  it('is refused before anything is written when the browser grants this site too little storage for it', async () => {
    // The quota the browser gives the hub's origin, lowered through DevTools: enough for the part once, not twice.
    const cdp = await web.context.newCDPSession(web.page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(hub.url).origin, quotaSize: Math.floor(PART_BYTES * 1.5) });
    try {
      const opened = await openPacket(web.page, hub.url, packetId);
      expect(opened.refusal).toMatch(/opening this packet needs \d+ MiB of this browser's storage for this site, but only \d+ MiB is free/);
      expect(opened.saves).toEqual([]);
      expect(await opfsFiles(web.page)).toEqual([]);
    } finally {
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(hub.url).origin });
      await cdp.detach();
    }
  }, 600_000);

  it('is refused when altered on the hub: no file is offered and no OPFS file is left behind', async () => {
    const blob = largestBlob();
    expect(statSync(blob).size).toBeGreaterThan(PART_BYTES);
    const middle = Math.floor(statSync(blob).size / 2);
    flipByteAt(blob, middle);
    try {
      const opened = await openPacket(web.page, hub.url, packetId);
      expect(opened.refusal).toMatch(/does not match the signed manifest: it was altered; nothing was decrypted/);
      expect(opened.saves).toEqual([]);
      expect(await opfsFiles(web.page)).toEqual([]);
    } finally {
      flipByteAt(blob, middle);
    }
  }, 1_800_000);

  it('is refused when its hash matches the signed manifest but its ciphertext fails the integrity check while decrypting: the plaintext written so far is removed, nothing is offered', async () => {
    // Signed by a real member over the altered bytes: only openpgp.js's integrity check (MDC) can catch it, at the end of the stream.
    const date = new Date();
    const readers = await Promise.all([oleg.armoredPublicKey, readFileSync(browserKeyFile, 'utf8'), readFileSync(join(root, `${ayesha.fingerprint}.asc`), 'utf8')].map((k) => readPublicKey(k)));
    const ciphertext = await encryptBytes(randomBytes(Math.min(PART_BYTES, 32 * 1024 * 1024)), oleg, readers, date, 'forged.bin');
    ciphertext[Math.floor(ciphertext.length / 2)]! ^= 0x01;
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      packetId: crypto.randomUUID(),
      revision: 1,
      agreementId: 'RU-PK',
      createdAt: date.toISOString(),
      sender: { party: 'RU', fingerprint: oleg.fingerprint },
      signedBy: oleg.fingerprint,
      recipients: ['PK'],
      marking: { level: 'SECRET', labels: RU_PK_LABELS.SECRET! },
      kind: 'information',
      references: {},
      parts: [{ id: 'p1', role: 'original', lang: 'en', mediaType: 'application/octet-stream', size: ciphertext.length, sha256: createHash('sha256').update(ciphertext).digest('hex') }],
    };
    const text = canonicalize(manifest);
    const partFile = join(root, 'forged.pgp');
    writeFileSync(partFile, ciphertext);
    const session = await logInCli(new HubClient(hub.url), keySigner(oleg.key, () => new Date()), () => new Date());
    await session.api.upload({ manifest: text, signature: await signDetached('manifest', text, oleg.key, date), submit: true }, [{ partId: 'p1', size: ciphertext.length, body: await openAsBlob(partFile) }]);

    const opened = await openPacket(web.page, hub.url, manifest.packetId);
    expect(opened.refusal).toMatch(/part p1 failed its integrity check while decrypting|part p1 is not validly signed/);
    expect(opened.saves).toEqual([]);
    expect(await opfsFiles(web.page)).toEqual([]);
  }, 1_800_000);
});
