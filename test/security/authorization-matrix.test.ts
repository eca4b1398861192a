/**
 * The authorization matrix: every route of the hub's route table (test/helpers/routes.ts), each
 * with a rule written here (a route without one fails), x every kind of actor (anonymous;
 * officer, contact and clerk of the originating party, of the recipient party, and of a third
 * party before and after an executed release; cleared below the marking; revoked; expired; not
 * yet valid) x every object
 * the route takes (packets submitted, released, requested-only and draft, their parts, releases in
 * each state, requests, and missing ones of each kind). `expected`, written here from the rules
 * in plain words and sharing no code with the hub, says what each cell must answer:
 *   allow         2xx (GET), the object is the caller's to see
 *   refuse        a 4xx that is not "like missing": the caller may see the object but not do this
 *                 with the probe body (every POST probe is built so that nothing changes)
 *   like-missing  exactly the answer for an object of that kind that does not exist
 *   401           not logged in, or no longer (revoked, expired, not yet valid)
 * The test fails on any cell that differs and says how many cells it checked.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMembership, signRestatement, signRevocation } from '../../client/core/officer.ts';
import { signDetached } from '../../keys/signatures.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import { MembershipStatement } from '../../protocol/statements.ts';
import type { Release } from '../../protocol/release.ts';
import { buildPacket, login, uploadRequest, type BuiltPacket } from '../helpers/packets.ts';
import { makePerson, type Person } from '../helpers/world.ts';
import { decision, post, setUp, tearDown, wrapsFor, type Cast, type CastMember } from './support.ts';
import { HUB_ROUTES, expectAppServesTheTable, expectEveryRouteCovered, expectationOf } from '../helpers/routes.ts';

// --- the cast --------------------------------------------------------------------------------

const CAST = {
  ruOfficer: { name: 'Sergei Volkov', party: 'RU', roles: ['officer'], clearance: 'TOP SECRET' },
  ruContact: { name: 'Ivan Petrov', party: 'RU', roles: ['contact'], clearance: 'TOP SECRET' },
  ruClerk: { name: 'Olga Smirnova', party: 'RU', roles: ['clerk'], clearance: 'SECRET' },
  pkOfficer: { name: 'Farhan Malik', party: 'PK', roles: ['officer'], clearance: 'TOP SECRET' },
  pkContact: { name: 'Ayesha Khan', party: 'PK', roles: ['contact'], clearance: 'SECRET' },
  pkClerk: { name: 'Imran Shah', party: 'PK', roles: ['clerk'], clearance: 'TOP SECRET' },
  pkLow: { name: 'Bilal Ahmed', party: 'PK', roles: ['contact', 'clerk'], clearance: 'CONFIDENTIAL' },
  kzOfficer: { name: 'Saule Akhmetova', party: 'KZ', roles: ['officer'], clearance: 'TOP SECRET' },
  kzContact: { name: 'Aigerim Nurlanovna', party: 'KZ', roles: ['contact'], clearance: 'SECRET' },
  kzClerk: { name: 'Daulet Serikov', party: 'KZ', roles: ['clerk'], clearance: 'TOP SECRET' },
} as const satisfies Record<string, CastMember>;
type Key = keyof typeof CAST;

type Status = 'active' | 'revoked' | 'expired' | 'not-yet-valid' | 'anonymous';
interface Actor {
  label: string;
  party: string;
  roles: readonly string[];
  clearance: string;
  status: Status;
  token?: string;
}

// --- the objects -----------------------------------------------------------------------------

interface PacketFact {
  label: string;
  id: string;
  sender: string;
  recipients: string[];
  level: string;
  submitted: boolean;
  executedTo: string[];
}
interface ReleaseFact {
  label: string;
  id: string;
  packet: PacketFact;
  requester: string;
  third: string;
  state: 'requested' | 'consented' | 'refused' | 'executed';
}

// --- the reference oracle: the rules, in plain words, written apart from the hub -------------

const LEVELS = ['RESTRICTED', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET'];
const active = (a: Actor) => a.status === 'active';
const receives = (a: Actor) => a.roles.includes('contact') || a.roles.includes('clerk');
/** A packet is seen by an active member cleared for its marking, of its sending party; of a recipient party once submitted; of a third party once released to it. */
function seesPacket(a: Actor, p: PacketFact): boolean {
  if (!active(a) || LEVELS.indexOf(a.clearance) < LEVELS.indexOf(p.level)) return false;
  return a.party === p.sender || (p.submitted && p.recipients.includes(a.party)) || p.executedTo.includes(a.party);
}
/** A release is seen by who sees its packet, and is its originator, its requester, or its third party once executed. */
function seesRelease(a: Actor, r: ReleaseFact): boolean {
  return seesPacket(a, r.packet) && (a.party === r.packet.sender || a.party === r.requester || (a.party === r.third && r.state === 'executed'));
}

type Expect = 'allow' | 'refuse' | 'like-missing' | '401';
type Obj = { kind: 'none' } | { kind: 'packet'; p: PacketFact } | { kind: 'release'; r: ReleaseFact } | { kind: 'missing' } | { kind: 'party' | 'member'; value: string };

/**
 * How each route treats the object it is probed on, decided here route by route; a route of the
 * hub's table without a rule fails the test (so a new route is never left out of the matrix).
 *   public, challenge  anyone, logged in or not
 *   token              the login answer: the probe's signature is fake, so 401 for everyone
 *   member             no object of its own (or a party, or a member): any active member; a POST probe is refused
 *   member-action      like member, but the POST changes nothing harmful and is allowed (logout, a checkpoint)
 *   packet             as visible as the packet
 *   packet-reader      as visible as the packet, and only to a receiving role (contact, clerk)
 *   packet-sender      the sending party only (submit)
 *   packet-multipart   an upload: the probe is not multipart, so a refusal (415) for everyone who sees the packet or not
 *   request            the packet's request: its sender and recipients, once submitted
 *   release            as visible as the release
 *   colleague          a member's own party only
 *   unseeded           objects the matrix does not create (oral and authenticity requests): probed as missing ones only
 */
type Rule = 'public' | 'challenge' | 'token' | 'member' | 'member-action' | 'packet' | 'packet-reader' | 'packet-sender' | 'packet-multipart' | 'request' | 'release' | 'colleague' | 'unseeded';

const RULES: Record<string, Rule> = {
  'GET /v1/hub': 'public',
  'GET /v1/agreements': 'public',
  'GET /v1/agreements/:id': 'public',
  'GET /v1/openapi.json': 'public',
  'GET /v1/docs': 'public',
  'GET /v1/docs/reference.css': 'public',
  'POST /v1/auth/challenge': 'challenge',
  'POST /v1/auth/token': 'token',
  'POST /v1/auth/logout': 'member-action',
  'GET /v1/me': 'member',
  'GET /v1/parties/:party/members': 'member',
  'GET /v1/parties/:party/rotations': 'member',
  'GET /v1/parties/:party/contacts': 'member',
  'POST /v1/parties/:party/contacts': 'member',
  'POST /v1/members': 'member',
  'POST /v1/members/:fingerprint/statements': 'member',
  'GET /v1/members/:fingerprint/awaiting-wraps': 'colleague',
  'POST /v1/members/:fingerprint/revocation': 'member',
  'POST /v1/officers/rotation': 'member',
  'GET /v1/packets': 'member',
  'POST /v1/packets': 'member',
  'GET /v1/packets/:id': 'packet',
  'POST /v1/packets/:id/revisions': 'packet-multipart',
  'POST /v1/packets/:id/submit': 'packet-sender',
  'GET /v1/packets/:id/parts/:partId': 'packet-reader',
  'POST /v1/packets/:id/wraps': 'packet-reader',
  'GET /v1/packets/:id/releases': 'packet',
  'POST /v1/packets/:id/releases': 'packet',
  'GET /v1/releases': 'member',
  'GET /v1/releases/:id': 'release',
  'POST /v1/releases/:id/decision': 'release',
  'POST /v1/releases/:id/execute': 'release',
  'GET /v1/packets/:id/receipts': 'packet',
  'POST /v1/packets/:id/receipts': 'packet-reader',
  'GET /v1/packets/:id/evidence': 'packet',
  'GET /v1/audit': 'member',
  'GET /v1/audit/checkpoints/latest': 'member',
  'POST /v1/audit/checkpoints': 'member-action',
  'GET /v1/requests': 'member',
  'GET /v1/requests/:id': 'request',
  'POST /v1/requests/:id/state': 'packet',
  'POST /v1/requests/:id/delay': 'packet',
  'GET /v1/deadlines': 'member',
  'GET /v1/oral-requests': 'member',
  'POST /v1/oral-requests': 'member',
  'POST /v1/oral-requests/:id/demand': 'unseeded',
  'POST /v1/oral-requests/:id/confirm': 'unseeded',
  'GET /v1/packets/:id/authenticity': 'packet',
  'POST /v1/packets/:id/authenticity': 'packet',
  'GET /v1/authenticity/:id': 'unseeded',
  'POST /v1/authenticity/:id/confirm': 'unseeded',
  'GET /v1/packets/:id/purpose-changes': 'packet',
  'POST /v1/packets/:id/purpose-changes': 'packet',
};

function expected(route: string, a: Actor, o: Obj): Expect {
  const rule = expectationOf(RULES, route);
  if (rule === 'public' || rule === 'challenge') return 'allow';
  if (rule === 'token') return '401';
  if (!active(a)) return '401';
  if (o.kind === 'missing') return 'like-missing';
  const get = route.startsWith('GET ');
  const mayDo = (sees: boolean): Expect => (sees ? (get ? 'allow' : 'refuse') : 'like-missing');
  switch (rule) {
    case 'member':
      return get ? 'allow' : 'refuse';
    case 'member-action':
      return 'allow';
    case 'colleague':
      if (o.kind !== 'member') break;
      // Which packets wait for a colleague's key says which packets a party holds: the colleague's own party only.
      return a.party === CAST[o.value as Key].party ? 'allow' : 'like-missing';
    case 'release':
      if (o.kind !== 'release') break;
      return mayDo(seesRelease(a, o.r));
    case 'unseeded':
      break;
    default: {
      if (o.kind !== 'packet') break;
      const p = o.p;
      const sees = seesPacket(a, p);
      if (rule === 'packet-multipart') return 'refuse';
      if (rule === 'packet-reader') return mayDo(sees && receives(a));
      if (rule === 'packet-sender') return sees && a.party === p.sender ? 'refuse' : 'like-missing';
      if (rule === 'request') {
        if (!sees || !(a.party === p.sender || p.recipients.includes(a.party))) return 'like-missing';
        return p.submitted ? 'allow' : 'refuse';
      }
      return mayDo(sees);
    }
  }
  throw new Error(`${route} (rule ${rule}) was probed on an object of kind ${o.kind}: the probes and the rules disagree`);
}

// --- the world the matrix runs in ------------------------------------------------------------

let cast: Cast<Key>;
const actors: Actor[] = [];
const packets: PacketFact[] = [];
const releases: ReleaseFact[] = [];
const now = () => cast.world.clock.now();
const FAKE_SIGNATURE = '-----BEGIN PGP SIGNATURE-----\n\nwnUEARYKAB0WIQQ=\n=AAAA\n-----END PGP SIGNATURE-----\n';

beforeAll(async () => {
  cast = await setUp(CAST);
  const readers = (['ruContact', 'ruClerk', 'pkContact', 'pkClerk'] as const).map((k) => cast.people[k]);
  const parts = [
    { role: 'original' as const, lang: 'ru', text: 'Запрос о правовой помощи.' },
    { role: 'translation' as const, lang: 'en', text: 'Request for legal assistance.' },
  ];
  const send = async (label: string, submit: boolean): Promise<{ fact: PacketFact; built: BuiltPacket }> => {
    const built = await buildPacket({ sender: cast.people.ruContact, readers, date: now(), parts: submit ? parts : parts.slice(0, 1) });
    await uploadRequest(cast.app, cast.tokens.ruContact, built, submit).expect(201);
    const fact: PacketFact = { label, id: built.manifest.packetId, sender: 'RU', recipients: ['PK'], level: 'SECRET', submitted: submit, executedTo: [] };
    packets.push(fact);
    return { fact, built };
  };
  const ask = async (p: PacketFact, label: string): Promise<{ fact: ReleaseFact; release: Release }> => {
    const release = (await post(cast.app, `/v1/packets/${p.id}/releases`, cast.tokens.pkContact).send({ thirdParty: 'KZ', purpose: 'Совместное расследование' }).expect(201)).body as Release;
    const fact: ReleaseFact = { label, id: release.id, packet: p, requester: 'PK', third: 'KZ', state: 'requested' };
    releases.push(fact);
    return { fact, release };
  };
  const decide = async (r: { fact: ReleaseFact; release: Release }, kind: 'consent' | 'refuse') => {
    await post(cast.app, `/v1/releases/${r.release.id}/decision`, cast.tokens.ruOfficer).send(await decision(r.release, cast.people.ruOfficer, kind, now(), kind === 'refuse' ? { reason: 'Источник под угрозой' } : {})).expect(200);
    r.fact.state = kind === 'consent' ? 'consented' : 'refused';
  };

  const submitted = await send('submitted packet', true);
  const released = await send('packet released to KZ', true);
  await send('packet with a KZ release only requested', true).then((p) => ask(p.fact, 'requested release'));
  await send('draft', false);
  const consented = await ask(submitted.fact, 'consented release');
  await decide(consented, 'consent');
  await decide(await ask(submitted.fact, 'refused release'), 'refuse');
  const executed = await ask(released.fact, 'executed release');
  await decide(executed, 'consent');
  await post(cast.app, `/v1/releases/${executed.release.id}/execute`, cast.tokens.pkContact).send({ wraps: await wrapsFor(released.built, cast.people.pkContact, [cast.people.kzContact, cast.people.kzClerk], now()) }).expect(200);
  executed.fact.state = 'executed';
  released.fact.executedTo.push('KZ');

  for (const k of Object.keys(CAST) as Key[]) actors.push({ label: k, party: CAST[k].party, roles: CAST[k].roles, clearance: CAST[k].clearance, status: 'active', token: cast.tokens[k] });
  actors.push({ label: 'anonymous', party: '-', roles: [], clearance: 'RESTRICTED', status: 'anonymous' });

  // Three PK contacts who could act once and no longer can: revoked, expired, not yet valid.
  const officer = cast.world.officers.get('PK')!;
  const officerToken = await login(cast.app, officer, now());
  const enroll = async (name: string, extra: { validUntil?: string } = {}): Promise<{ person: Person; token: string }> => {
    const person = await makePerson(name, 'PK', now());
    const { statement, signature } = await signMembership(officer, person.armoredPublicKey, { party: 'PK', roles: ['contact'], clearance: 'TOP SECRET', ...extra }, now());
    await post(cast.app, '/v1/members', officerToken).send({ publicKey: person.armoredPublicKey, statement, signature }).expect(201);
    return { person, token: await login(cast.app, person, now()) };
  };
  const revoked = await enroll('Revoked Contact');
  const expiring = await enroll('Expiring Contact', { validUntil: new Date(now().getTime() + 60_000).toISOString() });
  const later = await enroll('Later Contact');
  await post(cast.app, `/v1/members/${revoked.person.fingerprint}/revocation`, officerToken).send(await signRevocation(officer, revoked.person, 'Ключ утерян', now())).expect(200);
  const current = MembershipStatement.parse(JSON.parse((await cast.hub.hub.store.members.get(later.person.fingerprint))!.statement!));
  const restated = await signRestatement(officer, current, {}, now());
  const notYet = canonicalize({ ...(JSON.parse(restated.statement) as MembershipStatement), validFrom: '2099-01-01T00:00:00.000Z' });
  await post(cast.app, `/v1/members/${later.person.fingerprint}/statements`, officerToken).send({ statement: notYet, signature: await signDetached('membership', notYet, officer.key, now()) }).expect(200);
  cast.world.clock.advance(61_000);
  for (const [label, status, token] of [['revoked PK contact', 'revoked', revoked.token], ['expired PK contact', 'expired', expiring.token], ['not-yet-valid PK contact', 'not-yet-valid', later.token]] as const) {
    actors.push({ label, party: 'PK', roles: ['contact'], clearance: 'TOP SECRET', status, token });
  }
});
afterAll(() => tearDown(cast));

// --- calling a cell --------------------------------------------------------------------------


/** Bodies built so that nothing changes, whoever sends them: each is refused after the object is found. */
const PROBES: Record<string, object> = {
  'POST /v1/auth/challenge': { fingerprint: 'A'.repeat(40) },
  'POST /v1/auth/token': { fingerprint: 'A'.repeat(40), challenge: 'liaison-login/1 probe', signature: FAKE_SIGNATURE },
  'POST /v1/releases/:id/decision': { decision: '{"probe":true}', signature: FAKE_SIGNATURE },
  'POST /v1/releases/:id/execute': { wraps: [{ partId: 'no-such-part', pkesk: 'AAAA' }] },
  'POST /v1/packets/:id/wraps': { fingerprint: 'B'.repeat(40), wraps: [{ partId: 'no-such-part', pkesk: 'AAAA' }] },
  'POST /v1/packets/:id/receipts': { statement: '{"probe":true}', signature: FAKE_SIGNATURE },
  'POST /v1/packets/:id/releases': { thirdParty: 'ZZ', purpose: 'probe of the matrix' },
  'POST /v1/requests/:id/state': { state: 'refused' },
  'POST /v1/requests/:id/delay': { packetId: randomUUID() },
  'POST /v1/packets/:id/purpose-changes': { purpose: 'probe of the matrix' },
  'POST /v1/authenticity/:id/confirm': { confirmation: '{"probe":true}', signature: FAKE_SIGNATURE },
  'POST /v1/oral-requests/:id/confirm': { packetId: randomUUID() },
  'POST /v1/members/:fingerprint/statements': { statement: '{"probe":true}', signature: FAKE_SIGNATURE },
  'POST /v1/members/:fingerprint/revocation': { statement: '{"probe":true}', signature: FAKE_SIGNATURE },
};

const packetObj = (p: PacketFact): Obj => ({ kind: 'packet', p });
const releaseObj = (r: ReleaseFact): Obj => ({ kind: 'release', r });
const valueObj = (kind: 'party' | 'member', value: string): Obj => ({ kind, value });

function objectsOf(route: string): Array<{ obj: Obj; path: string; missingPath: string }> {
  const path = route.split(' ')[1]!;
  const MISSING = '00000000-0000-4000-8000-000000000000';
  if (path.includes(':partId')) {
    const missingPath = path.replace(':id', MISSING).replace(':partId', 'p1');
    return [...packets.map((p) => ({ obj: packetObj(p), path: path.replace(':id', p.id).replace(':partId', 'p1'), missingPath })), { obj: { kind: 'missing' }, path: missingPath, missingPath }];
  }
  if (path.includes(':id') && (path.startsWith('/v1/packets/') || path.startsWith('/v1/requests/'))) {
    const missingPath = path.replace(':id', MISSING);
    return [...packets.map((p) => ({ obj: packetObj(p), path: path.replace(':id', p.id), missingPath })), { obj: { kind: 'missing' }, path: missingPath, missingPath }];
  }
  if (path.includes(':id') && path.startsWith('/v1/releases/')) {
    const missingPath = path.replace(':id', MISSING);
    return [...releases.map((r) => ({ obj: releaseObj(r), path: path.replace(':id', r.id), missingPath })), { obj: { kind: 'missing' }, path: missingPath, missingPath }];
  }
  if (path.includes(':id') && path.startsWith('/v1/agreements/')) return [{ obj: { kind: 'none' }, path: path.replace(':id', 'RU-PK'), missingPath: '' }];
  if (path.includes(':id')) {
    const missingPath = path.replace(':id', MISSING);
    return [{ obj: { kind: 'missing' }, path: missingPath, missingPath }];
  }
  if (path.includes(':party')) return ['RU', 'PK', 'KZ'].map((party) => ({ obj: valueObj('party', party), path: path.replace(':party', party), missingPath: '' }));
  if (path.includes(':fingerprint')) return [{ obj: valueObj('member', 'pkContact'), path: path.replace(':fingerprint', cast.people.pkContact.fingerprint), missingPath: path.replace(':fingerprint', 'F'.repeat(40)) }];
  return [{ obj: { kind: 'none' }, path, missingPath: '' }];
}

function call(route: string, path: string, a: Actor) {
  const method = route.split(' ')[0]!.toLowerCase() as 'get' | 'post';
  let r = request(cast.app)[method](path);
  if (a.token) r = r.set('Authorization', `Bearer ${a.token}`);
  return method === 'post' ? r.send(PROBES[route] ?? {}) : r;
}

const describeCell = (route: string, a: Actor, o: Obj) =>
  `${route} by ${a.label} on ${o.kind === 'packet' ? o.p.label : o.kind === 'release' ? o.r.label : o.kind === 'party' || o.kind === 'member' ? o.value : o.kind}`;

// --- the matrix --------------------------------------------------------------------------------

describe('the authorization matrix', () => {
  it('lists exactly what the oracle says each actor may see', async () => {
    for (const a of actors.filter(active)) {
      const listed = ((await request(cast.app).get('/v1/packets?box=all').set('Authorization', `Bearer ${a.token}`).expect(200)).body as { items: Array<{ packetId: string }> }).items.map((p) => p.packetId);
      expect(listed.filter((id) => packets.some((p) => p.id === id)).sort(), a.label).toEqual(packets.filter((p) => seesPacket(a, p)).map((p) => p.id).sort());
      const pending = ((await request(cast.app).get('/v1/releases').set('Authorization', `Bearer ${a.token}`).expect(200)).body as { items: Release[] }).items.map((r) => r.id);
      expect(pending.sort(), a.label).toEqual(releases.filter((r) => seesRelease(a, r)).map((r) => r.id).sort());
    }
  });

  it('has a rule for every route of the route table, and the app serves exactly those routes', () => {
    expectEveryRouteCovered(RULES, 'a rule of the matrix');
    expectAppServesTheTable(cast.app);
  });

  it('answers every cell as the reference oracle says', async () => {
    const routes = HUB_ROUTES.map((r) => r.key);
    // Logout last: it ends the actor's session.
    const ordered = [...routes.filter((r) => r !== 'POST /v1/auth/logout'), 'POST /v1/auth/logout'];
    const wrong: string[] = [];
    let cells = 0;
    for (const route of ordered) {
      for (const a of actors) {
        for (const { obj, path, missingPath } of objectsOf(route)) {
          const want = expected(route, a, obj);
          const res = await call(route, path, a);
          cells++;
          const where = `${describeCell(route, a, obj)}: expected ${want}, got ${res.status}`;
          if (res.status >= 500) {
            wrong.push(where);
            continue;
          }
          if (want === '401' && res.status !== 401) wrong.push(where);
          if (want === 'allow' && (res.status < 200 || res.status > 299)) wrong.push(where);
          if (want === 'refuse' && (res.status < 400 || res.status === 401 || res.status === 404)) wrong.push(where);
          if (want === 'like-missing') {
            const missing = await call(route, missingPath, a);
            if (res.status !== missing.status || JSON.stringify(res.body) !== JSON.stringify(missing.body)) wrong.push(`${where} (missing: ${missing.status})`);
          }
        }
      }
    }
    console.log(`authorization matrix: ${cells} cells checked over ${routes.length} routes and ${actors.length} actors, ${wrong.length} wrong`);
    expect(wrong).toEqual([]);
    expect(cells).toBeGreaterThan(1000);
  });

});
