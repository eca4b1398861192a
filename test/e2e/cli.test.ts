/**
 * The real `liaison` CLI, as child processes, against a real hub started with `liaison serve` on a
 * loopback port and a temp SQLite store; and GnuPG on the other side of the wire.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSPHRASE, liaison, Person, startHub, type RunningHub, type RunResult } from '../../scripts/harness.ts';
import { GnuPG } from '../helpers/gpg.ts';
import { CANARY } from '../helpers/world.ts';

let root: string;
let dataDir: string;
let hub: RunningHub;
let ivan: Person, olga: Person, sergei: Person, ayesha: Person, imran: Person, aigerim: Person, daniyar: Person;
let officerOf: Record<string, Person>;

const RU = `Запрос о правовой помощи. Просим установить владельцев банковских счетов и сообщить сведения о движении средств. ${CANARY}\n`;
const EN = `Request for legal assistance. Please identify the holders of the bank accounts and report the movements of funds. ${CANARY}\n`;

function file(name: string, content: string | Buffer): string {
  const path = join(root, name);
  writeFileSync(path, content);
  return path;
}

function expectOneSentenceError(r: RunResult, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

async function ok(r: Promise<RunResult>): Promise<RunResult> {
  const result = await r;
  if (result.code !== 0) throw new Error(`command failed: ${result.stderr}`);
  return result;
}

async function exportKey(person: Person): Promise<string> {
  person.fingerprint = (await ok(person.run('key', 'fingerprint'))).stdout.trim();
  const keyFile = join(root, `${person.fingerprint}.asc`);
  await ok(person.run('key', 'export', '--public', '--out', keyFile));
  return keyFile;
}

/** The person's officer vouches for their key with a signed statement. */
async function enroll(person: Person, roles: string, clearance: string): Promise<void> {
  await ok(officerOf[person.party]!.run('officer', 'enroll', '--key', await exportKey(person), '--roles', roles, '--clearance', clearance));
}

/** Everyone pins the officers of the parties they deal with, as notified in writing. */
async function pinAll(person: Person): Promise<void> {
  for (const officer of Object.values(officerOf)) await ok(person.run('trust', 'add', '--party', officer.party, '--officer', officer.fingerprint));
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'liaison-e2e-'));
  dataDir = join(root, 'hub');
  await ok(liaison(['hub', 'init', '--data', dataDir]));
  ivan = new Person('Ivan Petrov', 'RU', root);
  olga = new Person('Olga Smirnova', 'RU', root);
  sergei = new Person('Sergei Volkov', 'RU', root);
  ayesha = new Person('Ayesha Khan', 'PK', root);
  imran = new Person('Imran Qureshi', 'PK', root);
  aigerim = new Person('Aigerim Nurlanovna', 'KZ', root);
  daniyar = new Person('Daniyar Seitkali', 'KZ', root);
  const everyone = [ivan, olga, sergei, ayesha, imran, aigerim, daniyar];
  await Promise.all(everyone.map((p) => ok(p.run('keygen', '--name', p.name))));
  officerOf = { RU: sergei, PK: imran, KZ: daniyar };
  for (const officer of Object.values(officerOf)) await ok(liaison(['hub', 'enroll', '--data', dataDir, '--party', officer.party, '--key', await exportKey(officer)]));
  await Promise.all(everyone.map((p) => pinAll(p)));
  hub = await startHub(dataDir, join(root, 'hub.log'));
  for (const officer of Object.values(officerOf)) await ok(officer.run('login', '--server', hub.url));
  await enroll(ivan, 'contact', 'TOP SECRET');
  await enroll(olga, 'clerk', 'SECRET');
  await enroll(ayesha, 'contact', 'SECRET');
  await enroll(aigerim, 'contact', 'SECRET');
  await Promise.all([ivan, olga, ayesha, aigerim].map((p) => ok(p.run('login', '--server', hub.url))));
  // About forty CLI processes on two shared cores: generous, since the whole suite runs beside it.
}, 600_000);

afterAll(async () => {
  await hub?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('liaison CLI end to end', () => {
  let packetId: string;

  it('sends a marked packet with its translation, and the recipient fetches and verifies it', async () => {
    const sent = await ok(ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'secret', '--original', file('zapros.txt', RU), '--lang', 'ru', '--translation', `en:${file('request-en.txt', EN)}`, '--kind', 'information'));
    packetId = sent.stdout.trim();
    expect(packetId).toMatch(/^[0-9a-f-]{36}$/);

    const inbox = JSON.parse((await ok(ayesha.run('inbox', '--json'))).stdout) as Array<{ packetId: string; level: string; labels: Record<string, string>; kind: string }>;
    expect(inbox.find((p) => p.packetId === packetId)).toMatchObject({ level: 'SECRET', labels: { RU: 'СОВЕРШЕННО СЕКРЕТНО', PK: 'SECRET' }, kind: 'information' });

    const out = join(root, 'ayesha-out');
    await ok(ayesha.run('fetch', packetId, '--out', out));
    expect(readFileSync(join(out, 'zapros.txt'), 'utf8')).toBe(RU);
    expect(readFileSync(join(out, 'request-en.txt'), 'utf8')).toBe(EN);
    expect(readdirSync(out).filter((f) => f.startsWith('.liaison'))).toEqual([]);
  });

  it('refuses to send without the required translation, naming the article, unless kept as a draft', async () => {
    const refused = await ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', file('only-ru.txt', RU), '--lang', 'ru');
    expectOneSentenceError(refused, /RU-PK Art\. 6/);
    const draft = await ok(ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', join(root, 'only-ru.txt'), '--lang', 'ru', '--draft'));
    const id = draft.stdout.trim();
    expectOneSentenceError(await ayesha.run('fetch', id, '--out', join(root, 'nope')), /does not exist or is not available/);
    expectOneSentenceError(await ivan.run('submit', id), /RU-PK Art\. 6/);
    await ok(olga.run('attach', id, '--translation', `en:${join(root, 'request-en.txt')}`));
    await ok(ivan.run('submit', id));
    await ok(ayesha.run('fetch', id, '--out', join(root, 'ayesha-draft')));
    expect(readFileSync(join(root, 'ayesha-draft', 'request-en.txt'), 'utf8')).toBe(EN);
  });

  it('refuses a translation that is not in its declared language', async () => {
    const r = await ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', join(root, 'zapros.txt'), '--lang', 'ru', '--translation', `en:${file('fake-en.txt', RU)}`);
    expectOneSentenceError(r, /not in en/);
  });

  it('saves the ciphertext with --raw, and GnuPG decrypts it and verifies the sender', async () => {
    const raw = join(root, 'raw');
    await ok(ayesha.run('fetch', packetId, '--out', raw, '--raw'));
    expect(readdirSync(raw).sort()).toEqual(['MARKING.txt', 'label.xml', 'label.xml.asc', 'manifest.json', 'manifest.json.asc', 'p1-original-ru.pgp', 'p2-translation-en.pgp']);
    const gpg = new GnuPG(DEMO_PASSPHRASE);
    try {
      const secret = join(root, 'ayesha-secret.asc');
      await ok(ayesha.run('key', 'export', '--secret', '--out', secret));
      gpg.ok(['--import', secret]);
      gpg.ok(['--import', join(root, `${ivan.fingerprint}.asc`)]);
      const result = gpg.run(['--status-fd', '2', '--trust-model', 'always', '--decrypt', join(raw, 'p2-translation-en.pgp')]);
      expect(result.code).toBe(0);
      expect(result.stdout.toString('utf8')).toBe(EN);
      expect(result.stderr).toMatch(new RegExp(`VALIDSIG ${ivan.fingerprint}`));
      // The signed manifest verifies with gpg too.
      const manifest = gpg.run(['--status-fd', '2', '--trust-model', 'always', '--verify', join(raw, 'manifest.json.asc'), join(raw, 'manifest.json')]);
      expect(manifest.stderr).toMatch(new RegExp(`VALIDSIG ${ivan.fingerprint}`));
    } finally {
      gpg.cleanup();
    }
  });

  it.each([
    ['future-default', 'an Ed25519/Curve25519'],
    ['rsa4096', 'an RSA-4096'],
  ])('enrolls %s key made with gpg --quick-gen-key, which then receives and reads a packet', async (algo) => {
    const gpg = new GnuPG(DEMO_PASSPHRASE);
    try {
      const uid = `Farid ${algo} <farid.${algo}@pk.example>`;
      const fpr = gpg.quickGenKey(uid, algo);
      const farid = new Person(`Farid ${algo}`, 'PK', root);
      writeFileSync(join(root, `${fpr}.gpg`), gpg.ok(['--export', fpr]));
      writeFileSync(join(root, `${fpr}.secret.asc`), gpg.ok(['--armor', '--export-secret-keys', fpr]));
      await ok(imran.run('officer', 'enroll', '--key', join(root, `${fpr}.gpg`), '--roles', 'contact', '--clearance', 'SECRET'));
      expect((await ok(farid.run('key', 'import', '--secret', join(root, `${fpr}.secret.asc`)))).stdout.trim()).toBe(fpr);
      await pinAll(farid);
      await ok(farid.run('login', '--server', hub.url));

      const sent = await ok(ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'CONFIDENTIAL', '--original', join(root, 'zapros.txt'), '--lang', 'ru', '--translation', `en:${join(root, 'request-en.txt')}`));
      const id = sent.stdout.trim();
      const out = join(root, `farid-${algo}`);
      await ok(farid.run('fetch', id, '--out', out));
      expect(readFileSync(join(out, 'request-en.txt'), 'utf8')).toBe(EN);
      await ok(farid.run('fetch', id, '--out', `${out}-raw`, '--raw'));
      gpg.ok(['--import', join(root, `${ivan.fingerprint}.asc`)]);
      expect(gpg.ok(['--trust-model', 'always', '--decrypt', join(`${out}-raw`, 'p2-translation-en.pgp')]).toString('utf8')).toBe(EN);
    } finally {
      gpg.cleanup();
    }
  });

  it('refuses in the client a part altered on the hub, and leaves nothing behind', async () => {
    const sent = await ok(ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', join(root, 'zapros.txt'), '--lang', 'ru', '--translation', `en:${join(root, 'request-en.txt')}`));
    const id = sent.stdout.trim();
    await ok(ayesha.run('fetch', id, '--out', join(root, 'tamper-raw'), '--raw'));
    const manifest = JSON.parse(readFileSync(join(root, 'tamper-raw', 'manifest.json'), 'utf8')) as { parts: Array<{ sha256: string }> };
    const sha = manifest.parts[1]!.sha256;
    const blob = join(dataDir, 'blobs', sha.slice(0, 2), sha.slice(2, 4), sha);
    const bytes = readFileSync(blob);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0xff;
    writeFileSync(blob, bytes);
    const out = join(root, 'tampered');
    expectOneSentenceError(await ayesha.run('fetch', id, '--out', out), /does not match the signed manifest/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it('blocks release to a third party until the originator consents, then lets it read', async () => {
    const out = join(root, 'kz-early');
    expectOneSentenceError(await aigerim.run('fetch', packetId, '--out', out), /does not exist or is not available/);
    const releaseId = (await ok(ayesha.run('release', 'request', packetId, '--to', 'KZ', '--purpose', 'Kazakh part of the same network'))).stdout.trim();
    expectOneSentenceError(await ayesha.run('release', 'execute', releaseId), /blocked until RU records its written consent \(RU-PK Art\. 7\(4\)\)/);
    expectOneSentenceError(await ayesha.run('release', 'consent', releaseId, '--to', 'KZ'), /RU-PK Art\. 7\(4\)/);
    const withoutTo = await sergei.run('release', 'consent', releaseId);
    expect(withoutTo.code).not.toBe(0);
    expect(withoutTo.stderr).toMatch(/required option '--to <party>' not specified/);
    expectOneSentenceError(await sergei.run('release', 'consent', releaseId, '--to', 'UZ'), /is for KZ, not UZ as you stated; nothing was signed/);
    const consented = await ok(sergei.run('release', 'consent', releaseId, '--to', 'kz', '--purpose', 'Kazakh part of the same network', '--conditions', 'Only for this investigation'));
    expect(consented.stderr).toMatch(/to: +KZ\n +purpose: +"Kazakh part of the same network"\n +conditions: +"Only for this investigation"/);
    await ok(ayesha.run('release', 'execute', releaseId));
    const kz = join(root, 'kz');
    await ok(aigerim.run('fetch', packetId, '--out', kz));
    expect(readFileSync(join(kz, 'request-en.txt'), 'utf8')).toBe(EN);
  });

  it('answers mistakes with one sentence and a non-zero exit', async () => {
    expectOneSentenceError(await ayesha.run('fetch', '00000000-0000-4000-8000-000000000000', '--out', join(root, 'x')), /does not exist/);
    expectOneSentenceError(await ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', join(root, 'missing.txt'), '--lang', 'ru', '--translation', `en:${join(root, 'request-en.txt')}`), /cannot find .*missing\.txt: check the path/);
    expectOneSentenceError(await ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'COSMIC', '--original', join(root, 'zapros.txt')), /not a marking of RU-PK/);
    expectOneSentenceError(await liaison(['login', '--server', hub.url], { ...ivan.env, LIAISON_PASSPHRASE: 'wrong passphrase' }), /passphrase does not unlock/);
    expectOneSentenceError(await liaison(['inbox'], { LIAISON_HOME: join(root, 'nobody') }), /not logged in/);
  });
});
