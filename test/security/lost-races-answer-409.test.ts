/**
 * Attack: make the hub lose a race it should have decided. The same packet or
 * the same revision uploaded twice at once, one key enrolled by two officers at once, and a
 * retrieval receipt whose id collides with another receipt's were answered 500; and reading the
 * audit log wrote a checkpoint. Each lost race is now a clear 409 problem (naming nothing of
 * another party's), and a GET never writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMembership } from '../../client/core/officer.ts';
import { buildPacket, buildRevision, login, uploadRequest } from '../helpers/packets.ts';
import { makePerson } from '../helpers/world.ts';
import { RU_PK_CAST, expectProblem, get, post, retrievalReceipt, sendPacket, setUp, tearDown, together, type Cast, type CastMember } from './support.ts';

const CAST = { ...RU_PK_CAST, pkOfficer: { name: 'Farhan Malik', party: 'PK', roles: ['officer'], clearance: 'TOP SECRET' } } as const satisfies Record<string, CastMember>;
type Key = keyof typeof CAST;
let cast: Cast<Key>;
const now = () => cast.world.clock.now();
const readers = () => [cast.people.ruContact, cast.people.ruClerk, cast.people.pkContact];
const statuses = (answers: Array<{ status: number }>) => answers.map((a) => a.status).sort();

beforeAll(async () => {
  cast = await setUp(CAST);
});
afterAll(() => tearDown(cast));

describe('two writes of the same thing at once', () => {
  it('the same packet uploaded twice: one 201, one 409, over several rounds', async () => {
    for (let round = 0; round < 5; round++) {
      const packet = await buildPacket({ sender: cast.people.ruContact, readers: readers(), date: now(), parts: [{ role: 'original', lang: 'ru', text: 'Запрос.' }, { role: 'translation', lang: 'en', text: 'Request.' }] });
      const answers = await together(() => uploadRequest(cast.app, cast.tokens.ruContact, packet, true), () => uploadRequest(cast.app, cast.tokens.ruContact, packet, true));
      expect(statuses(answers), `round ${round}`).toEqual([201, 409]);
      expectProblem(answers.find((a) => a.status === 409)!, 409);
    }
  });

  it('two different revisions 2 of one draft: one lands, the other is a 409', async () => {
    for (let round = 0; round < 5; round++) {
      const draft = await buildPacket({ sender: cast.people.ruContact, readers: readers(), date: now(), parts: [{ role: 'original', lang: 'ru', text: 'Черновик запроса.' }] });
      await uploadRequest(cast.app, cast.tokens.ruContact, draft, false).expect(201);
      const a = await buildRevision(draft.manifest, cast.people.ruClerk, readers(), { role: 'translation', lang: 'en', text: 'Draft request, first translation.' }, now());
      const b = await buildRevision(draft.manifest, cast.people.ruClerk, readers(), { role: 'translation', lang: 'en', text: 'Draft request, second translation.' }, now());
      const path = `/v1/packets/${draft.manifest.packetId}/revisions`;
      const answers = await together(() => uploadRequest(cast.app, cast.tokens.ruClerk, a, false, path), () => uploadRequest(cast.app, cast.tokens.ruClerk, b, false, path));
      expect(statuses(answers), `round ${round}`).toEqual([201, 409]);
      expect((await cast.hub.hub.store.packets.get(draft.manifest.packetId))!.revision).toBe(2);
      // The draft's own parts (a request carries its form) plus the one translation that landed.
      expect(await cast.hub.hub.store.packets.partsOf(draft.manifest.packetId)).toHaveLength(draft.manifest.parts.length + 1);
    }
  });

  it('a retrieval receipt whose id is another packet\'s receipt id is a 409 that names no packet', async () => {
    const first = await sendPacket(cast, 'ruContact', ['ruContact', 'ruClerk', 'pkContact']);
    const second = await sendPacket(cast, 'ruContact', ['ruContact', 'ruClerk', 'pkContact']);
    const receipt = await retrievalReceipt(cast.people.pkContact, first, now());
    const id = (JSON.parse(receipt.statement) as { id: string }).id;
    await post(cast.app, `/v1/packets/${first.manifest.packetId}/receipts`, cast.tokens.pkContact).send(receipt).expect(201);
    const colliding = await retrievalReceipt(cast.people.pkContact, second, now(), (r) => void (r.id = id));
    const res = await post(cast.app, `/v1/packets/${second.manifest.packetId}/receipts`, cast.tokens.pkContact).send(colliding);
    expect(expectProblem(res, 409).detail).not.toContain(first.manifest.packetId);
    // The same receipt again is a 409 too.
    expectProblem(await post(cast.app, `/v1/packets/${first.manifest.packetId}/receipts`, cast.tokens.pkContact).send(receipt), 409);
  });
});

describe('reading never writes', () => {
  it('GET /v1/audit, checkpoints/latest and the evidence bundle store no checkpoint, however many arrive at once', async () => {
    const packet = await sendPacket(cast, 'ruContact', ['ruContact', 'ruClerk', 'pkContact']);
    // Let the signing that follows the writes finish, then count.
    await get(cast.app, '/v1/audit/checkpoints/latest', cast.tokens.pkContact).expect(200);
    // One more event (a download), so the log has grown past every checkpoint the hub stored.
    await get(cast.app, `/v1/packets/${packet.manifest.packetId}/parts/p1`, cast.tokens.pkContact).expect(200);
    const store = cast.hub.hub.store;
    const before = (await store.audit.checkpoints()).length;
    const reads = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 3 === 0
          ? get(cast.app, '/v1/audit', cast.tokens.pkContact)
          : i % 3 === 1
            ? get(cast.app, '/v1/audit/checkpoints/latest', cast.tokens.ruContact)
            : get(cast.app, `/v1/packets/${packet.manifest.packetId}/evidence`, cast.tokens.ruContact),
      ),
    );
    expect(reads.map((r) => r.status)).toEqual(Array.from({ length: 12 }, () => 200));
    expect((await store.audit.checkpoints()).length).toBe(before);
    // Creating one is a POST, and two at once do not conflict.
    const made = await together(() => post(cast.app, '/v1/audit/checkpoints', cast.tokens.pkContact), () => post(cast.app, '/v1/audit/checkpoints', cast.tokens.ruContact));
    expect(statuses(made)).toEqual([201, 201]);
  });
});

// Last: the keys enrolled here become readers every later packet would have to be encrypted to.
describe('two officers at once', () => {
  it('one key enrolled by two officers of its party at once: one 201, one 409', async () => {
    const officers = [cast.world.officers.get('PK')!, cast.people.pkOfficer];
    const tokens = [await login(cast.app, officers[0]!, now()), cast.tokens.pkOfficer];
    for (let round = 0; round < 4; round++) {
      const person = await makePerson(`New Member ${round}`, 'PK', now());
      const bodies = await Promise.all(
        officers.map(async (o) => {
          const { statement, signature } = await signMembership(o, person.armoredPublicKey, { party: 'PK', roles: ['contact'], clearance: 'SECRET' }, now());
          return { publicKey: person.armoredPublicKey, statement, signature };
        }),
      );
      const answers = await together(() => post(cast.app, '/v1/members', tokens[0]!).send(bodies[0]), () => post(cast.app, '/v1/members', tokens[1]!).send(bodies[1]));
      expect(statuses(answers), `round ${round}: ${JSON.stringify(answers.map((a) => a.body as unknown))}`).toEqual([201, 409]);
    }
  });
});
