/**
 * HTTP and disk observations shared by the HTTP, security and trust tests: authenticated calls,
 * a part as raw bytes, what lies in a hub's data directory, a part decrypted by a reader, an
 * officer's release decision and session-key wraps, and the one check of a problem+json answer, all with real keys.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import request from 'supertest';
import type { Express } from 'express';
import { expect } from 'vitest';
import { readPublicKey } from '../../keys/identity.ts';
import { decryptPart, wrapSessionKeyFor, type ByteStream } from '../../keys/parts.ts';
import { signDetached } from '../../keys/signatures.ts';
import { canonicalize } from '../../protocol/canonical.ts';
import { RELEASE_DECISION_FORMAT, type Release } from '../../protocol/release.ts';
import { keysOf, type BuiltPacket } from './packets.ts';
import type { Person } from './world.ts';

export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out.sort();
}

export const blobFiles = (dataDir: string): string[] => filesUnder(join(dataDir, 'blobs'));

export const get = (app: Express, path: string, token: string) => request(app).get(path).set('Authorization', `Bearer ${token}`);
export const post = (app: Express, path: string, token: string) => request(app).post(path).set('Authorization', `Bearer ${token}`);

/** GET a part as raw bytes. */
export const downloadBytes = (app: Express, path: string, token: string) =>
  get(app, path, token)
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });

export async function plaintextOf(bytes: Buffer, reader: Person, sender: Person, date: Date): Promise<string> {
  const decrypted = await decryptPart(Readable.toWeb(Readable.from([bytes])) as ByteStream, { decryptionKey: reader.key, senderKeys: [await readPublicKey(sender.armoredPublicKey)], date });
  const chunks: Buffer[] = [];
  for await (const c of Readable.fromWeb(decrypted.data as WebReadableStream<Uint8Array>)) chunks.push(c as Buffer);
  expect((await decrypted.verification).valid).toBe(true);
  return Buffer.concat(chunks).toString('utf8');
}

/** The officer's signed consent or refusal, as the CLI makes it. */
export async function decision(release: Release, officer: Person, kind: 'consent' | 'refuse', date: Date, extra: { reason?: string; expiresAt?: string } = {}) {
  const text = canonicalize({
    format: RELEASE_DECISION_FORMAT,
    releaseId: release.id,
    packetId: release.packetId,
    thirdParty: release.thirdParty,
    purpose: release.purpose,
    decision: kind,
    ...extra,
    decidedAt: date.toISOString(),
    officer: officer.fingerprint,
  });
  return { decision: text, signature: await signDetached('releaseDecision', text, officer.key, date) };
}

/** Session-key wraps of every part of `packet` for `recipients`, made by `reader` (who can open it). */
export async function wrapsFor(packet: BuiltPacket, reader: Person, recipients: Person[], date: Date) {
  return Promise.all(
    packet.files.map(async (f) => ({
      partId: f.partId,
      pkesk: Buffer.from(await wrapSessionKeyFor(Readable.toWeb(Readable.from([f.bytes])) as ByteStream, { decryptionKey: reader.key, newRecipients: await keysOf(recipients), date })).toString('base64'),
    })),
  );
}

// --- answers --------------------------------------------------------------------------------

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  article?: string;
}

/** The answer is an RFC 9457 problem with this status (and article), and shows no stack. */
export function expectProblem(res: { status: number; headers: Record<string, string>; body: unknown; text?: string }, status: number, article?: string): ProblemBody {
  expect(res.status, `expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.body as ProblemBody;
  expect(body.status).toBe(status);
  expect(typeof body.type).toBe('string');
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  if (article !== undefined) expect(body.article).toBe(article);
  expect(res.text ?? '').not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  return body;
}
