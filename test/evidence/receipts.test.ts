/**
 * Receipts, checkpoints, a party's view of the audit log and the evidence bundle, over real HTTP
 * (supertest on the exported app) with real keys and a real SQLite store. Every request that the
 * hub decides is counted: the audit log must hold exactly one event per decision, no more.
 */
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPublicKey } from '../../keys/identity.ts';
import { wrapSessionKeyFor, type ByteStream } from '../../keys/parts.ts';
import { signDetached } from '../../keys/signatures.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import { Checkpoint, RECEIPT_FORMAT, Receipt, parseStatement, type AuditExport, type EvidenceBundle, type SignedReceipt } from '../../protocol/evidence.ts';
import { RELEASE_DECISION_FORMAT, type Release } from '../../protocol/release.ts';
import { createApp, type LiaisonApp } from '../../server/app.ts';
import { verifyAuditExport, verifyEvidenceBundle, verifyReceipts } from '../../client/core/evidence.ts';
import { buildPacket, keysOf, login, uploadRequest, type BuiltPacket } from '../helpers/packets.ts';
import { AGREEMENTS_DIR, CANARY, makeWorld, type Person, type World } from '../helpers/world.ts';
import { enrollCast } from '../helpers/cast.ts';

let world: World;
let hub: LiaisonApp;
let ruContact: Person, ruOfficer: Person, pkContact: Person, pkLow: Person, kzContact: Person;
const tokens = new Map<Person, string>();
let packet: BuiltPacket;
let decisions = 0;

const CHECKPOINT_EVERY = 7;
const app = () => hub.app;
const auth = (p: Person) => ({ Authorization: `Bearer ${tokens.get(p)}` });
const eventCount = async () => (await hub.hub.store.audit.events()).length;
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Run `fn`, which the hub must decide as exactly `n` audit events. */
async function decided<T>(n: number, fn: () => Promise<T>): Promise<T> {
  const before = await eventCount();
  const result = await fn();
  expect(await eventCount() - before).toBe(n);
  decisions += n;
  return result;
}

async function retrievalReceipt(reader: Person, p: BuiltPacket, change: (r: Receipt) => void = () => undefined): Promise<SignedReceipt> {
  const receipt: Receipt = {
    format: RECEIPT_FORMAT,
    id: randomUUID(),
    kind: 'retrieved',
    issuer: { role: 'person', fingerprint: reader.fingerprint },
    packetId: p.manifest.packetId,
    revision: p.manifest.revision,
    manifestSha256: sha256(p.manifestText),
    party: reader.party,
    parts: p.manifest.parts.map((x) => ({ id: x.id, sha256: x.sha256 })),
    at: world.clock.now().toISOString(),
  };
  change(receipt);
  const statement = canonicalize(receipt);
  return { statement, signature: await signDetached('retrievalReceipt', statement, reader.key, world.clock.now()) };
}

beforeAll(async () => {
  world = await makeWorld();
  ({ ruContact, ruOfficer, pkContact, pkLow, kzContact } = await enrollCast(world, {
    ruContact: { name: 'Ivan Petrov', party: 'RU', roles: ['contact'], clearance: 'TOP SECRET' },
    ruOfficer: { name: 'Sergei Volkov', party: 'RU', roles: ['officer'], clearance: 'TOP SECRET' },
    pkContact: { name: 'Ayesha Khan', party: 'PK', roles: ['contact'], clearance: 'SECRET' },
    pkLow: { name: 'Bilal Ahmed', party: 'PK', roles: ['contact'], clearance: 'CONFIDENTIAL' },
    kzContact: { name: 'Aigerim Nurlanovna', party: 'KZ', roles: ['contact'], clearance: 'SECRET' },
  }));
  hub = await createApp({ dataDir: world.dataDir, agreementsDir: AGREEMENTS_DIR, logLevel: 'silent', logFile: join(world.dir, 'hub.log'), checkpointEvery: CHECKPOINT_EVERY }, world.clock.now);
  decisions = await eventCount();
  for (const p of [ruContact, ruOfficer, pkContact, pkLow, kzContact]) tokens.set(p, await decided(1, () => login(hub.app, p, world.clock.now())));
  packet = await buildPacket({
    sender: ruContact,
    readers: [ruContact, pkContact],
    date: world.clock.now(),
    parts: [
      { role: 'original', lang: 'ru', text: `Запрос о правовой помощи. ${CANARY}` },
      { role: 'translation', lang: 'en', text: `Request for legal assistance. ${CANARY}` },
    ],
  });
  await decided(2, () => uploadRequest(app(), tokens.get(ruContact)!, packet, true).expect(201));
});

afterAll(async () => {
  await hub.close();
  world.cleanup();
});

describe('hub receipts', () => {
  it('acknowledges the submission to the sender and the availability to each recipient party, bound to the audit event', async () => {
    const res = await decided(0, () => request(app()).get(`/v1/packets/${packet.manifest.packetId}/receipts`).set(auth(ruContact)).expect(200));
    const receipts = res.body.items as SignedReceipt[];
    const parsed = receipts.map((r) => parseStatement(Receipt, r.statement)!);
    expect(parsed.map((r) => [r.kind, r.party])).toEqual([
      ['submission-accepted', 'RU'],
      ['made-available', 'PK'],
    ]);
    const submit = (await hub.hub.store.audit.events()).find((e) => e.action === 'packet.submit' && e.object === packet.manifest.packetId)!;
    for (const r of parsed) {
      expect(r.issuer).toEqual({ role: 'hub', fingerprint: hub.hub.hubFingerprint });
      expect(r.manifestSha256).toBe(sha256(packet.manifestText));
      expect(r.audit).toEqual({ seq: submit.seq, hash: submit.hash });
    }
    const checks = await verifyReceipts(packet.manifest.packetId, receipts, hub.hub.hubPublicKey, new Map(), world.clock.now());
    expect(checks.every((c) => c.valid)).toBe(true);
    // Signed once: the same bytes are served again.
    const again = await request(app()).get(`/v1/packets/${packet.manifest.packetId}/receipts`).set(auth(ruContact)).expect(200);
    expect(again.body.items).toEqual(receipts);
  });

  it('shows a recipient only the receipts about its own party, and nothing to those who may not see the packet', async () => {
    const pk = await request(app()).get(`/v1/packets/${packet.manifest.packetId}/receipts`).set(auth(pkContact)).expect(200);
    expect((pk.body.items as SignedReceipt[]).map((r) => parseStatement(Receipt, r.statement)!.kind)).toEqual(['made-available']);
    const low = await decided(1, () => request(app()).get(`/v1/packets/${packet.manifest.packetId}/receipts`).set(auth(pkLow)).expect(404));
    const kz = await decided(1, () => request(app()).get(`/v1/packets/${packet.manifest.packetId}/receipts`).set(auth(kzContact)).expect(404));
    expect(low.body).toEqual(kz.body);
    expect(low.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('a tampered receipt does not verify', async () => {
    const res = await request(app()).get(`/v1/packets/${packet.manifest.packetId}/receipts`).set(auth(ruContact)).expect(200);
    const [first] = res.body.items as SignedReceipt[];
    const forged = { ...first!, statement: first!.statement.replace('"party":"RU"', '"party":"KZ"') };
    const [check] = await verifyReceipts(packet.manifest.packetId, [forged], hub.hub.hubPublicKey, new Map(), world.clock.now());
    expect(check!.valid).toBe(false);
  });
});

describe('retrieval receipts', () => {
  it('records a recipient receipt signed by the recipient, and the sender sees and verifies it', async () => {
    await decided(1, () => request(app()).get(`/v1/packets/${packet.manifest.packetId}/parts/p1`).set(auth(pkContact)).expect(200));
    const receipt = await retrievalReceipt(pkContact, packet);
    await decided(1, () => request(app()).post(`/v1/packets/${packet.manifest.packetId}/receipts`).set(auth(pkContact)).send(receipt).expect(201));
    const res = await request(app()).get(`/v1/packets/${packet.manifest.packetId}/receipts`).set(auth(ruContact)).expect(200);
    const receipts = res.body.items as SignedReceipt[];
    expect(receipts.at(-1)).toEqual(receipt);
    const keys = new Map([[pkContact.fingerprint, await readPublicKey(pkContact.armoredPublicKey)]]);
    const checks = await verifyReceipts(packet.manifest.packetId, receipts, hub.hub.hubPublicKey, keys, world.clock.now());
    expect(checks.map((c) => c.valid)).toEqual([true, true, true]);
    expect(checks[2]!.signer).toBe(pkContact.fingerprint);
  });

  const bad: Array<[string, (r: Receipt) => void, number]> = [
    ['another packet', (r) => (r.packetId = randomUUID()), 400],
    ['another manifest', (r) => (r.manifestSha256 = '0'.repeat(64)), 400],
    ['a missing part', (r) => (r.parts = r.parts!.slice(1)), 400],
    ['a wrong part hash', (r) => (r.parts = r.parts!.map((p) => ({ ...p, sha256: 'f'.repeat(64) }))), 400],
    ['another signer named', (r) => (r.issuer.fingerprint = ruContact.fingerprint), 400],
    ['a hub receipt kind', (r) => (r.kind = 'made-available'), 400],
    ['an audit event named', (r) => (r.audit = { seq: 1, hash: '0'.repeat(64) }), 400],
    ['a time far from the hub clock', (r) => (r.at = new Date(world.clock.now().getTime() - 86400_000).toISOString()), 400],
  ];
  it.each(bad)('refuses a receipt with %s as problem+json, and writes nothing', async (_what, change, status) => {
    const before = (await hub.hub.store.receipts.ofPacket(packet.manifest.packetId)).length;
    const res = await decided(1, async () => request(app()).post(`/v1/packets/${packet.manifest.packetId}/receipts`).set(auth(pkContact)).send(await retrievalReceipt(pkContact, packet, change)));
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(await hub.hub.store.receipts.ofPacket(packet.manifest.packetId)).toHaveLength(before);
  });

  it('refuses a signature by another key, a non-canonical statement, unknown fields, a replay, and the sender', async () => {
    const url = `/v1/packets/${packet.manifest.packetId}/receipts`;
    const good = await retrievalReceipt(pkContact, packet);
    const otherKey = { statement: good.statement, signature: await signDetached('retrievalReceipt', good.statement, kzContact.key, world.clock.now()) };
    await decided(1, () => request(app()).post(url).set(auth(pkContact)).send(otherKey).expect(400));
    const pretty = { statement: JSON.stringify(JSON.parse(good.statement), null, 1), signature: good.signature };
    await decided(1, () => request(app()).post(url).set(auth(pkContact)).send(pretty).expect(400));
    await decided(1, () => request(app()).post(url).set(auth(pkContact)).send({ ...good, extra: 1 }).expect(400));
    await decided(1, () => request(app()).post(url).set(auth(pkContact)).send('{"statement":').set('Content-Type', 'application/json').expect(400));
    await decided(1, () => request(app()).post(url).set(auth(pkContact)).send(good).expect(201));
    await decided(1, () => request(app()).post(url).set(auth(pkContact)).send(good).expect(409));
    await decided(1, async () => request(app()).post(url).set(auth(ruContact)).send(await retrievalReceipt(ruContact, packet)).expect(400));
  });
});

describe('release receipts', () => {
  let release: Release;

  async function decision(kind: 'consent' | 'refuse', r: Release) {
    const text = canonicalize({
      format: RELEASE_DECISION_FORMAT,
      releaseId: r.id,
      packetId: r.packetId,
      thirdParty: r.thirdParty,
      purpose: r.purpose,
      decision: kind,
      ...(kind === 'refuse' ? { reason: 'The source must stay protected.' } : {}),
      decidedAt: world.clock.now().toISOString(),
      officer: ruOfficer.fingerprint,
    });
    return { decision: text, signature: await signDetached('releaseDecision', text, ruOfficer.key, world.clock.now()) };
  }

  it('acknowledges request, consent, execution and availability to the third party; a refusal too', async () => {
    const id = packet.manifest.packetId;
    release = (await decided(1, () => request(app()).post(`/v1/packets/${id}/releases`).set(auth(pkContact)).send({ thirdParty: 'KZ', purpose: 'Совместное расследование' }).expect(201))).body as Release;
    await decided(1, async () => request(app()).post(`/v1/releases/${release.id}/decision`).set(auth(ruOfficer)).send(await decision('consent', release)).expect(200));
    const wraps = await Promise.all(
      packet.files.map(async (f) => ({
        partId: f.partId,
        pkesk: Buffer.from(await wrapSessionKeyFor(Readable.toWeb(Readable.from([f.bytes])) as ByteStream, { decryptionKey: pkContact.key, newRecipients: await keysOf([kzContact]), date: world.clock.now() })).toString('base64'),
      })),
    );
    await decided(1, () => request(app()).post(`/v1/releases/${release.id}/execute`).set(auth(pkContact)).send({ wraps }).expect(200));
    const other = (await decided(1, () => request(app()).post(`/v1/packets/${id}/releases`).set(auth(pkContact)).send({ thirdParty: 'KZ', purpose: 'Wider sharing' }).expect(201))).body as Release;
    await decided(1, async () => request(app()).post(`/v1/releases/${other.id}/decision`).set(auth(ruOfficer)).send(await decision('refuse', other)).expect(200));

    const all = (await request(app()).get(`/v1/packets/${id}/receipts`).set(auth(ruContact)).expect(200)).body.items as SignedReceipt[];
    const kinds = all.map((r) => parseStatement(Receipt, r.statement)!).map((r) => `${r.kind}:${r.party}${r.releaseId ? `:${r.releaseId === release.id ? 'first' : 'second'}` : ''}`);
    expect(kinds).toEqual([
      'submission-accepted:RU',
      'made-available:PK',
      'retrieved:PK',
      'retrieved:PK',
      'release-requested:PK:first',
      'release-consented:PK:first',
      'release-executed:PK:first',
      'made-available:KZ:first',
      'release-requested:PK:second',
      'release-refused:PK:second',
    ]);
    const keys = new Map([[pkContact.fingerprint, await readPublicKey(pkContact.armoredPublicKey)]]);
    expect((await verifyReceipts(id, all, hub.hub.hubPublicKey, keys, world.clock.now())).every((c) => c.valid)).toBe(true);
    // The third party sees its own receipt of availability, once the release is executed.
    const kz = (await request(app()).get(`/v1/packets/${id}/receipts`).set(auth(kzContact)).expect(200)).body.items as SignedReceipt[];
    expect(kz.map((r) => parseStatement(Receipt, r.statement)!.kind)).toEqual(['made-available']);
  });
});

describe('checkpoints and the audit log as a party sees it', () => {
  it('signs a checkpoint at every interval of events, and on demand', async () => {
    const latest = await decided(0, () => request(app()).get('/v1/audit/checkpoints/latest').set(auth(ruContact)).expect(200));
    const sizes = (await hub.hub.store.audit.checkpoints()).map((c) => c.size);
    const count = await eventCount();
    expect(sizes).toEqual(Array.from({ length: Math.floor(count / CHECKPOINT_EVERY) }, (_, i) => (i + 1) * CHECKPOINT_EVERY));
    expect(parseStatement(Checkpoint, latest.body.statement as string)!.size).toBe(sizes.at(-1));
    const now = await decided(0, () => request(app()).post('/v1/audit/checkpoints').set(auth(kzContact)).expect(201));
    const c = parseStatement(Checkpoint, now.body.statement as string)!;
    expect(c.size).toBe(count);
    expect(c.hub).toBe(hub.hub.hubFingerprint);
    await decided(1, () => request(app()).post('/v1/audit/checkpoints?x=1').set(auth(kzContact)).expect(400));
    await decided(1, () => request(app()).post('/v1/audit/checkpoints').expect(401));
  });

  it("gives a party the events about its packets and people, each proven against the signed checkpoint", async () => {
    const kept = (await request(app()).post('/v1/audit/checkpoints').set(auth(pkContact)).expect(201)).body as { statement: string; signature: string };
    const keptSize = parseStatement(Checkpoint, kept.statement)!.size;
    await decided(1, () => request(app()).get(`/v1/packets/${packet.manifest.packetId}/parts/p2`).set(auth(pkContact)).expect(200));
    const res = await request(app()).get(`/v1/audit?from=${keptSize}`).set(auth(pkContact)).expect(200);
    const view = res.body as AuditExport;
    expect(view.scope).toBe('PK');
    const all = await hub.hub.store.audit.events();
    const seen = new Set(view.events.map((e) => e.event.seq));
    // Its own logins and downloads, the sender's upload of a packet it received...
    expect(all.filter((e) => e.party === 'PK' && e.action === 'auth.login').every((e) => seen.has(e.seq))).toBe(true);
    expect(all.filter((e) => e.action === 'packet.upload' && e.object === packet.manifest.packetId).every((e) => seen.has(e.seq))).toBe(true);
    // ...but not Russia's or Kazakhstan's logins.
    expect(all.filter((e) => e.party !== 'PK' && e.action === 'auth.login').some((e) => seen.has(e.seq))).toBe(false);
    const check = await verifyAuditExport(view, { pinnedHub: hub.hub.hubFingerprint, kept: [kept], now: world.clock.now() });
    expect(check).toMatchObject({ ok: true });

    // An edited event, a forged proof, a wrong pinned hub and a missing consistency proof are caught.
    const edited = structuredClone(view);
    edited.events[0]!.event.action = 'auth.logout';
    expect(await verifyAuditExport(edited, { pinnedHub: hub.hub.hubFingerprint, kept: [], now: world.clock.now() })).toMatchObject({ ok: false, position: edited.events[0]!.event.seq });
    const moved = structuredClone(view);
    moved.events[1]!.proof = moved.events[0]!.proof;
    expect(await verifyAuditExport(moved, { pinnedHub: hub.hub.hubFingerprint, kept: [], now: world.clock.now() })).toMatchObject({ ok: false });
    expect(await verifyAuditExport(view, { pinnedHub: ruContact.fingerprint, kept: [], now: world.clock.now() })).toMatchObject({ ok: false });
    const noProof = { ...view, consistency: [] };
    expect(await verifyAuditExport(noProof, { pinnedHub: hub.hub.hubFingerprint, kept: [kept], now: world.clock.now() })).toMatchObject({ ok: false });
    await decided(1, () => request(app()).get('/v1/audit?from=abc').set(auth(pkContact)).expect(400));
  });
});

describe('the evidence bundle', () => {
  let bundle: EvidenceBundle;

  beforeAll(async () => {
    bundle = (await decided(0, () => request(app()).get(`/v1/packets/${packet.manifest.packetId}/evidence`).set(auth(ruContact)).expect(200))).body as EvidenceBundle;
  });

  it('holds the signed manifest, receipts, consents, releases and the audit events with proofs, and verifies offline', async () => {
    expect(bundle.manifest.text).toBe(packet.manifestText);
    expect(bundle.receipts).toHaveLength(10);
    expect(bundle.releases.map((r) => r.state).sort()).toEqual(['executed', 'refused']);
    expect(bundle.events.map((e) => e.event.action)).toEqual(expect.arrayContaining(['packet.upload', 'packet.submit', 'part.download', 'receipt.retrieved', 'release.request', 'release.consent', 'release.execute', 'release.refuse']));
    const check = await verifyEvidenceBundle(bundle, { pinnedHub: hub.hub.hubFingerprint, now: world.clock.now() });
    expect(check).toMatchObject({ ok: true });
    await decided(1, () => request(app()).get(`/v1/packets/${packet.manifest.packetId}/evidence`).set(auth(pkLow)).expect(404));
  });

  const tamper: Array<[string, (b: EvidenceBundle) => void]> = [
    ['the manifest marking', (b) => (b.manifest.text = b.manifest.text.replace('"SECRET"', '"CONFIDENTIAL"'))],
    ['a receipt', (b) => (b.receipts[0]!.statement = b.receipts[0]!.statement.replace('submission-accepted', 'made-available'))],
    ['a receipt signature', (b) => (b.receipts[1]!.signature = b.receipts[0]!.signature)],
    ['an audit event', (b) => (b.events[0]!.event.actor = kzContact.fingerprint)],
    ['an audit proof', (b) => (b.events[1]!.proof = [...b.events[1]!.proof].reverse())],
    ['a dropped audit event a receipt names', (b) => (b.events = b.events.filter((e) => e.event.action !== 'packet.submit'))],
    ['the checkpoint', (b) => (b.checkpoint.statement = b.checkpoint.statement.replace(/"size":\d+/, '"size":1'))],
    ['a consent', (b) => (b.releases[0]!.decision = b.releases[0]!.decision!.replace('"decision":"', '"decision":"x'))],
    ['the hub key', (b) => (b.hub.publicKey = b.keys[0]!.publicKey)],
    ['a person key', (b) => (b.keys[0]!.publicKey = b.keys[1]!.publicKey)],
  ];
  it.each(tamper)('rejects a bundle with %s altered', async (_what, change) => {
    const copy = structuredClone(bundle);
    change(copy);
    expect(await verifyEvidenceBundle(copy, { pinnedHub: hub.hub.hubFingerprint, now: world.clock.now() })).toMatchObject({ ok: false });
  });

  it("checks every signer's key against the officers the verifier pinned, through their membership statements", async () => {
    const pins = new Map([...world.officers].map(([party, officer]) => [party, [officer.fingerprint]]));
    const check = await verifyEvidenceBundle(bundle, { pinnedHub: hub.hub.hubFingerprint, now: world.clock.now(), pinnedOfficers: pins });
    expect(check).toMatchObject({ ok: true });
    expect(check.lines.join('\n')).not.toMatch(/taken on the hub's word/);
    const unpinned = await verifyEvidenceBundle(bundle, { pinnedHub: hub.hub.hubFingerprint, now: world.clock.now() });
    expect(unpinned.lines.join('\n')).toMatch(/no officer of RU is pinned here/);
    const wrongOfficer = new Map(pins).set('RU', [ruContact.fingerprint.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))]);
    const refused = await verifyEvidenceBundle(bundle, { pinnedHub: hub.hub.hubFingerprint, now: world.clock.now(), pinnedOfficers: wrongOfficer });
    expect(refused).toMatchObject({ ok: false });
    if (!refused.ok) expect(refused.reason).toMatch(/not vouched for by a pinned officer of RU/);
    // A statement swapped onto another key does not vouch for it.
    const swapped = structuredClone(bundle);
    const sender = swapped.keys.find((k) => k.fingerprint === ruContact.fingerprint)!;
    const other = swapped.keys.find((k) => k.fingerprint === ruOfficer.fingerprint)!;
    sender.statement = other.statement!;
    sender.statementSignature = other.statementSignature!;
    expect(await verifyEvidenceBundle(swapped, { pinnedHub: hub.hub.hubFingerprint, now: world.clock.now(), pinnedOfficers: pins })).toMatchObject({ ok: false });
  });

  it('refuses without a pinned hub, or with another', async () => {
    expect(await verifyEvidenceBundle(bundle, { pinnedHub: undefined, now: world.clock.now() })).toMatchObject({ ok: false });
    expect(await verifyEvidenceBundle(bundle, { pinnedHub: kzContact.fingerprint, now: world.clock.now() })).toMatchObject({ ok: false });
  });
});

describe('the audit log counts decisions', () => {
  it('keeps control characters out of every field (the detail is canonical JSON, escaped)', async () => {
    await decided(1, () => request(app()).get('/v1/packets/%0A%1B%5B31m%00/receipts').set(auth(pkContact)).expect(400));
    await decided(1, () => request(app()).post(`/v1/packets/${packet.manifest.packetId}/receipts`).set(auth(pkContact)).send({ statement: '\u001b[31m\n', signature: '-----BEGIN PGP SIGNATURE-----\n\u0000' }).expect(400));
    // eslint-disable-next-line no-control-regex
    const control = /[\u0000-\u001f\u007f]/;
    for (const e of await hub.hub.store.audit.events()) for (const v of [e.at, e.actor, e.party, e.action, e.object, e.outcome, e.detail]) expect(v).not.toMatch(control);
  });

  it('holds exactly one event per decision the hub made in this run, and nothing else', async () => {
    expect(await eventCount()).toBe(decisions);
  });
});
