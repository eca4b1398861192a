/**
 * Decisions in sight: the conditions and expiry of a consent and the
 * reasons of a refusal, as the originating officer signed them, reach everyone concerned through
 * the real CLI: `release list` for the requester, originator and third party, the third party's
 * inbox, `fetch` and RELEASE-CONDITIONS.txt beside the fetched files. `--expires DATE` is the end
 * of that day in the officer's own time zone, and the output says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liaison } from '../../scripts/harness.ts';
import { makeWorld, ok, refusedWith, sendInformation, type CliWorld } from './support.ts';

let w: CliWorld;
const CONDITIONS = 'Только для расследования по делу 1234; не передавать дальше';

beforeAll(async () => {
  w = await makeWorld('releases');
}, 600_000);
afterAll(async () => {
  await w?.close();
});

describe('release conditions, expiry and refusal reasons', () => {
  let packetId: string;
  let releaseId: string;

  it('a consent with conditions and a date: the end of that day in the officer time zone, said plainly', { timeout: 300_000 }, async () => {
    packetId = await sendInformation(w);
    releaseId = (await ok(w.ayesha.run('release', 'request', packetId, '--to', 'KZ', '--purpose', 'Kazakh part of the same network'))).stdout.trim();
    const year = new Date().getFullYear() + 1;
    // Sergei works in Moscow (UTC+3 all year): the end of 31 December there is 20:59:59.999 UTC.
    const consent = await ok(liaison(['release', 'consent', releaseId, '--to', 'KZ', '--conditions', CONDITIONS, '--expires', `${year}-12-31`, '--json'], { ...w.officers.RU.env, TZ: 'Europe/Moscow' }));
    const decided = JSON.parse(consent.stdout) as { release: { expiresAt: string }; terms: { conditions: string; expiresAt: string; verified: boolean; officer: string } };
    expect(decided.release.expiresAt).toBe(`${year}-12-31T20:59:59.999Z`);
    expect(decided.terms).toMatchObject({ conditions: CONDITIONS, expiresAt: `${year}-12-31T20:59:59.999Z`, verified: true, officer: 'Sergei Volkov' });
  });

  it('the human output says how the date was taken', async () => {
    const other = await sendInformation(w, 'CONFIDENTIAL');
    const id = (await ok(w.ayesha.run('release', 'request', other, '--to', 'KZ', '--purpose', 'Second case of the network'))).stdout.trim();
    const year = new Date().getFullYear() + 1;
    const r = await ok(liaison(['release', 'consent', id, '--to', 'KZ', '--expires', `${year}-06-30`], { ...w.officers.RU.env, TZ: 'Asia/Karachi' }));
    expect(r.stderr).toContain(`${year}-06-30 was taken as the end of that day in your time zone (Asia/Karachi): ${year}-06-30 23:59:59 +05:00`);
    expect(r.stdout).toContain(`The consent lapses at ${year}-06-30 23:59 +05:00 if not used.`);
  });

  it('release list shows the requester the conditions and expiry', async () => {
    const list = (await ok(liaison(['release', 'list', packetId], { ...w.ayesha.env, TZ: 'UTC' }))).stdout;
    expect(list).toContain(`${releaseId} consented`);
    expect(list).toContain(`Conditions: ${CONDITIONS}`);
    expect(list).toMatch(/The consent lapses at \d{4}-12-31 20:59 \+00:00 if not used\./);
    expect(list).toContain('Released to KZ with the written consent of RU (signed by its officer Sergei Volkov on ');
  });

  it('the third party is told the conditions in release list, in its inbox, on fetch and beside the files', { timeout: 300_000 }, async () => {
    expect((await ok(w.aigerim.run('release', 'list'))).stdout).toBe('No releases.\n');
    await ok(w.ayesha.run('release', 'execute', releaseId));

    const list = (await ok(w.aigerim.run('release', 'list'))).stdout;
    expect(list).toContain(`${releaseId} executed: packet ${packetId} to KZ`);
    expect(list).toContain(`Conditions: ${CONDITIONS}`);

    const inbox = (await ok(w.aigerim.run('inbox'))).stdout;
    expect(inbox).toContain(`${packetId} reached KZ through a release:`);
    expect(inbox).toContain(`Conditions: ${CONDITIONS}`);
    const inboxJson = JSON.parse((await ok(w.aigerim.run('inbox', '--json'))).stdout) as Array<{ packetId: string; relation: string; releaseTerms?: Array<{ conditions: string }> }>;
    expect(inboxJson.find((p) => p.packetId === packetId)).toMatchObject({ relation: 'released', releaseTerms: [{ conditions: CONDITIONS }] });

    const out = join(w.root, 'aigerim-fetch');
    const fetched = (await ok(w.aigerim.run('fetch', packetId, '--out', out, '--quiet'))).stdout;
    expect(fetched).toContain(`Conditions: ${CONDITIONS}`);
    expect(fetched).toContain(`The terms are also written to ${join(out, 'RELEASE-CONDITIONS.txt')}.`);
    const written = readFileSync(join(out, 'RELEASE-CONDITIONS.txt'), 'utf8');
    expect(written).toContain(`Packet ${packetId} (SECRET) was released to KZ. Use it only under these terms:`);
    expect(written).toContain(`Conditions: ${CONDITIONS}`);
    expect(written).toContain('Released to KZ with the written consent of RU (signed by its officer Sergei Volkov on ');
  });

  it('a direct recipient fetching the same packet gets no conditions file: the terms bind the third party', async () => {
    const out = join(w.root, 'ayesha-fetch');
    await ok(w.ayesha.run('fetch', packetId, '--out', out, '--quiet'));
    expect(existsSync(join(out, 'RELEASE-CONDITIONS.txt'))).toBe(false);
  });

  it('a refusal shows its written reasons to the requester', async () => {
    const other = await sendInformation(w);
    const id = (await ok(w.ayesha.run('release', 'request', other, '--to', 'KZ', '--purpose', 'Another line of inquiry'))).stdout.trim();
    refusedWith(await w.officers.RU.run('release', 'consent', id, '--to', 'KZ', '--refuse', 'The source must stay protected', '--conditions', 'x'), /a refusal has written reasons only/);
    await ok(w.officers.RU.run('release', 'consent', id, '--to', 'KZ', '--refuse', 'The source must stay protected'));
    const list = (await ok(w.ayesha.run('release', 'list', other))).stdout;
    expect(list).toContain(`${id} refused`);
    expect(list).toMatch(/Refused by RU \(signed by its officer Sergei Volkov\) on .*: The source must stay protected/);
  });

  it('a date that is not one is refused in one sentence', async () => {
    refusedWith(await w.officers.RU.run('release', 'consent', releaseId, '--to', 'KZ', '--expires', '2026-02-30'), /"2026-02-30" is not a date of the calendar/);
    refusedWith(await w.officers.RU.run('release', 'consent', releaseId, '--to', 'KZ', '--expires', 'next week'), /"next week" is not a date: write 2026-12-31/);
  });
});
