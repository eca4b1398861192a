/**
 * Messages that name the real cause, and no dead ends, through the real CLI:
 * each refusal is one sentence in the user's terms that says what to do, never validator or
 * system text; a failed `hub init` leaves nothing; `fetch` refuses a folder with files in it;
 * a colleague enrolled after a packet was sent is told who must re-wrap it.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liaison, Person } from '../../scripts/harness.ts';
import { EN_TEXT, makeWorld, ok, refusedWith, RU_PK_FORM, RU_TEXT, sendInformation, type CliWorld } from './support.ts';

let w: CliWorld;
// Olga (clerk) is cleared CONFIDENTIAL only, so a SECRET packet is beyond her own clearance.
beforeAll(async () => {
  w = await makeWorld('messages', { olga: 'CONFIDENTIAL' });
}, 600_000);
afterAll(async () => {
  await w?.close();
});

const send = (...extra: string[]) => ['send', '--agreement', 'RU-PK', '--marking', 'SECRET', '--quiet', ...extra];

describe('item 3: a request carries its form', () => {
  it('send --kind request points to request send, naming the article', async () => {
    refusedWith(
      await w.ivan.run(...send('--to', 'PK', '--original', w.file('r.txt', RU_TEXT), '--lang', 'ru', '--translation', `en:${w.file('r-en.txt', EN_TEXT)}`, '--kind', 'request')),
      /a request under RU-PK carries the request form \(RU-PK Art\. 5.*\): send it with "liaison request send"/,
    );
  });

  it('request send builds the form, and the hub records the request with its deadline rules', async () => {
    const id = (await ok(w.ivan.run('request', 'send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', w.file('r2.txt', RU_TEXT), '--lang', 'ru', '--translation', `en:${w.file('r2-en.txt', EN_TEXT)}`, ...RU_PK_FORM, '--quiet'))).stdout.trim();
    const shown = (await ok(w.ayesha.run('request', 'show', id, '--out', join(w.root, 'form-out')))).stdout;
    expect(shown).toContain('Requesting authority: Prosecutor General');
    expect(shown).toMatch(/request-form \[ru\]|Purpose: Money laundering case/);
  });
});

describe('item 4: a party that is misspelt or not a party of the agreement', () => {
  it('names the party and lists the parties of the agreement', async () => {
    refusedWith(await w.ivan.run(...send('--to', 'PAK', '--original', w.file('a.txt', RU_TEXT), '--lang', 'ru', '--translation', `en:${w.file('a-en.txt', EN_TEXT)}`)), /PAK is not a party of RU-PK: its parties are RU \(.*\); PK \(.*\)/);
    refusedWith(await w.ivan.run(...send('--to', 'KZ', '--original', w.file('a.txt', RU_TEXT), '--lang', 'ru', '--translation', `en:${w.file('a-en.txt', EN_TEXT)}`)), /KZ is not a party of RU-PK.*consented release/);
    refusedWith(await w.ivan.run(...send('--to', 'RU', '--original', w.file('a.txt', RU_TEXT), '--lang', 'ru', '--translation', `en:${w.file('a-en.txt', EN_TEXT)}`)), /RU is your own party/);
  });
});

describe('item 5: the right cause', () => {
  it('a missing file is missing, not of unknown language', async () => {
    refusedWith(await w.ivan.run(...send('--to', 'PK', '--original', join(w.root, 'nope.txt'), '--translation', `en:${w.file('b-en.txt', EN_TEXT)}`)), /cannot find .*nope\.txt: check the path/);
    refusedWith(await w.ivan.run(...send('--to', 'PK', '--original', w.file('b.txt', RU_TEXT), '--translation', `en:${join(w.root, 'gone.txt')}`)), /cannot find .*gone\.txt: check the path/);
  });

  it('EN:file and eng:file are English, as the agreement requires', async () => {
    const upper = (await ok(w.ivan.run(...send('--to', 'PK', '--original', w.file('c.txt', RU_TEXT), '--lang', 'RU', '--translation', `EN:${w.file('c-en.txt', EN_TEXT)}`)))).stderr;
    expect(upper).toContain('Sent to PK.');
    const three = await ok(w.ivan.run(...send('--to', 'PK', '--original', w.file('d.txt', RU_TEXT), '--lang', 'rus', '--translation', `eng:${w.file('d-en.txt', EN_TEXT)}`, '--json')));
    expect(JSON.parse(three.stdout)).toMatchObject({ state: 'submitted' });
    refusedWith(await w.ivan.run(...send('--to', 'PK', '--original', w.file('e.txt', RU_TEXT), '--translation', 'english-file.txt')), /"english-file\.txt" should be LANG:FILE, for example en:request-en\.txt/);
  });

  it("the sender's own clearance is named, not the recipient's", async () => {
    // Olga is a clerk: sending needs a contact; give the case to a contact cleared below the marking instead.
    const low = new Person('Pavel Orlov', 'RU', w.root);
    await ok(low.run('keygen', '--name', low.name));
    await ok(low.run('key', 'export', '--public', '--out', join(w.root, 'pavel.asc')));
    await ok(w.officers.RU.run('officer', 'enroll', '--key', join(w.root, 'pavel.asc'), '--roles', 'contact', '--clearance', 'CONFIDENTIAL'));
    await ok(low.run('trust', 'add', '--party', 'RU', '--officer', w.officers.RU.fingerprint, '--party', 'PK', '--officer', w.officers.PK.fingerprint));
    await ok(low.run('login', '--server', w.hub.url));
    refusedWith(await low.run(...send('--to', 'PK', '--original', w.file('f.txt', RU_TEXT), '--lang', 'ru', '--translation', `en:${w.file('f-en.txt', EN_TEXT)}`)), /your own clearance \(CONFIDENTIAL\) does not cover SECRET/);
  });

  it('a revoked key is told it was revoked, not that the session expired', async () => {
    const gone = new Person('Lost Laptop', 'PK', w.root);
    await ok(gone.run('keygen', '--name', gone.name));
    gone.fingerprint = (await ok(gone.run('key', 'fingerprint'))).stdout.trim();
    await ok(gone.run('key', 'export', '--public', '--out', join(w.root, 'lost.asc')));
    await ok(w.officers.PK.run('officer', 'enroll', '--key', join(w.root, 'lost.asc'), '--roles', 'contact', '--clearance', 'SECRET'));
    await ok(gone.run('login', '--server', w.hub.url));
    await ok(w.officers.PK.run('officer', 'revoke', gone.fingerprint, '--reason', 'Device lost'));
    const r = await gone.run('inbox');
    refusedWith(r, /revoked/);
    expect(r.stderr).not.toMatch(/session has expired/);
  });

  it('submitting an incomplete draft says what is missing and who completes it', async () => {
    const id = (await ok(w.ivan.run(...send('--to', 'PK', '--original', w.file('g.txt', RU_TEXT), '--lang', 'ru', '--draft')))).stdout.trim();
    const r = await w.ivan.run('submit', id);
    refusedWith(r, /a translation into en is required; a clerk attaches it to the draft \(liaison attach\).*\(RU-PK Art\. 6\)/);
    expect(r.stderr).not.toMatch(/upload it as a draft/);
  });
});

describe('item 6: no validator or runtime text', () => {
  it.each([
    [['release', 'request', '00000000-0000-4000-8000-000000000000', '--to', 'KZ', '--purpose', 'ab'], /the purpose must have at least 3 characters/],
    [['fetch', 'not-a-packet', '--out', 'x-out'], /the packet id is not a valid id/],
    [['submit', 'not-a-packet'], /the packet id is not a valid id/],
    [['release', 'execute', 'xyz'], /the release id is not a valid id/],
  ])('%j', async (args, pattern) => {
    refusedWith(await w.ayesha.run(...(args)), pattern);
  });

  it('a hub that does not answer is said in words, not ECONNREFUSED', async () => {
    const r = await w.ayesha.run('login', '--server', 'http://127.0.0.1:59999');
    refusedWith(r, /cannot reach the hub at http:\/\/127\.0\.0\.1:59999\/: nothing answers there: is the hub running, and is the URL right\?/);
    expect(r.stderr).not.toMatch(/ECONNREFUSED/);
  });

  it('an existing output file is said in words, not EEXIST', async () => {
    const out = w.file('exists.asc', 'x');
    refusedWith(await w.ivan.run('key', 'export', '--public', '--out', out), /exists\.asc already exists: choose another name or remove it first/);
  });

  it('a valid-until date in the past is said in words', async () => {
    refusedWith(await w.officers.RU.run('officer', 'enroll', '--key', w.keyFile(w.ivan), '--roles', 'contact', '--clearance', 'SECRET', '--valid-until', '2020-01-01'), /--valid-until .* is already past/);
  });
});

describe('item 7: lists where a user needs them, warnings where a secret is at stake', () => {
  it('an unknown agreement lists the agreements there are', async () => {
    refusedWith(await w.ivan.run('agreements', 'RU-XX'), /the hub has no agreement RU-XX; it has .*RU-PK.*SCO/);
    refusedWith(await w.ivan.run(...send('--to', 'PK', '--agreement', 'RU-XX', '--original', w.file('h.txt', RU_TEXT), '--lang', 'ru')), /the hub has no agreement RU-XX; it has /);
  });

  it('trust add refuses a party that no agreement names', async () => {
    refusedWith(await w.ivan.run('trust', 'add', '--party', 'XX', '--officer', w.officers.RU.fingerprint), /XX is not a party of any agreement on the hub .*nothing was pinned/);
    const offline = new Person('Nobody Yet', 'RU', w.root);
    refusedWith(await offline.run('trust', 'add', '--party', 'ZZ', '--officer', w.officers.RU.fingerprint), /ZZ is not a party of any agreement shipped with liaison/);
  });

  it('enrolling from a private key file is refused with a warning', async () => {
    const secret = join(w.root, 'ivan-secret.asc');
    await ok(w.ivan.run('key', 'export', '--secret', '--out', secret));
    refusedWith(await w.officers.RU.run('officer', 'enroll', '--key', secret, '--roles', 'contact', '--clearance', 'SECRET'), /holds a SECRET key, which must never leave its owner's machine/);
    refusedWith(await liaison(['hub', 'enroll', '--data', w.dataDir, '--party', 'RU', '--key', secret]), /holds a SECRET key/);
  });

  it('officer enroll --clearance and request send --marking take national labels', async () => {
    const newcomer = new Person('Anna Kuznetsova', 'RU', w.root);
    await ok(newcomer.run('keygen', '--name', newcomer.name));
    await ok(newcomer.run('key', 'export', '--public', '--out', join(w.root, 'anna.asc')));
    const enrolled = JSON.parse((await ok(w.officers.RU.run('officer', 'enroll', '--key', join(w.root, 'anna.asc'), '--roles', 'contact', '--clearance', 'СОВЕРШЕННО СЕКРЕТНО', '--json'))).stdout) as { clearance: string };
    expect(enrolled.clearance).toBe('SECRET');
    refusedWith(await w.officers.RU.run('officer', 'enroll', '--key', join(w.root, 'anna.asc'), '--roles', 'contact', '--clearance', 'VERY SECRET'), /"VERY SECRET" is not a clearance: use .* or a national label of RU: .*СОВЕРШЕННО СЕКРЕТНО \(SECRET\)/);
    const sent = await ok(w.ivan.run('request', 'send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'СЕКРЕТНО', '--original', w.file('i.txt', RU_TEXT), '--lang', 'ru', '--translation', `en:${w.file('i-en.txt', EN_TEXT)}`, ...RU_PK_FORM, '--quiet', '--json'));
    const inbox = JSON.parse((await ok(w.ayesha.run('inbox', '--json'))).stdout) as Array<{ packetId: string; level: string }>;
    expect(inbox.find((p) => p.packetId === (JSON.parse(sent.stdout) as { packetId: string }).packetId)?.level).toBe('CONFIDENTIAL');
  });
});

describe('item 8: hub init is all or nothing', () => {
  it('a failed init leaves nothing, and a rerun works', async () => {
    const data = join(w.root, 'hub2');
    refusedWith(await liaison(['hub', 'init', '--data', data, '--officer', `RU=${w.keyFile(w.officers.RU)}`, '--officer', `XX=${w.keyFile(w.officers.PK)}`]), /XX is not a party of any agreement.*nothing was created/);
    expect(existsSync(data)).toBe(false);
    expect(readdirSync(w.root).filter((n) => n.startsWith('hub2'))).toEqual([]);
    const again = await ok(liaison(['hub', 'init', '--data', data, '--officer', `RU=${w.keyFile(w.officers.RU)}`]));
    expect(again.stdout).toMatch(/Hub created in .*hub2.*\nFirst security officer of RU: Sergei Volkov/);
    refusedWith(await liaison(['hub', 'init', '--data', data]), /a hub already exists in/);
  });
});

describe('items 9 and 10: fetch', () => {
  it('a colleague enrolled after the packet was sent is told who must re-wrap it', async () => {
    const id = await sendInformation(w);
    const late = new Person('Farid Malik', 'PK', w.root);
    await ok(late.run('keygen', '--name', late.name));
    late.fingerprint = (await ok(late.run('key', 'fingerprint'))).stdout.trim();
    await ok(late.run('key', 'export', '--public', '--out', join(w.root, 'farid.asc')));
    await ok(w.officers.PK.run('officer', 'enroll', '--key', join(w.root, 'farid.asc'), '--roles', 'contact', '--clearance', 'SECRET'));
    await ok(late.run('trust', 'add', '--party', 'RU', '--officer', w.officers.RU.fingerprint, '--party', 'PK', '--officer', w.officers.PK.fingerprint));
    await ok(late.run('login', '--server', w.hub.url));
    const out = join(w.root, 'farid-out');
    refusedWith(await late.run('fetch', id, '--out', out, '--quiet'), new RegExp(`a colleague of PK who can read it must re-wrap it for your key \\(Colleagues in the web client, or: liaison rewrap --for ${late.fingerprint} ${id}\\)`));
    // Their officer sees who waits, and for what; a colleague re-wraps what the hub lists, checking each packet.
    const waiting = await ok(w.officers.PK.run('officer', 'awaiting-rewrap'));
    expect(waiting.stdout).toMatch(new RegExp(`Farid Malik +${late.fingerprint} +\\d+`));
    expect(waiting.stdout).toContain('liaison rewrap --for FINGERPRINT');
    const listed = JSON.parse((await ok(w.officers.PK.run('officer', 'awaiting-rewrap', '--member', late.fingerprint, '--json'))).stdout) as Array<{ packetId: string }>;
    expect(listed.map((p) => p.packetId)).toContain(id);
    const rewrapped = JSON.parse((await ok(w.ayesha.run('rewrap', '--for', late.fingerprint, '--json'))).stdout) as { done: string[] };
    expect(rewrapped.done).toContain(id);
    expect((await ok(w.officers.PK.run('officer', 'awaiting-rewrap', '--member', late.fingerprint))).stdout).toBe(`Nothing waits for ${late.fingerprint}.\n`);
    await ok(late.run('fetch', id, '--out', out, '--quiet'));
  });

  it('refuses a folder with files in it unless --force, and an --out that is a file', async () => {
    const id = await sendInformation(w);
    const out = join(w.root, 'busy');
    mkdirSync(out);
    writeFileSync(join(out, 'old.txt'), 'older work');
    refusedWith(await w.ayesha.run('fetch', id, '--out', out, '--quiet'), /busy already has 1 file\(s\) in it: give a new folder with --out, or add --force/);
    expect(readdirSync(out)).toEqual(['old.txt']);
    await ok(w.ayesha.run('fetch', id, '--out', out, '--force', '--quiet'));
    expect(readdirSync(out).length).toBeGreaterThan(1);
    refusedWith(await w.ayesha.run('fetch', id, '--out', join(out, 'old.txt'), '--quiet'), /old\.txt is a file: --out takes a folder/);
  });
});

describe('item 11: commands as the README writes them', () => {
  it('audit verify with no flag verifies the log the person may see', async () => {
    const r = await ok(w.ayesha.run('audit', 'verify'));
    expect(r.stdout).toMatch(/Audit log verified: \d+ events visible to PK, from http:\/\/127\.0\.0\.1:\d+\//);
  });

  it('receipts --save says where it saved them', async () => {
    const id = await sendInformation(w);
    await ok(w.ayesha.run('fetch', id, '--out', join(w.root, `rcpt-${id}`), '--quiet'));
    const dir = join(w.root, 'receipts');
    const r = await ok(w.ivan.run('receipts', id, '--save', dir));
    expect(r.stderr).toContain(`Saved ${readdirSync(dir).length / 2} receipt(s) and their signatures in ${dir}`);
  });
});
