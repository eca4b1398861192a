/**
 * Concurrent uploads share group commits and keep every guarantee of a single one:
 * each answer comes after its rows are committed, every packet and its audit events are there,
 * the hash chain verifies, and a refused upload in the same moment leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readAuditLog, verifyAuditChain } from '../../storage/audit.ts';
import { buildPacket, uploadRequest, type BuiltPacket } from '../helpers/packets.ts';
import { RU_PK_CAST, blobFiles, get, setUp, tearDown, withPart, type Cast } from '../security/support.ts';
import { sqliteOf } from '../helpers/world.ts';

let cast: Cast<keyof typeof RU_PK_CAST>;
const now = () => cast.world.clock.now();
beforeAll(async () => {
  cast = await setUp(RU_PK_CAST);
});
afterAll(() => tearDown(cast));

it('twelve uploads at once all commit, each with its audit event, and the chain verifies', async () => {
  const readers = [cast.people.ruContact, cast.people.ruClerk, cast.people.pkContact];
  const packets: BuiltPacket[] = await Promise.all(
    Array.from({ length: 12 }, (_, i) => buildPacket({ sender: cast.people.ruContact, readers, date: now(), parts: [{ role: 'original', lang: 'en', text: `Information number ${i}, in English for the check.` }] })),
  );
  const bad = await withPart({ ...packets[0]!, manifest: { ...packets[0]!.manifest, packetId: randomUUID() } }, 'p1', Buffer.from('not a message'), cast.people.ruContact, now());
  const blobsBefore = blobFiles(cast.world.dataDir).length;
  const batchesBefore = sqliteOf(cast.hub).uploads.stats.batches;
  const answers = await Promise.all([...packets.map((p) => uploadRequest(cast.app, cast.tokens.ruContact, p, true)), uploadRequest(cast.app, cast.tokens.ruContact, bad, true)]);
  expect(answers.slice(0, 12).map((a) => a.status)).toEqual(Array(12).fill(201));
  expect(answers[12]!.status).toBe(400);
  for (const p of packets) await get(cast.app, `/v1/packets/${p.manifest.packetId}`, cast.tokens.pkContact).expect(200);
  expect(blobFiles(cast.world.dataDir).length).toBe(blobsBefore + packets.reduce((n, p) => n + p.manifest.parts.length, 0));
  const log = await readAuditLog(cast.hub.hub.store);
  expect(verifyAuditChain(log).ok).toBe(true);
  for (const p of packets) expect(log.filter((e) => e.object === p.manifest.packetId).map((e) => e.action)).toEqual(['packet.upload', 'packet.submit']);
  expect(sqliteOf(cast.hub).uploads.stats.batches - batchesBefore).toBeLessThanOrEqual(12);
});
