/**
 * Attack: make two packets, or reach one under two names, with ids that differ only in case.
 * A UUID compares case-insensitively; the hub normalises every id to lower
 * case in routes, bodies and signed statements, so an upper-case copy is the same packet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPacket, uploadRequest } from '../helpers/packets.ts';
import { RU_PK_CAST, expectProblem, get, listIds, setUp, tearDown, type Cast } from './support.ts';

type Key = keyof typeof RU_PK_CAST;
let cast: Cast<Key>;
const now = () => cast.world.clock.now();
const readers = () => [cast.people.ruContact, cast.people.ruClerk, cast.people.pkContact];
const parts = [
  { role: 'original' as const, lang: 'ru', text: 'Запрос о выдаче.' },
  { role: 'translation' as const, lang: 'en', text: 'Request for extradition.' },
];

beforeAll(async () => {
  cast = await setUp(RU_PK_CAST);
});
afterAll(() => tearDown(cast));

describe('packet ids that differ only in case', () => {
  it('are one packet: the second upload is a conflict, and both spellings reach the same packet', async () => {
    const id = 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e';
    const lower = await buildPacket({ sender: cast.people.ruContact, readers: readers(), date: now(), parts, packetId: id });
    const upper = await buildPacket({ sender: cast.people.ruContact, readers: readers(), date: now(), parts, packetId: id.toUpperCase() });
    await uploadRequest(cast.app, cast.tokens.ruContact, lower, true).expect(201);
    expectProblem(await uploadRequest(cast.app, cast.tokens.ruContact, upper, true), 409);
    expect((await listIds(cast.app, cast.tokens.pkContact)).filter((p) => p.toLowerCase() === id)).toEqual([id]);
    const viaUpper = await get(cast.app, `/v1/packets/${id.toUpperCase()}`, cast.tokens.pkContact).expect(200);
    expect(viaUpper.body.packetId).toBe(id);
    await get(cast.app, `/v1/packets/${id.toUpperCase()}/parts/p1`, cast.tokens.pkContact).expect(200);
  });

  it('an upper-case id in a first upload is stored in lower case', async () => {
    const id = 'c1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e';
    const upper = await buildPacket({ sender: cast.people.ruContact, readers: readers(), date: now(), parts, packetId: id.toUpperCase() });
    const res = await uploadRequest(cast.app, cast.tokens.ruContact, upper, true).expect(201);
    expect(res.body.packetId).toBe(id);
    expect(await listIds(cast.app, cast.tokens.pkContact)).toContain(id);
    const released = await get(cast.app, `/v1/packets/${id.toUpperCase()}/releases`, cast.tokens.pkContact).expect(200);
    expect(released.body).toEqual({ items: [], nextCursor: null });
  });
});
