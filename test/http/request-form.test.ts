/**
 * A request carries its request form (SCO Art. 5(4), RU-PK Art. 5), whatever client sent it: the
 * form is an encrypted part declared `request-form` in the signed manifest, so the hub checks the
 * signed declaration without reading the form. A request without it is refused naming the
 * article, as draft or submitted, and nothing of it is kept; other kinds need no form.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiaisonApp } from '../../server/app.ts';
import { makePerson, makeWorld, type Person, type World } from '../helpers/world.ts';
import { buildPacket, login, uploadRequest } from '../helpers/packets.ts';

let world: World;
let hub: LiaisonApp;
let ivan: Person, ayesha: Person;
const tokens: Record<string, string> = {};
const RU = 'Запрос о правовой помощи: просим сообщить сведения о банковских счетах подозреваемого.';
const EN = 'Request for legal assistance: please report on the bank accounts of the suspect.';

beforeAll(async () => {
  world = await makeWorld();
  const date = world.clock.now();
  [ivan, ayesha] = await Promise.all([makePerson('Ivan Petrov', 'RU', date), makePerson('Ayesha Khan', 'PK', date)]);
  await world.enroll(ivan, ['contact'], 'TOP SECRET');
  await world.enroll(ayesha, ['contact'], 'SECRET');
  hub = await world.open();
  for (const p of [ivan, ayesha]) tokens[p.name] = await login(hub.app, p, world.clock.now());
});
afterAll(async () => {
  await hub.close();
  world.cleanup();
});

const parts = [
  { role: 'original' as const, lang: 'ru', text: RU },
  { role: 'translation' as const, lang: 'en', text: EN },
];

describe('a request without its form', () => {
  it.each([true, false])('is refused naming the article (submit=%s), and is not kept', async (submit) => {
    const packet = await buildPacket({ sender: ivan, readers: [ivan, ayesha], date: world.clock.now(), parts, kind: 'request', withoutRequestForm: true });
    const res = await uploadRequest(hub.app, tokens[ivan.name]!, packet, submit).expect(422);
    expect(res.body).toMatchObject({ article: expect.stringMatching(/^RU-PK Art\. 5/) as unknown });
    expect(res.body.detail).toMatch(/a request under RU-PK must carry the request form \(requestingAuthority, requestedAuthority, purpose, assistanceRequested\)/);
    await request(hub.app).get(`/v1/packets/${packet.manifest.packetId}`).set('Authorization', `Bearer ${tokens[ivan.name]}`).expect(404);
  });

  it('a form declared with another media type is refused', async () => {
    const packet = await buildPacket({ sender: ivan, readers: [ivan, ayesha], date: world.clock.now(), parts: [...parts, { role: 'request-form', lang: 'en', text: 'not json' }], kind: 'request', tamperManifest: (m) => { m.parts[2]!.mediaType = 'text/plain'; } });
    const res = await uploadRequest(hub.app, tokens[ivan.name]!, packet, true).expect(400);
    expect(res.body.detail).toMatch(/the request form part must be application\/json/);
  });

  it('a form on a packet that is not a request is refused by the manifest rules', async () => {
    const packet = await buildPacket({ sender: ivan, readers: [ivan, ayesha], date: world.clock.now(), parts: [...parts, { role: 'request-form', lang: 'en', text: '{}' }], kind: 'information' });
    const res = await uploadRequest(hub.app, tokens[ivan.name]!, packet, true).expect(400);
    expect(res.body.detail).toMatch(/only a request carries a request form/);
  });
});

describe('the controls', () => {
  it('a request with its form is accepted and opens the treaty workflow', async () => {
    const packet = await buildPacket({ sender: ivan, readers: [ivan, ayesha], date: world.clock.now(), parts, kind: 'request' });
    await uploadRequest(hub.app, tokens[ivan.name]!, packet, true).expect(201);
    const views = await request(hub.app).get(`/v1/requests/${packet.manifest.packetId}`).set('Authorization', `Bearer ${tokens[ayesha.name]}`).expect(200);
    expect(views.body[0]).toMatchObject({ packetId: packet.manifest.packetId });
  });

  it('an information packet needs no form', async () => {
    const packet = await buildPacket({ sender: ivan, readers: [ivan, ayesha], date: world.clock.now(), parts, kind: 'information' });
    await uploadRequest(hub.app, tokens[ivan.name]!, packet, true).expect(201);
  });
});
