/**
 * RU-PK scenario (agreement 000): a Russian request to Pakistan with its English translation
 * (Art. 6), acknowledged, refused in part with written reasons (Art. 11), then executed; an oral
 * request confirmed in writing on Pakistan's demand (Art. 5); steps the agreement does not
 * provide for are refused citing it. Real HTTP, real keys, real SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGREEMENTS_DIR } from '../helpers/world.ts';
import { CANARY, agreementIn, auditedActions, expectNoCanaryOnHub, expectRefusal, get, makeScene, person, post, sendPacket, type Scene } from './support.ts';

let scene: Scene;
const ruPk = agreementIn(AGREEMENTS_DIR, 'RU-PK');
const RU = `Запрос: просим установить владельцев банковских счетов. ${CANARY}`;
const EN = `Request: please identify the holders of the bank accounts. ${CANARY}`;
const REASONS = `Reasons for refusal in part: the records older than ten years were destroyed under our law. ${CANARY}`;

beforeAll(async () => {
  scene = await makeScene(AGREEMENTS_DIR, ['RU', 'PK', 'KZ']);
});
afterAll(async () => {
  await scene?.close();
});

describe('RU-PK: a request, its state and its refusal with reasons', () => {
  let requestId: string;

  it('receives a request; only the requested party moves it, and every change is audited', async () => {
    requestId = await sendPacket(scene, ruPk, 'RU', ['PK'], 'request', [
      { role: 'original', lang: 'ru', text: RU },
      { role: 'translation', lang: 'en', text: EN },
    ]);
    const [view] = (await get(scene, person(scene, 'PK'), `/v1/requests/${requestId}`).expect(200)).body;
    // RU-PK sets no execution deadline: none is invented.
    expect(view).toMatchObject({ requestingParty: 'RU', requestedParty: 'PK', state: 'received', due: 'no-deadline' });
    expect(view.dueAt).toBeUndefined();

    expectRefusal(await post(scene, person(scene, 'RU'), `/v1/requests/${requestId}/state`, { state: 'acknowledged' }), 403);
    expectRefusal(await post(scene, person(scene, 'KZ'), `/v1/requests/${requestId}/state`, { state: 'acknowledged' }), 404);
    const ack = await post(scene, person(scene, 'PK'), `/v1/requests/${requestId}/state`, { state: 'acknowledged' }).expect(200);
    expect(ack.body.state).toBe('acknowledged');
    expectRefusal(await post(scene, person(scene, 'PK'), `/v1/requests/${requestId}/state`, { state: 'acknowledged' }), 409);
    expectRefusal(await post(scene, person(scene, 'PK'), `/v1/requests/${requestId}/state`, { state: 'acknowledged', note: 'x' }), 400);
  });

  it('refuses a refusal without written reasons, citing Art. 11, and a deferral the agreement does not provide for', async () => {
    expectRefusal(await post(scene, person(scene, 'PK'), `/v1/requests/${requestId}/state`, { state: 'refused' }), 422, 'RU-PK Art. 11');
    expectRefusal(await post(scene, person(scene, 'PK'), `/v1/requests/${requestId}/state`, { state: 'deferred' }), 422, 'RU-PK Art. 15(1)');
    expectRefusal(await post(scene, person(scene, 'PK'), `/v1/requests/${requestId}/state`, { state: 'transferred', authority: 'MOI-NC' }), 422, 'RU-PK Art. 15(1)');
    // A "reasons" packet that does not answer this request does not count.
    const unrelated = await sendPacket(scene, ruPk, 'PK', ['RU'], 'refusal', [{ role: 'original', lang: 'en', text: REASONS }]);
    expectRefusal(await post(scene, person(scene, 'PK'), `/v1/requests/${requestId}/state`, { state: 'refused', packetId: unrelated }), 422, 'RU-PK Art. 11');
  });

  it('records a refusal in part with the reasons packet, then the execution of the rest', async () => {
    const reasons = await sendPacket(scene, ruPk, 'PK', ['RU'], 'refusal', [{ role: 'original', lang: 'en', text: REASONS }], { inReplyTo: requestId });
    const refused = await post(scene, person(scene, 'PK'), `/v1/requests/${requestId}/state`, { state: 'refused', scope: 'part', packetId: reasons }).expect(200);
    expect(refused.body).toMatchObject({ state: 'refused', scope: 'part' });
    const reply = await sendPacket(scene, ruPk, 'PK', ['RU'], 'reply', [{ role: 'original', lang: 'en', text: `The holders are listed in the annex. ${CANARY}` }], { inReplyTo: requestId });
    const executed = await post(scene, person(scene, 'PK'), `/v1/requests/${requestId}/state`, { state: 'executed', packetId: reply }).expect(200);
    expect(executed.body.due).toBe('closed');
    expectRefusal(await post(scene, person(scene, 'PK'), `/v1/requests/${requestId}/state`, { state: 'in-execution' }), 409);

    // The requester sees the whole history, with the packets that carry the writing.
    const [view] = (await get(scene, person(scene, 'RU'), `/v1/requests/${requestId}`).expect(200)).body;
    expect(view.history.map((h: { state: string }) => h.state)).toEqual(['received', 'acknowledged', 'refused', 'executed']);
    expect(view.history[2]).toMatchObject({ packetId: reasons, scope: 'part' });
    expect(await auditedActions(scene, requestId)).toEqual(expect.arrayContaining(['request.acknowledged', 'request.refused', 'request.executed']));
    const refusal = (await scene.app.hub.store.audit.events()).find((e) => e.object === requestId && e.action === 'request.refused')!;
    expect(JSON.parse(refusal.detail)).toMatchObject({ article: 'RU-PK Art. 11', packet: reasons, from: 'acknowledged' });
    // The requester holds a hub-signed receipt of the refusal.
    const receipts = (await get(scene, person(scene, 'RU'), `/v1/packets/${requestId}/receipts`).expect(200)).body.items as Array<{ statement: string }>;
    expect(receipts.map((r) => (JSON.parse(r.statement) as { kind: string; party: string })).filter((r) => r.kind === 'request-refused')).toEqual([expect.objectContaining({ party: 'RU' })]);
  });

  it('confirms an oral request in writing only on the demand of the requested party (Art. 5)', async () => {
    const oral = (await post(scene, person(scene, 'PK'), '/v1/oral-requests', { agreementId: 'RU-PK', requestingParty: 'RU', requestedParty: 'PK' }).expect(201)).body;
    expect(oral).toMatchObject({ confirmation: 'on-demand', due: 'no-deadline', article: 'RU-PK Art. 5' });
    expectRefusal(await post(scene, person(scene, 'RU'), `/v1/oral-requests/${oral.id}/demand`), 403, 'RU-PK Art. 5');
    const demanded = (await post(scene, person(scene, 'PK'), `/v1/oral-requests/${oral.id}/demand`).expect(200)).body;
    expect(demanded.demandedAt).toBeDefined();
    const deadlines = (await get(scene, person(scene, 'RU'), '/v1/deadlines').expect(200)).body.items;
    expect(deadlines).toContainEqual(expect.objectContaining({ what: 'oral-confirmation', id: oral.id, whose: 'mine', state: 'confirmation demanded' }));

    const written = await sendPacket(scene, ruPk, 'RU', ['PK'], 'request', [
      { role: 'original', lang: 'ru', text: RU },
      { role: 'translation', lang: 'en', text: EN },
    ]);
    expectRefusal(await post(scene, person(scene, 'PK'), `/v1/oral-requests/${oral.id}/confirm`, { packetId: written }), 403, 'RU-PK Art. 5');
    const confirmed = (await post(scene, person(scene, 'RU'), `/v1/oral-requests/${oral.id}/confirm`, { packetId: written }).expect(200)).body;
    expect(confirmed).toMatchObject({ confirmedBy: written, due: 'closed' });
    expectRefusal(await post(scene, person(scene, 'RU'), `/v1/oral-requests/${oral.id}/confirm`, { packetId: written }), 409);
    expect(await auditedActions(scene, oral.id)).toEqual(['oral-request.record', 'oral-request.demand', 'oral-request.confirm']);
  });

  it('refuses what RU-PK does not provide for, naming the agreement', async () => {
    const id = (await get(scene, person(scene, 'PK'), '/v1/requests').expect(200)).body.items[0].packetId as string;
    expectRefusal(await post(scene, person(scene, 'PK'), `/v1/packets/${id}/authenticity`), 422, 'RU-PK Art. 15(1)');
    // No purpose limitation in RU-PK (Art. 7(4) governs third parties only).
    expectRefusal(await post(scene, person(scene, 'PK'), `/v1/packets/${id}/purpose-changes`, { purpose: 'another investigation' }), 409);
  });

  it('never stores the text of a request or its reasons on the hub', () => {
    expectNoCanaryOnHub(scene);
  });
});
