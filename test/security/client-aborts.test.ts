/**
 * Attack (or just a bad network): clients that go away mid-request, during a multipart upload or
 * a JSON login body. These were logged as internal errors with a stack; they are
 * an ordinary event: one info line, no stack, nothing kept on disk, and the hub keeps serving.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/main.ts';
import { buildPacket, login } from '../helpers/packets.ts';
import { AGREEMENTS_DIR, makePerson, makeWorld, type Person, type World } from '../helpers/world.ts';
import { multipartBody, openSocket, packetParts, tempEntries, waitFor } from './support.ts';

let world: World;
let hub: Awaited<ReturnType<typeof startServer>>;
let port: number;
let ivan: Person, ayesha: Person;
let token: string;
const logFile = () => join(world.dir, 'serve.log');

beforeAll(async () => {
  world = await makeWorld();
  [ivan, ayesha] = await Promise.all([makePerson('Ivan Petrov', 'RU', world.clock.now()), makePerson('Ayesha Khan', 'PK', world.clock.now())]);
  await world.enroll(ivan, ['contact'], 'SECRET');
  await world.enroll(ayesha, ['contact'], 'SECRET');
  hub = await startServer({ dataDir: world.dataDir, agreementsDir: AGREEMENTS_DIR, port: 0, host: '127.0.0.1', logFile: logFile() });
  port = Number(new URL(hub.url).port);
  const live = await world.open();
  try {
    token = await login(live.app, ivan, world.clock.now());
  } finally {
    await live.close();
  }
});
afterAll(async () => {
  await hub?.close();
  world?.cleanup();
});

const open = () => openSocket(port);

/** Send a request head and part of its body, then drop the connection. */
async function abandon(head: string, partial: Buffer): Promise<void> {
  const s = await open();
  s.on('error', () => undefined);
  s.write(head);
  s.write(partial);
  await new Promise((resolve) => setTimeout(resolve, 150));
  s.destroy();
}

describe('a client that goes away mid-request', () => {
  it('is logged as an ordinary event, without a stack, and leaves nothing on disk', async () => {
    const packet = await buildPacket({ sender: ivan, readers: [ivan, ayesha], date: world.clock.now(), parts: [{ role: 'original', lang: 'en', bytes: Buffer.alloc(512 * 1024, 'x') }] });
    const body = multipartBody('abort-boundary', packetParts(packet, false));
    await abandon(`POST /v1/packets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: multipart/form-data; boundary=abort-boundary\r\nContent-Length: ${body.length}\r\n\r\n`, body.subarray(0, body.length / 2));
    await abandon('POST /v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n', Buffer.from('{"fingerprint":"'));
    await waitFor(() => tempEntries(world.dataDir).length === 0, 5000);
    // The hub still answers.
    const reply = await fetch(`${hub.url}/v1/hub`);
    expect(reply.status).toBe(200);
    await waitFor(() => /client aborted/.test(readFileSync(logFile(), 'utf8')), 5000);
    const log = readFileSync(logFile(), 'utf8');
    expect(log).not.toMatch(/internal error/);
    expect(log).not.toMatch(/"stack"/);
    expect(log).not.toContain(token);
  });
});
