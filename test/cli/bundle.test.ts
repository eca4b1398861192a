/**
 * The CLI bundle (bin/dist/, scripts/build-cli.ts) runs only while it is current, and says what
 * the sources say. A stale bundle must never run old code: any change to a file it was built from
 * (content, size or time), or its removal, makes bin/current-bundle.js refuse it, and the CLI runs
 * the sources. The real CLI's help is the same from the bundle and from the sources.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentBundle } from '../../bin/current-bundle.js';
import { liaison } from '../../scripts/harness.ts';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'liaison-bundle-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A checkout with two source files and a bundle built from them (its record as build-cli.ts writes it). */
function builtTree(name: string): string {
  const tree = join(root, name);
  mkdirSync(join(tree, 'client'), { recursive: true });
  mkdirSync(join(tree, 'bin', 'dist'), { recursive: true });
  writeFileSync(join(tree, 'client', 'a.ts'), 'export const a = 1;\n');
  writeFileSync(join(tree, 'package.json'), '{}\n');
  const stamp = (path: string) => {
    const s = statSync(join(tree, path));
    return { size: s.size, mtimeMs: s.mtimeMs };
  };
  writeFileSync(join(tree, 'bin', 'dist', 'sources.json'), JSON.stringify({ files: { 'client/a.ts': stamp('client/a.ts'), 'package.json': stamp('package.json') } }));
  return tree;
}

describe('bin/current-bundle.js', () => {
  it('gives the bundle while every file it was built from is unchanged', () => {
    const tree = builtTree('unchanged');
    expect(currentBundle(tree)).toBe(join(tree, 'bin', 'dist', 'liaison.js'));
  });

  it('refuses it once a source is edited, even to the same size', () => {
    const tree = builtTree('edited');
    writeFileSync(join(tree, 'client', 'a.ts'), 'export const a = 2;\n');
    expect(currentBundle(tree)).toBeUndefined();
  });

  it('refuses it when only the time changed (a checkout of another branch writes the same bytes anew)', () => {
    const tree = builtTree('touched');
    const later = new Date(statSync(join(tree, 'package.json')).mtimeMs + 5_000);
    utimesSync(join(tree, 'package.json'), later, later);
    expect(currentBundle(tree)).toBeUndefined();
  });

  it('refuses it when a source is gone, and when there is no bundle', () => {
    const tree = builtTree('removed');
    rmSync(join(tree, 'client', 'a.ts'));
    expect(currentBundle(tree)).toBeUndefined();
    const bare = join(root, 'never-built');
    mkdirSync(bare);
    expect(currentBundle(bare)).toBeUndefined();
  });
});

// npm ci and npm test build the bundle; a checkout edited since runs the sources and skips this.
const BUILT = currentBundle(fileURLToPath(new URL('../..', import.meta.url))) !== undefined;
describe.runIf(BUILT)('the built bundle of this checkout', () => {
  it.each([[['--help']], [['officer', '--help']], [['inbox', '--help']], [['release', 'consent', '--help']], [['--version']]])('liaison %j prints the same from the bundle and from the sources', async (args) => {
    const [bundled, sources] = await Promise.all([liaison(args), liaison(args, { LIAISON_NO_BUNDLE: '1' })]);
    expect(bundled.code).toBe(0);
    expect(bundled.stdout.length).toBeGreaterThan(0);
    expect(bundled).toEqual(sources);
  });

  it('an unknown command is refused in the same words', async () => {
    const [bundled, sources] = await Promise.all([liaison(['no-such-command']), liaison(['no-such-command'], { LIAISON_NO_BUNDLE: '1' })]);
    expect(bundled.code).not.toBe(0);
    expect(bundled).toEqual(sources);
  });
});
