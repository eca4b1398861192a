/**
 * Attack: feed the upload endpoint bodies a well-behaved client never sends: cut-off multipart,
 * no or wrong boundary, JSON, extra fields, files under names that are not part ids, parts that
 * are not (or no longer) OpenPGP, hostile file names, parts larger than the hub accepts. Every
 * one must be answered with a 4xx problem+json (never a 500), leave tmp/ empty and the blob
 * store as it was, write nothing anywhere else on disk, and leave the hub answering normally.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type LiaisonApp } from '../../server/app.ts';
import { buildPacket, uploadRequest, type BuiltPacket } from '../helpers/packets.ts';
import { AGREEMENTS_DIR, CANARY } from '../helpers/world.ts';
import {
  RU_PK_CAST,
  blobFiles,
  expectProblem,
  filesUnder,
  get,
  multipartBody,
  packetParts,
  setUp,
  tearDown,
  tempEntries,
  withPart,
  type Cast,
  type RawPart,
} from './support.ts';

let cast: Cast<keyof typeof RU_PK_CAST>;
/** A second app on the same hub with a 1 KiB part limit and at most 2 parts per upload. */
let small: LiaisonApp;
let packet: BuiltPacket;
const now = () => cast.world.clock.now();
const BOUNDARY = 'liaison-test-boundary-7d1c';

beforeAll(async () => {
  cast = await setUp(RU_PK_CAST);
  small = await createApp({ dataDir: cast.world.dataDir, agreementsDir: AGREEMENTS_DIR, maxPartBytes: 1024, maxParts: 2, logFile: join(cast.world.dir, 'small.log') }, cast.world.clock.now);
  packet = await fresh();
});
afterAll(async () => {
  if (small) await small.close();
  await tearDown(cast);
});

const readers = () => [cast.people.ruContact, cast.people.ruClerk, cast.people.pkContact];
/** A valid, never uploaded packet: each case spoils one thing about it. */
const fresh = () =>
  buildPacket({
    sender: cast.people.ruContact,
    readers: readers(),
    date: now(),
    // Two parts, the small hub's limit: an information packet carries no request form.
    kind: 'information',
    parts: [
      { role: 'original', lang: 'ru', text: `Запрос о правовой помощи. ${CANARY}` },
      { role: 'translation', lang: 'en', text: `Request for legal assistance. ${CANARY}` },
    ],
  });

/** Every file under the test's directory except the database and logs, which legitimately change. */
const diskSnapshot = () => filesUnder(cast.world.dir).filter((f) => !/hub\.db(-wal|-shm)?$|\.log$/.test(f));

type Res = { status: number; headers: Record<string, string>; body: unknown; text?: string };

/** Run one hostile request and check what every case must hold. */
async function expectClean(send: () => PromiseLike<Res>, status: number | number[], detail?: RegExp): Promise<Res> {
  const blobsBefore = blobFiles(cast.world.dataDir);
  const diskBefore = diskSnapshot();
  const res = await send();
  const allowed = Array.isArray(status) ? status : [status];
  expect(allowed, `got ${res.status}: ${JSON.stringify(res.body)}`).toContain(res.status);
  const problem = expectProblem(res, res.status);
  if (detail) expect(problem.detail).toMatch(detail);
  expect(tempEntries(cast.world.dataDir)).toEqual([]);
  expect(blobFiles(cast.world.dataDir)).toEqual(blobsBefore);
  expect(diskSnapshot()).toEqual(diskBefore);
  return res;
}

const raw = (body: Buffer, contentType = `multipart/form-data; boundary=${BOUNDARY}`, app = cast.app) =>
  request(app).post('/v1/packets').set('Authorization', `Bearer ${cast.tokens.ruContact}`).set('Content-Type', contentType).send(body);

const rawParts = (parts: RawPart[], options?: { close?: boolean }) => raw(multipartBody(BOUNDARY, parts, options));

describe('a broken multipart body', () => {
  it('cut off in the middle of a part being written to disk', async () => {
    const big = await fresh();
    const body = multipartBody(BOUNDARY, packetParts(await withPart(big, 'p1', Buffer.alloc(1024 * 1024, 7), cast.people.ruContact, now())), { close: false });
    await expectClean(() => raw(body.subarray(0, body.length - 300 * 1024)), 400, /multipart body is malformed/);
  });

  it('cut off inside a part header', async () => {
    const body = multipartBody(BOUNDARY, packetParts(packet));
    const cut = body.indexOf('filename="p1.pgp"') + 5;
    await expectClean(() => raw(body.subarray(0, cut)), 400);
  });

  it('missing only its closing boundary', async () => {
    await expectClean(() => rawParts(packetParts(packet), { close: false }), 400);
  });

  it('empty', async () => {
    await expectClean(() => raw(Buffer.alloc(0)), 400);
  });

  it('with no boundary in the content type', async () => {
    await expectClean(() => raw(multipartBody(BOUNDARY, packetParts(packet)), 'multipart/form-data'), 400, /boundary/i);
  });

  it('with a boundary other than the one the body uses', async () => {
    await expectClean(() => raw(multipartBody(BOUNDARY, packetParts(packet)), 'multipart/form-data; boundary=another-boundary'), 400);
  });
});

describe('not multipart at all', () => {
  it.each([
    { what: 'JSON', type: 'application/json', body: Buffer.from(JSON.stringify({ manifest: '{}', signature: 'x' })) },
    { what: 'a urlencoded form', type: 'application/x-www-form-urlencoded', body: Buffer.from('manifest=%7B%7D&signature=x') },
    { what: 'plain text', type: 'text/plain', body: Buffer.from('manifest') },
    { what: 'raw OpenPGP', type: 'application/pgp-encrypted', body: Buffer.alloc(64, 1) },
  ])('$what is refused as 415', async ({ type, body }) => {
    await expectClean(() => raw(body, type), 415);
  });
});

describe('fields the upload does not have', () => {
  it('an unknown text field is refused as 400, naming it', async () => {
    const parts = packetParts(packet).filter((p) => p.name !== 'submit');
    await expectClean(() => rawParts([...parts, { name: 'subject', value: 'Bank accounts' }]), 400, /subject/);
  });

  it('an unknown text field beyond the three known ones is refused', async () => {
    // Refused by the multipart field-count limit before the schema sees it.
    await expectClean(() => uploadRequest(cast.app, cast.tokens.ruContact, packet, true).field('subject', 'Bank accounts'), 400, /more text fields/);
  });

  it('the manifest sent twice is refused', async () => {
    const parts = packetParts(packet).filter((p) => p.name !== 'submit');
    await expectClean(() => rawParts([...parts, { name: 'manifest', value: packet.manifestText }]), [400, 413]);
  });

  it('a file under a name that is not a part of the manifest', async () => {
    await expectClean(() => rawParts([...packetParts(packet), { name: 'p9', value: Buffer.alloc(32, 9), filename: 'p9.pgp' }]), 400, /p9.*does not list/);
  });

  it('a file under a name that is not a part id at all', async () => {
    await expectClean(() => rawParts([...packetParts(packet), { name: 'evil', value: Buffer.alloc(32, 9), filename: 'evil.pgp' }]), 400);
  });

  it('the manifest sent as a file instead of a field', async () => {
    const parts = packetParts(packet).map((p) => (p.name === 'manifest' ? { ...p, filename: 'manifest.json' } : p));
    await expectClean(() => rawParts(parts), 400);
  });

  it('the same part uploaded twice', async () => {
    const parts = packetParts(packet);
    await expectClean(() => rawParts([...parts, parts.find((p) => p.name === 'p1')!]), 400, /uploaded twice/);
  });
});

describe('a part that is not a well-formed OpenPGP message, though the signed manifest hashes it', () => {
  it('random bytes', async () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 0xff));
    await expectClean(async () => uploadRequest(cast.app, cast.tokens.ruContact, await withPart(await fresh(), 'p1', bytes, cast.people.ruContact, now()), true), 400, /part p1 is not one message encrypted to the recipients' keys: the part is not binary OpenPGP data/);
  });

  it('a text document sent unencrypted', async () => {
    const bytes = Buffer.from(`Запрос о правовой помощи. ${CANARY}`);
    await expectClean(async () => uploadRequest(cast.app, cast.tokens.ruContact, await withPart(await fresh(), 'p1', bytes, cast.people.ruContact, now()), true), 400, /part p1 is not one message encrypted to the recipients' keys/);
  });

  it('a real part truncated after signing (the hash no longer matches)', async () => {
    const p = await fresh();
    const cut = { ...p, files: p.files.map((f) => (f.partId === 'p1' ? { partId: 'p1', bytes: f.bytes.subarray(0, 40) } : f)) };
    await expectClean(() => uploadRequest(cast.app, cast.tokens.ruContact, cut, true), 400, /does not match the signed manifest/);
  });

  it('a real part truncated inside its key packets, and signed that way', async () => {
    const p = await fresh();
    await expectClean(async () => uploadRequest(cast.app, cast.tokens.ruContact, await withPart(p, 'p1', p.files[0]!.bytes.subarray(0, 40), cast.people.ruContact, now()), true), 400);
  });

  // The hub walks the encrypted data packet to its end, so a part cut short is refused at upload.
  it('a real part truncated inside its encrypted data, and signed that way', async () => {
    const p = await fresh();
    const bytes = p.files[0]!.bytes;
    await expectClean(async () => uploadRequest(cast.app, cast.tokens.ruContact, await withPart(p, 'p1', bytes.subarray(0, bytes.length - 40), cast.people.ruContact, now()), true), 400);
  });
});

describe('hostile file and field names', () => {
  /** Path tricks, and control characters as browsers escape them (%0D%0A): the hub must simply ignore the name. */
  const hostile = ['../../etc/passwd', '../../../../../../tmp/liaison-pwned', '/etc/cron.d/liaison', 'p1.pgp%00.sh', 'x%0D%0AContent-Type: text/html%0D%0A.pgp', '..\\..\\windows\\system32'];
  /** Raw control characters in a header: busboy refuses the header itself. */
  const controls = ['a\x01b.pgp', 'red\x1b[31m.pgp', 'nul\x00.pgp', 'del\x7f.pgp'];

  it.each(hostile)('a file name %j on a valid upload is ignored: the part lands only at its content address', async (filename) => {
    const p = await fresh();
    const parts = packetParts(p).map((part) => (part.filename ? { ...part, filename } : part));
    const before = diskSnapshot();
    const res = await rawParts(parts);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(tempEntries(cast.world.dataDir)).toEqual([]);
    const added = diskSnapshot().filter((f) => !before.includes(f));
    expect(added.sort()).toEqual(p.manifest.parts.map((m) => join(cast.world.dataDir, 'blobs', m.sha256.slice(0, 2), m.sha256.slice(2, 4), m.sha256)).sort());
    expect(existsSync('/tmp/liaison-pwned')).toBe(false);
    expect(existsSync('/etc/cron.d/liaison')).toBe(false);
  });

  it.each(controls)('a file name %j with raw control characters is refused as malformed and writes nothing', async (filename) => {
    const parts = packetParts(await fresh()).map((part) => (part.filename ? { ...part, filename } : part));
    await expectClean(() => rawParts(parts), 400);
  });

  it.each([...hostile, ...controls])('a file field named %j is refused and writes nothing', async (name) => {
    await expectClean(() => rawParts([...packetParts(packet), { name, value: Buffer.alloc(32, 9), filename: 'x.pgp' }]), 400);
  });

  it('/etc/passwd is untouched', () => {
    expect(statSync('/etc/passwd').mtimeMs).toBeLessThan(Date.now() - 1000);
  });
});

describe('a hub with small limits (1 KiB per part, 2 parts)', () => {
  it('a part over the size limit is refused as 413 and its partial temp file removed', async () => {
    const p = await fresh();
    const big = await withPart(p, 'p1', Buffer.alloc(64 * 1024, 3), cast.people.ruContact, now());
    await expectClean(() => uploadRequest(small.app, cast.tokens.ruContact, big, true), 413, /larger than this hub accepts/);
  });

  it('more files than the limit is refused as 413', async () => {
    const p = await fresh();
    await expectClean(() => uploadRequest(small.app, cast.tokens.ruContact, { ...p, files: [...p.files, { partId: 'p3', bytes: Buffer.alloc(16, 1) }] }, true), 413);
  });

  it('a manifest field over 256 KiB is refused as 413', async () => {
    await expectClean(() => rawParts([{ name: 'manifest', value: 'x'.repeat(300 * 1024) }, ...packetParts(packet).filter((p) => p.name !== 'manifest')]), 413);
  });

  it('a part within the limit goes through the small hub (the control)', async () => {
    const p = await fresh();
    expect(p.files.every((f) => f.bytes.length <= 1024)).toBe(true);
    await uploadRequest(small.app, cast.tokens.ruContact, p, true).expect(201);
  });
});

describe('afterwards', () => {
  it('the hub still answers normally and accepts a well-formed packet', async () => {
    await get(cast.app, '/v1/me', cast.tokens.ruContact).expect(200);
    const res = await uploadRequest(cast.app, cast.tokens.ruContact, packet, true).expect(201);
    expect(res.body).toMatchObject({ packetId: packet.manifest.packetId, state: 'submitted' });
    await get(cast.app, `/v1/packets/${packet.manifest.packetId}`, cast.tokens.pkContact).expect(200);
    expect(tempEntries(cast.world.dataDir)).toEqual([]);
  });
});
