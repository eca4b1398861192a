/**
 * A hub that lies about keys gains nothing: the client, checking every key against the officers
 * it pinned, refuses to encrypt to an injected key, a key of another party, a stale statement or
 * a statement by an unpinned officer, and refuses a signature by such a key.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMembership, signRestatement } from '../../client/core/officer.ts';
import type { ClientContext } from '../../client/core/context.ts';
import { verifiedManifest } from '../../client/core/opening.ts';
import { sendPacket } from '../../client/node/sending.ts';
import type { Member, PacketDetail } from '../../protocol/api.ts';
import { MembershipStatement } from '../../protocol/statements.ts';
import type { LiaisonApp } from '../../server/app.ts';
import { startLyingHub, type LyingHub } from '../helpers/lying-hub.ts';
import { buildPacket, login, uploadRequest } from '../helpers/packets.ts';
import { makePerson, makeWorld, type Person, type World } from '../helpers/world.ts';
import { clientContext, pinnedTrust } from '../helpers/client.ts';

let world: World;
let hub: LiaisonApp;
let lying: LyingHub;
let ivan: Person, ayesha: Person, aigerim: Person, mallory: Person, eve: Person;
let dir: string;
let original: string, translation: string;
const tokens: Record<string, string> = {};

const pinned = () => pinnedTrust(world.officers.values(), world.clock.now());
const context = (person: Person, trust = pinned()) => clientContext(person, { url: lying.url, token: tokens[person.name], clock: world.clock, trust });

const send = (ctx: ClientContext) =>
  sendPacket(ctx, { agreementId: 'RU-PK', to: ['PK'], level: 'SECRET', kind: 'information', original: { path: original, lang: 'ru' }, translations: [{ lang: 'en', path: translation }], draft: false });

function fakeMember(person: Person, party: string, extra: Partial<Member> = {}): Member {
  return { fingerprint: person.fingerprint, party, name: person.name, roles: ['contact'], clearance: 'SECRET', publicKey: person.armoredPublicKey, enrolledAt: world.clock.now().toISOString(), ...extra };
}

/** Rewrite the member list of one party. */
function lieAbout(party: string, change: (members: Member[]) => Member[]): void {
  // The client pages through the directory (?limit=...&cursor=...): the lie is told on every page.
  lying.rewrite = (path, body) => (path.split('?')[0] === `/v1/parties/${party}/members` ? { ...(body as object), items: change((body as { items: Member[] }).items) } : body);
}

beforeAll(async () => {
  world = await makeWorld();
  const date = world.clock.now();
  [ivan, ayesha, aigerim, mallory, eve] = await Promise.all([
    makePerson('Ivan Petrov', 'RU', date),
    makePerson('Ayesha Khan', 'PK', date),
    makePerson('Aigerim Nurlanovna', 'KZ', date),
    makePerson('Mallory Intruder', 'PK', date),
    makePerson('Eve Forger', 'PK', date),
  ]);
  await world.enroll(ivan, ['contact'], 'TOP SECRET');
  await world.enroll(ayesha, ['contact'], 'SECRET');
  await world.enroll(aigerim, ['contact'], 'SECRET');
  hub = await world.open();
  lying = await startLyingHub(hub.app);
  for (const p of [ivan, ayesha]) tokens[p.name] = await login(hub.app, p, world.clock.now());
  dir = mkdtempSync(join(tmpdir(), 'liaison-lying-'));
  original = join(dir, 'zapros.txt');
  translation = join(dir, 'request-en.txt');
  writeFileSync(original, 'Запрос о правовой помощи: просим установить владельцев счетов и сообщить о движении средств.');
  writeFileSync(translation, 'Request for legal assistance: please identify the account holders and report the movements of funds.');
});

afterAll(async () => {
  await lying.close();
  await hub.close();
  world.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('a client against a lying hub', () => {
  it('sends normally when the hub tells the truth', async () => {
    lying.rewrite = undefined;
    const result = await send(context(ivan));
    expect(result.state).toBe('submitted');
  });

  it('refuses to encrypt to a key the hub injected, naming the key and the party', async () => {
    lieAbout('PK', (members) => [...members, fakeMember(mallory, 'PK')]);
    await expect(send(context(ivan))).rejects.toThrow(new RegExp(`${mallory.fingerprint}.*PK.*refusing`));
  });

  it("refuses a key of another party listed as one of this party's", async () => {
    const kz = (await request(hub.app).get('/v1/parties/KZ/members').set('Authorization', `Bearer ${tokens[ivan.name]}`).expect(200)).body.items as Member[];
    const aigerimRow = kz.find((m) => m.fingerprint === aigerim.fingerprint)!;
    // Her statement is signed by KZ's officer, whose key is no key of PK's: refused before it is read.
    lieAbout('PK', (members) => [...members, { ...aigerimRow, party: 'PK' }]);
    await expect(send(context(ivan))).rejects.toThrow(/vouched for by a key that is not a pinned officer of PK; refusing/);
    lieAbout('PK', (members) => [...members, aigerimRow]);
    await expect(send(context(ivan))).rejects.toThrow(/of KZ as a member of PK/);
    // A genuine PK statement about another key, attached to an injected one.
    lieAbout('PK', (members) => [...members, fakeMember(mallory, 'PK', { statement: members.find((m) => m.fingerprint === ayesha.fingerprint)!.statement!, statementSignature: members.find((m) => m.fingerprint === ayesha.fingerprint)!.statementSignature! })]);
    await expect(send(context(ivan))).rejects.toThrow(/is about .* of PK; refusing/);
  });

  it('refuses a statement signed by an officer nobody pinned', async () => {
    const forged = await signMembership(eve, mallory.armoredPublicKey, { party: 'PK', roles: ['contact'], clearance: 'TOP SECRET' }, world.clock.now());
    lieAbout('PK', (members) => [...members, fakeMember(mallory, 'PK', { statement: forged.statement, statementSignature: forged.signature })]);
    await expect(send(context(ivan))).rejects.toThrow(/vouched for by a key that is not a pinned officer of PK/);
  });

  it('refuses a stale statement once it has seen a newer one', async () => {
    lying.rewrite = undefined;
    const trust = pinned();
    const before = (await context(ivan, trust).api.members('PK')).find((m) => m.fingerprint === ayesha.fingerprint)!;
    // PK's officer downgrades Ayesha; Ivan's client sees the new statement once.
    const officer = world.officers.get('PK')!;
    const officerToken = await login(hub.app, officer, world.clock.now());
    const previous = MembershipStatement.parse(JSON.parse(before.statement!));
    world.clock.advance(1000);
    const restated = await signRestatement(officer, previous, { clearance: 'CONFIDENTIAL' }, world.clock.now());
    await request(hub.app).post(`/v1/members/${ayesha.fingerprint}/statements`).set('Authorization', `Bearer ${officerToken}`).send(restated).expect(200);
    const seen = await context(ivan, trust).directory.members('PK');
    expect(seen.find((m) => m.fingerprint === ayesha.fingerprint)!.clearance).toBe('CONFIDENTIAL');
    // The hub now replays the old SECRET statement to make Ayesha a recipient again.
    lieAbout('PK', (members) => members.map((m) => (m.fingerprint === ayesha.fingerprint ? { ...m, clearance: 'SECRET', statement: before.statement, statementSignature: before.statementSignature } : m)));
    await expect(send(context(ivan, trust))).rejects.toThrow(/stale membership statement/);
  });

  it('refuses a manifest signed by a key the hub vouches for but no pinned officer does', async () => {
    const forged = await signMembership(eve, mallory.armoredPublicKey, { party: 'RU', roles: ['contact'], clearance: 'TOP SECRET' }, world.clock.now());
    lieAbout('RU', (members) => [...members, fakeMember(mallory, 'RU', { statement: forged.statement, statementSignature: forged.signature })]);
    const packet = await buildPacket({ sender: { ...mallory, party: 'RU' }, readers: [ivan, ayesha], date: world.clock.now(), parts: [{ role: 'original', lang: 'ru', text: 'подделка' }, { role: 'translation', lang: 'en', text: 'forgery' }] });
    const detail = { packetId: packet.manifest.packetId, manifest: packet.manifestText, signature: packet.signature } as PacketDetail;
    await expect(verifiedManifest(context(ayesha), detail)).rejects.toThrow(/not a pinned officer of RU/);
    // Without the lie, the forged signer is simply unknown.
    lying.rewrite = undefined;
    await expect(verifiedManifest(context(ayesha), detail)).rejects.toThrow(/not a vouched-for member of RU/);
  });

  it('the hub itself refuses an upload encrypted to a key it does not list', async () => {
    lying.rewrite = undefined;
    const packet = await buildPacket({ sender: ivan, readers: [ivan, ayesha, mallory], date: world.clock.now(), parts: [{ role: 'original', lang: 'ru', text: 'текст' }, { role: 'translation', lang: 'en', text: 'text' }], level: 'CONFIDENTIAL' });
    const res = await uploadRequest(hub.app, tokens[ivan.name]!, packet, true);
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/not entitled/);
  });
});
