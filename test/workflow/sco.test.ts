/**
 * SCO scenario (agreement 001, six parties): Kazakhstan sends a request in Russian (Art. 11) to two
 * of the six parties, Russia and China; Uzbekistan, a third party, sees nothing and stays blocked
 * until Kazakhstan consents (Art. 7(3)). Each requested party runs its own workflow: additional
 * information (6(4)), execution (6(1)), transfer to another competent authority (6(3)),
 * deferral with reasons (6(7), 6(9)), delay notice (6(2)); authenticity confirmation (5(3)); use
 * for another purpose only with the originator's consent (7(2)).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPublicKey } from '../../keys/identity.ts';
import { signDetached, verifyDetached } from '../../keys/signatures.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import { RELEASE_DECISION_FORMAT } from '../../protocol/release.ts';
import { AUTHENTICITY_FORMAT } from '../../protocol/requests.ts';
import { AGREEMENTS_DIR } from '../helpers/world.ts';
import { CANARY, agreementIn, auditedActions, expectNoCanaryOnHub, expectRefusal, get, makeScene, person, post, sendPacket, type Scene } from './support.ts';

let scene: Scene;
const sco = agreementIn(AGREEMENTS_DIR, 'SCO');
const RU_TEXT = (what: string) => `${what}: просим сообщить сведения о лицах, причастных к незаконному обороту наркотиков. ${CANARY}`;

beforeAll(async () => {
  scene = await makeScene(AGREEMENTS_DIR, ['KZ', 'RU', 'CN', 'UZ']);
});
afterAll(async () => {
  await scene?.close();
});

describe('SCO: a request to two of the six parties', () => {
  let requestId: string;

  it('goes to Russia and China; Uzbekistan sees nothing of it', async () => {
    requestId = await sendPacket(scene, sco, 'KZ', ['RU', 'CN'], 'request', [
      { role: 'original', lang: 'ru', text: RU_TEXT('Запрос') },
      { role: 'attachment', lang: 'ru', text: JSON.stringify({ format: 'liaison-request-form/1', agreementId: 'SCO', facts: CANARY }) },
    ]);
    const sender = (await get(scene, person(scene, 'KZ'), `/v1/requests/${requestId}`).expect(200)).body;
    expect(sender.map((v: { requestedParty: string }) => v.requestedParty).sort()).toEqual(['CN', 'RU']);
    for (const v of sender) expect(v).toMatchObject({ state: 'received', due: 'due', deadlineArticle: 'SCO Art. 6(1)' });

    const uz = person(scene, 'UZ');
    await get(scene, uz, `/v1/packets/${requestId}`).expect(404);
    await get(scene, uz, `/v1/requests/${requestId}`).expect(404);
    expect((await get(scene, uz, '/v1/requests').expect(200)).body).toEqual({ items: [], nextCursor: null });
    expectRefusal(await post(scene, uz, `/v1/requests/${requestId}/state`, { state: 'acknowledged' }), 404);
    expectRefusal(await post(scene, uz, `/v1/packets/${requestId}/authenticity`), 404);
  });

  it('keeps the third party blocked until the originator consents (Art. 7(3))', async () => {
    const release = (await post(scene, person(scene, 'RU'), `/v1/packets/${requestId}/releases`, { thirdParty: 'UZ', purpose: 'joint investigation' }).expect(201)).body;
    expect(release.state).toBe('requested');
    expectRefusal(await post(scene, person(scene, 'OFFICER-RU'), `/v1/releases/${release.id}/decision`, { decision: '{}', signature: '-----BEGIN PGP SIGNATURE-----' }), 403, 'SCO Art. 7(3)');
    await get(scene, person(scene, 'UZ'), `/v1/packets/${requestId}`).expect(404);
  });

  it('runs each requested party on its own: Russia asks for more information, then executes', async () => {
    const ru = person(scene, 'RU');
    expectRefusal(await post(scene, ru, `/v1/requests/${requestId}/state`, { state: 'waiting-for-information' }), 422, 'SCO Art. 6(4)');
    const ask = await sendPacket(scene, sco, 'RU', ['KZ'], 'additional-information-request', [{ role: 'original', lang: 'ru', text: RU_TEXT('Просим уточнить') }], { inReplyTo: requestId });
    await post(scene, ru, `/v1/requests/${requestId}/state`, { state: 'acknowledged' }).expect(200);
    const waiting = (await post(scene, ru, `/v1/requests/${requestId}/state`, { state: 'waiting-for-information', packetId: ask }).expect(200)).body;
    expect(waiting.state).toBe('waiting-for-information');
    await sendPacket(scene, sco, 'KZ', ['RU'], 'information', [{ role: 'original', lang: 'ru', text: RU_TEXT('Дополнительные сведения') }], { inReplyTo: requestId });
    await post(scene, ru, `/v1/requests/${requestId}/state`, { state: 'in-execution' }).expect(200);
    const reply = await sendPacket(scene, sco, 'RU', ['KZ'], 'reply', [{ role: 'original', lang: 'ru', text: RU_TEXT('Ответ') }], { inReplyTo: requestId });
    expect((await post(scene, ru, `/v1/requests/${requestId}/state`, { state: 'executed', packetId: reply }).expect(200)).body.due).toBe('closed');

    // China has not moved: its state is its own.
    const [cn] = (await get(scene, person(scene, 'CN'), `/v1/requests/${requestId}`).expect(200)).body;
    expect(cn).toMatchObject({ requestedParty: 'CN', state: 'received' });
  });

  it('lets China transfer to a competent authority, notify a delay, and defer only with written reasons', async () => {
    const cn = person(scene, 'CN');
    const notice = await sendPacket(scene, sco, 'CN', ['KZ'], 'transfer-notice', [{ role: 'original', lang: 'ru', text: RU_TEXT('Запрос передан') }], { inReplyTo: requestId });
    expectRefusal(await post(scene, cn, `/v1/requests/${requestId}/state`, { state: 'transferred', authority: 'MVD', packetId: notice }), 422, 'SCO Art. 6(3)');
    const transferred = (await post(scene, cn, `/v1/requests/${requestId}/state`, { state: 'transferred', authority: 'COMPETENT', packetId: notice }).expect(200)).body;
    expect(transferred.history.at(-1)).toMatchObject({ state: 'transferred', authority: 'COMPETENT', packetId: notice });

    const delay = await sendPacket(scene, sco, 'CN', ['KZ'], 'information', [{ role: 'original', lang: 'ru', text: RU_TEXT('Задержка исполнения') }], { inReplyTo: requestId });
    expect((await post(scene, cn, `/v1/requests/${requestId}/delay`, { packetId: delay }).expect(200)).body.delayNotifiedAt).toBeDefined();

    expectRefusal(await post(scene, cn, `/v1/requests/${requestId}/state`, { state: 'deferred' }), 422, 'SCO Art. 6(7), 6(9)');
    const reasons = await sendPacket(scene, sco, 'CN', ['KZ'], 'deferral', [{ role: 'original', lang: 'ru', text: RU_TEXT('Причины отсрочки') }], { inReplyTo: requestId });
    const deferred = (await post(scene, cn, `/v1/requests/${requestId}/state`, { state: 'deferred', packetId: reasons }).expect(200)).body;
    expect(deferred).toMatchObject({ state: 'deferred', scope: 'whole', due: 'no-deadline' });
    expect(await auditedActions(scene, requestId)).toEqual(expect.arrayContaining(['request.transferred', 'request.delay-notified', 'request.deferred']));
  });

  it('confirms authenticity on doubt (Art. 5(3)) with a signature the asker checks itself', async () => {
    const ru = person(scene, 'RU');
    const kz = person(scene, 'KZ');
    const asked = (await post(scene, ru, `/v1/packets/${requestId}/authenticity`).expect(201)).body;
    expect(asked).toMatchObject({ senderParty: 'KZ', requestingParty: 'RU', article: 'SCO Art. 5(3)' });
    expect((await get(scene, kz, '/v1/deadlines').expect(200)).body.items).toContainEqual(expect.objectContaining({ what: 'authenticity', id: asked.id, whose: 'mine' }));

    const manifest = (await get(scene, kz, `/v1/packets/${requestId}`).expect(200)).body.manifest as string;
    const statement = (sha: string) =>
      canonicalize({ format: AUTHENTICITY_FORMAT, requestId: asked.id, packetId: requestId, manifestSha256: sha, confirmedBy: kz.fingerprint, confirmedAt: scene.clock.now().toISOString() });
    const wrong = statement('0'.repeat(64));
    expectRefusal(await post(scene, kz, `/v1/authenticity/${asked.id}/confirm`, { confirmation: wrong, signature: await signDetached('authenticity', wrong, kz.key, scene.clock.now()) }), 400);
    const good = statement(createHash('sha256').update(manifest).digest('hex'));
    expectRefusal(await post(scene, ru, `/v1/authenticity/${asked.id}/confirm`, { confirmation: good, signature: await signDetached('authenticity', good, ru.key, scene.clock.now()) }), 403, 'SCO Art. 5(3)');
    await post(scene, kz, `/v1/authenticity/${asked.id}/confirm`, { confirmation: good, signature: await signDetached('authenticity', good, kz.key, scene.clock.now()) }).expect(200);

    const answer = (await get(scene, ru, `/v1/authenticity/${asked.id}`).expect(200)).body;
    const verification = await verifyDetached('authenticity', answer.confirmation, answer.signature, [await readPublicKey(kz.armoredPublicKey)], scene.clock.now());
    expect(verification.valid).toBe(true);
    expect(JSON.parse(answer.confirmation).manifestSha256).toBe(createHash('sha256').update(manifest).digest('hex'));
  });

  it('needs the originator\'s signed consent to use the packet for another purpose (Art. 7(2))', async () => {
    const ru = person(scene, 'RU');
    const officer = person(scene, 'OFFICER-KZ');
    const asked = (await post(scene, ru, `/v1/packets/${requestId}/purpose-changes`, { purpose: 'use in a separate customs case' }).expect(201)).body;
    expect(asked).toMatchObject({ state: 'requested', requestingParty: 'RU', thirdParty: 'RU', originParty: 'KZ' });
    expectRefusal(await post(scene, person(scene, 'UZ'), `/v1/packets/${requestId}/purpose-changes`, { purpose: 'anything at all' }), 404);

    const decision = canonicalize({
      format: RELEASE_DECISION_FORMAT,
      releaseId: asked.id,
      packetId: requestId,
      thirdParty: 'RU',
      purpose: 'use in a separate customs case',
      decision: 'consent',
      conditions: 'only for customs case 12/2026',
      decidedAt: scene.clock.now().toISOString(),
      officer: officer.fingerprint,
    });
    const decided = (await post(scene, officer, `/v1/releases/${asked.id}/decision`, { decision, signature: await signDetached('releaseDecision', decision, officer.key, scene.clock.now()) }).expect(200)).body;
    expect(decided.state).toBe('consented');
    const list = (await get(scene, ru, `/v1/packets/${requestId}/purpose-changes`).expect(200)).body.items;
    expect(list).toEqual([expect.objectContaining({ id: asked.id, state: 'consented' })]);
    expect(await auditedActions(scene, asked.id)).toEqual(['purpose.request', 'release.consent']);
  });

  it('never stores plaintext on the hub', () => {
    expectNoCanaryOnHub(scene);
  });
});
