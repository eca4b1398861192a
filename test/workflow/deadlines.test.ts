/**
 * Deadlines on a shifted clock, never by sleeping: SCO Art. 6(1) (executed, as a rule, within 30
 * days of receipt) and SCO Art. 5(2) (an urgent oral request confirmed in writing within 72
 * hours). `liaison deadlines` (GET /v1/deadlines) lists what is due, due soon and overdue for the
 * caller's party, on both sides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGREEMENTS_DIR } from '../helpers/world.ts';
import { DAY, HOUR, agreementIn, auditedActions, expectRefusal, get, makeScene, person, post, sendPacket, type Scene } from './support.ts';

let scene: Scene;
const sco = agreementIn(AGREEMENTS_DIR, 'SCO');

beforeAll(async () => {
  scene = await makeScene(AGREEMENTS_DIR, ['KZ', 'RU']);
});
afterAll(async () => {
  await scene?.close();
});

/** Move the hub's clock and log in again (sessions expire with the clock like everything else). */
async function advance(ms: number): Promise<void> {
  scene.clock.advance(ms);
  await scene.relogin();
}

const deadlinesOf = async (party: string) => (await get(scene, person(scene, party), '/v1/deadlines').expect(200)).body.items as Array<Record<string, unknown>>;

describe('execution within 30 days (SCO Art. 6(1))', () => {
  it('is due, then due soon, then overdue, for the requested party and as awaited by the requester', async () => {
    const id = await sendPacket(scene, sco, 'KZ', ['RU'], 'request', [{ role: 'original', lang: 'ru', text: 'Запрос о розыске лица, скрывающегося от следствия.' }]);
    const [view] = (await get(scene, person(scene, 'RU'), `/v1/requests/${id}`).expect(200)).body;
    expect(Date.parse(view.dueAt) - Date.parse(view.receivedAt)).toBe(30 * DAY);
    expect(await deadlinesOf('RU')).toContainEqual(expect.objectContaining({ what: 'execution', id, whose: 'mine', counterpart: 'KZ', due: 'due', article: 'SCO Art. 6(1)' }));

    await advance(23 * DAY);
    expect(await deadlinesOf('RU')).toContainEqual(expect.objectContaining({ id, due: 'due-soon' }));
    await post(scene, person(scene, 'RU'), `/v1/requests/${id}/state`, { state: 'acknowledged' }).expect(200);

    await advance(8 * DAY);
    const overdue = (await deadlinesOf('RU')).find((d) => d.id === id);
    expect(overdue).toMatchObject({ due: 'overdue', state: 'acknowledged' });
    expect((await deadlinesOf('KZ')).find((d) => d.id === id)).toMatchObject({ due: 'overdue', whose: 'theirs', counterpart: 'RU' });

    // Executed late is still executed; it leaves the list.
    await post(scene, person(scene, 'RU'), `/v1/requests/${id}/state`, { state: 'executed' }).expect(200);
    expect((await deadlinesOf('RU')).find((d) => d.id === id)).toBeUndefined();
  });
});

describe('oral requests confirmed in writing within 72 hours (SCO Art. 5(2))', () => {
  it('counts from the moment the request was made, and records a late confirmation as late', async () => {
    const madeAt = new Date(scene.clock.now().getTime() - 2 * HOUR).toISOString();
    const oral = (await post(scene, person(scene, 'RU'), '/v1/oral-requests', { agreementId: 'SCO', requestingParty: 'KZ', requestedParty: 'RU', madeAt }).expect(201)).body;
    expect(oral).toMatchObject({ confirmation: 'within-deadline', due: 'due', article: 'SCO Art. 5(2)' });
    expect(Date.parse(oral.dueAt) - Date.parse(madeAt)).toBe(72 * HOUR);
    expect(await deadlinesOf('KZ')).toContainEqual(expect.objectContaining({ what: 'oral-confirmation', id: oral.id, whose: 'mine', due: 'due' }));
    // Under SCO confirmation is always due: there is nothing to demand.
    expectRefusal(await post(scene, person(scene, 'RU'), `/v1/oral-requests/${oral.id}/demand`), 409);
    expectRefusal(await post(scene, person(scene, 'RU'), '/v1/oral-requests', { agreementId: 'SCO', requestingParty: 'KZ', requestedParty: 'RU', madeAt: new Date(scene.clock.now().getTime() + HOUR).toISOString() }), 400);

    await advance(60 * HOUR);
    expect((await deadlinesOf('KZ')).find((d) => d.id === oral.id)).toMatchObject({ due: 'due-soon' });
    await advance(11 * HOUR);
    expect((await deadlinesOf('RU')).find((d) => d.id === oral.id)).toMatchObject({ due: 'overdue', whose: 'theirs' });

    const written = await sendPacket(scene, sco, 'KZ', ['RU'], 'request', [{ role: 'original', lang: 'ru', text: 'Письменное подтверждение устного запроса.' }]);
    const confirmed = (await post(scene, person(scene, 'KZ'), `/v1/oral-requests/${oral.id}/confirm`, { packetId: written }).expect(200)).body;
    expect(confirmed).toMatchObject({ confirmedBy: written, due: 'closed' });
    const event = (await scene.app.hub.store.audit.events()).find((e) => e.object === oral.id && e.action === 'oral-request.confirm')!;
    expect(JSON.parse(event.detail)).toMatchObject({ late: true, article: 'SCO Art. 5(2)' });
    expect(await auditedActions(scene, oral.id)).toEqual(['oral-request.record', 'oral-request.confirm']);
  });

  it('closes in time when confirmed within 72 hours', async () => {
    const oral = (await post(scene, person(scene, 'KZ'), '/v1/oral-requests', { agreementId: 'SCO', requestingParty: 'KZ', requestedParty: 'RU' }).expect(201)).body;
    await advance(70 * HOUR);
    const written = await sendPacket(scene, sco, 'KZ', ['RU'], 'request', [{ role: 'original', lang: 'ru', text: 'Письменное подтверждение устного запроса.' }]);
    await post(scene, person(scene, 'KZ'), `/v1/oral-requests/${oral.id}/confirm`, { packetId: written }).expect(200);
    const event = (await scene.app.hub.store.audit.events()).find((e) => e.object === oral.id && e.action === 'oral-request.confirm')!;
    expect(JSON.parse(event.detail)).toMatchObject({ late: false });
    expect((await deadlinesOf('KZ')).find((d) => d.id === oral.id)).toBeUndefined();
  });
});
