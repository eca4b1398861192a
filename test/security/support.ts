/**
 * Shared scaffolding of the security tests (one file per attack in this folder): a cast of real
 * people with real keys on a fresh hub, and the few observations every attack test makes
 * afterwards: the refusal is problem+json, nothing was kept on disk, nothing is visible.
 * Nothing here is mocked; it only saves each file from repeating the same twenty lines.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import type { Express } from 'express';
import { expect } from 'vitest';
import { signDetached } from '../../keys/signatures.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import type { Level } from '../../protocol/levels.ts';
import type { Manifest } from '../../protocol/manifest.ts';
import { RECEIPT_FORMAT, type Receipt } from '../../protocol/evidence.ts';
import { buildPacket, uploadRequest, type BuiltPacket } from '../helpers/packets.ts';
import { blobFiles, decision, downloadBytes, expectProblem, filesUnder, get, plaintextOf, post, wrapsFor, type ProblemBody } from '../helpers/http.ts';

export { blobFiles, decision, downloadBytes, expectProblem, filesUnder, get, plaintextOf, post, wrapsFor, type ProblemBody };
import { CANARY, type Person } from '../helpers/world.ts';
import type { Cast } from '../helpers/cast.ts';
export { RU_PK_CAST, setUp, tearDown, type Cast, type CastMember } from '../helpers/cast.ts';


export async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// --- what is on disk ------------------------------------------------------------------------

export const tempEntries = (dataDir: string): string[] => readdirSync(join(dataDir, 'tmp'));

/** After a refused upload: no new blob, an empty tmp/, and the packet unknown even to its sender. */
export async function expectNothingStored(cast: Cast<string>, blobsBefore: string[], packetId: string | undefined, senderToken: string): Promise<void> {
  expect(blobFiles(cast.world.dataDir)).toEqual(blobsBefore);
  expect(tempEntries(cast.world.dataDir)).toEqual([]);
  if (packetId) {
    await request(cast.app).get(`/v1/packets/${packetId}`).set('Authorization', `Bearer ${senderToken}`).expect(404);
  }
}

// --- answers --------------------------------------------------------------------------------

export async function listIds(app: Express, token: string, box = 'all'): Promise<string[]> {
  const res = await get(app, `/v1/packets?box=${box}`, token).expect(200);
  return (res.body as { items: Array<{ packetId: string }> }).items.map((p) => p.packetId);
}

// --- building and altering packets ----------------------------------------------------------

export const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** Sign `manifest` (canonically) as `signer`: a packet exactly as a careless or hostile sender would make it. */
export async function signManifest(manifest: Manifest, signer: Person, date: Date): Promise<{ manifestText: string; signature: string }> {
  const manifestText = canonicalize(manifest);
  return { manifestText, signature: await signDetached('manifest', manifestText, signer.key, date) };
}

/** Replace part `partId` of a built packet by `bytes`, re-hash it in the manifest and re-sign as `signer`. */
export async function withPart(packet: BuiltPacket, partId: string, bytes: Buffer, signer: Person, date: Date): Promise<BuiltPacket> {
  const manifest = structuredClone(packet.manifest);
  const part = manifest.parts.find((p) => p.id === partId)!;
  part.size = bytes.length;
  part.sha256 = sha256(bytes);
  const signed = await signManifest(manifest, signer, date);
  return { manifest, ...signed, files: packet.files.map((f) => (f.partId === partId ? { partId, bytes } : f)) };
}


// --- releases -------------------------------------------------------------------------------



// --- raw multipart --------------------------------------------------------------------------

export interface RawPart {
  /** The raw Content-Disposition name (written as given: no escaping). */
  name: string;
  value: string | Buffer;
  /** Present for a file part; written as given. */
  filename?: string;
  contentType?: string;
}

/** A multipart/form-data body written byte for byte, so a test controls every header and boundary. */
export function multipartBody(boundary: string, parts: RawPart[], options: { close?: boolean } = {}): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += '\r\n';
    if (part.contentType) head += `Content-Type: ${part.contentType}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`, 'utf8'), Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value, 'utf8'), Buffer.from('\r\n'));
  }
  if (options.close !== false) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** The raw parts of a built packet, as the client sends them. */
export function packetParts(packet: { manifestText: string; signature: string; files: Array<{ partId: string; bytes: Buffer }> }, submit = true): RawPart[] {
  return [
    { name: 'manifest', value: packet.manifestText },
    { name: 'signature', value: packet.signature },
    { name: 'submit', value: String(submit) },
    ...packet.files.map((f) => ({ name: f.partId, value: f.bytes, filename: `${f.partId}.pgp`, contentType: 'application/octet-stream' })),
  ];
}

// --- packets, releases and races ----------------------------------------------------

/** The national labels of `level` under an agreement, read from its file as the hub reads it. */
export function labelsOf(agreementId: string, level: Level): Record<string, string> {
  const file = fileURLToPath(new URL(`../../agreements/${agreementId}.json`, import.meta.url));
  const agreement = JSON.parse(readFileSync(file, 'utf8')) as { markings: { levels: Array<{ level: string; labels: Record<string, string> }> } };
  return agreement.markings.levels.find((l) => l.level === level)!.labels;
}

/** Upload and submit a complete two-part packet (an original and its English translation); returns its id. */
export async function sendPacket(
  cast: Cast<string>,
  sender: string,
  readers: string[],
  options: { agreementId?: string; to?: string[]; level?: Level; kind?: 'request' | 'information' | 'reply'; submit?: boolean; inReplyTo?: string } = {},
): Promise<BuiltPacket> {
  const agreementId = options.agreementId ?? 'RU-PK';
  const level = options.level ?? 'SECRET';
  const packet = await buildPacket({
    sender: cast.people[sender]!,
    readers: readers.map((r) => cast.people[r]!),
    date: cast.world.clock.now(),
    agreementId,
    level,
    labels: Object.fromEntries([cast.people[sender]!.party, ...(options.to ?? ['PK'])].map((p) => [p, labelsOf(agreementId, level)[p]!])),
    ...(options.to ? { to: options.to } : {}),
    ...(options.kind ? { kind: options.kind } : {}),
    ...(options.inReplyTo ? { tamperManifest: (m: Manifest) => void (m.references = { inReplyTo: options.inReplyTo }) } : {}),
    parts: [
      { role: 'original', lang: 'ru', text: `Запрос о правовой помощи по делу № 42. ${CANARY}` },
      { role: 'translation', lang: 'en', text: `Request for legal assistance in case No. 42. ${CANARY}` },
    ],
  });
  await uploadRequest(cast.app, cast.tokens[sender]!, packet, options.submit ?? true).expect(201);
  return packet;
}

/** Send two requests at once (neither waits for the other) and return both answers. */
export async function together<T>(a: () => PromiseLike<T>, b: () => PromiseLike<T>): Promise<[T, T]> {
  return Promise.all([a(), b()]);
}

export const auditOf = (cast: Cast<string>) => cast.hub.hub.store.audit.events();

/** A recipient's signed retrieval receipt for `packet`, as the client makes it; `change` alters it before signing. */
export async function retrievalReceipt(reader: Person, packet: BuiltPacket, date: Date, change: (r: Receipt) => void = () => undefined): Promise<{ statement: string; signature: string }> {
  const receipt: Receipt = {
    format: RECEIPT_FORMAT,
    id: randomUUID(),
    kind: 'retrieved',
    issuer: { role: 'person', fingerprint: reader.fingerprint },
    packetId: packet.manifest.packetId,
    revision: packet.manifest.revision,
    manifestSha256: sha256(packet.manifestText),
    party: reader.party,
    parts: packet.manifest.parts.map((x) => ({ id: x.id, sha256: x.sha256 })),
    at: date.toISOString(),
  };
  change(receipt);
  const statement = canonicalize(receipt);
  return { statement, signature: await signDetached('retrievalReceipt', statement, reader.key, date) };
}

/** A raw TCP connection to a listening hub on loopback, for attacks below HTTP (slow or cut clients). */
export function openSocket(port: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}
