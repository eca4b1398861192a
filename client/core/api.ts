/**
 * Typed client of the hub's /v1 API, shared by the CLI and the web client. Every answer is parsed
 * with the protocol schemas; a problem+json answer becomes an ApiError carrying the hub's
 * sentence, its problem code and the article it cited. Downloads use `fetch` (Node and browsers
 * alike); the streaming upload, and optionally the JSON calls, go through a `Transport` port:
 * progress while sending needs the platform's own transport (node:http, XMLHttpRequest), and in
 * Node a first `fetch` loads undici, a fifth of a short command's start.
 *
 * Lists: every list route answers keyset pages `{ items, nextCursor }` with `?limit=&cursor=`
 * (the agreements, a handful loaded from files at the hub's start, are the one bare array);
 * `pages()` is the one place that follows a cursor, and a client never assumes one page holds all.
 *
 * Never: reads files, the environment or a token store; the token is handed in by the caller.
 */
import { z } from 'zod';
import {
  AgreementSummary,
  ChallengeResponse,
  Contact,
  HubInfo,
  MAX_PAGE_SIZE,
  Rotation,
  Member,
  PacketDetail,
  PacketPage,
  pageOf,
  SubmitResult,
  type PacketBox,
  type PacketSummary,
  TokenResponse,
  WrapsResult,
  WRAP_LENGTH_HEADER,
} from '../../protocol/api.ts';
import { AgreementView } from '../../protocol/agreement.ts';
import { Release, type ReleaseState } from '../../protocol/release.ts';
import { ApiError } from './errors.ts';

export { ApiError };

interface PacketQuery {
  box?: PacketBox;
  agreement?: string;
  kind?: string;
  state?: 'draft' | 'submitted';
  since?: string;
  limit?: number;
  cursor?: string;
}

interface ReleaseQuery {
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

/** The most pages a listing is followed for before it stops: a hub that never ends a list cannot hang a client. */
const MAX_PAGES = 10_000;

/**
 * Walk a paged listing to its end, one request per page: the one place that follows
 * `nextCursor`. A hub that hands back the same cursor, or never ends the list, is refused
 * rather than followed for ever. `what` names the list in that refusal.
 */
export async function* everyItem<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>, what = 'list'): AsyncGenerator<T> {
  let cursor: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const p = await page(cursor);
    yield* p.items;
    if (!p.nextCursor) return;
    if (p.nextCursor === cursor) throw new ApiError(0, `the hub's ${what} handed back the same cursor twice`, 'api.cursor-repeated', { what });
    cursor = p.nextCursor;
  }
  throw new ApiError(0, `the hub's ${what} did not end after ${MAX_PAGES} pages`, 'api.pages-unbounded', { what, pages: MAX_PAGES });
}

/**
 * Files are read in 1 MiB chunks (by the Node adapters): with the default 64 KiB, openpgp.js encrypts and
 * decrypts in small pieces and each piece costs a round through the web-stream machinery.
 */
export const CHUNK_BYTES = 1024 * 1024;

/** One encrypted part to upload: a Blob streams from disk in Node (`fs.openAsBlob`) and from OPFS in a browser. */
interface UploadFile {
  partId: string;
  size: number;
  body: Blob;
}

type Progress = (sentBytes: number, totalBytes: number) => void;

/** The platform's transport: the multipart POST of an upload, and (optionally) a JSON call; each answers the raw status and body. */
export interface Transport {
  post(url: string, headers: Record<string, string>, fields: Record<string, string>, files: UploadFile[], onProgress?: Progress): Promise<{ status: number; text: string }>;
  /** A JSON call; without it, `fetch`. Network failures reject (HubClient words them). */
  exchange?(method: string, url: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }>;
}

/** The portable transport: fetch, with FormData for uploads. No upload progress (fetch reports none); adapters do better. */
const fetchTransport: Transport = {
  async post(url, headers, fields, files, onProgress) {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    for (const f of files) form.append(f.partId, f.body, `${f.partId}.pgp`);
    const total = files.reduce((n, f) => n + f.size, 0);
    const response = await fetch(url, { method: 'POST', headers, body: form, credentials: 'same-origin' });
    onProgress?.(total, total);
    return { status: response.status, text: await response.text() };
  },
};

/** A network failure in words: which hub, and what to check; never the raw ECONNREFUSED. */
function unreachable(baseUrl: string, cause: unknown): ApiError {
  const inner = ((cause as Error).cause as { code?: string; message?: string } | undefined) ?? (cause as { code?: string; message?: string });
  const code = inner?.code ?? '';
  const [why, reason] = code === 'ECONNREFUSED' ? ['nothing answers there: is the hub running, and is the URL right?', 'refused'] as const
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? ['that host name is not known', 'unknown-host'] as const
    : code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' ? ['the connection timed out', 'timeout'] as const
    : code === 'ECONNRESET' ? ['the connection was cut', 'reset'] as const
    : /certificate|TLS|SSL/i.test(inner?.message ?? '') ? ["the hub's TLS certificate is not trusted", 'tls'] as const
    : /bad port/i.test(inner?.message ?? '') ? ['that port is one HTTP clients refuse to use: give the port the hub listens on', 'bad-port'] as const
    : ['the network failed', 'network'] as const;
  return new ApiError(0, `cannot reach the hub at ${baseUrl}: ${why}`, `api.unreachable.${reason}`, { hub: baseUrl });
}

/**
 * A problem+json answer as an ApiError: the hub's sentence, the article, and the stable code
 * (the `code` member, or else the last segment of the problem `type` URI, which is where the
 * hub has always put it), so callers match on the code, never on the wording.
 */
export function problemOf(status: number, text: string): ApiError {
  let body: { detail?: unknown; article?: unknown; code?: unknown; type?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return new ApiError(status, `the hub answered ${status}`, 'api.answer-not-problem', { status });
  }
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const code = str(body.code) ?? str(body.type)?.split('/').pop();
  const article = str(body.article);
  if (str(body.detail) === undefined && code === undefined && article === undefined) return new ApiError(status, `the hub answered ${status}`, 'api.answer-not-problem', { status });
  const detail = str(body.detail) ?? `the hub answered ${status}`;
  return new ApiError(status, detail, 'api.problem', { problem: code ?? '', detail, article: article ?? '' });
}

/** What one page of a list may be asked with: the page size and the previous page's cursor. */
export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/** The path of one page: `query` (filters) and the page parameters as a query string. */
export function pagePath(path: string, query: object): string {
  return `${path}${queryString(query)}`;
}


export class HubClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;
  /** The key the session belongs to: lets a refused session be explained (revoked, expired) rather than guessed. */
  private readonly fingerprint: string | undefined;
  private readonly transport: Transport;

  /** `token` undefined: no Authorization header (the web client's session rides on its HttpOnly cookie). */
  constructor(baseUrl: string, token?: string, fingerprint?: string, transport: Transport = fetchTransport) {
    this.baseUrl = baseUrl;
    this.token = token;
    this.fingerprint = fingerprint;
    this.transport = transport;
  }

  withToken(token: string): HubClient {
    return new HubClient(this.baseUrl, token, this.fingerprint, this.transport);
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
    if (problem.detail.startsWith('this key cannot act any more')) return new ApiError(401, `${problem.detail}; ask your security officer`, 'api.key-inactive', { detail: problem.detail });
    return new ApiError(401, `your session on ${this.baseUrl} has ended (expired or logged out): log in again with liaison login --server ${this.baseUrl}`, 'api.session-ended', { hub: this.baseUrl });
  }

  private url(path: string): string {
    return new URL(`/v1${path}`, this.baseUrl).toString();
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  /** One JSON call of the /v1 API, its answer parsed with `schema`; a problem+json answer throws ApiError. */
  async call<T extends z.ZodType>(schema: T, method: string, path: string, body?: unknown): Promise<z.output<T>> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = this.headers(payload === undefined ? {} : { 'Content-Type': 'application/json' });
    let status: number;
    let text: string;
    try {
      if (this.transport.exchange) {
        ({ status, text } = await this.transport.exchange(method, this.url(path), headers, payload));
      } else {
        const response = await fetch(this.url(path), { method, headers, ...(payload === undefined ? {} : { body: payload }), credentials: 'same-origin' });
        status = response.status;
        text = await response.text();
      }
    } catch (cause) {
      throw unreachable(this.baseUrl, cause);
    }
    if (status === 401 && this.token) throw this.sessionRefused(problemOf(status, text));
    if (status < 200 || status >= 300) throw problemOf(status, text);
    if (status === 204) return schema.parse(undefined);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiError(status, `the hub's answer to ${method} ${path} is not JSON`, 'api.not-json', { method, path });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiError(status, `the hub's answer to ${method} ${path} is not what the protocol says`, 'api.not-protocol', { method, path });
    return parsed.data;
  }

  /** One page of a list route, its items parsed with `item`. */
  page<T extends z.ZodType>(item: T, path: string, query: object = {}): Promise<{ items: Array<z.output<T>>; nextCursor: string | null }> {
    return this.call(pageOf(item), 'GET', pagePath(path, query));
  }

  /** Every item of a list route, page after page (the largest page unless `query` says), each parsed with `item` (through `everyItem`). */
  pages<T extends z.ZodType>(item: T, path: string, query: object = {}): AsyncGenerator<z.output<T>> {
    return everyItem((cursor) => this.page(item, path, { limit: MAX_PAGE_SIZE, ...query, ...(cursor ? { cursor } : {}) }), `list at ${path}`);
  }

  /** Every item of a list route, in order (through `pages`). */
  list<T extends z.ZodType>(item: T, path: string, query: object = {}): Promise<Array<z.output<T>>> {
    return collect(this.pages(item, path, query));
  }

  hub() {
    return this.call(HubInfo, 'GET', '/hub');
  }
  /** The agreements the hub holds: loaded from its files at start, a handful, so one array, not a page. */
  agreements() {
    return this.call(z.array(AgreementSummary), 'GET', '/agreements');
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
  /** Every member of a party (page after page): the trust directory verifies them all. */
  members(party: string, includeRevoked = false) {
    return this.list(Member, `/parties/${encodeURIComponent(party)}/members`, includeRevoked ? { include: 'revoked' } : {});
  }
  memberPage(party: string, query: PageRequest & { includeRevoked?: boolean } = {}) {
    const { includeRevoked, ...page } = query;
    return this.page(Member, `/parties/${encodeURIComponent(party)}/members`, { ...(includeRevoked ? { include: 'revoked' } : {}), ...page });
  }
  rotations(party: string) {
    return this.list(Rotation, `/parties/${encodeURIComponent(party)}/rotations`);
  }
  contacts(party: string) {
    return this.list(Contact, `/parties/${encodeURIComponent(party)}/contacts`);
  }
  contactPage(party: string, query: PageRequest = {}) {
    return this.page(Contact, `/parties/${encodeURIComponent(party)}/contacts`, query);
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
    return this.call(WrapsResult, 'POST', `/packets/${encodeURIComponent(packetId)}/wraps`, { fingerprint, wraps });
  }
  /** The packets of my party that some part of does not open for a colleague's key yet (a page may be short and still have a next). */
  awaitingWrapPage(fingerprint: string, cursor?: string) {
    return this.call(PacketPage, 'GET', `/members/${encodeURIComponent(fingerprint)}/awaiting-wraps${queryString(cursor ? { cursor } : {})}`);
  }
  awaitingWraps(fingerprint: string): AsyncGenerator<PacketSummary> {
    return everyItem((cursor) => this.awaitingWrapPage(fingerprint, cursor));
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
  /** Every release of a packet the caller may see, page after page. */
  releasesOf(packetId: string) {
    return this.list(Release, `/packets/${encodeURIComponent(packetId)}/releases`);
  }
  releasesOfPage(packetId: string, query: PageRequest = {}) {
    return this.page(Release, `/packets/${encodeURIComponent(packetId)}/releases`, query);
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
    const target = this.url(options.packetId ? `/packets/${encodeURIComponent(options.packetId)}/revisions` : '/packets');
    let answer: { status: number; text: string };
    try {
      answer = await this.transport.post(target, this.headers(), { manifest: fields.manifest, signature: fields.signature, submit: String(fields.submit) }, files, options.onProgress);
    } catch (cause) {
      if (cause instanceof ApiError) throw cause;
      throw unreachable(this.baseUrl, cause);
    }
    if (answer.status < 200 || answer.status >= 300) throw problemOf(answer.status, answer.text);
    return SubmitResult.parse(JSON.parse(answer.text));
  }

  /** Download a part: the stream carries `wrapLength` bytes of extra key wraps, then the stored ciphertext. */
  async downloadPart(packetId: string, partId: string): Promise<{ wrapLength: number; size: number; body: ReadableStream<Uint8Array> }> {
    let response: Response;
    try {
      response = await fetch(this.url(`/packets/${encodeURIComponent(packetId)}/parts/${encodeURIComponent(partId)}`), { headers: this.headers(), credentials: 'same-origin' });
    } catch (cause) {
      throw unreachable(this.baseUrl, cause);
    }
    if (!response.ok || !response.body) throw problemOf(response.status, await response.text());
    const wrapLength = Number(response.headers.get(WRAP_LENGTH_HEADER) ?? '0');
    const size = Number(response.headers.get('content-length') ?? '0');
    if (!Number.isSafeInteger(wrapLength) || wrapLength < 0 || wrapLength > 1024 * 1024) throw new ApiError(response.status, 'the hub sent an invalid wrap length', 'api.invalid-wrap-length');
    return { wrapLength, size, body: response.body };
  }
}
