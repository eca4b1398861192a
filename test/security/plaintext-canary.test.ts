/**
 * Attack (by the hub operator, or anyone who gets the hub's disk): read a document off the hub.
 * Trust model 1: the server never sees plaintext. A complete exchange runs here (a packet with its
 * translation, a draft completed by a clerk, a reply, a consented and executed release) where
 * every document carries the CANARY; then every byte the hub left on disk (database, WAL, blobs,
 * temp files, log, and whatever landed in the OS temp directory meanwhile) is searched for it, in
 * UTF-8 and UTF-16LE. The log must also hold request lines but no token, no "Bearer" and no
 * OpenPGP armor.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Release } from '../../protocol/release.ts';
import { buildPacket, buildRevision, login, uploadRequest, type BuiltPacket } from '../helpers/packets.ts';
import { CANARY } from '../helpers/world.ts';
import { RU_PK_CAST, decision, downloadBytes, filesUnder, get, plaintextOf, post, setUp, waitFor, wrapsFor, type Cast } from './support.ts';

let cast: Cast<keyof typeof RU_PK_CAST>;
let closed = false;
const now = () => cast.world.clock.now();

/**
 * The OS temp directory as the hub (in this process) sees it: a private one, so that everything
 * the hub or SQLite puts in "the temp dir" during the test is ours to scan in full, and plaintext
 * that other test files legitimately keep on their client side cannot confuse the scan.
 */
const REAL_TMP = tmpdir();
const ORIGINAL_TMPDIR = process.env.TMPDIR;
let privateTmp: string;
let realTmpBefore: Set<string>;
/** Every token the test obtained: none may appear in the log. */
const tokens: string[] = [];

const NEEDLES = [CANARY, 'CANARY-7f3e9a1c', 'НЕ-ДОЛЖНО-ПОКИДАТЬ-КЛИЕНТ'].flatMap((text) => [
  { what: `${JSON.stringify(text)} in UTF-8`, bytes: Buffer.from(text, 'utf8') },
  { what: `${JSON.stringify(text)} in UTF-16LE`, bytes: Buffer.from(text, 'utf16le') },
]);

/** Where the canary appears in `files`, as "file: encoding" lines (empty when nowhere). */
function canaryHits(files: string[]): string[] {
  const hits: string[] = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      continue; // removed between listing and reading (a temp file of another process)
    }
    for (const needle of NEEDLES) if (bytes.includes(needle.bytes)) hits.push(`${file}: ${needle.what}`);
  }
  return hits;
}

beforeAll(async () => {
  realTmpBefore = new Set(readdirSync(REAL_TMP));
  privateTmp = mkdtempSync(join(REAL_TMP, 'liaison-canary-'));
  process.env.TMPDIR = privateTmp;
  expect(tmpdir()).toBe(privateTmp);
  cast = await setUp(RU_PK_CAST);
  tokens.push(...Object.values<string>(cast.tokens));
});

afterAll(async () => {
  if (cast && !closed) await cast.hub.close();
  if (ORIGINAL_TMPDIR === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = ORIGINAL_TMPDIR;
  if (privateTmp) rmSync(privateTmp, { recursive: true, force: true });
});

const RU = `Запрос о правовой помощи по уголовному делу № 11902. Просим установить владельцев счетов. ${CANARY}`;
const EN = `Request for legal assistance in criminal case No. 11902. Please identify the account holders. ${CANARY}`;
const REPLY = `Reply: the account holders are listed in the attachment. ${CANARY}`;
/** An attachment whose plaintext is UTF-16LE text, so the UTF-16 search has something to find if it leaks. */
const UTF16 = Buffer.from(`Список владельцев счетов (UTF-16). ${CANARY}`, 'utf16le');

describe('a complete exchange', () => {
  const secretReaders = () => [cast.people.ruContact, cast.people.ruClerk, cast.people.pkContact];
  let sent: BuiltPacket;
  let draft: BuiltPacket;

  it('a packet with its translation and a UTF-16 attachment is sent and read by PK', async () => {
    sent = await buildPacket({
      sender: cast.people.ruContact,
      readers: secretReaders(),
      date: now(),
      parts: [
        { role: 'original', lang: 'ru', text: RU },
        { role: 'translation', lang: 'en', text: EN },
        { role: 'attachment', lang: 'ru', bytes: UTF16 },
      ],
    });
    await uploadRequest(cast.app, cast.tokens.ruContact, sent, true).expect(201);
    for (const [partId, expected] of [['p1', RU], ['p2', EN]] as const) {
      const part = await downloadBytes(cast.app, `/v1/packets/${sent.manifest.packetId}/parts/${partId}`, cast.tokens.pkContact).expect(200);
      expect(await plaintextOf(part.body as Buffer, cast.people.pkContact, cast.people.ruContact, now())).toBe(expected);
    }
  });

  it('a draft is completed by a clerk, submitted, and read', async () => {
    draft = await buildPacket({ sender: cast.people.ruContact, readers: secretReaders(), date: now(), kind: 'information', parts: [{ role: 'original', lang: 'ru', text: RU }] });
    await uploadRequest(cast.app, cast.tokens.ruContact, draft, false).expect(201);
    const revision = await buildRevision(draft.manifest, cast.people.ruClerk, secretReaders(), { role: 'translation', lang: 'en', text: EN }, now());
    await uploadRequest(cast.app, cast.tokens.ruClerk, revision, false, `/v1/packets/${draft.manifest.packetId}/revisions`).expect(201);
    await post(cast.app, `/v1/packets/${draft.manifest.packetId}/submit`, cast.tokens.ruContact).expect(200);
    const part = await downloadBytes(cast.app, `/v1/packets/${draft.manifest.packetId}/parts/p2`, cast.tokens.pkContact).expect(200);
    expect(await plaintextOf(part.body as Buffer, cast.people.pkContact, cast.people.ruClerk, now())).toBe(EN);
  });

  it('PK replies', async () => {
    const reply = await buildPacket({
      sender: cast.people.pkContact,
      readers: secretReaders(),
      date: now(),
      to: ['RU'],
      kind: 'reply',
      labels: { PK: 'SECRET', RU: 'СОВЕРШЕННО СЕКРЕТНО' },
      tamperManifest: (m) => void (m.references = { inReplyTo: sent.manifest.packetId }),
      parts: [{ role: 'original', lang: 'en', text: REPLY }],
    });
    await uploadRequest(cast.app, cast.tokens.pkContact, reply, true).expect(201);
    const part = await downloadBytes(cast.app, `/v1/packets/${reply.manifest.packetId}/parts/p1`, cast.tokens.ruContact).expect(200);
    expect(await plaintextOf(part.body as Buffer, cast.people.ruContact, cast.people.pkContact, now())).toBe(REPLY);
  });

  it('a release to KZ is requested, consented, executed, and read by KZ', async () => {
    const release = (await post(cast.app, `/v1/packets/${sent.manifest.packetId}/releases`, cast.tokens.pkContact).send({ thirdParty: 'KZ', purpose: 'Joint investigation of the same network' }).expect(201)).body as Release;
    await post(cast.app, `/v1/releases/${release.id}/decision`, cast.tokens.ruOfficer).send(await decision(release, cast.people.ruOfficer, 'consent', now(), { expiresAt: new Date(now().getTime() + 86_400_000).toISOString() })).expect(200);
    await post(cast.app, `/v1/releases/${release.id}/execute`, cast.tokens.pkContact).send({ wraps: await wrapsFor(sent, cast.people.pkContact, [cast.people.kzContact], now()) }).expect(200);
    const part = await downloadBytes(cast.app, `/v1/packets/${sent.manifest.packetId}/parts/p1`, cast.tokens.kzContact).expect(200);
    expect(await plaintextOf(part.body as Buffer, cast.people.kzContact, cast.people.ruContact, now())).toBe(RU);
  });

  it('a fresh login and a logout complete the traffic', async () => {
    const token = await login(cast.app, cast.people.pkLow, now());
    tokens.push(token);
    await get(cast.app, '/v1/packets', token).expect(200);
    await post(cast.app, '/v1/auth/logout', token).expect(204);
  });
});

describe('what the hub left on disk', () => {
  it('the scanner finds the canary when it is there (the control), in both encodings', () => {
    const controlDir = mkdtempSync(join(REAL_TMP, 'liaison-canary-control-'));
    try {
      writeFileSync(join(controlDir, 'utf8'), Buffer.concat([Buffer.alloc(100, 0), Buffer.from(`x${CANARY}y`, 'utf8')]));
      writeFileSync(join(controlDir, 'utf16'), Buffer.from(`x${CANARY}y`, 'utf16le'));
      const hits = canaryHits(filesUnder(controlDir));
      expect(hits.some((h) => h.endsWith('/utf8: "CANARY-7f3e9a1c-НЕ-ДОЛЖНО-ПОКИДАТЬ-КЛИЕНТ" in UTF-8'))).toBe(true);
      expect(hits.some((h) => h.endsWith('/utf16: "CANARY-7f3e9a1c-НЕ-ДОЛЖНО-ПОКИДАТЬ-КЛИЕНТ" in UTF-16LE'))).toBe(true);
    } finally {
      rmSync(controlDir, { recursive: true, force: true });
    }
  });

  it('while the hub runs: no canary in hub.db, hub.db-wal, blobs, tmp, the log, or the temp dir', async () => {
    const dataDir = cast.world.dataDir;
    await waitFor(() => existsSync(join(cast.world.dir, 'hub.log')));
    expect(existsSync(join(dataDir, 'hub.db-wal'))).toBe(true);
    expect(filesUnder(join(dataDir, 'blobs')).length).toBeGreaterThanOrEqual(6);
    const files = filesUnder(privateTmp);
    expect(files).toEqual(expect.arrayContaining([join(dataDir, 'hub.db'), join(dataDir, 'hub.db-wal'), join(cast.world.dir, 'hub.log')]));
    expect(canaryHits(files)).toEqual([]);
  });

  it('after the hub is closed: still none anywhere, including new entries of the real temp dir', async () => {
    // close() resolves only once the log stream is open, flushed and ended: the file is final now.
    await cast.hub.close();
    closed = true;
    expect(canaryHits(filesUnder(privateTmp))).toEqual([]);
    // Other test files run in parallel and keep their own client-side plaintext under liaison-*
    // directories; anything else that appeared in the real temp dir meanwhile is scanned.
    const appeared = readdirSync(REAL_TMP).filter((name) => !realTmpBefore.has(name) && !name.startsWith('liaison-'));
    // Vite's transform cache of the test files themselves (vitest keeps it in the temp dir) holds
    // this file's own CANARY constant: it is test source, not something the hub wrote.
    const isTransformCache = (path: string) => /\/ssr\/[0-9a-f]{40}$/.test(path);
    const files = appeared.flatMap((name) => {
      const path = join(REAL_TMP, name);
      try {
        return statSync(path).isDirectory() ? filesUnder(path) : [path];
      } catch {
        return [];
      }
    });
    expect(canaryHits(files.filter((path) => !isTransformCache(path)))).toEqual([]);
  });

  it('the log has request lines, and no token, no "Bearer", no OpenPGP armor', () => {
    const log = readFileSync(join(cast.world.dir, 'hub.log'), 'utf8');
    const lines = log.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; method?: string; route?: string; status?: number });
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThan(20);
    expect(requests).toEqual(expect.arrayContaining([expect.objectContaining({ method: 'POST', route: '/v1/packets', status: 201 }), expect.objectContaining({ method: 'GET', route: '/v1/packets/:id/parts/:partId', status: 200 })]));
    expect(log).not.toContain('Bearer');
    expect(log).not.toContain('BEGIN PGP');
    expect(log).not.toMatch(/authorization/i);
    for (const token of tokens) expect(log).not.toContain(token);
    expect(tokens.length).toBeGreaterThanOrEqual(7);
  });
});
