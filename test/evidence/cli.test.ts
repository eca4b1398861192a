/**
 * The evidence commands with the real CLI against a real hub (`liaison serve`): the recipient's
 * client signs a retrieval receipt, the sender lists and verifies every receipt, GnuPG verifies
 * the same receipts, parties keep checkpoints, exports verify offline, and an evidence bundle is
 * verified on a machine with no hub.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liaison, Person, startHub, type RunningHub, type RunResult } from '../../scripts/harness.ts';
import { GnuPG } from '../helpers/gpg.ts';
import { CANARY } from '../helpers/world.ts';

let root: string;
let dataDir: string;
let hub: RunningHub | undefined;
let hubFingerprint: string;
let sergei: Person, imran: Person, ivan: Person, ayesha: Person;
let packetId: string;

async function ok(r: Promise<RunResult>): Promise<RunResult> {
  const result = await r;
  if (result.code !== 0) throw new Error(`command failed: ${result.stderr}`);
  return result;
}

const keyFile = (p: Person) => join(root, `${p.fingerprint}.asc`);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'liaison-evidence-'));
  dataDir = join(root, 'hub');
  sergei = new Person('Sergei Volkov', 'RU', root);
  imran = new Person('Imran Qureshi', 'PK', root);
  ivan = new Person('Ivan Petrov', 'RU', root);
  ayesha = new Person('Ayesha Khan', 'PK', root);
  const everyone = [sergei, imran, ivan, ayesha];
  await Promise.all(everyone.map((p) => ok(p.run('keygen', '--name', p.name))));
  await Promise.all(
    everyone.map(async (p) => {
      p.fingerprint = (await ok(p.run('key', 'fingerprint'))).stdout.trim();
      await ok(p.run('key', 'export', '--public', '--out', keyFile(p)));
    }),
  );
  await ok(liaison(['hub', 'init', '--data', dataDir, '--officer', `RU=${keyFile(sergei)}`, '--officer', `PK=${keyFile(imran)}`]));
  await Promise.all(everyone.map(async (p) => {
    for (const o of [sergei, imran]) await ok(p.run('trust', 'add', '--party', o.party, '--officer', o.fingerprint));
  }));
  hub = await startHub(dataDir, join(root, 'hub.log'));
  hubFingerprint = ((await (await fetch(`${hub.url}/v1/hub`)).json()) as { fingerprint: string }).fingerprint;
  const url = hub.url;
  await Promise.all(
    [
      [sergei, ivan],
      [imran, ayesha],
    ].map(async ([officer, member]) => {
      await ok(officer!.run('login', '--server', url));
      await ok(officer!.run('officer', 'enroll', '--key', keyFile(member!), '--roles', 'contact', '--clearance', 'SECRET'));
      await ok(member!.run('login', '--server', url));
    }),
  );
  writeFileSync(join(root, 'zapros.txt'), `Запрос о правовой помощи: установить владельцев банковских счетов и сообщить о движении средств. ${CANARY}\n`);
  writeFileSync(join(root, 'request-en.txt'), `Request for legal assistance: identify the holders of the bank accounts and report the movements of funds. ${CANARY}\n`);
  const sent = await ok(ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', join(root, 'zapros.txt'), '--lang', 'ru', '--translation', `en:${join(root, 'request-en.txt')}`, '--quiet'));
  packetId = sent.stdout.trim();
});

afterAll(async () => {
  await hub?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('receipts with the CLI', () => {
  it('the recipient keeps a checkpoint, fetches, and her client signs a retrieval receipt', async () => {
    const kept = await ok(ayesha.run('audit', 'checkpoint', '--save'));
    expect(kept.stdout).toMatch(/Kept in .*checkpoints/);
    const fetched = await ok(ayesha.run('fetch', packetId, '--out', join(root, 'ayesha'), '--quiet'));
    expect(fetched.stderr).toMatch(/retrieval receipt signed and sent/);
    // A --raw fetch decrypts nothing and acknowledges nothing.
    const raw = await ok(ayesha.run('fetch', packetId, '--out', join(root, 'ayesha-raw'), '--raw', '--quiet'));
    expect(raw.stderr).not.toMatch(/retrieval receipt/);
  });

  it('the sender sees every receipt verified, and GnuPG verifies the same files', async () => {
    const dir = join(root, 'receipts');
    const shown = await ok(ivan.run('receipts', packetId, '--save', dir));
    expect(shown.stdout).toMatch(/submission-accepted\s+RU/);
    expect(shown.stdout).toMatch(/made-available\s+PK/);
    expect(shown.stdout).toMatch(/retrieved\s+PK/);
    expect(shown.stdout).not.toMatch(/INVALID/);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(['01-submission-accepted.json', '02-made-available.json', '03-retrieved.json']);

    const gpg = new GnuPG('unused passphrase');
    try {
      gpg.ok(['--import', join(dataDir, 'hub-key.pub.asc')]);
      gpg.ok(['--import', keyFile(ayesha)]);
      for (const f of files) {
        const r = gpg.run(['--verify', join(dir, `${f}.asc`), join(dir, f)]);
        expect(r.code, `${f}: ${r.stderr}`).toBe(0);
        expect(r.stderr).toMatch(/Good signature from "(Liaison hub|Ayesha Khan)/);
      }
      // One changed byte and GnuPG says so.
      writeFileSync(join(dir, files[0]!), readFileSync(join(dir, files[0]!), 'utf8').replace('"RU"', '"KZ"'));
      expect(gpg.run(['--verify', join(dir, `${files[0]!}.asc`), join(dir, files[0]!)]).code).not.toBe(0);
    } finally {
      gpg.cleanup();
    }
  });

  it('a recipient sees the receipts about its own party', async () => {
    const shown = await ok(ayesha.run('receipts', packetId, '--json'));
    const list = JSON.parse(shown.stdout) as Array<{ valid: boolean; receipt: { kind: string } }>;
    expect(list.map((c) => [c.receipt.kind, c.valid])).toEqual([
      ['made-available', true],
      ['retrieved', true],
    ]);
  });
});

describe('the audit log with the CLI', () => {
  it('a party checks that the log extends the checkpoint it kept, exports its view and verifies it', async () => {
    const again = await ok(ayesha.run('audit', 'checkpoint', '--save'));
    expect(again.stdout).toMatch(/extends the kept checkpoint of \d+ events/);
    const file = join(root, 'pk-audit.json');
    await ok(ayesha.run('audit', 'export', '--out', file));
    const verified = await ok(ayesha.run('audit', 'verify', '--file', file));
    expect(verified.stdout).toMatch(/Audit log verified: \d+ events visible to PK/);
    expect(verified.stdout).toMatch(/extends the kept checkpoint/);
  });

  it('the operator exports the whole log; anyone with the hub fingerprint verifies it, and an edit is named', async () => {
    const file = join(root, 'all-audit.json');
    await ok(liaison(['audit', 'export', '--data', dataDir, '--out', file], { LIAISON_HOME: join(root, 'operator') }));
    const auditorHome = { LIAISON_HOME: join(root, 'auditor') };
    const verified = await ok(liaison(['audit', 'verify', '--file', file, '--hub-fingerprint', hubFingerprint], auditorHome));
    expect(verified.stdout).toMatch(/all \d+ events recomputed/);
    const unpinned = await liaison(['audit', 'verify', '--file', file], auditorHome);
    expect(unpinned.code).toBe(1);
    expect(unpinned.stderr).toMatch(/no pinned hub fingerprint/);

    const data = JSON.parse(readFileSync(file, 'utf8')) as { events: Array<{ event: { seq: number; party: string } }> };
    data.events[4]!.event.party = 'KZ';
    writeFileSync(join(root, 'edited.json'), JSON.stringify(data));
    const edited = await liaison(['audit', 'verify', '--file', join(root, 'edited.json'), '--hub-fingerprint', hubFingerprint], auditorHome);
    expect(edited.code).toBe(1);
    expect(edited.stderr).toMatch(/FAILED at position 5/);
    expect(edited.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('the evidence bundle with the CLI', () => {
  it('is written by the sender and verified offline, with the hub stopped, against the pinned hub fingerprint', async () => {
    const file = join(root, 'evidence.json');
    const written = await ok(ivan.run('evidence', packetId, '--out', file));
    expect(written.stdout).toMatch(/3 receipts/);
    await hub!.stop();
    hub = undefined;
    const offline = { LIAISON_HOME: join(root, 'judge') };
    const unvouched = await ok(liaison(['evidence', 'verify', file, '--hub-fingerprint', hubFingerprint], offline));
    expect(unvouched.stdout).toMatch(/no officer of RU is pinned here/);
    // The judge pins the officers as the parties notified them: every signer's key must then chain to them.
    for (const o of [sergei, imran]) await ok(liaison(['trust', 'add', '--party', o.party, '--officer', o.fingerprint], offline));
    const verified = await ok(liaison(['evidence', 'verify', file, '--hub-fingerprint', hubFingerprint], offline));
    expect(verified.stdout).not.toMatch(/taken on the hub's word/);
    expect(verified.stdout).toMatch(/unverified: exportedAt = .*Evidence of .* verified, except the 1 field\(s\) marked unverified above/s);
    expect(verified.stdout).toMatch(/receipt retrieved for PK/);
    expect(verified.stdout).toMatch(/Evidence of .* verified/);
    const wrongHub = await liaison(['evidence', 'verify', file, '--hub-fingerprint', ivan.fingerprint], offline);
    expect(wrongHub.code).toBe(1);
    expect(wrongHub.stderr).toMatch(/not by the pinned hub/);
    const bundle = readFileSync(file, 'utf8');
    writeFileSync(join(root, 'forged.json'), bundle.replace('submission-accepted', 'made-available'));
    const forged = await liaison(['evidence', 'verify', join(root, 'forged.json'), '--hub-fingerprint', hubFingerprint], offline);
    expect(forged.code).toBe(1);
    expect(forged.stderr).toMatch(/verification FAILED/);
  });
});
