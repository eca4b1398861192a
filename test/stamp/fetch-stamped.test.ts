/**
 * Stamped copies and labels through the real CLI against a real hub: 50-page PDFs in Russian,
 * Urdu and Chinese come back with a banner on every page in the right labels; the originals are
 * byte for byte what was sent (and GnuPG still decrypts and verifies them); `label verify` holds
 * on a fetched folder and catches an edited part and an edited label; a DOCX copy opens with
 * mammoth with the marking in its header and footer; `send --stamp` signs the stamped bytes; and a
 * corpus of hostile PDFs never stops delivery of the verified originals.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import mammoth from 'mammoth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSPHRASE, liaison, Person, startHub, type RunningHub, type RunResult } from '../../scripts/harness.ts';
import { GnuPG } from '../helpers/gpg.ts';
import { CHINESE, hostilePdfs, makeDocx, makePdf, pageCount, pageText, RUSSIAN, URDU } from './fixtures.ts';

let root: string;
let hub: RunningHub;
let ivan: Person, ayesha: Person, aisha: Person, li: Person, aigerim: Person;
let officerOf: Record<string, Person>;
const officers: Person[] = [];

const EN = 'Request for legal assistance. Please identify the holders of the bank accounts and report the movements of funds over the last three years.\n';
const URDU_NAME = 'عائشہ ملک';

async function ok(r: Promise<RunResult>): Promise<RunResult> {
  const result = await r;
  if (result.code !== 0) throw new Error(`command failed: ${result.stderr}`);
  return result;
}

function file(name: string, content: string | Buffer): string {
  const path = join(root, name);
  writeFileSync(path, content);
  return path;
}

const squash = (s: string) => s.replace(/\s+/g, ' ');

/** Every page of a stamped copy carries the banner twice (top and bottom) with its page number. */
function expectBanners(path: string, pages: number, classification: string, extra: string[]): void {
  expect(pageCount(path)).toBe(pages);
  for (let n = 1; n <= pages; n++) {
    const text = squash(pageText(path, n));
    expect(text.split(classification).length - 1, `page ${n}`).toBe(2);
    expect(text.split(`page ${n} of ${pages}`).length - 1, `page ${n}`).toBe(2);
    for (const e of extra) expect(text, `page ${n}`).toContain(e);
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'liaison-stamp-'));
  const dataDir = join(root, 'hub');
  await ok(liaison(['hub', 'init', '--data', dataDir]));
  ivan = new Person('Ivan Petrov', 'RU', root);
  ayesha = new Person('Ayesha Khan', 'PK', root);
  aisha = new Person(URDU_NAME, 'PK', root);
  li = new Person('Li Ming', 'CN', root);
  aigerim = new Person('Aigerim Nurlanovna', 'KZ', root);
  officerOf = { RU: new Person('Sergei Volkov', 'RU', root), PK: new Person('Imran Qureshi', 'PK', root), CN: new Person('Wang Fang', 'CN', root), KZ: new Person('Daniyar Seitkali', 'KZ', root) };
  officers.push(...Object.values(officerOf));
  const readers = [ivan, ayesha, aisha, li, aigerim];
  const everyone = [...readers, ...officers];
  await Promise.all(everyone.map((p) => ok(p.run('keygen', '--name', p.name))));
  const exportKey = async (p: Person) => {
    p.fingerprint = (await ok(p.run('key', 'fingerprint'))).stdout.trim();
    const keyFile = join(root, `${p.fingerprint}.asc`);
    await ok(p.run('key', 'export', '--public', '--out', keyFile));
    return keyFile;
  };
  for (const o of officers) await ok(liaison(['hub', 'enroll', '--data', dataDir, '--party', o.party, '--key', await exportKey(o)]));
  for (const p of everyone) for (const o of officers) await ok(p.run('trust', 'add', '--party', o.party, '--officer', o.fingerprint));
  hub = await startHub(dataDir, join(root, 'hub.log'));
  for (const o of officers) await ok(o.run('login', '--server', hub.url));
  for (const p of readers) await ok(officerOf[p.party]!.run('officer', 'enroll', '--key', await exportKey(p), '--roles', 'contact', '--clearance', 'TOP SECRET'));
  await Promise.all(readers.map((p) => ok(p.run('login', '--server', hub.url))));
}, 600_000);

afterAll(async () => {
  await hub?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('stamped copies on fetch', () => {
  let russianPdf: Buffer;
  let russianFolder: string;
  let russianPacket: string;

  it('stamps every page of a 50-page Russian PDF, a DOCX and a text file, and keeps the originals as sent', async () => {
    russianPdf = await makePdf(RUSSIAN, 50, 'latin');
    const docx = await makeDocx('Служебная записка о сотрудничестве правоохранительных органов и обмене сведениями.', true);
    const sent = await ok(ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', file('zapros.pdf', russianPdf), '--lang', 'ru', '--translation', `en:${file('request-en.txt', EN)}`, '--attachment', `ru:${file('zapiska.docx', docx)}`, '--quiet'));
    russianPacket = sent.stdout.trim();
    russianFolder = join(root, 'ayesha-ru');
    const fetched = await ok(ayesha.run('fetch', russianPacket, '--out', russianFolder, '--quiet'));
    expect(fetched.stdout).toContain('stamped copy ->');

    expect(readFileSync(join(russianFolder, 'zapros.pdf')).equals(russianPdf)).toBe(true);
    expect(readFileSync(join(russianFolder, 'zapiska.docx')).equals(docx)).toBe(true);
    expectBanners(join(russianFolder, 'zapros.stamped-copy.pdf'), 50, 'SECRET · СОВЕРШЕННО СЕКРЕТНО', ['RU-PK', `packet ${russianPacket}`, 'copy for Ayesha Khan']);

    const text = readFileSync(join(russianFolder, 'request-en.stamped-copy.txt'), 'utf8').split('\n');
    expect(text[0]).toMatch(/^SECRET · СОВЕРШЕННО СЕКРЕТНО · RU-PK · packet .* · copy for Ayesha Khan$/);
    expect(text.at(-2)).toBe(text[0]);
    expect(text.join('\n')).toContain(EN);

    const stampedDocx = readFileSync(join(russianFolder, 'zapiska.stamped-copy.docx'));
    expect((await mammoth.extractRawText({ buffer: stampedDocx })).value).toContain('Служебная записка');
    const zip = await JSZip.loadAsync(stampedDocx);
    const header = await zip.file('word/header1.xml')!.async('string');
    expect(header).toContain('Ministry letterhead');
    expect(header.indexOf('SECRET · СОВЕРШЕННО СЕКРЕТНО')).toBeLessThan(header.indexOf('Ministry letterhead'));
    expect(await zip.file('word/liaison-marking-footer.xml')!.async('string')).toContain('SECRET · СОВЕРШЕННО СЕКРЕТНО · RU-PK');
    const body = await zip.file('word/document.xml')!.async('string');
    for (const type of ['default', 'first', 'even']) {
      expect(body).toMatch(new RegExp(`<w:headerReference[^>]*w:type="${type}"`));
      expect(body).toMatch(new RegExp(`<w:footerReference[^>]*w:type="${type}"`));
    }

    const marking = readFileSync(join(russianFolder, 'MARKING.txt'), 'utf8');
    expect(marking.split('\n')[0]).toBe('SECRET · СОВЕРШЕННО СЕКРЕТНО');
    expect(marking).toContain('zapros.stamped-copy.pdf: a STAMPED COPY of part p1');
    const label = readFileSync(join(russianFolder, 'label.xml'), 'utf8');
    expect(label).toContain('<slab:PolicyIdentifier URI="urn:liaison:agreement:RU-PK">RU-PK</slab:PolicyIdentifier>');
    expect(label).toContain('<slab:Classification>СОВЕРШЕННО СЕКРЕТНО</slab:Classification>');
    expect(label).toContain(`packet="${russianPacket}"`);
  });

  it('leaves the original decryptable and verifiable by GnuPG, byte for byte what was stamped from', async () => {
    const raw = join(root, 'ayesha-ru-raw');
    await ok(ayesha.run('fetch', russianPacket, '--out', raw, '--raw', '--quiet'));
    const gpg = new GnuPG(DEMO_PASSPHRASE);
    try {
      const secret = join(root, 'ayesha-secret.asc');
      await ok(ayesha.run('key', 'export', '--secret', '--out', secret));
      gpg.ok(['--import', secret]);
      gpg.ok(['--import', join(root, `${ivan.fingerprint}.asc`)]);
      const r = gpg.run(['--status-fd', '2', '--trust-model', 'always', '--decrypt', join(raw, 'p1-original-ru.pgp')]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/VALIDSIG/);
      expect(r.stdout.equals(readFileSync(join(russianFolder, 'zapros.pdf')))).toBe(true);
      gpg.ok(['--verify', join(raw, 'manifest.json.asc'), join(raw, 'manifest.json')]);
    } finally {
      gpg.cleanup();
    }
    const verified = await ok(ayesha.run('label', 'verify', raw));
    expect(verified.stdout).toMatch(/holds/);
  });

  it('label verify holds on the fetched folder and catches an edited part and an edited label', async () => {
    expect((await ok(ayesha.run('label', 'verify', russianFolder))).stdout).toMatch(/The label of packet .* holds: SECRET under RU-PK, signed by RU; 7 files match it/);

    const editedPart = join(root, 'edited-part');
    cpSync(russianFolder, editedPart, { recursive: true });
    const pdf = readFileSync(join(editedPart, 'zapros.pdf'));
    pdf[pdf.length >> 1] = pdf[pdf.length >> 1]! ^ 0x01;
    writeFileSync(join(editedPart, 'zapros.pdf'), pdf);
    const partResult = await ayesha.run('label', 'verify', editedPart);
    expect(partResult.code).toBe(1);
    expect(partResult.stderr).toMatch(/zapros\.pdf was changed after it was labelled/);

    const editedLabel = join(root, 'edited-label');
    cpSync(russianFolder, editedLabel, { recursive: true });
    const xml = readFileSync(join(editedLabel, 'label.xml'), 'utf8');
    writeFileSync(join(editedLabel, 'label.xml'), xml.replace('<slab:Classification>SECRET</slab:Classification>', '<slab:Classification>RESTRICTED</slab:Classification>'));
    const labelResult = await ayesha.run('label', 'verify', editedLabel);
    expect(labelResult.code).toBe(1);
    expect(labelResult.stderr).toMatch(/label\.xml was changed after its reader signed it/);

    const editedCopy = join(root, 'edited-copy');
    cpSync(russianFolder, editedCopy, { recursive: true });
    writeFileSync(join(editedCopy, 'MARKING.txt'), readFileSync(join(editedCopy, 'MARKING.txt'), 'utf8').replace('SECRET', 'RESTRICTED'));
    expect((await ayesha.run('label', 'verify', editedCopy)).stderr).toMatch(/MARKING\.txt was changed/);
  });

  it('gives a third party reading after consent its own stamped copy, and a --raw folder (key wraps first) that verifies', async () => {
    const releaseId = (await ok(ayesha.run('release', 'request', russianPacket, '--to', 'KZ', '--purpose', 'The Kazakh part of the same network'))).stdout.trim();
    await ok(officerOf.RU!.run('release', 'consent', releaseId, '--to', 'KZ'));
    await ok(ayesha.run('release', 'execute', releaseId));
    const out = join(root, 'aigerim-ru');
    await ok(aigerim.run('fetch', russianPacket, '--out', out, '--quiet'));
    expect(readFileSync(join(out, 'zapros.pdf')).equals(russianPdf)).toBe(true);
    expectBanners(join(out, 'zapros.stamped-copy.pdf'), 50, 'SECRET · СОВЕРШЕННО СЕКРЕТНО', ['copy for Aigerim Nurlanovna']);
    const raw = join(root, 'aigerim-ru-raw');
    await ok(aigerim.run('fetch', russianPacket, '--out', raw, '--raw', '--quiet'));
    expect((await ok(aigerim.run('label', 'verify', raw))).stdout).toMatch(/holds/);
    const part = readFileSync(join(raw, 'p1-original-ru.pgp'));
    part[2] = part[2]! ^ 0x01; // inside the key wraps: not what the sender signed either
    writeFileSync(join(raw, 'p1-original-ru.pgp'), part);
    expect((await aigerim.run('label', 'verify', raw)).stderr).toMatch(/p1-original-ru\.pgp was changed after it was labelled/);
  });

  it('stamps a 50-page Urdu PDF, naming its reader in Urdu, shaped and right to left', async () => {
    const urduPdf = await makePdf(URDU, 50, 'arabic');
    const sent = await ok(ayesha.run('send', '--agreement', 'RU-PK', '--to', 'RU', '--marking', 'SECRET', '--original', file('darkhwast.pdf', urduPdf), '--lang', 'ur', '--translation', `en:${join(root, 'request-en.txt')}`, '--quiet'));
    const out = join(root, 'aisha-ur');
    await ok(aisha.run('fetch', sent.stdout.trim(), '--out', out, '--quiet'));
    expect(readFileSync(join(out, 'darkhwast.pdf')).equals(urduPdf)).toBe(true);
    // Read by the originating party: its own label is the common one, so the banner says SECRET once.
    // On a page whose body is right to left, pdftotext orders each line right to left as a whole,
    // so the name (in logical order, as drawn shaped) comes out at the start of its line.
    expectBanners(join(out, 'darkhwast.stamped-copy.pdf'), 50, 'SECRET', ['copy for', URDU_NAME, 'RU-PK']);
    expect((await ok(aisha.run('label', 'verify', out))).stdout).toMatch(/holds/);
  });

  it('stamps a 50-page Chinese PDF with the Chinese, Russian and common labels', async () => {
    const chinesePdf = await makePdf(CHINESE, 50, 'cjk');
    const sent = await ok(li.run('send', '--agreement', 'SCO', '--to', 'RU', '--marking', 'SECRET', '--original', file('qingqiu.pdf', chinesePdf), '--lang', 'zh', '--quiet'));
    const out = join(root, 'ivan-zh');
    await ok(ivan.run('fetch', sent.stdout.trim(), '--out', out, '--quiet'));
    expect(readFileSync(join(out, 'qingqiu.pdf')).equals(chinesePdf)).toBe(true);
    expectBanners(join(out, 'qingqiu.stamped-copy.pdf'), 50, 'SECRET · СОВЕРШЕННО СЕКРЕТНО · 机密', ['SCO', 'copy for Ivan Petrov']);
  });

  it('send --stamp signs the stamped bytes, so plain gpg readers see the banner too', async () => {
    const sent = await ok(ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'CONFIDENTIAL', '--original', file('spravka.pdf', await makePdf(RUSSIAN, 3, 'latin')), '--lang', 'ru', '--translation', `en:${join(root, 'request-en.txt')}`, '--stamp', '--quiet'));
    const out = join(root, 'ayesha-sender-stamped');
    await ok(ayesha.run('fetch', sent.stdout.trim(), '--out', out, '--quiet'));
    // The original as signed already carries the sender's banner with every party's label.
    const original = squash(pageText(join(out, 'spravka.pdf'), 1));
    expect(original).toContain('CONFIDENTIAL · СЕКРЕТНО');
    expect(original).toContain('stamped by the sender (RU)');
    expect(pageCount(join(out, 'spravka.pdf'))).toBe(3);
    expect(readFileSync(join(out, 'request-en.txt'), 'utf8')).toBe(EN);
    expect((await ok(ayesha.run('label', 'verify', out))).stdout).toMatch(/holds/);
  });

  it('delivers the verified originals of a hostile PDF corpus, each refused stamping in one sentence', async () => {
    const corpus = await hostilePdfs();
    const attachments = Object.entries(corpus).flatMap(([name, bytes]) => ['--attachment', `ru:${file(name, bytes)}`]);
    const sent = await ok(ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', file('zapros-2.txt', `${RUSSIAN}\n`), '--lang', 'ru', '--translation', `en:${join(root, 'request-en.txt')}`, ...attachments, '--quiet'));
    const out = join(root, 'ayesha-hostile');
    const fetched = await ok(ayesha.run('fetch', sent.stdout.trim(), '--out', out, '--quiet'));
    for (const [name, bytes] of Object.entries(corpus)) expect(readFileSync(join(out, name)).equals(bytes), name).toBe(true);
    for (const name of ['truncated.pdf', 'encrypted.pdf', 'huge-page-count.pdf', 'page-tree-cycle.pdf', 'not-a-pdf.pdf']) {
      expect(fetched.stderr).toMatch(new RegExp(`${name.replace('.', '\\.')}: no stamped copy \\([^.]+\\); the verified original is delivered`));
      expect(readdirSync(out)).not.toContain(name.replace('.pdf', '.stamped-copy.pdf'));
    }
    expect(readFileSync(join(out, 'label.xml'), 'utf8')).toMatch(/<lia:NotStamped part="p\d+" reason="the PDF is encrypted, so it cannot be stamped"\/>/);
    expect((await ok(ayesha.run('label', 'verify', out))).stdout).toMatch(/holds/);
  });
});
