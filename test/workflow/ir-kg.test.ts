/**
 * IR-KG scenario (agreement 002): an Iranian request in Persian with its English translation
 * (Art. 6), marked with Iran's and Kyrgyzstan's national labels; refused only with the reasons
 * communicated (Art. 3); information used only for its agreed purpose unless Iran's officer
 * consents in writing, and a refusal of that consent carries reasons (Art. 4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDetached } from '../../keys/signatures.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import { RELEASE_DECISION_FORMAT } from '../../protocol/release.ts';
import { AGREEMENTS_DIR } from '../helpers/world.ts';
import { CANARY, agreementIn, expectNoCanaryOnHub, expectRefusal, get, makeScene, person, post, sendPacket, type Scene } from './support.ts';

let scene: Scene;
const irKg = agreementIn(AGREEMENTS_DIR, 'IR-KG');
const FA = `درخواست همکاری: لطفاً اطلاعات مربوط به محموله مواد مخدر را ارسال کنید. ${CANARY}`;
const EN = `Request for cooperation: please send the information on the drug consignment. ${CANARY}`;

beforeAll(async () => {
  scene = await makeScene(AGREEMENTS_DIR, ['IR', 'KG']);
});
afterAll(async () => {
  await scene?.close();
});

describe('IR-KG: a Persian request, refused with reasons, and purpose-bound', () => {
  let requestId: string;

  it('arrives marked in both national labels', async () => {
    requestId = await sendPacket(scene, irKg, 'IR', ['KG'], 'request', [
      { role: 'original', lang: 'fa', text: FA },
      { role: 'translation', lang: 'en', text: EN },
    ], { level: 'CONFIDENTIAL' });
    const inbox = (await get(scene, person(scene, 'KG'), '/v1/packets?box=inbox').expect(200)).body.items;
    expect(inbox.find((p: { packetId: string }) => p.packetId === requestId)).toMatchObject({ labels: { IR: 'خیلی محرمانه', KG: 'СЕКРЕТНО' }, kind: 'request' });
    // IR-KG has no execution deadline and no oral requests.
    expect((await get(scene, person(scene, 'KG'), `/v1/requests/${requestId}`).expect(200)).body[0].due).toBe('no-deadline');
    expectRefusal(await post(scene, person(scene, 'KG'), '/v1/oral-requests', { agreementId: 'IR-KG', requestingParty: 'IR', requestedParty: 'KG' }), 422, 'IR-KG Art. 12');
  });

  it('refuses the refusal that gives no reasons (Art. 3), accepts the one that does, and ends there', async () => {
    const kg = person(scene, 'KG');
    expectRefusal(await post(scene, kg, `/v1/requests/${requestId}/state`, { state: 'refused' }), 422, 'IR-KG Art. 3');
    // The reasons must be a refusal packet: a reply does not carry them.
    const reply = await sendPacket(scene, irKg, 'KG', ['IR'], 'reply', [{ role: 'original', lang: 'ru', text: `Ответ. ${CANARY}` }, { role: 'translation', lang: 'en', text: `Reply. ${CANARY}` }], { level: 'CONFIDENTIAL', inReplyTo: requestId });
    expectRefusal(await post(scene, kg, `/v1/requests/${requestId}/state`, { state: 'refused', packetId: reply }), 422, 'IR-KG Art. 3');
    const reasons = await sendPacket(scene, irKg, 'KG', ['IR'], 'refusal', [
      { role: 'original', lang: 'ru', text: `Причины отказа: запрашиваемые сведения составляют государственную тайну. ${CANARY}` },
      { role: 'translation', lang: 'en', text: `Reasons for refusal: the information requested is a state secret. ${CANARY}` },
    ], { level: 'CONFIDENTIAL', inReplyTo: requestId });
    expect((await post(scene, kg, `/v1/requests/${requestId}/state`, { state: 'refused', packetId: reasons }).expect(200)).body).toMatchObject({ state: 'refused', scope: 'whole', due: 'closed' });
    expectRefusal(await post(scene, kg, `/v1/requests/${requestId}/state`, { state: 'executed' }), 409);
    // IR-KG says nothing of transfer: the step is refused naming the agreement.
    expectRefusal(await post(scene, kg, `/v1/requests/${requestId}/state`, { state: 'transferred', authority: 'MVD' }), 422, 'IR-KG Art. 12');
  });

  it('keeps information to its agreed purpose unless Iran consents; a refusal of consent gives reasons (Art. 4)', async () => {
    const kg = person(scene, 'KG');
    const officer = person(scene, 'OFFICER-IR');
    const asked = (await post(scene, kg, `/v1/packets/${requestId}/purpose-changes`, { purpose: 'training of border guards' }).expect(201)).body;
    expectRefusal(await post(scene, person(scene, 'OFFICER-KG'), `/v1/releases/${asked.id}/decision`, { decision: '{}', signature: '-----BEGIN PGP SIGNATURE-----' }), 403, 'IR-KG Art. 4');
    const decision = canonicalize({
      format: RELEASE_DECISION_FORMAT,
      releaseId: asked.id,
      packetId: requestId,
      thirdParty: 'KG',
      purpose: 'training of border guards',
      decision: 'refuse',
      reason: 'Operational information may not be used for training.',
      decidedAt: scene.clock.now().toISOString(),
      officer: officer.fingerprint,
    });
    const decided = (await post(scene, officer, `/v1/releases/${asked.id}/decision`, { decision, signature: await signDetached('releaseDecision', decision, officer.key, scene.clock.now()) }).expect(200)).body;
    expect(decided.state).toBe('refused');
  });

  it('never stores plaintext on the hub', () => {
    expectNoCanaryOnHub(scene);
  });
});
