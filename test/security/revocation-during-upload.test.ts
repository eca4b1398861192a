/**
 * Attack: start an upload, and have the uploader's key revoked or their roles cut while the body
 * is still arriving. Before the fix an upload that began before a downgrade was
 * stored and submitted after it: the sender's standing was read only when the request started.
 * Now it is read again in the transaction that commits the upload.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRestatement, signRevocation } from '../../client/core/officer.ts';
import { MembershipStatement } from '../../protocol/statements.ts';
import { buildPacket, login } from '../helpers/packets.ts';
import { RU_PK_CAST, blobFiles, multipartBody, packetParts, post, setUp, tearDown, tempEntries, waitFor, type Cast, type CastMember } from './support.ts';

const CAST = { ...RU_PK_CAST, ruSecond: { name: 'Anna Kuznetsova', party: 'RU', roles: ['contact', 'clerk'], clearance: 'TOP SECRET' } } as const satisfies Record<string, CastMember>;
type Key = keyof typeof CAST;
let cast: Cast<Key>;
let server: Server;
let officerToken: string;
const now = () => cast.world.clock.now();
const BOUNDARY = 'liaison-slow-upload';

beforeAll(async () => {
  cast = await setUp(CAST);
  server = cast.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  officerToken = await login(cast.app, cast.world.officers.get('RU')!, now());
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await tearDown(cast);
});

/** Upload `body` in two halves; `between` runs once the hub has begun writing the part to disk. */
async function uploadInTwo(token: string, body: Buffer, between: () => Promise<void>): Promise<{ status: number; text: string }> {
  const { port } = server.address() as AddressInfo;
  const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/v1/packets', headers: { Authorization: `Bearer ${token}`, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': body.length } });
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
  });
  const cut = body.length - 64;
  req.write(body.subarray(0, cut));
  await waitFor(() => tempEntries(cast.world.dataDir).length > 0, 5000);
  await between();
  req.end(body.subarray(cut));
  return answer;
}

async function packetOf(sender: Key) {
  const readers = (['ruContact', 'ruClerk', 'ruSecond', 'pkContact'] as const).map((k) => cast.people[k]);
  // A large part, so the body is still arriving when the standing changes.
  const big = Buffer.alloc(2 * 1024 * 1024, 'Документ для передачи. ');
  return buildPacket({ sender: cast.people[sender], readers, date: now(), parts: [{ role: 'original', lang: 'ru', bytes: big }, { role: 'translation', lang: 'en', text: 'Document for transfer.' }] });
}

describe('the uploader loses standing while the upload arrives', () => {
  it('roles cut from contact to clerk: the upload is refused at commit and nothing is stored', async () => {
    const packet = await packetOf('ruSecond');
    const blobs = blobFiles(cast.world.dataDir);
    const res = await uploadInTwo(cast.tokens.ruSecond, multipartBody(BOUNDARY, packetParts(packet)), async () => {
      const current = MembershipStatement.parse(JSON.parse((await cast.hub.hub.store.members.get(cast.people.ruSecond.fingerprint))!.statement!));
      await post(cast.app, `/v1/members/${cast.people.ruSecond.fingerprint}/statements`, officerToken).send(await signRestatement(cast.world.officers.get('RU')!, current, { roles: ['clerk'] }, now())).expect(200);
    });
    expect(res.status, res.text).toBe(403);
    expect(await cast.hub.hub.store.packets.get(packet.manifest.packetId)).toBeUndefined();
    await waitFor(() => tempEntries(cast.world.dataDir).length === 0);
    expect(blobFiles(cast.world.dataDir)).toEqual(blobs);
  });

  it('key revoked: the upload is refused and nothing is stored', async () => {
    const packet = await packetOf('ruContact');
    const blobs = blobFiles(cast.world.dataDir);
    const res = await uploadInTwo(cast.tokens.ruContact, multipartBody(BOUNDARY, packetParts(packet)), async () => {
      await post(cast.app, `/v1/members/${cast.people.ruContact.fingerprint}/revocation`, officerToken).send(await signRevocation(cast.world.officers.get('RU')!, cast.people.ruContact, 'Отозван во время загрузки', now())).expect(200);
    });
    expect(res.status, res.text).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await cast.hub.hub.store.packets.get(packet.manifest.packetId)).toBeUndefined();
    await waitFor(() => tempEntries(cast.world.dataDir).length === 0);
    expect(blobFiles(cast.world.dataDir)).toEqual(blobs);
  });
});
