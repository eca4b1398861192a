/**
 * The key lifecycle an officer runs: enroll, change clearance, revoke, expire, rotate; each counts
 * from the very next request, and officers act only on their own party.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signContact, signMembership, signRestatement, signRevocation, signRotation } from '../../client/core/officer.ts';
import { rewrapFor } from '../../client/core/rewrap.ts';
import { fetchPacket } from '../../client/node/opening.ts';
import { sendPacket } from '../../client/node/sending.ts';
import type { Member } from '../../protocol/api.ts';
import { MembershipStatement } from '../../protocol/statements.ts';
import { signDetached } from '../../keys/signatures.ts';
import type { LiaisonApp } from '../../server/app.ts';
import { startLyingHub, type LyingHub } from '../helpers/lying-hub.ts';
import { buildPacket, login, uploadRequest } from '../helpers/packets.ts';
import { makePerson, makeWorld, type Person, type World } from '../helpers/world.ts';
import { clientContext } from '../helpers/client.ts';

let world: World;
let hub: LiaisonApp;
let served: LyingHub;
let ruOfficer: Person, pkOfficer: Person, ivan: Person, ayesha: Person, bilal: Person;
let dir: string;
const token = (p: Person) => login(hub.app, p, world.clock.now());
const auth = (t: string) => ({ Authorization: `Bearer ${t}` });

async function statementOf(fpr: string, t: string): Promise<MembershipStatement> {
  const members = (await request(hub.app).get('/v1/parties/PK/members?include=revoked').set(auth(t)).expect(200)).body.items as Member[];
  return MembershipStatement.parse(JSON.parse(members.find((m) => m.fingerprint === fpr)!.statement!));
}

const ctx = (person: Person, t: string) => clientContext(person, { url: served.url, token: t, officers: world.officers.values(), clock: world.clock, me: { fingerprint: person.fingerprint, party: person.party, name: person.name, roles: ['contact'], clearance: 'SECRET', publicKey: person.armoredPublicKey, enrolledAt: '' } });

beforeAll(async () => {
  world = await makeWorld();
  const date = world.clock.now();
  [ruOfficer, pkOfficer, ivan, ayesha, bilal] = await Promise.all([
    makePerson('Sergei Volkov', 'RU', date),
    makePerson('Imran Qureshi', 'PK', date),
    makePerson('Ivan Petrov', 'RU', date),
    makePerson('Ayesha Khan', 'PK', date),
    makePerson('Bilal Ahmed', 'PK', date),
  ]);
  await world.enroll(ruOfficer, ['officer'], 'TOP SECRET');
  await world.enroll(pkOfficer, ['officer'], 'TOP SECRET');
  await world.enroll(ivan, ['contact'], 'TOP SECRET');
  hub = await world.open();
  served = await startLyingHub(hub.app);
  dir = mkdtempSync(join(tmpdir(), 'liaison-lifecycle-'));
  writeFileSync(join(dir, 'ru.txt'), 'Совершенно секретный запрос о помощи в расследовании деятельности преступной группы.');
  writeFileSync(join(dir, 'en.txt'), 'A top secret request for assistance in investigating the activities of a criminal group.');
});

afterAll(async () => {
  await served.close();
  await hub.close();
  world.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('officers act only on their own party', () => {
  it('cannot enroll, restate or revoke for another party', async () => {
    const ru = await token(ruOfficer);
    const forPk = await signMembership(ruOfficer, bilal.armoredPublicKey, { party: 'PK', roles: ['contact'], clearance: 'SECRET' }, world.clock.now());
    const enroll = await request(hub.app).post('/v1/members').set(auth(ru)).send({ publicKey: bilal.armoredPublicKey, statement: forPk.statement, signature: forPk.signature });
    expect(enroll.status).toBe(403);
    expect(enroll.body.detail).toMatch(/only a security officer of PK/);

    const pk = await token(pkOfficer);
    const own = await signMembership(pkOfficer, ayesha.armoredPublicKey, { party: 'PK', roles: ['contact'], clearance: 'SECRET' }, world.clock.now());
    await request(hub.app).post('/v1/members').set(auth(pk)).send({ publicKey: ayesha.armoredPublicKey, statement: own.statement, signature: own.signature }).expect(201);

    const previous = await statementOf(ayesha.fingerprint, pk);
    const restate = await signRestatement(ruOfficer, previous, { clearance: 'RESTRICTED' }, world.clock.now());
    // Refused, not hidden: every party's members are listed to every member (the directory).
    const restated = await request(hub.app).post(`/v1/members/${ayesha.fingerprint}/statements`).set(auth(ru)).send(restate).expect(403);
    expect(restated.body.detail).toMatch(/only a security officer of PK/);
    const revoke = await signRevocation(ruOfficer, { party: 'PK', fingerprint: ayesha.fingerprint }, 'not yours', world.clock.now());
    await request(hub.app).post(`/v1/members/${ayesha.fingerprint}/revocation`).set(auth(ru)).send(revoke).expect(403);
    // A contact is no officer, even of their own party.
    const ivanToken = await token(ivan);
    const byContact = await signMembership(ivan, bilal.armoredPublicKey, { party: 'RU', roles: ['contact'], clearance: 'SECRET' }, world.clock.now());
    await request(hub.app).post('/v1/members').set(auth(ivanToken)).send({ publicKey: bilal.armoredPublicKey, statement: byContact.statement, signature: byContact.signature }).expect(403);
  });
});

describe('clearance changes', () => {
  it('a downgrade counts on the very next request; an upgrade plus a re-wrap opens earlier packets', async () => {
    const pk = await token(pkOfficer);
    const bilalStatement = await signMembership(pkOfficer, bilal.armoredPublicKey, { party: 'PK', roles: ['contact'], clearance: 'CONFIDENTIAL' }, world.clock.now());
    await request(hub.app).post('/v1/members').set(auth(pk)).send({ publicKey: bilal.armoredPublicKey, statement: bilalStatement.statement, signature: bilalStatement.signature }).expect(201);
    const ivanToken = await token(ivan);
    const ayeshaToken = await token(ayesha);
    const bilalToken = await token(bilal);

    const sent = await sendPacket(ctx(ivan, ivanToken), { agreementId: 'RU-PK', to: ['PK'], level: 'SECRET', kind: 'information', original: { path: join(dir, 'ru.txt'), lang: 'ru' }, translations: [{ lang: 'en', path: join(dir, 'en.txt') }], draft: false });
    await request(hub.app).get(`/v1/packets/${sent.packetId}`).set(auth(ayeshaToken)).expect(200);
    await request(hub.app).get(`/v1/packets/${sent.packetId}`).set(auth(bilalToken)).expect(404);

    // Downgrade Ayesha: her existing token no longer opens the SECRET packet.
    world.clock.advance(1000);
    const downgrade = await signRestatement(pkOfficer, await statementOf(ayesha.fingerprint, pk), { clearance: 'CONFIDENTIAL' }, world.clock.now());
    await request(hub.app).post(`/v1/members/${ayesha.fingerprint}/statements`).set(auth(pk)).send(downgrade).expect(200);
    await request(hub.app).get(`/v1/packets/${sent.packetId}`).set(auth(ayeshaToken)).expect(404);

    // Upgrade Bilal: he is a recipient of new SECRET packets; earlier ones need a re-wrap by a colleague who can read them.
    world.clock.advance(1000);
    const upgrade = await signRestatement(pkOfficer, await statementOf(bilal.fingerprint, pk), { clearance: 'SECRET' }, world.clock.now());
    await request(hub.app).post(`/v1/members/${bilal.fingerprint}/statements`).set(auth(pk)).send(upgrade).expect(200);
    await request(hub.app).get(`/v1/packets/${sent.packetId}`).set(auth(bilalToken)).expect(200);
    await expect(fetchPacket(ctx(bilal, bilalToken), sent.packetId, join(dir, 'bilal-before'), false)).rejects.toThrow(/your key cannot open part p1: .*liaison rewrap --for /);
    // The hub lists the packet as waiting for Bilal's key: to his officer, to him, and to no other party.
    const awaiting = async (t: string) => ((await request(hub.app).get(`/v1/members/${bilal.fingerprint}/awaiting-wraps`).set(auth(t)).expect(200)).body as { items: Array<{ packetId: string }> }).items.map((p) => p.packetId);
    expect(await awaiting(pk)).toEqual([sent.packetId]);
    expect(await awaiting(bilalToken)).toEqual([sent.packetId]);
    // Ayesha, CONFIDENTIAL now, does not see a SECRET packet listed, here as anywhere.
    expect(await awaiting(ayeshaToken)).toEqual([]);
    await request(hub.app).get(`/v1/members/${bilal.fingerprint}/awaiting-wraps`).set(auth(ivanToken)).expect(404);
    await request(hub.app).get(`/v1/members/${ivan.fingerprint}/awaiting-wraps`).set(auth(pk)).expect(404);
    await request(hub.app).get(`/v1/members/${pkOfficer.fingerprint}/awaiting-wraps`).set(auth(pk)).expect(400);

    // Ayesha, now CONFIDENTIAL, cannot carry it over; upgrade her back, then she re-wraps for Bilal.
    world.clock.advance(1000);
    const back = await signRestatement(pkOfficer, await statementOf(ayesha.fingerprint, pk), { clearance: 'SECRET' }, world.clock.now());
    await request(hub.app).post(`/v1/members/${ayesha.fingerprint}/statements`).set(auth(pk)).send(back).expect(200);
    const result = await rewrapFor(ctx(ayesha, ayeshaToken), bilal.fingerprint, [sent.packetId]);
    expect(result).toEqual({ done: [sent.packetId], skipped: [] });
    expect(await awaiting(pk)).toEqual([]);
    const fetched = await fetchPacket(ctx(bilal, bilalToken), sent.packetId, join(dir, 'bilal-after'), false);
    expect(fetched.files.map((f) => f.role)).toEqual(['original', 'translation']);
  });
});

describe('revocation and expiry', () => {
  it('a revoked key cannot log in, download, or receive from the next request on', async () => {
    const pk = await token(pkOfficer);
    const carol = await makePerson('Carol Nasir', 'PK', world.clock.now());
    const statement = await signMembership(pkOfficer, carol.armoredPublicKey, { party: 'PK', roles: ['contact'], clearance: 'SECRET' }, world.clock.now());
    await request(hub.app).post('/v1/members').set(auth(pk)).send({ publicKey: carol.armoredPublicKey, statement: statement.statement, signature: statement.signature }).expect(201);
    const carolToken = await token(carol);
    await request(hub.app).get('/v1/me').set(auth(carolToken)).expect(200);

    const revocation = await signRevocation(pkOfficer, carol, 'Device lost on mission', world.clock.now());
    const revoked = await request(hub.app).post(`/v1/members/${carol.fingerprint}/revocation`).set(auth(pk)).send(revocation).expect(200);
    expect(revoked.body.revokedAt).toBeDefined();
    await request(hub.app).get('/v1/me').set(auth(carolToken)).expect(401);
    // The challenge is answered as for any key (no enrolment oracle); it cannot be exchanged for a token.
    await expectLoginRefused(carol);
    // No longer a recipient: a packet encrypted to her is refused, one without her accepted.
    const ivanToken = await token(ivan);
    const members = (await request(hub.app).get('/v1/parties/PK/members').set(auth(ivanToken))).body.items as Member[];
    expect(members.map((m) => m.fingerprint)).not.toContain(carol.fingerprint);
    const withCarol = await buildPacket({ sender: ivan, readers: [ivan, ayesha, bilal, carol], level: 'SECRET', date: world.clock.now(), parts: [{ role: 'original', lang: 'ru', text: 'т' }, { role: 'translation', lang: 'en', text: 't' }] });
    expect((await uploadRequest(hub.app, ivanToken, withCarol, true)).status).toBe(400);
    // The revoked key is still listed (for history) when asked.
    const all = (await request(hub.app).get('/v1/parties/PK/members?include=revoked').set(auth(ivanToken))).body.items as Member[];
    expect(all.find((m) => m.fingerprint === carol.fingerprint)?.revocationReason).toBe('Device lost on mission');
  });

  it('a membership ends at the instant of its validity end (shifted clock)', async () => {
    const pk = await token(pkOfficer);
    const dana = await makePerson('Dana Mirza', 'PK', world.clock.now());
    const until = new Date(world.clock.now().getTime() + 3600_000).toISOString();
    const statement = await signMembership(pkOfficer, dana.armoredPublicKey, { party: 'PK', roles: ['contact'], clearance: 'SECRET', validUntil: until }, world.clock.now());
    await request(hub.app).post('/v1/members').set(auth(pk)).send({ publicKey: dana.armoredPublicKey, statement: statement.statement, signature: statement.signature }).expect(201);
    const danaToken = await token(dana);
    await request(hub.app).get('/v1/me').set(auth(danaToken)).expect(200);
    world.clock.advance(3600_000);
    await request(hub.app).get('/v1/me').set(auth(danaToken)).expect(401);
    // The challenge is answered as for any key (no enrolment oracle); it cannot be exchanged for a token.
    await expectLoginRefused(dana);
  });
});

async function expectLoginRefused(person: Person): Promise<void> {
  const { challenge } = (await request(hub.app).post('/v1/auth/challenge').send({ fingerprint: person.fingerprint }).expect(200)).body as { challenge: string };
  const signature = await signDetached('login', challenge, person.key, world.clock.now());
  await request(hub.app).post('/v1/auth/token').send({ fingerprint: person.fingerprint, challenge, signature }).expect(401);
}

describe('officer rotation', () => {
  it('partners who pinned the old officer key follow the rotation and trust what the new key vouches for', async () => {
    const oldToken = await token(pkOfficer);
    const newOfficer = await makePerson('Imran Qureshi (new key)', 'PK', world.clock.now());
    const rotation = await signRotation('PK', pkOfficer, newOfficer, world.clock.now());
    await request(hub.app).post('/v1/officers/rotation').set(auth(oldToken)).send({ publicKey: newOfficer.armoredPublicKey, ...rotation }).expect(201);
    await request(hub.app).get('/v1/me').set(auth(oldToken)).expect(401);

    const newToken = await token(newOfficer);
    const erin = await makePerson('Erin Baig', 'PK', world.clock.now());
    world.clock.advance(1000);
    const statement = await signMembership(newOfficer, erin.armoredPublicKey, { party: 'PK', roles: ['contact'], clearance: 'SECRET' }, world.clock.now());
    await request(hub.app).post('/v1/members').set(auth(newToken)).send({ publicKey: erin.armoredPublicKey, statement: statement.statement, signature: statement.signature }).expect(201);

    // Ivan pinned only the old key; his client follows the rotation signed by both keys.
    const ivanCtx = ctx(ivan, await token(ivan));
    const pk = await ivanCtx.directory.members('PK');
    expect(pk.find((m) => m.fingerprint === erin.fingerprint)?.vouchedBy).toBe(newOfficer.fingerprint);
    // A statement the retired key signs after the rotation is not trusted.
    world.clock.advance(1000);
    const late = await signMembership(pkOfficer, (await makePerson('Late Vouch', 'PK', world.clock.now())).armoredPublicKey, { party: 'PK', roles: ['contact'], clearance: 'SECRET' }, world.clock.now());
    served.rewrite = (path, body) => (path === '/v1/parties/PK/members' ? [...(body as Member[]), { fingerprint: MembershipStatement.parse(JSON.parse(late.statement)).fingerprint, party: 'PK', name: 'Late', roles: ['contact'], clearance: 'SECRET', publicKey: '', enrolledAt: '', statement: late.statement, statementSignature: late.signature }] : body);
    await expect(ctx(ivan, await token(ivan)).directory.members('PK')).rejects.toThrow();
    served.rewrite = undefined;
  });
});

describe('contact directory', () => {
  it('records signed, dated contacts visible to partners, flagging a notice past the 30-day deadline (SCO Art. 2)', async () => {
    const kzOfficer = await makePerson('Daniyar Seitkali', 'KZ', world.clock.now());
    await world.enroll(kzOfficer, ['officer'], 'TOP SECRET');
    const kz = await token(kzOfficer);
    const effective = (daysAgo: number) => new Date(world.clock.now().getTime() - daysAgo * 86_400_000).toISOString();
    const onTime = await signContact(kzOfficer, { party: 'KZ', agreementId: 'SCO', kind: 'competent-authority', name: 'Агентство по финансовому мониторингу', phone: '+7 7172 000000', effectiveFrom: effective(10) }, world.clock.now());
    const late = await signContact(kzOfficer, { party: 'KZ', agreementId: 'SCO', kind: 'contact-person', name: 'Aigerim Nurlanovna', email: 'aigerim@kz.example', effectiveFrom: effective(45) }, world.clock.now());
    expect((await request(hub.app).post('/v1/parties/KZ/contacts').set(auth(kz)).send(onTime).expect(201)).body.late).toBe(false);
    expect((await request(hub.app).post('/v1/parties/KZ/contacts').set(auth(kz)).send(late).expect(201)).body.late).toBe(true);
    // Another party's officer cannot write KZ's directory.
    const ru = await token(ruOfficer);
    await request(hub.app).post('/v1/parties/KZ/contacts').set(auth(ru)).send(await signContact(ruOfficer, { party: 'KZ', agreementId: 'SCO', kind: 'contact-person', name: 'Impostor', effectiveFrom: effective(1) }, world.clock.now())).expect(403);
    // A partner sees both, dated, with the late one flagged.
    const seen = (await request(hub.app).get('/v1/parties/KZ/contacts').set(auth(await token(ivan))).expect(200)).body.items as Array<{ late: boolean; statement: string }>;
    expect(seen.map((c) => [(JSON.parse(c.statement) as { name: string }).name, c.late])).toEqual([['Агентство по финансовому мониторингу', false], ['Aigerim Nurlanovna', true]]);
  });
});
