/**
 * A new agreement is a data change: a file for a new pair of parties (Azerbaijan and Mongolia,
 * invented for the test) dropped into a temp agreements directory drives the whole exchange with
 * no code change: its markings (three levels only), its language rule, its deadline, its article
 * numbers in every refusal. Then the same file marked terminated: no new request is accepted,
 * while the request already under way is still answered and stays protected.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGREEMENTS_DIR } from '../helpers/world.ts';
import { buildPacket, uploadRequest } from '../helpers/packets.ts';
import { DAY, agreementIn, expectRefusal, get, makeScene, person, post, sendPacket, type Scene } from './support.ts';

const AZ_MN = {
  id: 'AZ-MN',
  title: 'Agreement between the Ministries of Internal Affairs of Azerbaijan and Mongolia (test fixture)',
  source: 'test fixture',
  status: { state: 'in-force', article: 'AZ-MN Art. 14' },
  parties: [
    { id: 'AZ', name: 'Ministry of Internal Affairs of the Republic of Azerbaijan', officialLanguages: ['az'], authorities: [{ id: 'DIN', name: 'Daxili İşlər Nazirliyi' }] },
    { id: 'MN', name: 'Ministry of Justice and Internal Affairs of Mongolia', officialLanguages: ['mn'], authorities: [{ id: 'MOJHA', name: 'Хууль зүй, дотоод хэргийн яам' }, { id: 'POLICE', name: 'Цагдаагийн ерөнхий газар' }] },
  ],
  markings: {
    article: 'AZ-MN Art. 8(2)',
    levels: [
      { level: 'SECRET', labels: { AZ: 'Tam məxfi', MN: 'Маш нууц' } },
      { level: 'CONFIDENTIAL', labels: { AZ: 'Məxfi', MN: 'Нууц' } },
      { level: 'RESTRICTED', labels: { AZ: 'Xidməti istifadə üçün', MN: 'Албан хэрэгцээнд' } },
    ],
  },
  languages: { article: 'AZ-MN Art. 10', allOf: ['en'] },
  thirdPartyRelease: { article: 'AZ-MN Art. 8(4)', consentBy: 'originator' },
  purposeLimitation: { article: 'AZ-MN Art. 8(3)' },
  deadlines: { execution: { article: 'AZ-MN Art. 6(1)', days: 15 } },
  confidentialitySurvivesTermination: { article: 'AZ-MN Art. 14(3)' },
  refusalReasons: { article: 'AZ-MN Art. 7' },
  workflow: {
    additionalInformation: { article: 'AZ-MN Art. 6(2)' },
    transfer: { article: 'AZ-MN Art. 6(3)' },
    pendingAfterTermination: { article: 'AZ-MN Art. 14(2)' },
  },
};

let dir: string;
let scene: Scene;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'liaison-agreements-'));
  cpSync(AGREEMENTS_DIR, dir, { recursive: true });
  writeFileSync(join(dir, 'AZ-MN.json'), JSON.stringify(AZ_MN, null, 2));
  scene = await makeScene(dir, ['AZ', 'MN', 'RU']);
});
afterAll(async () => {
  await scene?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a new agreement file for a new pair of parties', () => {
  let requestId: string;

  it('is listed with its rules and articles', async () => {
    const list = (await get(scene, person(scene, 'AZ'), '/v1/agreements').expect(200)).body;
    expect(list.map((a: { id: string }) => a.id)).toContain('AZ-MN');
    const { agreement: a, rules } = (await get(scene, person(scene, 'AZ'), '/v1/agreements/AZ-MN').expect(200)).body;
    expect(a.workflow.transfer.article).toBe('AZ-MN Art. 6(3)');
    expect(rules).toContainEqual(expect.objectContaining({ topic: 'Transfer', article: 'AZ-MN Art. 6(3)' }));
  });

  it('runs an exchange under its own rules, with no code change', async () => {
    const agreement = agreementIn(dir, 'AZ-MN');
    // Its language rule: an English translation is required.
    const incomplete = await buildPacket({
      sender: person(scene, 'AZ'),
      readers: [person(scene, 'AZ'), person(scene, 'MN')],
      parts: [{ role: 'original', lang: 'az', text: 'Sorğu: narkotik vasitələrin qanunsuz dövriyyəsi haqqında məlumat.' }],
      date: scene.clock.now(),
      agreementId: 'AZ-MN',
      to: ['MN'],
      labels: { AZ: 'Tam məxfi', MN: 'Маш нууц' },
      kind: 'request',
    });
    expectRefusal(await uploadRequest(scene.app.app, scene.tokens.get(person(scene, 'AZ').fingerprint)!, incomplete, true), 422, 'AZ-MN Art. 10');
    requestId = await sendPacket(scene, agreement, 'AZ', ['MN'], 'request', [
      { role: 'original', lang: 'az', text: 'Sorğu: narkotik vasitələrin qanunsuz dövriyyəsi haqqında məlumat.' },
      { role: 'translation', lang: 'en', text: 'Request: information on illicit drug trafficking.' },
    ]);

    const mn = person(scene, 'MN');
    const [view] = (await get(scene, mn, `/v1/requests/${requestId}`).expect(200)).body;
    expect(view).toMatchObject({ deadlineArticle: 'AZ-MN Art. 6(1)', due: 'due' });
    expect(Date.parse(view.dueAt) - Date.parse(view.receivedAt)).toBe(15 * DAY);
    expectRefusal(await post(scene, mn, `/v1/requests/${requestId}/state`, { state: 'refused' }), 422, 'AZ-MN Art. 7');
    expectRefusal(await post(scene, mn, `/v1/requests/${requestId}/state`, { state: 'deferred' }), 422, 'AZ-MN Art. 14');
    const notice = await sendPacket(scene, agreement, 'MN', ['AZ'], 'transfer-notice', [{ role: 'original', lang: 'en', text: 'Your request was passed to the General Police Department.' }], { inReplyTo: requestId });
    await post(scene, mn, `/v1/requests/${requestId}/state`, { state: 'transferred', authority: 'POLICE', packetId: notice }).expect(200);
    await post(scene, mn, `/v1/requests/${requestId}/state`, { state: 'in-execution' }).expect(200);
    // A third party (Russia) sees nothing of it.
    await get(scene, person(scene, 'RU'), `/v1/requests/${requestId}`).expect(404);
  });

  it('once terminated, takes no new request but still answers the one under way', async () => {
    writeFileSync(join(dir, 'AZ-MN.json'), JSON.stringify({ ...AZ_MN, status: { state: 'terminated', since: '2026-01-01', article: 'AZ-MN Art. 14' } }, null, 2));
    await scene.reopen();
    await scene.relogin();
    expect(JSON.parse(readFileSync(join(dir, 'AZ-MN.json'), 'utf8')).status.state).toBe('terminated');
    const agreement = agreementIn(dir, 'AZ-MN');
    const fresh = await buildPacket({
      sender: person(scene, 'AZ'),
      readers: [person(scene, 'AZ'), person(scene, 'MN')],
      parts: [{ role: 'original', lang: 'en', text: 'A new request after termination.' }],
      date: scene.clock.now(),
      agreementId: agreement.id,
      to: ['MN'],
      labels: { AZ: 'Tam məxfi', MN: 'Маш нууц' },
      kind: 'request',
    });
    expectRefusal(await uploadRequest(scene.app.app, scene.tokens.get(person(scene, 'AZ').fingerprint)!, fresh, true), 422, 'AZ-MN Art. 14');
    expectRefusal(await post(scene, person(scene, 'MN'), '/v1/oral-requests', { agreementId: 'AZ-MN', requestingParty: 'AZ', requestedParty: 'MN' }), 422, 'AZ-MN Art. 14');

    // What was exchanged stays readable by its parties only, and its workflow goes on.
    await get(scene, person(scene, 'MN'), `/v1/packets/${requestId}`).expect(200);
    await get(scene, person(scene, 'RU'), `/v1/packets/${requestId}`).expect(404);
    // A new packet that answers nothing is refused; the reply to the request under way is not (Art. 14(2)).
    expectRefusal(await uploadRequest(scene.app.app, scene.tokens.get(person(scene, 'MN').fingerprint)!, await buildPacket({
      sender: person(scene, 'MN'),
      readers: [person(scene, 'AZ'), person(scene, 'MN')],
      parts: [{ role: 'original', lang: 'en', text: 'Unsolicited information after termination.' }],
      date: scene.clock.now(),
      agreementId: agreement.id,
      to: ['AZ'],
      labels: { AZ: 'Tam məxfi', MN: 'Маш нууц' },
      kind: 'information',
    }), true), 422, 'AZ-MN Art. 14');
    const reply = await sendPacket(scene, agreement, 'MN', ['AZ'], 'reply', [{ role: 'original', lang: 'en', text: 'The information requested is enclosed.' }], { inReplyTo: requestId });
    const done = (await post(scene, person(scene, 'MN'), `/v1/requests/${requestId}/state`, { state: 'executed', packetId: reply }).expect(200)).body;
    expect(done.state).toBe('executed');
    const event = (await scene.app.hub.store.audit.events()).find((e) => e.object === requestId && e.action === 'request.executed')!;
    expect(JSON.parse(event.detail)).toMatchObject({ afterTermination: 'AZ-MN Art. 14(2)', packet: reply });
  });
});
