/**
 * Attack: send the originating officer's signed consent and signed refusal of one release at the
 * same moment. Before the fix both answered 200, the log and the receipts held
 * both decisions, and the release could then be executed. Exactly one decision may land; the
 * other is a 409 problem, and the audit log, the receipts and the release agree on which.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Release } from '../../protocol/release.ts';
import { RU_PK_CAST, auditOf, decision, expectProblem, post, sendPacket, setUp, tearDown, together, wrapsFor, type Cast } from './support.ts';

type Key = keyof typeof RU_PK_CAST;
let cast: Cast<Key>;
const ROUNDS = 12;
const now = () => cast.world.clock.now();

beforeAll(async () => {
  cast = await setUp(RU_PK_CAST);
});
afterAll(() => tearDown(cast));

describe('a consent and a refusal of one release sent together', () => {
  it(`lands exactly one of them, ${ROUNDS} rounds out of ${ROUNDS}, and everything agrees with it`, async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const packet = await sendPacket(cast, 'ruContact', ['ruContact', 'ruClerk', 'pkContact']);
      const id = packet.manifest.packetId;
      const release = (await post(cast.app, `/v1/packets/${id}/releases`, cast.tokens.pkContact).send({ thirdParty: 'KZ', purpose: 'Совместное расследование / joint investigation' }).expect(201)).body as Release;
      const consent = await decision(release, cast.people.ruOfficer, 'consent', now());
      const refusal = await decision(release, cast.people.ruOfficer, 'refuse', now(), { reason: 'Источник под угрозой / the source is at risk' });
      const send = (body: object) => () => post(cast.app, `/v1/releases/${release.id}/decision`, cast.tokens.ruOfficer).send(body);
      // Alternate which one is sent first, so neither order is favoured.
      const [a, b] = round % 2 === 0 ? await together(send(consent), send(refusal)) : await together(send(refusal), send(consent));
      const answers = [a, b];
      const won = answers.filter((r) => r.status === 200);
      const lost = answers.filter((r) => r.status !== 200);
      expect(won, `round ${round}: ${answers.map((r) => r.status).join(', ')}`).toHaveLength(1);
      expectProblem(lost[0]!, 409);
      const state = (won[0]!.body as Release).state;
      outcomes.push(state);

      const events = (await auditOf(cast)).filter((e) => e.object === release.id && (e.action === 'release.consent' || e.action === 'release.refuse'));
      expect(events.map((e) => e.action)).toEqual([state === 'consented' ? 'release.consent' : 'release.refuse']);
      const receipts = (await cast.hub.hub.store.receipts.ofPacket(id)).map((r) => r.kind).filter((k) => k === 'release-consented' || k === 'release-refused');
      expect(receipts).toEqual([state === 'consented' ? 'release-consented' : 'release-refused']);
      expect((await cast.hub.hub.store.releases.get(release.id))!.state).toBe(state);

      // The release can be executed exactly when the consent is the decision that landed.
      const wraps = await wrapsFor(packet, cast.people.pkContact, [cast.people.kzContact], now());
      const executed = await post(cast.app, `/v1/releases/${release.id}/execute`, cast.tokens.pkContact).send({ wraps });
      if (state === 'consented') expect(executed.status).toBe(200);
      else expectProblem(executed, 403, 'RU-PK Art. 7(4)');
    }
    expect(outcomes).toHaveLength(ROUNDS);
  });
});
