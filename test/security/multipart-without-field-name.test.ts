/**
 * Attack: a multipart upload whose file part has no field name, an empty one, or a name that is
 * only spaces. Multer raises its own errors for these, which were answered 500.
 * Every multer error is the upload's fault: a 400 problem naming it, and nothing kept on disk.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPacket } from '../helpers/packets.ts';
import { RU_PK_CAST, blobFiles, expectProblem, multipartBody, packetParts, setUp, tearDown, tempEntries, type Cast } from './support.ts';

type Key = keyof typeof RU_PK_CAST;
let cast: Cast<Key>;

beforeAll(async () => {
  cast = await setUp(RU_PK_CAST);
});
afterAll(() => tearDown(cast));

const BOUNDARY = 'liaison-boundary-7f3e';

async function upload(body: Buffer) {
  return request(cast.app)
    .post('/v1/packets')
    .set('Authorization', `Bearer ${cast.tokens.ruContact}`)
    .set('Content-Type', `multipart/form-data; boundary=${BOUNDARY}`)
    .send(body);
}

describe('a file part without a usable field name', () => {
  const filePart = (head: string) =>
    Buffer.concat([Buffer.from(`--${BOUNDARY}\r\n${head}\r\nContent-Type: application/octet-stream\r\n\r\n`), Buffer.from('ciphertext bytes'), Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]);

  it.each([
    { what: 'no name at all', head: 'Content-Disposition: form-data; filename="p1.pgp"' },
    { what: 'an empty name', head: 'Content-Disposition: form-data; name=""; filename="p1.pgp"' },
    { what: 'a name of spaces', head: 'Content-Disposition: form-data; name="   "; filename="p1.pgp"' },
    { what: 'a field with no disposition', head: 'X-Nothing: here' },
  ])('$what is a 400 problem, not a 500', async ({ head }) => {
    const before = blobFiles(cast.world.dataDir);
    const res = await upload(filePart(head));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectProblem(res, res.status);
    expect(blobFiles(cast.world.dataDir)).toEqual(before);
    expect(tempEntries(cast.world.dataDir)).toEqual([]);
  });

  it('after a real packet\'s fields too: the parts already received are discarded', async () => {
    const packet = await buildPacket({ sender: cast.people.ruContact, readers: [cast.people.ruContact, cast.people.ruClerk, cast.people.pkContact], date: cast.world.clock.now(), parts: [{ role: 'original', lang: 'en', text: 'Request.' }] });
    const before = blobFiles(cast.world.dataDir);
    const parts = packetParts(packet);
    const body = Buffer.concat([multipartBody(BOUNDARY, parts, { close: false }), filePart('Content-Disposition: form-data; name=""; filename="x.pgp"')]);
    expectProblem(await upload(body), 400);
    expect(blobFiles(cast.world.dataDir)).toEqual(before);
    expect(tempEntries(cast.world.dataDir)).toEqual([]);
  });
});
