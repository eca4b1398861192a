/**
 * Attack: hold the hub's sockets with slow or stalled clients. `liaison serve`
 * had no request timeout (requestTimeout 0) and no limit per address, so a JSON body dripped a
 * byte at a time to a login route was never dropped. Now the request head, a JSON body, an idle
 * socket and the connections of one address are all bounded (server/main.ts: protectServer).
 * The limits are set small here so the test is quick; it asserts what happens, never how fast.
 */
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/main.ts';
import { AGREEMENTS_DIR, makePerson, makeWorld, type World } from '../helpers/world.ts';
import { openSocket } from './support.ts';

let world: World;
let hub: Awaited<ReturnType<typeof startServer>>;
let port: number;
const LIMITS = { headersTimeoutMs: 400, requestTimeoutMs: 600, idleTimeoutMs: 400, keepAliveTimeoutMs: 300, maxConnectionsPerAddress: 4 };

beforeAll(async () => {
  world = await makeWorld();
  await world.enroll(await makePerson('Ivan Petrov', 'RU', world.clock.now()), ['contact'], 'SECRET');
  hub = await startServer({ dataDir: world.dataDir, agreementsDir: AGREEMENTS_DIR, port: 0, host: '127.0.0.1', logFile: join(world.dir, 'hub.log'), ...LIMITS });
  port = Number(new URL(hub.url).port);
});
afterAll(async () => {
  await hub?.close();
  world?.cleanup();
});

const open = () => openSocket(port);
const closed = (s: Socket) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('slow and stalled clients are dropped', () => {
  it('a login body dripped one byte at a time is cut off', async () => {
    const s = await open();
    s.on('error', () => undefined);
    s.write(`POST /v1/auth/challenge HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n`);
    let sent = 0;
    const drip = setInterval(() => {
      if (!s.destroyed) s.write('{'.repeat(1));
      sent++;
    }, 100);
    await closed(s);
    clearInterval(drip);
    // It was cut off well before the body could have been completed at this pace.
    expect(sent).toBeLessThan(200);
  });

  it('a request head that stalls is closed', async () => {
    const s = await open();
    s.on('error', () => undefined);
    s.write('POST /v1/auth/token HTTP/1.1\r\nHost: x\r\n');
    await closed(s);
    expect(s.destroyed).toBe(true);
  });

  it('one address holds at most the configured number of connections; the next is closed at once', async () => {
    const held = await Promise.all(Array.from({ length: LIMITS.maxConnectionsPerAddress }, () => open()));
    for (const s of held) {
      s.on('error', () => undefined);
      // Keep them busy enough not to be idle-closed before the extra one arrives.
      s.write('GET /v1/hub HTTP/1.1\r\nHost: x\r\n');
    }
    const extra = await open();
    extra.on('error', () => undefined);
    let answered = false;
    extra.on('data', () => (answered = true));
    extra.write('GET /v1/hub HTTP/1.1\r\nHost: x\r\n\r\n');
    await closed(extra);
    expect(answered).toBe(false);
    for (const s of held) s.destroy();
    await Promise.all(held.map(closed));
    // Once they are gone, the address may connect again.
    await sleep(50);
    const again = await open();
    const reply = await new Promise<string>((resolve) => {
      again.once('data', (d: Buffer) => resolve(d.toString('utf8')));
      again.write('GET /v1/hub HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    expect(reply).toMatch(/^HTTP\/1.1 200/);
    again.destroy();
  });
});
