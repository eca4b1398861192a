/**
 * The demo tells its story: every numbered step is said before any output,
 * every refusal it expects is announced ("Attempt: ...") before the command and its refusal are
 * shown, and every output line sits under the command that printed it. And progress bars, shown
 * only on a terminal, reach 100% (a decrypted part is smaller than its ciphertext, so counting
 * plaintext alone stopped short): a fetch runs under a pseudo-terminal (util-linux `script`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIAISON_BIN } from '../../scripts/harness.ts';
import { makeWorld, sendInformation, type CliWorld } from './support.ts';

const DEMO = fileURLToPath(new URL('../../scripts/demo.ts', import.meta.url));

function runDemo(): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

describe('npm run demo', () => {
  it('narrates each step before its output, and announces each refusal it expects', { timeout: 1_200_000 }, async () => {
    const { code, out } = await runDemo();
    expect(code, out.slice(-2000)).toBe(0);
    const lines = out.split('\n');
    const firstStep = lines.findIndex((l) => /^1\. /.test(l));
    expect(firstStep).toBeGreaterThan(0);
    expect(lines.slice(0, firstStep).some((l) => l.startsWith('   |') || l.startsWith('   $'))).toBe(false);
    let sawCommand = false;
    for (const [i, line] of lines.entries()) {
      if (/^\d+\. /.test(line)) sawCommand = false;
      if (line.startsWith('   $ ')) sawCommand = true;
      // Output is shown under a command (or a line the demo says it stands for).
      if (line.startsWith('   | ') && !sawCommand) expect.soft(line, `line ${i + 1} has no command above it`).toMatch(/^ {3}\| (\(|http:)/);
      if (line.includes('| liaison: ')) {
        const attempt = lines.slice(0, i).reverse().find((l) => l.startsWith('   Attempt: ') || l.startsWith('   $ '));
        expect(lines[i - 1], `refusal at line ${i + 1}`).toMatch(/^ {3}\$ liaison /);
        expect(lines[i - 2], `refusal at line ${i + 1} is announced`).toMatch(/^ {3}Attempt: .*; this must be refused\.$/);
        expect(attempt).toBeDefined();
        expect(lines[i + 1]).toBe('   Refused, as it must be.');
      }
    }
    expect(out.match(/Attempt: /g)!.length).toBeGreaterThanOrEqual(10);
    expect(out).toContain('The story held at every step.');
  });
});

describe('progress bars on a terminal', () => {
  let w: CliWorld;
  beforeAll(async () => {
    w = await makeWorld('progress');
  }, 600_000);
  afterAll(async () => {
    await w?.close();
  });

  it('every bar of a fetch ends at 100%', { timeout: 300_000 }, async () => {
    const id = await sendInformation(w);
    const command = `${process.execPath} ${LIAISON_BIN} fetch ${id} --out ${join(w.root, 'tty-out')}`;
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { env: { ...process.env, ...w.ayesha.env, COLUMNS: '120' }, encoding: 'utf8' });
    expect(r.status, r.stdout).toBe(0);
    const text = r.stdout.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g'), '');
    const bars = new Map<string, string[]>();
    for (const m of text.matchAll(/(downloading p\d|decrypting p\d)\s+\S*\s+(\d+)%/g)) bars.set(m[1]!, [...(bars.get(m[1]!) ?? []), m[2]!]);
    expect([...bars.keys()].sort()).toEqual(['decrypting p1', 'decrypting p2', 'downloading p1', 'downloading p2']);
    for (const [step, percents] of bars) expect(percents.at(-1), step).toBe('100');
  });
});
