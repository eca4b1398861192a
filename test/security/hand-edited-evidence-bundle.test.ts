/**
 * Attack: hand-edit an evidence bundle and have `evidence verify` still say "verified". Before
 * the fix, changing a release's purpose, state, requestedBy, requestedAt, executedAt or its expiry
 * passed. Now every field the bundle presents is covered by a signature or an audit-log proof the
 * verifier checks, or is printed as an `unverified:` line. The test walks a real bundle (a packet
 * with a retrieval receipt, a release consented and executed, one refused, one still pending)
 * and edits EVERY leaf, one at a time, keeping the edit well-formed where it can (another
 * fingerprint, another party, another state, a date one second off, a flipped hex digit), and
 * deletes every optional field of every release and key: each must be detected or labelled.
 */
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNVERIFIED, verifyEvidenceBundle } from '../../client/core/evidence.ts';
import { signDetached } from '../../keys/signatures.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import { EvidenceBundle, RECEIPT_FORMAT, type Receipt } from '../../protocol/evidence.ts';
import { ReleaseState, type Release } from '../../protocol/release.ts';
import { createApp, type LiaisonApp } from '../../server/app.ts';
import { decision, wrapsFor } from '../helpers/http.ts';
import { buildPacket, login, uploadRequest, type BuiltPacket } from '../helpers/packets.ts';
import { AGREEMENTS_DIR, makeWorld, type Person, type World } from '../helpers/world.ts';
import { enrollCast } from '../helpers/cast.ts';

let world: World;
let hub: LiaisonApp;
let ivan: Person, ayesha: Person, aigerim: Person, sergei: Person;
let packet: BuiltPacket;
let bundle: EvidenceBundle;
let executedIndex: number;
const tokens = new Map<Person, string>();
const auth = (p: Person) => ({ Authorization: `Bearer ${tokens.get(p)!}` });
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

let pins: Map<string, string[]>;
const verify = (b: EvidenceBundle) => verifyEvidenceBundle(b, { pinnedHub: hub.hub.hubFingerprint, now: world.clock.now(), pinnedOfficers: pins });

beforeAll(async () => {
  world = await makeWorld();
  ({ sergei, ivan, ayesha, aigerim } = await enrollCast(world, {
    sergei: { name: 'Sergei Volkov', party: 'RU', roles: ['officer'], clearance: 'TOP SECRET' },
    ivan: { name: 'Ivan Petrov', party: 'RU', roles: ['contact'], clearance: 'TOP SECRET' },
    ayesha: { name: 'Ayesha Khan', party: 'PK', roles: ['contact'], clearance: 'SECRET' },
    aigerim: { name: 'Aigerim Nurlanovna', party: 'KZ', roles: ['contact'], clearance: 'SECRET' },
  }));
  hub = await createApp({ dataDir: world.dataDir, agreementsDir: AGREEMENTS_DIR, logLevel: 'silent', logFile: join(world.dir, 'hub.log') }, world.clock.now);
  for (const p of [ivan, ayesha, aigerim, sergei]) tokens.set(p, await login(hub.app, p, world.clock.now()));
  pins = new Map([...world.officers.values()].map((o) => [o.party, [o.fingerprint]]));
  packet = await buildPacket({
    sender: ivan,
    readers: [ivan, ayesha],
    date: world.clock.now(),
    parts: [
      { role: 'original', lang: 'ru', text: 'Запрос о правовой помощи: установить владельцев счетов.' },
      { role: 'translation', lang: 'en', text: 'Request for legal assistance: identify the account holders.' },
    ],
  });
  const id = packet.manifest.packetId;
  await uploadRequest(hub.app, tokens.get(ivan)!, packet, true).expect(201);
  const receipt: Receipt = {
    format: RECEIPT_FORMAT,
    id: randomUUID(),
    kind: 'retrieved',
    issuer: { role: 'person', fingerprint: ayesha.fingerprint },
    packetId: id,
    revision: 1,
    manifestSha256: sha256(packet.manifestText),
    party: 'PK',
    parts: packet.manifest.parts.map((p) => ({ id: p.id, sha256: p.sha256 })),
    at: world.clock.now().toISOString(),
  };
  const statement = canonicalize(receipt);
  await request(hub.app).post(`/v1/packets/${id}/receipts`).set(auth(ayesha)).send({ statement, signature: await signDetached('retrievalReceipt', statement, ayesha.key, world.clock.now()) }).expect(201);
  const ask = async (purpose: string) => (await request(hub.app).post(`/v1/packets/${id}/releases`).set(auth(ayesha)).send({ thirdParty: 'KZ', purpose }).expect(201)).body as Release;
  const executed = await ask('Совместное расследование — joint investigation');
  const expiresAt = new Date(world.clock.now().getTime() + 30 * 86_400_000).toISOString();
  await request(hub.app).post(`/v1/releases/${executed.id}/decision`).set(auth(sergei)).send(await decision(executed, sergei, 'consent', world.clock.now(), { expiresAt })).expect(200);
  await request(hub.app).post(`/v1/releases/${executed.id}/execute`).set(auth(ayesha)).send({ wraps: await wrapsFor(packet, ayesha, [aigerim], world.clock.now()) }).expect(200);
  const refused = await ask('Wider sharing with the press');
  await request(hub.app).post(`/v1/releases/${refused.id}/decision`).set(auth(sergei)).send(await decision(refused, sergei, 'refuse', world.clock.now(), { reason: 'The source must stay protected' })).expect(200);
  await ask('Pending: a second investigation');
  bundle = EvidenceBundle.parse((await request(hub.app).get(`/v1/packets/${id}/evidence`).set(auth(ivan)).expect(200)).body);
  executedIndex = bundle.releases.findIndex((r) => r.id === executed.id);
});

afterAll(async () => {
  await hub.close();
  world.cleanup();
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every leaf of a JSON value, with its path in the form the verifier prints (`releases[0].purpose`). */
function leaves(value: Json, path = ''): Array<{ path: string; keys: Array<string | number> }> {
  const walk = (v: Json, p: string, keys: Array<string | number>): Array<{ path: string; keys: Array<string | number> }> => {
    if (Array.isArray(v)) return v.flatMap((x, i) => walk(x, `${p}[${i}]`, [...keys, i]));
    if (v !== null && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => walk(x, p ? `${p}.${k}` : k, [...keys, k]));
    return [{ path: p, keys }];
  };
  return walk(value, path, []);
}

const FPR = /^[0-9A-F]{40}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A different value of the same shape, so the edit survives the schema where a real forger's would. */
function edited(value: Json, key: string | number): Json {
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'boolean') return !value;
  if (typeof value !== 'string') return 'edited';
  if (key === 'state' && ReleaseState.safeParse(value).success) return ReleaseState.options.find((s) => s !== value)!;
  if (FPR.test(value)) return [ivan, ayesha, aigerim, sergei, ...world.officers.values()].map((p) => p.fingerprint).find((f) => f !== value)!;
  if (ISO.test(value)) return new Date(Date.parse(value) + 1000).toISOString();
  if (UUID.test(value)) return randomUUID();
  if (/^[0-9a-f]{64}$/.test(value)) return `${value.slice(0, -1)}${value.endsWith('0') ? '1' : '0'}`;
  if (/^[A-Z]{2}$/.test(value)) return value === 'KZ' ? 'PK' : 'KZ';
  if (value.startsWith('-----BEGIN')) {
    const at = value.indexOf('\n\n') + 10;
    return `${value.slice(0, at)}${value[at] === 'A' ? 'B' : 'A'}${value.slice(at + 1)}`;
  }
  return `${value} (edited)`;
}

function setAt(root: Json, keys: Array<string | number>, change: (parent: Record<string | number, Json>, key: string | number) => void): Json {
  const copy = structuredClone(root);
  let parent = copy as Record<string | number, Json>;
  for (const k of keys.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
  change(parent, keys[keys.length - 1]!);
  return copy;
}

/** Detected (the schema or the verifier refuses it), labelled (an `unverified:` line names it or a parent), or passed off as verified. */
async function outcome(candidate: Json, path: string): Promise<'detected' | 'labelled' | 'MISSED'> {
  const parsed = EvidenceBundle.safeParse(candidate);
  if (!parsed.success) return 'detected';
  const check = await verify(parsed.data);
  if (!check.ok) return 'detected';
  const labelled = check.lines.some((l) => {
    if (!l.startsWith(UNVERIFIED)) return false;
    const named = l.slice(UNVERIFIED.length).trim().split(' ')[0]!;
    return path === named || path.startsWith(`${named}.`) || path.startsWith(`${named}[`);
  });
  return labelled ? 'labelled' : 'MISSED';
}

describe('a hand-edited evidence bundle', () => {
  it('verifies as it came from the hub, and says plainly which fields are the hub’s word only', async () => {
    const check = await verify(bundle);
    expect(check).toMatchObject({ ok: true });
    const labels = check.lines.filter((l) => l.startsWith(UNVERIFIED)).map((l) => l.split(' ')[1]);
    const pending = bundle.releases.findIndex((r) => r.state === 'requested');
    expect(labels.sort()).toEqual([`releases[${pending}].purpose`, `releases[${pending}].state`, 'exportedAt'].sort());
  });

  it('detects or labels an edit of every field, one at a time', async () => {
    const all = leaves(bundle);
    const missed: string[] = [];
    const labelled: string[] = [];
    for (const { path, keys } of all) {
      const candidate = setAt(bundle, keys, (parent, key) => {
        parent[key] = edited(parent[key]!, key);
      });
      const result = await outcome(candidate, path);
      if (result === 'MISSED') missed.push(path);
      if (result === 'labelled') labelled.push(path);
    }
    console.log(`edited ${all.length} fields of the bundle one at a time: ${all.length - labelled.length - missed.length} detected, ${labelled.length} labelled unverified (${labelled.join(', ')}), ${missed.length} missed`);
    expect(missed).toEqual([]);
    // The executed release is fully covered: none of its fields is merely labelled.
    expect(labelled.filter((p) => p.startsWith(`releases[${executedIndex}]`))).toEqual([]);
  }, 300_000);

  it('detects or labels the removal of every optional field of a release or a key', async () => {
    const missed: string[] = [];
    let count = 0;
    for (const [list, optional] of [
      ['releases', ['decision', 'decisionSignature', 'decidedAt', 'expiresAt', 'executedAt']],
      ['keys', ['statement', 'statementSignature']],
    ] as const) {
      for (const [i, entry] of (bundle[list] as Array<Record<string, unknown>>).entries()) {
        for (const field of optional) {
          if (entry[field] === undefined) continue;
          count += 1;
          const candidate = setAt(bundle, [list, i, field], (parent, key) => {
            delete parent[key];
          });
          if ((await outcome(candidate, `${list}[${i}].${field}`)) === 'MISSED') missed.push(`${list}[${i}].${field}`);
        }
      }
    }
    expect(count).toBeGreaterThan(5);
    expect(missed).toEqual([]);
  }, 120_000);

  it.each(['purpose', 'state', 'requestedBy', 'requestedAt', 'executedAt', 'expiresAt', 'thirdParty', 'decidedAt', 'requestingParty'] as const)(
    'refuses the executed release with its %s changed (the fields the attack run changed)',
    async (field) => {
      const candidate = setAt(bundle, ['releases', executedIndex, field], (parent, key) => {
        parent[key] = edited(parent[key]!, key);
      });
      const check = await verify(EvidenceBundle.parse(candidate));
      expect(check).toMatchObject({ ok: false, reason: expect.stringContaining(field) });
    },
  );
});
