/**
 * CLI start-up: a command loads only what it uses. `--help` and `inbox` load neither
 * openpgp.js nor the document readers nor the hub; the hub (`liaison serve`) never loads pdf.js
 * (which replaces the global JSON.parse), mammoth or the language models. Checked by recording
 * the modules each real process loads (test/helpers/loaded-modules.ts), never by timing. A
 * person's command runs the bundle (bin/dist/) when it is current, the sources otherwise: the
 * packages outside the bundle load from node_modules either way, so the same lists hold.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIAISON_BIN, liaison } from '../../scripts/harness.ts';
import { currentBundle } from '../../bin/current-bundle.js';

const PRELOAD = fileURLToPath(new URL('../helpers/loaded-modules.ts', import.meta.url));
const HEAVY_CLIENT = ['openpgp', 'pdfjs-dist', 'mammoth', 'franc', 'cli-progress', 'form-data', '@cantoo/pdf-lib', '@cantoo/fontkit', 'bidi-js', 'fast-xml-parser'];
// Small, but each costs a listing's start-up: loaded by the commands that name files or ask a passphrase.
const ON_USE = ['mime-types', 'mime-db', 'read'];
const HUB_ONLY = ['express', 'better-sqlite3', 'multer', 'helmet', 'pino'];
const DOCUMENT_READERS = ['pdfjs-dist', 'mammoth', 'franc'];
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'liaison-startup-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The packages (node_modules/NAME) a run of the CLI loaded; `bin/dist` when it ran the bundle (which holds commander and zod). */
function packagesIn(list: string): Set<string> {
  return new Set(readFileSync(list, 'utf8').split('\n').flatMap((url) => (url.includes('/bin/dist/') ? ['bin/dist'] : /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? [])));
}
const BUNDLE = currentBundle(fileURLToPath(new URL('../..', import.meta.url)));

async function loadedBy(name: string, args: string[]): Promise<Set<string>> {
  const list = join(root, `${name}.txt`);
  await liaison(args, { LIAISON_HOME: join(root, 'nobody'), LIAISON_PASSPHRASE: 'correct horse battery staple', LIAISON_LOADED_MODULES: list, NODE_OPTIONS: `--import=${PRELOAD}` });
  return packagesIn(list);
}

describe('a person\'s commands', () => {
  it.each([
    ['--help', ['--help']],
    ['inbox', ['inbox']],
    ['release list', ['release', 'list']],
  ])('%s loads commander and zod, and no crypto, document reader or hub module', async (name, args) => {
    const loaded = await loadedBy(name.replace(/\W+/g, '-'), args);
    // From the bundle when it is current (npm ci and npm test build it), else from the sources.
    expect([loaded.has('bin/dist'), loaded.has('commander')]).toEqual(BUNDLE ? [true, false] : [false, true]);
    expect([...HEAVY_CLIENT, ...HUB_ONLY, ...ON_USE].filter((p) => loaded.has(p))).toEqual([]);
  });

  it('a command that signs loads openpgp.js when it runs (the control)', async () => {
    const loaded = await loadedBy('keygen', ['keygen', '--name', 'Startup Test']);
    expect(loaded.has('openpgp')).toBe(true);
    expect(DOCUMENT_READERS.filter((p) => loaded.has(p))).toEqual([]);
  });
});

it('the hub never loads pdf.js, mammoth or the language models', async () => {
  const data = join(root, 'hub');
  expect((await liaison(['hub', 'init', '--data', data])).code).toBe(0);
  const list = join(root, 'serve.txt');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PRELOAD, LIAISON_BIN, 'serve', '--data', data, '--port', '0', '--log-file', join(root, 'hub.log')], {
      env: { ...process.env, LIAISON_LOADED_MODULES: list },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (d.includes('listening on')) child.kill('SIGTERM');
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the hub exited with ${code}: ${err}`))));
    child.on('error', reject);
  });
  const loaded = packagesIn(list);
  expect(loaded.has('express')).toBe(true);
  expect(DOCUMENT_READERS.filter((p) => loaded.has(p))).toEqual([]);
});
