/**
 * A provisional agreement (PK-BY, news item 003: no signed text yet): exchanges run under
 * conservative defaults that say so. English is required, any third party needs consent, a
 * refusal needs written reasons, and 30 days are assumed for execution; every refusal cites the
 * provisional rule, so nobody mistakes it for a treaty obligation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGREEMENTS_DIR } from '../helpers/world.ts';
import { CANARY, DAY, agreementIn, expectRefusal, get, makeScene, person, post, sendPacket, type Scene } from './support.ts';

let scene: Scene;
const pkBy = agreementIn(AGREEMENTS_DIR, 'PK-BY');
const ARTICLE = 'PK-BY (provisional; news item 003)';

beforeAll(async () => {
  scene = await makeScene(AGREEMENTS_DIR, ['PK', 'BY', 'RU']);
});
afterAll(async () => {
  await scene?.close();
});

describe('PK-BY (provisional): conservative defaults, said to be provisional', () => {
  it('shows its workflow rules as provisional', async () => {
    const { agreement: a, rules } = (await get(scene, person(scene, 'PK'), '/v1/agreements/PK-BY').expect(200)).body;
    expect(rules.every((r: { provisional: boolean }) => r.provisional)).toBe(true);
    expect(a.provisional).toBe(true);
    expect(a.workflow.requestContents).toMatchObject({ article: ARTICLE, provisional: true });
    expect(a.deadlines.execution).toMatchObject({ days: 30, provisional: true });
  });

  it('runs a request with a provisional deadline, and a refusal needs reasons', async () => {
    const id = await sendPacket(scene, pkBy, 'PK', ['BY'], 'request', [{ role: 'original', lang: 'en', text: `Request concerning a narcotics shipment. ${CANARY}` }]);
    const [view] = (await get(scene, person(scene, 'BY'), `/v1/requests/${id}`).expect(200)).body;
    expect(view).toMatchObject({ due: 'due', deadlineArticle: ARTICLE });
    expect(Date.parse(view.dueAt) - Date.parse(view.receivedAt)).toBe(30 * DAY);
    await get(scene, person(scene, 'RU'), `/v1/requests/${id}`).expect(404);

    const by = person(scene, 'BY');
    expectRefusal(await post(scene, by, `/v1/requests/${id}/state`, { state: 'refused' }), 422, ARTICLE);
    expectRefusal(await post(scene, by, `/v1/requests/${id}/state`, { state: 'deferred' }), 422, ARTICLE);
    const reasons = await sendPacket(scene, pkBy, 'BY', ['PK'], 'refusal', [{ role: 'original', lang: 'en', text: `No jurisdiction over the shipment. ${CANARY}` }], { inReplyTo: id });
    await post(scene, by, `/v1/requests/${id}/state`, { state: 'refused', packetId: reasons }).expect(200);

    // Authenticity confirmation is a provisional default too.
    expect((await post(scene, by, `/v1/packets/${id}/authenticity`).expect(201)).body.article).toBe(ARTICLE);
    // An oral request is confirmed only on demand under the default.
    const oral = (await post(scene, by, '/v1/oral-requests', { agreementId: 'PK-BY', requestingParty: 'PK', requestedParty: 'BY' }).expect(201)).body;
    expect(oral).toMatchObject({ confirmation: 'on-demand', due: 'no-deadline', article: ARTICLE });
  });
});
