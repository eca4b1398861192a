/**
 * Typed client of the hub's /v1 API. Every answer is parsed with the protocol schemas; a
 * problem+json answer becomes an ApiError carrying the hub's sentence and the article it cited.
 * Uploads stream from files with a progress callback; downloads stream to the caller.
 */
import { createReadStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import FormData from 'form-data';
import { z } from 'zod';
import {
  ChallengeResponse,
  Contact,
  HubInfo,
  Rotation,
  Member,
  PacketDetail,
  PacketSummary,
  SubmitResult,
  TokenResponse,
} from '../protocol/api.ts';
import { AgreementView } from '../protocol/agreement.ts';
import { Release } from '../protocol/release.ts';

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
  private async sessionRefused(problem: ApiError): Promise<ApiError> {
    if (!this.fingerprint) return problem;
    try {
      await new HubClient(this.baseUrl).challenge(this.fingerprint);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return new ApiError(401, `${error.detail}; ask your security officer`);
      return problem;
    }
    return new ApiError(401, `your session on ${this.baseUrl} has ended (expired or logged out): log in again with liaison login --server ${this.baseUrl}`);
  }

  private url(path: string): string {
    return new URL(`/v1${path}`, this.baseUrl).toString();
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  /** One JSON call of the /v1 API, its answer parsed with `schema`; a problem+json answer throws ApiError. */
  async call<T extends z.ZodType>(schema: T, method: string, path: string, body?: unknown): Promise<z.output<T>> {
    let response: Response;
    try {
      response = await fetch(this.url(path), {
        method,
        headers: this.headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      throw unreachable(this.baseUrl, cause);
    }
    const text = await response.text();
    if (response.status === 401 && this.token) throw await this.sessionRefused(problemOf(response.status, text));
    if (!response.ok) throw problemOf(response.status, text);
    if (response.status === 204) return schema.parse(undefined);
    const parsed = schema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new ApiError(response.status, `the hub's answer to ${method} ${path} is not what the protocol says`);
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
  packets(box: 'inbox' | 'sent' | 'drafts' | 'all' = 'all') {
    return this.call(z.array(PacketSummary), 'GET', `/packets?box=${box}`);
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
  releases() {
    return this.call(z.array(Release), 'GET', '/releases');
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
    const form = new FormData();
    form.append('manifest', fields.manifest);
    form.append('signature', fields.signature);
    form.append('submit', String(fields.submit));
    for (const f of files) {
      form.append(f.partId, createReadStream(f.path), { knownLength: f.size, filename: `${f.partId}.pgp`, contentType: 'application/octet-stream' });
    }
    const total = await new Promise<number>((resolve, reject) => form.getLength((err, length) => (err ? reject(err) : resolve(length))));
    const target = new URL(this.url(options.packetId ? `/packets/${encodeURIComponent(options.packetId)}/revisions` : '/packets'));
    const transport = target.protocol === 'https:' ? https : http;
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
    let response: Response;
    try {
      response = await fetch(this.url(`/packets/${encodeURIComponent(packetId)}/parts/${encodeURIComponent(partId)}`), { headers: this.headers() });
    } catch (cause) {
      throw unreachable(this.baseUrl, cause);
    }
    if (!response.ok || !response.body) throw problemOf(response.status, await response.text());
    const wrapLength = Number(response.headers.get('liaison-wrap-length') ?? '0');
    const size = Number(response.headers.get('content-length') ?? '0');
    if (!Number.isSafeInteger(wrapLength) || wrapLength < 0 || wrapLength > 1024 * 1024) throw new ApiError(response.status, 'the hub sent an invalid wrap length');
    return { wrapLength, size, body: Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>) };
  }
}
