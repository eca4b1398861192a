/**
 * Attack: an officer signs what the hub shows them. Before the fix `release consent ID` signed
 * the third party and purpose exactly as the hub returned them, so a lying hub could collect the
 * originating officer's signed consent to a release to a party of its choosing. Now the officer
 * states the party (`--to`, required; `--purpose` and `--packet` optional), the client checks the
 * hub's record against it and verifies the packet's manifest BEFORE signing, and shows every field
 * the signature covers. The same for an authenticity confirmation (SCO Art. 5(3)): the request,
 * the packet and its sender's party are checked before signing. The lying-hub proxy proves no
 * decision or confirmation was even sent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '../../client/core/api.ts';
import type { ClientContext } from '../../client/core/context.ts';
import { decideRelease } from '../../client/core/releases.ts';
import { WorkflowApi } from '../../client/core/workflow-api.ts';
import { sendPacket } from '../../client/node/sending.ts';
import { confirmAuthenticity } from '../../client/core/authenticity.ts';
import type { AuthenticityView } from '../../protocol/requests.ts';
import type { Release } from '../../protocol/release.ts';
import type { LiaisonApp } from '../../server/app.ts';
import { startLyingHub, type LyingHub } from '../helpers/lying-hub.ts';
import { login } from '../helpers/packets.ts';
import { AGREEMENTS_DIR, makeWorld, type Person, type World } from '../helpers/world.ts';
import { agreementIn, makeScene, person, post, sendPacket as sendScenePacket, type Scene } from '../workflow/support.ts';
import { hubClientContext } from '../helpers/client.ts';
import { enrollCast } from '../helpers/cast.ts';

let world: World;
let hub: LiaisonApp;
let lying: LyingHub;
let ivan: Person, ayesha: Person, officer: Person;
let dir: string;
const tokens: Record<string, string> = {};
const PURPOSE = 'Kazakh part of the same network — казахская часть той же сети';
let packetId: string;
let otherPacketId: string;

const context = (person: Person) => hubClientContext(person, { url: lying.url, token: tokens[person.name], officers: world.officers.values(), clock: world.clock });

async function requestRelease(): Promise<Release> {
  return new HubClient(lying.url, tokens[ayesha.name]).requestRelease(packetId, 'KZ', PURPOSE);
}

/** Rewrite the hub's answer about one release. */
function lieAboutRelease(id: string, change: (r: Release) => Release): void {
  lying.rewrite = (path, body) => (path === `/v1/releases/${id}` ? change(body as Release) : body);
}

beforeAll(async () => {
  world = await makeWorld();
  ({ officer, ivan, ayesha } = await enrollCast(world, {
    officer: { name: 'Sergei Volkov', party: 'RU', roles: ['officer'], clearance: 'TOP SECRET' },
    ivan: { name: 'Ivan Petrov', party: 'RU', roles: ['contact'], clearance: 'SECRET' },
    ayesha: { name: 'Ayesha Khan', party: 'PK', roles: ['contact'], clearance: 'SECRET' },
    aigerim: { name: 'Aigerim Nurlanovna', party: 'KZ', roles: ['contact'], clearance: 'SECRET' },
  }));
  hub = await world.open();
  lying = await startLyingHub(hub.app);
  for (const p of [ivan, ayesha, officer]) tokens[p.name] = await login(hub.app, p, world.clock.now());
  dir = mkdtempSync(join(tmpdir(), 'liaison-officer-'));
  writeFileSync(join(dir, 'zapros.txt'), 'Запрос о правовой помощи: просим установить владельцев счетов и сообщить о движении средств.');
  writeFileSync(join(dir, 'request-en.txt'), 'Request for legal assistance: please identify the account holders and report the movements of funds.');
  const send = async () =>
    (await sendPacket(await context(ivan), { agreementId: 'RU-PK', to: ['PK'], level: 'SECRET', kind: 'information', original: { path: join(dir, 'zapros.txt'), lang: 'ru' }, translations: [{ lang: 'en', path: join(dir, 'request-en.txt') }], draft: false })).packetId;
  packetId = await send();
  otherPacketId = await send();
});

afterAll(async () => {
  await lying.close();
  await hub.close();
  world.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const decisionsSent = () => lying.requests.filter((r) => /^POST \/v1\/releases\/.*\/decision$/.test(r));

describe('an officer signs only the release they stated', () => {
  // What the officer states is read when each case runs (the packet ids exist only after beforeAll).
  const lies: Array<[string, (r: Release) => Release, () => { thirdParty: string; purpose?: string; packetId?: string }, RegExp]> = [
    ['the hub shows a release to another party', (r) => ({ ...r, thirdParty: 'IR' }), () => ({ thirdParty: 'KZ' }), /is for IR, not KZ as you stated; nothing was signed$/],
    ['the hub shows another purpose than the one the officer stated', (r) => ({ ...r, purpose: 'Publication in the press' }), () => ({ thirdParty: 'KZ', purpose: PURPOSE }), /purpose "Publication in the press", not .* as you stated; nothing was signed$/],
    ['the hub shows the release as about another packet', (r) => ({ ...r, packetId: otherPacketId }), () => ({ thirdParty: 'KZ', packetId }), /about packet .*, not .* as you stated; nothing was signed$/],
    ['the hub answers with another release', (r) => ({ ...r, id: '00000000-0000-4000-8000-000000000000' }), () => ({ thirdParty: 'KZ' }), /answered with release .* when asked for .*; nothing was signed$/],
  ];

  it.each(lies)('refuses, before signing, when %s', async (_what, lie, stated, refusal) => {
    const confirmed = stated();
    const release = await requestRelease();
    const ctx = await context(officer);
    lieAboutRelease(release.id, lie);
    lying.requests.length = 0;
    const shown: string[] = [];
    try {
      await expect(decideRelease(ctx, release.id, { conditions: 'Only for this investigation' }, confirmed, (l) => shown.push(...l))).rejects.toThrow(refusal);
      await expect(decideRelease(ctx, release.id, { refuse: 'The source must stay protected' }, confirmed, (l) => shown.push(...l))).rejects.toThrow(refusal);
    } finally {
      lying.rewrite = undefined;
    }
    expect(shown).toEqual([]);
    expect(decisionsSent()).toEqual([]);
  });

  it('refuses, before signing, when the hub serves another packet for the one the release names', async () => {
    const release = await requestRelease();
    const ctx = await context(officer);
    const other = await ctx.api.packet(otherPacketId);
    lying.rewrite = (path, body) => (path === `/v1/packets/${packetId}` ? other : body);
    lying.requests.length = 0;
    try {
      await expect(decideRelease(ctx, release.id, {}, { thirdParty: 'KZ' })).rejects.toThrow(/the hub served packet .* for .*; nothing was signed$/);
    } finally {
      lying.rewrite = undefined;
    }
    expect(decisionsSent()).toEqual([]);
  });

  it('refuses a release to a party the officer did not state, when the hub tells the truth too', async () => {
    const release = await requestRelease();
    lying.requests.length = 0;
    await expect(decideRelease(await context(officer), release.id, {}, { thirdParty: 'UZ' })).rejects.toThrow(/is for KZ, not UZ as you stated/);
    expect(decisionsSent()).toEqual([]);
  });

  it('shows every signed field before signing, and the purpose the hub returned is the one shown and signed', async () => {
    const release = await requestRelease();
    const ctx = await context(officer);
    const expiresAt = new Date(world.clock.now().getTime() + 30 * 86_400_000).toISOString();
    let shownBeforeSending: string[] = [];
    const decided = await decideRelease(ctx, release.id, { conditions: 'Только для этого расследования', expiresAt }, { thirdParty: 'KZ', purpose: PURPOSE, packetId }, (lines) => {
      expect(decisionsSent()).toEqual([]);
      shownBeforeSending = lines;
    });
    expect(decided.state).toBe('consented');
    const shown = shownBeforeSending.join('\n');
    for (const field of [release.id, packetId, 'RU-PK', 'SECRET', 'to:          KZ', JSON.stringify(PURPOSE), JSON.stringify('Только для этого расследования'), expiresAt]) expect(shown).toContain(field);
    const signed = JSON.parse(decided.decision!) as { thirdParty: string; purpose: string; packetId: string };
    expect(signed).toMatchObject({ thirdParty: 'KZ', purpose: PURPOSE, packetId });
  });

  it('a purpose the hub rewrote is shown to the officer as it will be signed, newlines and all escaped', async () => {
    const release = await requestRelease();
    const ctx = await context(officer);
    const injected = 'Investigation\n  to:          KZ (and IR)';
    lieAboutRelease(release.id, (r) => ({ ...r, purpose: injected }));
    const shown: string[] = [];
    try {
      // The real hub refuses the decision (it does not match its record); the officer saw exactly what was signed.
      await expect(decideRelease(ctx, release.id, {}, { thirdParty: 'KZ' }, (l) => shown.push(...l))).rejects.toThrow(/does not match this release/);
    } finally {
      lying.rewrite = undefined;
    }
    expect(shown).toContain(`  purpose:     ${JSON.stringify(injected)}`);
    expect(shown.filter((l) => l.startsWith('  to:'))).toEqual(['  to:          KZ']);
  });
});

describe('a sender confirms authenticity only of its own packet, the one it stated', () => {
  let scene: Scene;
  let proxy: LyingHub;
  let mine: string, alsoMine: string, theirs: string;
  const sco = agreementIn(AGREEMENTS_DIR, 'SCO');
  const text = (what: string) => `${what}: просим сообщить сведения о лицах, причастных к незаконному обороту наркотиков.`;

  beforeAll(async () => {
    scene = await makeScene(AGREEMENTS_DIR, ['KZ', 'RU', 'CN']);
    proxy = await startLyingHub(scene.app.app);
    mine = await sendScenePacket(scene, sco, 'KZ', ['RU'], 'request', [{ role: 'original', lang: 'ru', text: text('Запрос') }]);
    alsoMine = await sendScenePacket(scene, sco, 'KZ', ['RU'], 'request', [{ role: 'original', lang: 'ru', text: text('Другой запрос') }]);
    theirs = await sendScenePacket(scene, sco, 'CN', ['KZ'], 'request', [{ role: 'original', lang: 'ru', text: text('Запрос Китая') }]);
  });
  afterAll(async () => {
    await proxy.close();
    await scene.close();
  });

  async function kzContext(): Promise<{ ctx: ClientContext; wf: WorkflowApi }> {
    const kz = person(scene, 'KZ');
    const ctx = await hubClientContext(kz, { url: proxy.url, token: scene.tokens.get(kz.fingerprint), officers: ['KZ', 'RU', 'CN'].map((p) => person(scene, `OFFICER-${p}`)), clock: scene.clock });
    return { ctx, wf: new WorkflowApi(ctx.api) };
  }
  const ask = async (packetId: string) => (await post(scene, person(scene, 'RU'), `/v1/packets/${packetId}/authenticity`).expect(201)).body as AuthenticityView;
  const confirmationsSent = () => proxy.requests.filter((r) => /^POST \/v1\/authenticity\/.*\/confirm$/.test(r));

  const lies: Array<[string, (a: AuthenticityView) => AuthenticityView, () => { packetId?: string }, RegExp]> = [
    ['the hub names another of our packets than the one stated', (a) => ({ ...a, packetId: alsoMine }), () => ({ packetId: mine }), /is about packet .*, not .* as you stated; nothing was signed$/],
    ['the hub names a packet another party sent', (a) => ({ ...a, packetId: theirs, senderParty: 'KZ' }), () => ({}), /was sent by CN, not by your party; only its sender can confirm it; nothing was signed$/],
    ['the hub says another party is asked', (a) => ({ ...a, senderParty: 'CN' }), () => ({}), /asks CN to confirm, not your party KZ; nothing was signed$/],
    ['the hub answers with another request', (a) => ({ ...a, id: '00000000-0000-4000-8000-000000000000' }), () => ({}), /answered with request .* when asked for .*; nothing was signed$/],
  ];

  it.each(lies)('refuses, before signing, when %s', async (_what, lie, stated, refusal) => {
    const asked = await ask(mine);
    const { ctx, wf } = await kzContext();
    proxy.rewrite = (path, body) => (path === `/v1/authenticity/${asked.id}` ? lie(body as AuthenticityView) : body);
    proxy.requests.length = 0;
    const shown: string[] = [];
    try {
      await expect(confirmAuthenticity(ctx, wf, asked.id, stated(), (l) => shown.push(...l))).rejects.toThrow(refusal);
    } finally {
      proxy.rewrite = undefined;
    }
    expect(shown).toEqual([]);
    expect(confirmationsSent()).toEqual([]);
  });

  it('confirms the packet stated, showing what it signs first', async () => {
    const asked = await ask(mine);
    const { ctx, wf } = await kzContext();
    let shown: string[] = [];
    const answered = await confirmAuthenticity(ctx, wf, asked.id, { packetId: mine }, (l) => {
      expect(confirmationsSent()).toEqual([]);
      shown = l;
    });
    expect(answered.confirmedBy).toBe(person(scene, 'KZ').fingerprint);
    expect(shown.join('\n')).toContain(`packet:    ${mine} (SCO, request, SECRET`);
  });
});
