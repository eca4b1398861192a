/**
 * Attack: enroll a key on a statement that is not valid yet (validFrom 2099), and send two
 * statements for one key at once. Before the fix the future member could log
 * in, list packets, and senders had to encrypt to them; and an older statement that arrived
 * with a newer one could land last and replace it. Validity windows apply on the hub as on the
 * client, and each restatement is compare-and-set on the statement it replaces.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMembership, signRestatement } from '../../client/core/officer.ts';
import { signDetached } from '../../keys/signatures.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import { MembershipStatement } from '../../protocol/statements.ts';
import { buildPacket, login, uploadRequest } from '../helpers/packets.ts';
import { makePerson, sqliteOf, type Person } from '../helpers/world.ts';
import { RU_PK_CAST, expectProblem, post, setUp, tearDown, together, type Cast } from './support.ts';

type Key = keyof typeof RU_PK_CAST;
let cast: Cast<Key>;
let future: Person;
let officerToken: string;
const now = () => cast.world.clock.now();
const officer = () => cast.world.officers.get('PK')!;

beforeAll(async () => {
  cast = await setUp(RU_PK_CAST);
  future = await makePerson('Future Member', 'PK', now());
  officerToken = await login(cast.app, officer(), now());
  const signed = await signMembership(officer(), future.armoredPublicKey, { party: 'PK', roles: ['contact'], clearance: 'TOP SECRET' }, now());
  const text = canonicalize({ ...(JSON.parse(signed.statement) as MembershipStatement), validFrom: '2099-01-01T00:00:00.000Z' });
  await post(cast.app, '/v1/members', officerToken).send({ publicKey: future.armoredPublicKey, statement: text, signature: await signDetached('membership', text, officer().key, now()) }).expect(201);
});
afterAll(() => tearDown(cast));

describe('a membership that is not valid yet', () => {
  it('cannot log in', async () => {
    const { challenge } = (await request(cast.app).post('/v1/auth/challenge').send({ fingerprint: future.fingerprint }).expect(200)).body as { challenge: string };
    expectProblem(await request(cast.app).post('/v1/auth/token').send({ fingerprint: future.fingerprint, challenge, signature: await signDetached('login', challenge, future.key, now()) }), 401);
  });

  it('is not a reader senders must encrypt to, and may not be one', async () => {
    const parts = [{ role: 'original' as const, lang: 'ru', text: 'Запрос.' }, { role: 'translation' as const, lang: 'en', text: 'Request.' }];
    const readers = [cast.people.ruContact, cast.people.ruClerk, cast.people.pkContact];
    await uploadRequest(cast.app, cast.tokens.ruContact, await buildPacket({ sender: cast.people.ruContact, readers, date: now(), parts }), true).expect(201);
    expectProblem(await uploadRequest(cast.app, cast.tokens.ruContact, await buildPacket({ sender: cast.people.ruContact, readers: [...readers, future], date: now(), parts }), true), 400);
  });
});

describe('two statements for one key sent together', () => {
  it('never leave the older one in force, over many rounds', async () => {
    const store = cast.hub.hub.store;
    for (let round = 0; round < 8; round++) {
      const current = MembershipStatement.parse(JSON.parse((await store.members.get(cast.people.pkLow.fingerprint))!.statement!));
      cast.world.clock.advance(1000);
      const older = await signRestatement(officer(), current, { clearance: round % 2 ? 'RESTRICTED' : 'CONFIDENTIAL' }, now());
      cast.world.clock.advance(1000);
      const newer = await signRestatement(officer(), current, { clearance: 'SECRET' }, now());
      const send = (s: { statement: string; signature: string }) => () => post(cast.app, `/v1/members/${cast.people.pkLow.fingerprint}/statements`, officerToken).send(s);
      const answers = round % 2 ? await together(send(newer), send(older)) : await together(send(older), send(newer));
      for (const a of answers) if (a.status !== 200) expectProblem(a, 409);
      const history = (sqliteOf(cast.hub).db.prepare('SELECT statement FROM member_statements WHERE fingerprint = ? ORDER BY id').all(cast.people.pkLow.fingerprint) as Array<{ statement: string }>).map((r) => MembershipStatement.parse(JSON.parse(r.statement)).issuedAt);
      expect([...history].sort(), `round ${round}`).toEqual(history);
      const inForce = MembershipStatement.parse(JSON.parse((await store.members.get(cast.people.pkLow.fingerprint))!.statement!)).issuedAt;
      expect(inForce).toBe(history.at(-1));
    }
  });
});
