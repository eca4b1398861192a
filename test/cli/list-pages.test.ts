/**
 * The CLI pages through lists as `inbox` does: `--limit` prints one page and says how
 * to ask for the next one, `--cursor` continues exactly there, `--all` follows every page. The
 * real CLI against a real hub: a page of two, then the rest, then all, and the pages put
 * together are the whole list, in order, once each. Commands that must verify a whole set (the
 * trust directory, receipts, the audit view) page through in the core without being asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorld, ok, refusedWith, sendInformation, type CliWorld } from './support.ts';

let w: CliWorld;
let packetId: string;

beforeAll(async () => {
  w = await makeWorld('pages');
  packetId = await sendInformation(w);
  for (const purpose of ['customs case one', 'customs case two', 'customs case three']) await ok(w.ayesha.run('release', 'request', packetId, '--to', 'KZ', '--purpose', purpose));
  for (let i = 0; i < 3; i++) await ok(w.ayesha.run('request', 'oral', '--agreement', 'RU-PK', '--from', 'PK', '--to', 'RU'));
}, 300_000);
afterAll(() => w.close());

const cursorIn = (stderr: string, command: string) => new RegExp(`More: liaison ${command} --cursor (\\S+) \\(same options\\), or --all\\.`).exec(stderr)?.[1];

describe('a list command pages', () => {
  it.each([
    ['release list', (extra: string[]) => ['release', 'list', packetId, ...extra], (r: { id: string }) => r.id],
    ['deadlines', (extra: string[]) => ['deadlines', '--what', 'oral-confirmation', ...extra], (d: { id: string }) => d.id],
  ] as const)('%s: --limit prints a page and the next cursor, --cursor the rest, --all everything', async (command, args, key) => {
    const first = await ok(w.ayesha.run(...args(['--limit', '2', '--json'])));
    const page1 = (JSON.parse(first.stdout) as Array<{ id: string }>).map(key);
    expect(page1).toHaveLength(2);
    const cursor = cursorIn(first.stderr, command === 'release list' ? `release list ${packetId}` : command);
    expect(cursor, first.stderr).toBeDefined();
    const rest = await ok(w.ayesha.run(...args(['--limit', '2', '--cursor', cursor!, '--json'])));
    const page2 = (JSON.parse(rest.stdout) as Array<{ id: string }>).map(key);
    expect(page2).toHaveLength(1);
    expect(rest.stderr).not.toMatch(/More: liaison/);
    const all = await ok(w.ayesha.run(...args(['--all', '--json'])));
    expect((JSON.parse(all.stdout) as Array<{ id: string }>).map(key)).toEqual([...page1, ...page2]);
    expect(new Set([...page1, ...page2]).size).toBe(3);
  }, 120_000);

  it('a cursor that is not one the hub gave, and a bad --limit, are one sentence each', async () => {
    refusedWith(await w.ayesha.run('deadlines', '--cursor', 'not-a-cursor'), /cursor/);
    refusedWith(await w.ayesha.run('release', 'list', packetId, '--limit', '0'), /--limit takes a whole number from 1 to 500/);
  }, 60_000);

  it('prints the human table with the hint on the error stream', async () => {
    const r = await ok(w.ayesha.run('deadlines', '--limit', '1'));
    expect(r.stdout).toMatch(/ORAL-CONFIRMATION|oral-confirmation/);
    expect(r.stderr).toMatch(/More: liaison deadlines --cursor \S+ \(same options\), or --all\./);
  }, 60_000);
});
