/**
 * The API description: generated from the route table and the zod schemas the routes parse with,
 * valid OpenAPI 3.1 by an independent validator, describing exactly the routes the app answers,
 * kept in docs/openapi.json (npm run openapi rewrites it), and served by the hub. Every answer a
 * real hub gives to the list and detail routes parses with the schema the document was made from.
 */
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgreements } from '../../server/agreements.ts';
import type { LiaisonApp } from '../../server/app.ts';
import { openApiDocument, openApiPath } from '../../server/openapi.ts';
import { ROUTES } from '../../server/routes/index.ts';
import { routesOf } from '../helpers/http.ts';
import { buildPacket, login, uploadRequest } from '../helpers/packets.ts';
import { AGREEMENTS_DIR, makePerson, makeWorld, type Person, type World } from '../helpers/world.ts';

type Operation = { operationId: string; security: unknown[]; 'x-liaison-access': string; 'x-liaison-problems': string[]; 'x-liaison-articles'?: Record<string, string[]>; responses: Record<string, unknown> };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

const generated = openApiDocument(ROUTES, loadAgreements(AGREEMENTS_DIR).values()) as Document;

let world: World;
let hub: LiaisonApp;
let ivan: Person, ayesha: Person;
let token: string;
let packetId: string;

beforeAll(async () => {
  world = await makeWorld();
  const date = world.clock.now();
  [ivan, ayesha] = await Promise.all([makePerson('Ivan Petrov', 'RU', date), makePerson('Ayesha Khan', 'PK', date)]);
  await world.enroll(ivan, ['contact'], 'SECRET');
  await world.enroll(ayesha, ['contact'], 'SECRET');
  hub = await world.open();
  token = await login(hub.app, ivan, world.clock.now());
  const packet = await buildPacket({
    sender: ivan,
    readers: [ivan, ayesha],
    date: world.clock.now(),
    parts: [
      { role: 'original', lang: 'ru', text: 'Просим предоставить сведения о счетах.' },
      { role: 'translation', lang: 'en', text: 'We ask for information on the accounts.' },
    ],
  });
  packetId = packet.manifest.packetId;
  await uploadRequest(hub.app, token, packet, true).expect(201);
});

afterAll(async () => {
  await hub.close();
  world.cleanup();
});

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1, every $ref resolving', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(generated));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('describes exactly the routes the app answers, read from its router', () => {
    const described = Object.entries(generated.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`)).sort();
    // The document's server is /v1, so its paths are relative to it.
    const served = routesOf(hub.app).map((r) => openApiPath(r.replace(' /v1/', ' /'))).sort();
    expect(described).toEqual(served);
  });

  it('says who may call each route, its problem types, and the articles its refusals cite', () => {
    const upload = generated.paths['/packets']!.post!;
    expect(upload['x-liaison-access']).toBe('member');
    expect(upload.security).toEqual([{ bearer: [] }]);
    expect(upload['x-liaison-problems']).toEqual(expect.arrayContaining(['bad-request', 'unauthenticated', 'forbidden', 'treaty-rule', 'too-large']));
    expect(upload['x-liaison-articles']?.['RU-PK']).toEqual(expect.arrayContaining(['RU-PK Art. 6', 'RU-PK Art. 7(4)']));
    expect(Object.keys(upload.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '422']));
    const hubInfo = generated.paths['/hub']!.get!;
    expect(hubInfo['x-liaison-access']).toBe('public');
    expect(hubInfo.security).toEqual([]);
    for (const ops of Object.values(generated.paths)) {
      for (const op of Object.values(ops)) expect(op.responses['400'], op.operationId).toBeDefined();
    }
  });

  it('is what docs/openapi.json holds (run "npm run openapi" after changing a route or a schema)', () => {
    const copy = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as unknown;
    expect(copy).toEqual(JSON.parse(JSON.stringify(generated)));
  });

  it('is served at GET /v1/openapi.json without a session', async () => {
    const res = await request(hub.app).get('/v1/openapi.json').expect(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(generated)));
  });
});

describe('the schemas the document is made from', () => {
  const answers = () => [
    ['GET /hub', '/v1/hub'],
    ['GET /agreements', '/v1/agreements'],
    ['GET /agreements/:id', '/v1/agreements/RU-PK'],
    ['GET /me', '/v1/me'],
    ['GET /parties/:party/members', '/v1/parties/PK/members'],
    ['GET /parties/:party/rotations', '/v1/parties/PK/rotations'],
    ['GET /parties/:party/contacts', '/v1/parties/PK/contacts'],
    ['GET /packets', '/v1/packets'],
    ['GET /packets/:id', `/v1/packets/${packetId}`],
    ['GET /packets/:id/releases', `/v1/packets/${packetId}/releases`],
    ['GET /packets/:id/receipts', `/v1/packets/${packetId}/receipts`],
    ['GET /packets/:id/evidence', `/v1/packets/${packetId}/evidence`],
    ['GET /releases', '/v1/releases'],
    ['GET /requests', '/v1/requests'],
    ['GET /requests/:id', `/v1/requests/${packetId}`],
    ['GET /deadlines', '/v1/deadlines'],
    ['GET /oral-requests', '/v1/oral-requests'],
    ['GET /audit', '/v1/audit'],
    ['GET /audit/checkpoints/latest', '/v1/audit/checkpoints/latest'],
  ];

  it('parse what a real hub answers (strict: no field the document does not name)', async () => {
    for (const [route, url] of answers()) {
      const spec = ROUTES.find((r) => `${r.method.toUpperCase()} ${r.path}` === route);
      expect(spec, route).toBeDefined();
      const res = await request(hub.app).get(url!).set('Authorization', `Bearer ${token}`).expect(200);
      const parsed = spec!.answer.schema!.safeParse(res.body);
      expect(parsed.error?.issues ?? [], route).toEqual([]);
    }
  });

  it('parse a problem: every problem+json carries its code', async () => {
    const res = await request(hub.app).get('/v1/packets/not-a-uuid').set('Authorization', `Bearer ${token}`).expect(400);
    expect(res.body).toMatchObject({ type: 'https://liaison.invalid/problems/bad-request', code: 'bad-request', status: 400 });
    const missing = await request(hub.app).get('/v1/nowhere').expect(404);
    expect(missing.body.code).toBe('not-found');
  });
});
