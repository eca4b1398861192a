/**
 * Attack: change the signed manifest (the marking, the recipients, a part's hash, the kind...)
 * after the sender signed it, or send a manifest whose bytes are not the one canonical form of
 * its content (so that what was signed and what the hub reads could differ). Every altered field
 * must break the signature; every non-canonical or over-complete manifest must be refused even
 * when validly signed. Each refusal is a problem+json 400 and leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDetached } from '../../keys/signatures.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import type { Manifest } from '../../protocol/manifest.ts';
import { buildPacket, encryptBytes, keysOf, uploadRequest, type BuiltPacket } from '../helpers/packets.ts';
import { CANARY } from '../helpers/world.ts';
import { RU_PK_CAST, blobFiles, expectNothingStored, expectProblem, setUp, sha256, tearDown, type Cast } from './support.ts';

let cast: Cast<keyof typeof RU_PK_CAST>;
let packet: BuiltPacket;
/** A second, valid ciphertext for the same readers: what an attacker would swap in for p1. */
let substitute: Buffer;

const now = () => cast.world.clock.now();
const readers = () => [cast.people.ruContact, cast.people.ruClerk, cast.people.pkContact];

beforeAll(async () => {
  cast = await setUp(RU_PK_CAST);
  packet = await buildPacket({
    sender: cast.people.ruContact,
    readers: readers(),
    date: now(),
    parts: [
      { role: 'original', lang: 'ru', text: `Запрос о правовой помощи. ${CANARY}` },
      { role: 'translation', lang: 'en', text: `Request for legal assistance. ${CANARY}` },
    ],
  });
  substitute = await encryptBytes(Buffer.from(`Запрос отозван. ${CANARY}`), cast.people.ruContact, await keysOf(readers()), now());
});
afterAll(() => tearDown(cast));

async function expectRefused(upload: BuiltPacket, detail: RegExp) {
  const blobsBefore = blobFiles(cast.world.dataDir);
  const res = await uploadRequest(cast.app, cast.tokens.ruContact, upload, true);
  const problem = expectProblem(res, 400);
  expect(problem.detail).toMatch(detail);
  await expectNothingStored(cast, blobsBefore, upload.manifest.packetId, cast.tokens.ruContact);
}

describe('a field changed after signing breaks the signature', () => {
  /** Each change leaves a canonical, schema-valid manifest; only the signature can tell. */
  const changes: Array<{ field: string; change: (m: Manifest, files: BuiltPacket['files']) => BuiltPacket['files'] | void }> = [
    { field: 'marking.level (SECRET -> CONFIDENTIAL)', change: (m) => void (m.marking.level = 'CONFIDENTIAL') },
    { field: 'marking.level (SECRET -> TOP SECRET)', change: (m) => void (m.marking.level = 'TOP SECRET') },
    { field: 'the RU label (downgraded to the CONFIDENTIAL label)', change: (m) => void (m.marking.labels.RU = 'СЕКРЕТНО') },
    { field: 'the PK label', change: (m) => void (m.marking.labels.PK = 'UNCLASSIFIED') },
    {
      field: 'recipients (PK replaced by KZ, labels to match)',
      change: (m) => {
        m.recipients = ['KZ'];
        m.marking.labels = { RU: m.marking.labels.RU!, KZ: 'СОВЕРШЕННО СЕКРЕТНО' };
      },
    },
    {
      field: 'recipients (KZ added, labels to match)',
      change: (m) => {
        m.recipients = ['PK', 'KZ'];
        m.marking.labels.KZ = 'СОВЕРШЕННО СЕКРЕТНО';
      },
    },
    {
      field: "a part's sha256 and size (pointing at a substitute ciphertext, which is uploaded)",
      change: (m, files) => {
        m.parts[0]!.sha256 = sha256(substitute);
        m.parts[0]!.size = substitute.length;
        return files.map((f) => (f.partId === 'p1' ? { partId: 'p1', bytes: substitute } : f));
      },
    },
    // The form goes too: only a request may carry one, and the change must still parse as a manifest.
    { field: 'kind (request -> information)', change: (m) => void ((m.kind = 'information'), (m.parts = m.parts.filter((p) => p.role !== 'request-form'))) },
    { field: "a part's language", change: (m) => void (m.parts[1]!.lang = 'ur') },
    { field: "a part's role (translation -> attachment)", change: (m) => void (m.parts[1]!.role = 'attachment') },
    { field: 'agreementId (RU-PK -> SCO)', change: (m) => void (m.agreementId = 'SCO') },
    { field: 'packetId (a replay of the signature on a new id)', change: (m) => void (m.packetId = randomUUID()) },
    { field: 'createdAt', change: (m) => void (m.createdAt = new Date(Date.parse(m.createdAt) - 86_400_000).toISOString()) },
    { field: 'references.inReplyTo added', change: (m) => void (m.references = { inReplyTo: randomUUID() }) },
    { field: 'sender.authority added', change: (m) => void (m.sender.authority = 'GENPROC') },
  ];

  it.each(changes)('$field', async ({ change }) => {
    const manifest = structuredClone(packet.manifest);
    const files = change(manifest, packet.files) ?? packet.files;
    const manifestText = canonicalize(manifest);
    expect(manifestText).not.toBe(packet.manifestText);
    await expectRefused({ manifest, manifestText, signature: packet.signature, files }, /the manifest signature does not verify/);
  });

  it('a signature by another enrolled member over the same manifest is refused', async () => {
    const signature = await signDetached('manifest', packet.manifestText, cast.people.ruClerk.key, now());
    await expectRefused({ ...packet, signature }, /the manifest signature does not verify/);
  });

  it("another packet's valid signature is refused", async () => {
    const other = await buildPacket({ sender: cast.people.ruContact, readers: readers(), date: now(), parts: [{ role: 'original', lang: 'en', text: `Information. ${CANARY}` }] });
    await expectRefused({ ...packet, signature: other.signature }, /the manifest signature does not verify/);
  });

  it('the unaltered packet is accepted (the control: each refusal above was the alteration)', async () => {
    await uploadRequest(cast.app, cast.tokens.ruContact, packet, true).expect(201);
    // Accepted once; the packet id is now taken, so later cases must not depend on it being free.
    await uploadRequest(cast.app, cast.tokens.ruContact, packet, true).expect(409);
  });
});

describe('a manifest that is not in its one canonical form is refused even when validly signed', () => {
  let fresh: BuiltPacket;
  beforeAll(async () => {
    fresh = await buildPacket({ sender: cast.people.ruContact, readers: readers(), date: now(), parts: [{ role: 'original', lang: 'ru', text: `Запрос. ${CANARY}` }, { role: 'translation', lang: 'en', text: `Request. ${CANARY}` }] });
  });

  const variants: Array<{ form: string; text: (canonical: string, m: Manifest) => string }> = [
    { form: 'pretty-printed (extra whitespace)', text: (_c, m) => JSON.stringify(JSON.parse(canonicalize(m)), null, 2) },
    { form: 'a trailing newline', text: (c) => `${c}\n` },
    { form: 'a space after one colon', text: (c) => c.replace('"kind":', '"kind": ') },
    {
      form: 'keys in a different order',
      text: (_c, m) => {
        const { parts, kind, ...rest } = JSON.parse(canonicalize(m)) as Manifest;
        return JSON.stringify({ parts, kind, ...rest });
      },
    },
    { form: 'non-ASCII written as \\u escapes', text: (c) => c.replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`) },
    // Two readers could take different values from a duplicated key; the hub must not pick one.
    { form: 'a duplicated key (kind twice)', text: (c) => c.replace('"kind":"request"', '"kind":"information","kind":"request"') },
  ];

  it.each(variants)('$form', async ({ text }) => {
    const manifestText = text(fresh.manifestText, fresh.manifest);
    expect(manifestText).not.toBe(fresh.manifestText);
    const signature = await signDetached('manifest', manifestText, cast.people.ruContact.key, now());
    await expectRefused({ manifest: fresh.manifest, manifestText, signature, files: fresh.files }, /not in canonical form|manifest is invalid/);
  });
});

describe('a manifest with a field the schema does not know is refused even when canonical and validly signed', () => {
  let fresh: BuiltPacket;
  beforeAll(async () => {
    fresh = await buildPacket({ sender: cast.people.ruContact, readers: readers(), date: now(), parts: [{ role: 'original', lang: 'ru', text: `Запрос. ${CANARY}` }, { role: 'translation', lang: 'en', text: `Request. ${CANARY}` }] });
  });

  const additions: Array<{ where: string; add: (m: Record<string, unknown> & Manifest) => void }> = [
    { where: 'at the top level (a subject in the clear)', add: (m) => void (m.subject = 'Bank accounts of the suspect') },
    { where: 'in the marking (a caveat the hub would ignore)', add: (m) => void ((m.marking as unknown as Record<string, unknown>).caveat = 'REL TO KZ') },
    { where: 'in a part (a file name in the clear)', add: (m) => void ((m.parts[0] as unknown as Record<string, unknown>).filename = 'zapros.txt') },
    { where: 'in the sender', add: (m) => void ((m.sender as unknown as Record<string, unknown>).name = 'Ivan Petrov') },
    { where: 'a "__proto__" key', add: (m) => void Object.defineProperty(m, '__proto__', { value: { level: 'RESTRICTED' }, enumerable: true }) },
  ];

  it.each(additions)('$where', async ({ add }) => {
    const manifest = structuredClone(fresh.manifest) as Record<string, unknown> & Manifest;
    add(manifest);
    const manifestText = canonicalize(manifest);
    expect(manifestText).not.toBe(fresh.manifestText);
    const signature = await signDetached('manifest', manifestText, cast.people.ruContact.key, now());
    await expectRefused({ manifest, manifestText, signature, files: fresh.files }, /the manifest is invalid/);
  });

  it('the same packet without the extra field is accepted (the control)', async () => {
    await uploadRequest(cast.app, cast.tokens.ruContact, fresh, true).expect(201);
  });
});
