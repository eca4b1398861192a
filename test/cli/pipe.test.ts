/**
 * A reader that stops early (`liaison --help | head -1`) closes the pipe before the CLI has
 * written: the CLI stops quietly with status 0, never an unhandled EPIPE and its stack.
 */
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { LIAISON_BIN } from '../../scripts/harness.ts';

const cases: Array<[string[], Record<string, string>]> = [
  [['--help'], {}],
  [['--help'], { LIAISON_NO_BUNDLE: '1' }],
];
it.each(cases)('liaison %j (%j) with its standard output closed at once ends quietly', async (args, env) => {
  const child = spawn(process.execPath, [LIAISON_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // the reader is gone before the CLI writes a byte
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(stderr).toBe('');
  expect(code).toBe(0);
});
