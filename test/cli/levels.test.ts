/**
 * One resolver for every option that takes a level: `send --marking`, `request send --marking`,
 * `state --marking`, `officer enroll --clearance`, `officer set-clearance` and the operator's
 * `hub enroll --clearance` each take a common level in any spelling or a national label of the agreement
 * (of the officer's party, for a clearance), and refuse anything else in one sentence listing
 * what they take. The real CLI against a real hub; the resolver's table without one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agreement } from '../../protocol/agreement.ts';
import { resolveMarking } from '../../client/core/levels.ts';
import { clearanceOf, commonLevel } from '../../protocol/levels.ts';
import { liaison, Person } from '../../scripts/harness.ts';
import { EN_TEXT, makeWorld, ok, refusedWith, RU_PK_FORM, RU_TEXT, type CliWorld } from './support.ts';

const RU_PK = Agreement.parse(JSON.parse(readFileSync(new URL('../../agreements/RU-PK.json', import.meta.url), 'utf8')));

describe('the resolver', () => {
  it.each([
    ['TOP SECRET', 'TOP SECRET'],
    ['top-secret', 'TOP SECRET'],
    ['Top_Secret', 'TOP SECRET'],
    [' secret ', 'SECRET'],
    ['СОВЕРШЕННО СЕКРЕТНО', 'SECRET'],
    ['совершенно секретно', 'SECRET'],
    ['ДЛЯ СЛУЖЕБНОГО ПОЛЬЗОВАНИЯ', 'RESTRICTED'],
    ['особой важности', 'TOP SECRET'],
  ])('%j is %s under RU-PK', (given, level) => {
    expect(resolveMarking(given, RU_PK)).toBe(level);
  });

  it('refuses what is neither, listing the levels of the agreement', () => {
    expect(() => resolveMarking('VERY SECRET', RU_PK)).toThrow(/"VERY SECRET" is not a marking of RU-PK: use one of RESTRICTED, CONFIDENTIAL, SECRET, TOP SECRET or a national label/);
    expect(commonLevel('SECRETS')).toBeUndefined();
  });

  it.each([
    ['Top-Secret', 'RU', { ok: true, level: 'TOP SECRET' }],
    ['ОСОБОЙ ВАЖНОСТИ', 'RU', { ok: true, level: 'TOP SECRET' }],
    ['СЕКРЕТНО', 'RU', { ok: true, level: 'CONFIDENTIAL' }],
    // A label of the other party is not a clearance of this one.
    ['СЕКРЕТНО', 'PK', { ok: false }],
  ])('clearance %j for %s', (given, party, expected) => {
    expect(clearanceOf(given, [RU_PK], party)).toMatchObject(expected);
  });
});

describe('every option that takes a level, on the command line', () => {
  let w: CliWorld;
  beforeAll(async () => {
    w = await makeWorld('levels');
  }, 240_000);
  afterAll(() => w?.close());

  const inboxLevel = async (who: CliWorld['ivan'], packetId: string) => (JSON.parse((await ok(who.run('inbox', '--json'))).stdout) as Array<{ packetId: string; level: string }>).find((p) => p.packetId === packetId)?.level;

  it('send --marking takes a national label and a common level in any spelling', async () => {
    const byLabel = await ok(w.ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'СОВЕРШЕННО СЕКРЕТНО', '--original', w.file('l1-ru.txt', RU_TEXT), '--lang', 'ru', '--translation', `en:${w.file('l1-en.txt', EN_TEXT)}`, '--quiet'));
    expect(await inboxLevel(w.ayesha, byLabel.stdout.trim())).toBe('SECRET');
    const bySpelling = await ok(w.ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'confidential', '--original', w.file('l2-ru.txt', RU_TEXT), '--lang', 'ru', '--translation', `en:${w.file('l2-en.txt', EN_TEXT)}`, '--quiet'));
    expect(await inboxLevel(w.ayesha, bySpelling.stdout.trim())).toBe('CONFIDENTIAL');
    refusedWith(await w.ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'ОЧЕНЬ СЕКРЕТНО', '--original', w.file('l3-ru.txt', RU_TEXT), '--lang', 'ru', '--quiet'), /"ОЧЕНЬ СЕКРЕТНО" is not a marking of RU-PK: use one of .* or a national label/);
  });

  it('request send --marking and state --marking take national labels', async () => {
    const request = JSON.parse((await ok(w.ivan.run('request', 'send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'СЕКРЕТНО', '--original', w.file('r-ru.txt', RU_TEXT), '--lang', 'ru', '--translation', `en:${w.file('r-en.txt', EN_TEXT)}`, ...RU_PK_FORM, '--quiet', '--json'))).stdout) as { packetId: string };
    expect(await inboxLevel(w.ayesha, request.packetId)).toBe('CONFIDENTIAL');
    const reasons = w.file('reasons-en.txt', 'The request cannot be executed because the accounts named in it were closed before the period it concerns. Please send the new account numbers.\n');
    const moved = JSON.parse((await ok(w.ayesha.run('state', request.packetId, 'refused', '--reasons', reasons, '--lang', 'en', '--marking', 'ДЛЯ СЛУЖЕБНОГО ПОЛЬЗОВАНИЯ', '--quiet', '--json'))).stdout) as { sentPacket: string };
    expect(await inboxLevel(w.ivan, moved.sentPacket)).toBe('RESTRICTED');
  });

  it('officer enroll --clearance and officer set-clearance take the national label of the officer\'s party', async () => {
    const before = JSON.parse((await ok(w.officers.RU.run('members', '--json'))).stdout) as Array<{ fingerprint: string; clearance: string }>;
    expect(before.find((m) => m.fingerprint === w.olga.fingerprint)?.clearance).toBe('SECRET');
    const raised = JSON.parse((await ok(w.officers.RU.run('officer', 'set-clearance', w.olga.fingerprint, 'ОСОБОЙ ВАЖНОСТИ', '--json'))).stdout) as { member: { clearance: string }; previousClearance: string };
    expect(raised).toMatchObject({ member: { clearance: 'TOP SECRET' }, previousClearance: 'SECRET' });
    refusedWith(await w.officers.RU.run('officer', 'set-clearance', w.olga.fingerprint, 'SUPER'), /"SUPER" is not a clearance: use .* or a national label of RU: .*ОСОБОЙ ВАЖНОСТИ \(TOP SECRET\)/);
    refusedWith(await w.officers.RU.run('officer', 'enroll', '--key', join(w.root, 'nobody.asc'), '--roles', 'contact', '--clearance', 'SECRET'), /cannot find .*nobody\.asc/);
  });

  it("hub enroll --clearance takes a national label of the party the operator enrolls", async () => {
    const kaveh = new Person('Kaveh Rahimi', 'IR', w.root);
    await ok(kaveh.run('keygen', '--name', kaveh.name));
    const key = join(w.root, 'IR-kaveh.asc');
    await ok(kaveh.run('key', 'export', '--public', '--out', key));
    refusedWith(await liaison(['hub', 'enroll', '--data', w.dataDir, '--party', 'IR', '--key', key, '--clearance', 'SUPER']), /"SUPER" is not a clearance: use .* or a national label of IR: .*به کلی سری \(TOP SECRET\)/);
    const enrolled = await ok(liaison(['hub', 'enroll', '--data', w.dataDir, '--party', 'IR', '--key', key, '--clearance', 'سری']));
    expect(enrolled.stdout).toMatch(/cleared SECRET\./);
  });
});
