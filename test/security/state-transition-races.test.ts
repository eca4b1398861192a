/**
 * Race every state transition from two clients at once, many rounds (every
 * transition of the class, not only the ones a review found): executing one release twice, moving one request twice, deciding one
 * purpose change both ways, answering one authenticity request twice, submitting one draft twice,
 * revoking one key twice. Each time exactly one change lands, the other answers 409, and the audit
 * log and the receipts hold exactly the change that landed. (Consent against refusal of a release:
 * consent-and-refusal-together.test.ts; duplicate uploads, revisions, enrolments and checkpoints:
 * lost-races-answer-409.test.ts.)
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMembership, signRevocation } from '../../client/core/officer.ts';
import { signDetached } from '../../keys/signatures.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import type { Release } from '../../protocol/release.ts';
import { AUTHENTICITY_FORMAT } from '../../protocol/requests.ts';
import { buildPacket, buildRevision, login, uploadRequest } from '../helpers/packets.ts';
import { makePerson, sqliteOf } from '../helpers/world.ts';
import { auditOf, decision, expectProblem, labelsOf, post, sendPacket, setUp, tearDown, together, wrapsFor, type Cast, type CastMember } from './support.ts';

const CAST = {
  ruContact: { name: 'Ivan Petrov', party: 'RU', roles: ['contact'], clearance: 'TOP SECRET' },
  ruClerk: { name: 'Olga Smirnova', party: 'RU', roles: ['clerk'], clearance: 'SECRET' },
  ruOfficer: { name: 'Sergei Volkov', party: 'RU', roles: ['officer'], clearance: 'TOP SECRET' },
  pkContact: { name: 'Ayesha Khan', party: 'PK', roles: ['contact'], clearance: 'SECRET' },
  pkSecond: { name: 'Imran Shah', party: 'PK', roles: ['contact'], clearance: 'SECRET' },
  pkOfficer: { name: 'Farhan Malik', party: 'PK', roles: ['officer'], clearance: 'TOP SECRET' },
  kzContact: { name: 'Aigerim Nurlanovna', party: 'KZ', roles: ['contact'], clearance: 'SECRET' },
  byContact: { name: 'Andrei Kovalenko', party: 'BY', roles: ['contact'], clearance: 'SECRET' },
} as const satisfies Record<string, CastMember>;
type Key = keyof typeof CAST;
let cast: Cast<Key>;
const ROUNDS = 5;
const now = () => cast.world.clock.now();
const RU_PK_READERS = ['ruContact', 'ruClerk', 'pkContact', 'pkSecond'];
const PK_BY_READERS = ['pkContact', 'pkSecond', 'byContact'];

beforeAll(async () => {
  cast = await setUp(CAST);
});
afterAll(() => tearDown(cast));

/** Exactly one answer is 2xx, the other a 409 problem; returns the winner. */
function oneWins<T extends { status: number }>(answers: [T, T], what: string): T {
  const won = answers.filter((a) => a.status >= 200 && a.status < 300);
  expect(won, `${what}: ${answers.map((a) => a.status).join(', ')}`).toHaveLength(1);
  expectProblem(answers.find((a) => a.status >= 300) as unknown as Parameters<typeof expectProblem>[0], 409);
  return won[0]!;
}
const eventsAbout = async (object: string, action: string) => (await auditOf(cast)).filter((e) => e.object === object && e.action === action);

describe('two clients race one transition', () => {
  it('executing one consented release twice: one execution, one set of wraps, one receipt', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const packet = await sendPacket(cast, 'ruContact', RU_PK_READERS);
      const release = (await post(cast.app, `/v1/packets/${packet.manifest.packetId}/releases`, cast.tokens.pkContact).send({ thirdParty: 'KZ', purpose: 'joint investigation' }).expect(201)).body as Release;
      await post(cast.app, `/v1/releases/${release.id}/decision`, cast.tokens.ruOfficer).send(await decision(release, cast.people.ruOfficer, 'consent', now())).expect(200);
      const [a, b] = await Promise.all([wrapsFor(packet, cast.people.pkContact, [cast.people.kzContact], now()), wrapsFor(packet, cast.people.pkSecond, [cast.people.kzContact], now())]);
      oneWins(await together(() => post(cast.app, `/v1/releases/${release.id}/execute`, cast.tokens.pkContact).send({ wraps: a }), () => post(cast.app, `/v1/releases/${release.id}/execute`, cast.tokens.pkSecond).send({ wraps: b })), `round ${round}`);
      expect(await eventsAbout(release.id, 'release.execute')).toHaveLength(1);
      const wrapRows = sqliteOf(cast.hub).db.prepare('SELECT COUNT(*) AS n FROM wraps WHERE release_id = ?').get(release.id) as { n: number };
      expect(wrapRows.n).toBe(packet.files.length);
      expect((await cast.hub.hub.store.receipts.ofPacket(packet.manifest.packetId)).filter((r) => r.kind === 'release-executed')).toHaveLength(1);
      expect((await cast.hub.hub.store.releases.get(release.id))!.state).toBe('executed');
    }
  });

  it('moving one request to acknowledged twice: one event, one audit entry', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const packet = await sendPacket(cast, 'ruContact', RU_PK_READERS);
      const id = packet.manifest.packetId;
      oneWins(await together(() => post(cast.app, `/v1/requests/${id}/state`, cast.tokens.pkContact).send({ state: 'acknowledged' }), () => post(cast.app, `/v1/requests/${id}/state`, cast.tokens.pkSecond).send({ state: 'acknowledged' })), `round ${round}`);
      expect((await cast.hub.hub.store.requests.events(id, 'PK')).map((e) => e.state)).toEqual(['acknowledged']);
      expect(await eventsAbout(id, 'request.acknowledged')).toHaveLength(1);
    }
  });

  it('consent and refusal of one purpose change (PK-BY): one decision, everywhere', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const packet = await sendPacket(cast, 'pkContact', PK_BY_READERS, { agreementId: 'PK-BY', to: ['BY'] });
      const change = (await post(cast.app, `/v1/packets/${packet.manifest.packetId}/purpose-changes`, cast.tokens.byContact).send({ purpose: 'Use in a court case' }).expect(201)).body as Release;
      const consent = await decision(change, cast.people.pkOfficer, 'consent', now());
      const refusal = await decision(change, cast.people.pkOfficer, 'refuse', now(), { reason: 'Not for court use' });
      const send = (body: object) => () => post(cast.app, `/v1/releases/${change.id}/decision`, cast.tokens.pkOfficer).send(body);
      const won = oneWins(await together(send(consent), send(refusal)), `round ${round}`);
      const state = (won.body as Release).state;
      const decided = (await auditOf(cast)).filter((e) => e.object === change.id && /^release\.(consent|refuse)$/.test(e.action));
      expect(decided.map((e) => e.action)).toEqual([state === 'consented' ? 'release.consent' : 'release.refuse']);
      expect((await cast.hub.hub.store.releases.get(change.id))!.state).toBe(state);
    }
  });

  it('two answers to one authenticity request (PK-BY): one confirmation on record', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const packet = await sendPacket(cast, 'pkContact', PK_BY_READERS, { agreementId: 'PK-BY', to: ['BY'] });
      const asked = (await post(cast.app, `/v1/packets/${packet.manifest.packetId}/authenticity`, cast.tokens.byContact).expect(201)).body as { id: string };
      const confirm = async (who: 'pkContact' | 'pkOfficer') => {
        const text = canonicalize({ format: AUTHENTICITY_FORMAT, requestId: asked.id, packetId: packet.manifest.packetId, manifestSha256: createHash('sha256').update(packet.manifestText).digest('hex'), confirmedBy: cast.people[who].fingerprint, confirmedAt: now().toISOString() });
        return { confirmation: text, signature: await signDetached('authenticity', text, cast.people[who].key, now()) };
      };
      const [a, b] = await Promise.all([confirm('pkContact'), confirm('pkOfficer')]);
      const won = oneWins(await together(() => post(cast.app, `/v1/authenticity/${asked.id}/confirm`, cast.tokens.pkContact).send(a), () => post(cast.app, `/v1/authenticity/${asked.id}/confirm`, cast.tokens.pkOfficer).send(b)), `round ${round}`);
      const stored = (await cast.hub.hub.store.requests.getAuthenticity(asked.id))!;
      expect(stored.confirmedBy).toBe((won.body as { confirmedBy: string }).confirmedBy);
      expect(await eventsAbout(asked.id, 'authenticity.confirm')).toHaveLength(1);
    }
  });

  it('submitting one complete draft twice: one submission, one receipt of acceptance', async () => {
    const readers = RU_PK_READERS.map((k) => cast.people[k as Key]);
    for (let round = 0; round < ROUNDS; round++) {
      const draft = await buildPacket({ sender: cast.people.ruContact, readers, date: now(), labels: labelsOf('RU-PK', 'SECRET'), parts: [{ role: 'original', lang: 'ru', text: 'Черновик.' }] });
      await uploadRequest(cast.app, cast.tokens.ruContact, draft, false).expect(201);
      const revision = await buildRevision(draft.manifest, cast.people.ruClerk, readers, { role: 'translation', lang: 'en', text: 'Draft.' }, now());
      await uploadRequest(cast.app, cast.tokens.ruClerk, revision, false, `/v1/packets/${draft.manifest.packetId}/revisions`).expect(201);
      const id = draft.manifest.packetId;
      oneWins(await together(() => post(cast.app, `/v1/packets/${id}/submit`, cast.tokens.ruContact), () => post(cast.app, `/v1/packets/${id}/submit`, cast.tokens.ruContact)), `round ${round}`);
      expect(await eventsAbout(id, 'packet.submit')).toHaveLength(1);
      expect((await cast.hub.hub.store.receipts.ofPacket(id)).filter((r) => r.kind === 'submission-accepted')).toHaveLength(1);
    }
  });

  it('revoking one key twice (its officer and its holder at once): one revocation stands', async () => {
    const officer = cast.world.officers.get('PK')!;
    const officerToken = await login(cast.app, officer, now());
    for (let round = 0; round < ROUNDS; round++) {
      const person = await makePerson(`Spare Member ${round}`, 'PK', now());
      const { statement, signature } = await signMembership(officer, person.armoredPublicKey, { party: 'PK', roles: ['clerk'], clearance: 'RESTRICTED' }, now());
      await post(cast.app, '/v1/members', officerToken).send({ publicKey: person.armoredPublicKey, statement, signature }).expect(201);
      const own = await login(cast.app, person, now());
      const [byOfficer, bySelf] = await Promise.all([signRevocation(officer, person, 'Left the service', now()), signRevocation(person, person, 'Key lost', now())]);
      const path = `/v1/members/${person.fingerprint}/revocation`;
      oneWins(await together(() => post(cast.app, path, officerToken).send(byOfficer), () => post(cast.app, path, own).send(bySelf)), `round ${round}`);
      expect(await eventsAbout(person.fingerprint, 'member.revoke')).toHaveLength(1);
    }
  });
});
