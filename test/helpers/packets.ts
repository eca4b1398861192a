/**
 * Build real packets for HTTP tests without the CLI: real encryption, real signatures, and
 * hooks to tamper with any field before or after signing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import request from 'supertest';
import type { Express } from 'express';
import { readPublicKey, type PublicKey } from '../../keys/identity.ts';
import { encryptPartForRecipients, type ByteStream } from '../../keys/parts.ts';
import { signDetached } from '../../keys/signatures.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import { MANIFEST_FORMAT, type Manifest, type PartRole, type PacketKind } from '../../protocol/manifest.ts';
import type { Level } from '../../protocol/levels.ts';
import type { Person } from './world.ts';

export const RU_PK_LABELS: Record<string, Record<string, string>> = {
  SECRET: { RU: 'СОВЕРШЕННО СЕКРЕТНО', PK: 'SECRET' },
  CONFIDENTIAL: { RU: 'СЕКРЕТНО', PK: 'CONFIDENTIAL' },
  RESTRICTED: { RU: 'ДЛЯ СЛУЖЕБНОГО ПОЛЬЗОВАНИЯ', PK: 'RESTRICTED' },
  'TOP SECRET': { RU: 'ОСОБОЙ ВАЖНОСТИ', PK: 'TOP SECRET' },
};

export async function encryptBytes(bytes: Uint8Array, signer: Person, recipients: PublicKey[], date: Date, filename = 'document.txt'): Promise<Buffer> {
  const stream = await encryptPartForRecipients(Readable.toWeb(Readable.from([Buffer.from(bytes)])) as ByteStream, { filename, signingKey: signer.key, recipientKeys: recipients, date });
  const chunks: Buffer[] = [];
  for await (const chunk of Readable.fromWeb(stream as import('node:stream/web').ReadableStream<Uint8Array>)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function keysOf(people: Person[]): Promise<PublicKey[]> {
  return Promise.all(people.map((p) => readPublicKey(p.armoredPublicKey)));
}

export interface BuiltPacket {
  manifest: Manifest;
  manifestText: string;
  signature: string;
  files: Array<{ partId: string; bytes: Buffer }>;
}

export interface PartSpec {
  role: PartRole;
  lang: string;
  text?: string;
  bytes?: Buffer;
}

export async function buildPacket(options: {
  sender: Person;
  readers: Person[];
  parts: PartSpec[];
  date: Date;
  agreementId?: string;
  to?: string[];
  level?: Level;
  labels?: Record<string, string>;
  kind?: PacketKind;
  /** A request carries its encrypted form (SCO Art. 5(4), RU-PK Art. 5) unless this says it does not. */
  withoutRequestForm?: boolean;
  packetId?: string;
  /** Change the manifest after the parts are hashed and before it is signed. */
  tamperManifest?: (m: Manifest) => void;
}): Promise<BuiltPacket> {
  const level = options.level ?? 'SECRET';
  const keys = await keysOf(options.readers);
  const files: Array<{ partId: string; bytes: Buffer }> = [];
  const parts = [];
  const kind = options.kind ?? 'request';
  const specs = [...options.parts];
  if (kind === 'request' && !options.withoutRequestForm && !specs.some((s) => s.role === 'request-form')) {
    const form = { format: 'liaison-request-form/1', agreementId: options.agreementId ?? 'RU-PK', requestingAuthority: 'Test authority', requestedAuthority: 'Test authority', purpose: 'Test purpose', assistanceRequested: 'Test assistance', justification: 'Test', facts: 'Test facts', confidentiality: 'Test' };
    specs.push({ role: 'request-form', lang: 'en', text: JSON.stringify(form) });
  }
  for (const [i, spec] of specs.entries()) {
    const partId = `p${i + 1}`;
    const bytes = await encryptBytes(spec.bytes ?? Buffer.from(spec.text ?? '', 'utf8'), options.sender, keys, options.date);
    files.push({ partId, bytes });
    parts.push({ id: partId, role: spec.role, lang: spec.lang, mediaType: spec.role === 'request-form' ? 'application/json' : 'text/plain', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    packetId: options.packetId ?? randomUUID(),
    revision: 1,
    agreementId: options.agreementId ?? 'RU-PK',
    createdAt: options.date.toISOString(),
    sender: { party: options.sender.party, fingerprint: options.sender.fingerprint },
    signedBy: options.sender.fingerprint,
    recipients: options.to ?? ['PK'],
    marking: { level, labels: options.labels ?? RU_PK_LABELS[level]! },
    kind,
    references: {},
    parts,
  };
  options.tamperManifest?.(manifest);
  const manifestText = canonicalize(manifest);
  const signature = await signDetached('manifest', manifestText, options.sender.key, options.date);
  return { manifest, manifestText, signature, files };
}

export function uploadRequest(app: Express, token: string, packet: { manifestText: string; signature: string; files: Array<{ partId: string; bytes: Buffer }> }, submit: boolean, path = '/v1/packets') {
  let req = request(app)
    .post(path)
    .set('Authorization', `Bearer ${token}`)
    .field('manifest', packet.manifestText)
    .field('signature', packet.signature)
    .field('submit', String(submit));
  for (const f of packet.files) req = req.attach(f.partId, f.bytes, { filename: `${f.partId}.pgp`, contentType: 'application/octet-stream' });
  return req;
}

export async function login(app: Express, person: Person, date: Date): Promise<string> {
  const challenge = await request(app).post('/v1/auth/challenge').send({ fingerprint: person.fingerprint }).expect(200);
  const signature = await signDetached('login', challenge.body.challenge as string, person.key, date);
  const token = await request(app).post('/v1/auth/token').send({ fingerprint: person.fingerprint, challenge: challenge.body.challenge, signature }).expect(200);
  return token.body.token as string;
}

/** Revision N+1 of a draft that adds one part, signed by `signer` (a clerk). */
export async function buildRevision(previous: Manifest, signer: Person, readers: Person[], spec: PartSpec, date: Date): Promise<BuiltPacket> {
  const partId = `p${previous.parts.length + 1}`;
  const bytes = await encryptBytes(spec.bytes ?? Buffer.from(spec.text ?? '', 'utf8'), signer, await keysOf(readers), date);
  const manifest: Manifest = {
    ...previous,
    revision: previous.revision + 1,
    signedBy: signer.fingerprint,
    parts: [...previous.parts, { id: partId, role: spec.role, lang: spec.lang, mediaType: 'text/plain', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }],
  };
  const manifestText = canonicalize(manifest);
  return { manifest, manifestText, signature: await signDetached('manifest', manifestText, signer.key, date), files: [{ partId, bytes }] };
}
