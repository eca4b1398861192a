/**
 * Typed client of the hub's /v1 API. Every answer is parsed with the protocol schemas; a
 * problem+json answer becomes an ApiError carrying the hub's sentence and the article it cited.
 * Uploads stream from files with a progress callback; downloads stream to the caller.
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import {
  ChallengeResponse,
  Contact,
  HubInfo,
  Rotation,
  Member,
  PacketDetail,
  PacketPage,
  pageOf,
  SubmitResult,
  type PacketBox,
  type PacketSummary,
  TokenResponse,
} from '../protocol/api.ts';
import { AgreementView } from '../protocol/agreement.ts';
import { Release, type ReleaseState } from '../protocol/release.ts';

export interface PacketQuery {
  box?: PacketBox;
  agreement?: string;
  kind?: string;
  state?: 'draft' | 'submitted';
  since?: string;
  limit?: number;
  cursor?: string;
}

export interface ReleaseQuery {
  state?: ReleaseState;
  packet?: string;
  since?: string;
  limit?: number;
  cursor?: string;
}

function queryString(query: object): string {
  const entries = Object.entries(query).filter(([, v]) => v !== undefined && v !== '');
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}` : '';
}

/** Every item of an async listing, in order (Array.fromAsync, which the ES2023 lib lacks). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Walk a paged listing to its end, one request per page. */
async function* everyItem<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    yield* p.items;
    cursor = p.nextCursor ?? undefined;
  } while (cursor);
}

/**
 * Files are read in 1 MiB chunks (issue 9): with the default 64 KiB, openpgp.js encrypts and
 * decrypts in small pieces and each piece costs a round through the web-stream machinery.
 */
export const CHUNK_BYTES = 1024 * 1024;

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  readonly detail: string;
  readonly article: string | undefined;

  constructor(status: number, detail: string, article?: string) {
    super(article ? `${detail} (${article})` : detail);
    this.status = status;
    this.detail = detail;
    this.article = article;
  }
}

export interface UploadFile {
  partId: string;
  path: string;
  size: number;
}

export type Progress = (sentBytes: number, totalBytes: number) => void;

/** A network failure in words: which hub, and what to check; never the raw ECONNREFUSED. */
function unreachable(baseUrl: string, cause: unknown): ApiError {
  const inner = ((cause as Error).cause as { code?: string; message?: string } | undefined) ?? (cause as { code?: string; message?: string });
  const code = inner?.code ?? '';
  const why = code === 'ECONNREFUSED' ? 'nothing answers there: is the hub running, and is the URL right?'
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'that host name is not known'
    : code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' ? 'the connection timed out'
    : code === 'ECONNRESET' ? 'the connection was cut'
    : /certificate|TLS|SSL/i.test(inner?.message ?? '') ? "the hub's TLS certificate is not trusted"
    : /bad port/i.test(inner?.message ?? '') ? 'that port is one HTTP clients refuse to use: give the port the hub listens on'
    : 'the network failed';
  return new ApiError(0, `cannot reach the hub at ${baseUrl}: ${why}`);
}

async function textOf(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function problemOf(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { detail?: string; article?: string };
    return new ApiError(status, body.detail ?? `the hub answered ${status}`, body.article);
  } catch {
    return new ApiError(status, `the hub answered ${status}`);
  }
}

export class HubClient {
  readonly baseUrl: string;
  private token: string | undefined;
  /** The key the session belongs to: lets a refused session be explained (revoked, expired) rather than guessed. */
  private readonly fingerprint: string | undefined;

  constructor(baseUrl: string, token?: string, fingerprint?: string) {
    this.baseUrl = baseUrl;
    this.token = token;
    this.fingerprint = fingerprint;
  }

  withToken(token: string): HubClient {
    return new HubClient(this.baseUrl, token, this.fingerprint);
  }

  /**
   * The real reason a session was refused: the hub drops the sessions of a revoked key, so
   * "expired" would hide a revocation. Asking for a login challenge names the key's standing.
   */
  /**
   * A 401 on a session in words. The hub tells the token's holder (and only them: the login
   * challenge answers every key alike) when the key itself can no longer act, revoked or expired.
   */
  private sessionRefused(problem: ApiError): ApiError {
    if (problem.detail.startsWith('this key cannot act any more')) return new ApiError(401, `${problem.detail}; ask your security officer`);
    return new ApiError(401, `your session on ${this.baseUrl} has ended (expired or logged out): log in again with liaison login --server ${this.baseUrl}`);
  }

  private url(path: string): string {
    return new URL(`/v1${path}`, this.baseUrl).toString();
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  /**
   * One HTTP exchange with node:http(s), taken with process.getBuiltinModule: `fetch` compiles
   * undici at its first use (0.3-0.7 s of every command's start), and an ESM import of node:http
   * evaluates its undici-backed exports too (issue 9: CLI start-up).
   */
  private exchange(method: string, path: string, headers: Record<string, string>, body?: string): Promise<IncomingMessage> {
    const target = new URL(this.url(path));
    const transport = (target.protocol === 'https:' ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http')) as typeof import('node:http');
    return new Promise((resolve, reject) => {
      const req = transport.request(target, { method, headers: this.headers(headers) }, resolve);
      req.on('error', (cause: Error) => reject(unreachable(this.baseUrl, cause)));
      req.end(body);
    });
  }

  /** One JSON call of the /v1 API, its answer parsed with `schema`; a problem+json answer throws ApiError. */
  async call<T extends z.ZodType>(schema: T, method: string, path: string, body?: unknown): Promise<z.output<T>> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const response = await this.exchange(method, path, payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) }, payload);
    const text = await textOf(response);
    const status = response.statusCode ?? 0;
    if (status === 401 && this.token) throw this.sessionRefused(problemOf(status, text));
    if (status < 200 || status >= 300) throw problemOf(status, text);
    if (status === 204) return schema.parse(undefined);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError(status, `the hub's answer to ${method} ${path} is not JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiError(status, `the hub's answer to ${method} ${path} is not what the protocol says`);
    return parsed.data;
  }

  hub() {
    return this.call(HubInfo, 'GET', '/hub');
  }
  agreements() {
    return this.call(z.array(z.object({ id: z.string(), title: z.string(), status: z.string(), provisional: z.boolean(), parties: z.array(z.string()) })), 'GET', '/agreements');
  }
  /** An agreement and its rules in plain words, each with its article. */
  agreementView(id: string) {
    return this.call(AgreementView, 'GET', `/agreements/${encodeURIComponent(id)}`);
  }
  async agreement(id: string) {
    return (await this.agreementView(id)).agreement;
  }
  challenge(fingerprint: string) {
    return this.call(ChallengeResponse, 'POST', '/auth/challenge', { fingerprint });
  }
  login(fingerprint: string, challenge: string, signature: string) {
    return this.call(TokenResponse, 'POST', '/auth/token', { fingerprint, challenge, signature });
  }
  logout() {
    return this.call(z.undefined(), 'POST', '/auth/logout');
  }
  me() {
    return this.call(Member, 'GET', '/me');
  }
  members(party: string, includeRevoked = false) {
    return this.call(z.array(Member), 'GET', `/parties/${encodeURIComponent(party)}/members${includeRevoked ? '?include=revoked' : ''}`);
  }
  rotations(party: string) {
    return this.call(z.array(Rotation), 'GET', `/parties/${encodeURIComponent(party)}/rotations`);
  }
  contacts(party: string) {
    return this.call(z.array(Contact), 'GET', `/parties/${encodeURIComponent(party)}/contacts`);
  }
  recordContact(party: string, body: { statement: string; signature: string }) {
    return this.call(Contact, 'POST', `/parties/${encodeURIComponent(party)}/contacts`, body);
  }
  enroll(body: { publicKey: string; statement: string; signature: string }) {
    return this.call(Member, 'POST', '/members', body);
  }
  restate(fingerprint: string, body: { statement: string; signature: string }) {
    return this.call(Member, 'POST', `/members/${fingerprint}/statements`, body);
  }
  revoke(fingerprint: string, body: { statement: string; signature: string }) {
    return this.call(Member, 'POST', `/members/${fingerprint}/revocation`, body);
  }
  rotateOfficer(body: { publicKey: string; statement: string; signatureFrom: string; signatureTo: string }) {
    return this.call(Member, 'POST', '/officers/rotation', body);
  }
  addWraps(packetId: string, fingerprint: string, wraps: Array<{ partId: string; pkesk: string }>) {
    return this.call(z.object({ packetId: z.string(), fingerprint: z.string(), parts: z.number() }), 'POST', `/packets/${encodeURIComponent(packetId)}/wraps`, { fingerprint, wraps });
  }
  /** One page of packets (newest first); pass `nextCursor` back as `cursor` for the next. */
  packetPage(query: PacketQuery = {}) {
    return this.call(PacketPage, 'GET', `/packets${queryString(query)}`);
  }
  /** Every packet that matches, page by page (each page one request). */
  packets(query: Omit<PacketQuery, 'cursor'> = {}): AsyncGenerator<PacketSummary> {
    return everyItem((cursor) => this.packetPage({ ...query, ...(cursor ? { cursor } : {}) }));
  }
  packet(id: string) {
    return this.call(PacketDetail, 'GET', `/packets/${encodeURIComponent(id)}`);
  }
  submit(id: string) {
    return this.call(SubmitResult, 'POST', `/packets/${encodeURIComponent(id)}/submit`);
  }
  releasesOf(packetId: string) {
    return this.call(z.array(Release), 'GET', `/packets/${encodeURIComponent(packetId)}/releases`);
  }
  requestRelease(packetId: string, thirdParty: string, purpose: string) {
    return this.call(Release, 'POST', `/packets/${encodeURIComponent(packetId)}/releases`, { thirdParty, purpose });
  }
  /** One page of the releases of my party (as originator or requester), newest first. */
  releasePage(query: ReleaseQuery = {}) {
    return this.call(pageOf(Release), 'GET', `/releases${queryString(query)}`);
  }
  releases(query: Omit<ReleaseQuery, 'cursor'> = {}): AsyncGenerator<Release> {
    return everyItem((cursor) => this.releasePage({ ...query, ...(cursor ? { cursor } : {}) }));
  }
  release(id: string) {
    return this.call(Release, 'GET', `/releases/${encodeURIComponent(id)}`);
  }
  decideRelease(id: string, decision: string, signature: string) {
    return this.call(Release, 'POST', `/releases/${encodeURIComponent(id)}/decision`, { decision, signature });
  }
  executeRelease(id: string, wraps: Array<{ partId: string; pkesk: string }>) {
    return this.call(Release, 'POST', `/releases/${encodeURIComponent(id)}/execute`, { wraps });
  }

  /** Stream a packet (or, with `packetId`, a new revision of a draft) up as multipart. */
  async upload(
    fields: { manifest: string; signature: string; submit: boolean },
    files: UploadFile[],
    options: { packetId?: string; onProgress?: Progress } = {},
  ): Promise<z.output<typeof SubmitResult>> {
    const { default: FormData } = await import('form-data');
    const form = new FormData();
    form.append('manifest', fields.manifest);
    form.append('signature', fields.signature);
    form.append('submit', String(fields.submit));
    for (const f of files) {
      form.append(f.partId, createReadStream(f.path, { highWaterMark: CHUNK_BYTES }), { knownLength: f.size, filename: `${f.partId}.pgp`, contentType: 'application/octet-stream' });
    }
    const total = await new Promise<number>((resolve, reject) => form.getLength((err, length) => (err ? reject(err) : resolve(length))));
    const target = new URL(this.url(options.packetId ? `/packets/${encodeURIComponent(options.packetId)}/revisions` : '/packets'));
    const transport = (target.protocol === 'https:' ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http')) as typeof import('node:http');
    let sent = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sent += chunk.length;
        options.onProgress?.(sent, total);
        done(null, chunk);
      },
    });
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = transport.request(target, { method: 'POST', headers: { ...form.getHeaders(), 'Content-Length': String(total), ...this.headers() } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', (cause) => reject(unreachable(this.baseUrl, cause)));
      pipeline(form, meter, req).catch(() => undefined);
    });
    if (status < 200 || status >= 300) throw problemOf(status, text);
    return SubmitResult.parse(JSON.parse(text));
  }

  /** Download a part: the stream carries `wrapLength` bytes of extra key wraps, then the stored ciphertext. */
  async downloadPart(packetId: string, partId: string): Promise<{ wrapLength: number; size: number; body: Readable }> {
    const response = await this.exchange('GET', `/packets/${encodeURIComponent(packetId)}/parts/${encodeURIComponent(partId)}`, {});
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw problemOf(status, await textOf(response));
    const wrapLength = Number(response.headers['liaison-wrap-length'] ?? '0');
    const size = Number(response.headers['content-length'] ?? '0');
    if (!Number.isSafeInteger(wrapLength) || wrapLength < 0 || wrapLength > 1024 * 1024) {
      response.destroy();
      throw new ApiError(status, 'the hub sent an invalid wrap length');
    }
    return { wrapLength, size, body: response };
  }
}
