/**
 * The typed calls of the hub's treaty-workflow API (requests and their states, deadlines, oral
 * requests, authenticity, purpose changes), for both clients. Answers are parsed with the
 * protocol schemas. The steps that touch plaintext are the platform's (client/node/requests.ts
 * in the CLI, the web client's worker).
 * Never touches plaintext or keys, and believes an answer only as far as its schema: a signed
 * statement in it is checked by the caller against the pins.
 */
import { z } from 'zod';
import { MAX_PAGE_SIZE, pageOf } from '../../protocol/api.ts';
import { Release } from '../../protocol/release.ts';
import { AuthenticityView, DeadlineItem, OralRequestView, RequestView, type DeadlineListQuery, type StateChangeBody } from '../../protocol/requests.ts';
import type { HubClient, PageRequest } from './api.ts';

/** What GET /v1/deadlines filters by (protocol/requests.ts: DeadlineListQuery). */
export type DeadlineFilters = Partial<Pick<DeadlineListQuery, 'due' | 'what' | 'whose' | 'state'>>;

/** Calls of the workflow API with a session's bearer token; answers are parsed with the protocol schemas. */
export class WorkflowApi {
  private readonly api: HubClient;
  constructor(api: HubClient) {
    this.api = api;
  }

  private call<T extends z.ZodType>(schema: T, method: string, path: string, body?: unknown): Promise<z.output<T>> {
    return this.api.call(schema, method, path, body);
  }

  /** Every request of my party, newest first, page by page. */
  async requests(query: { box?: 'sent' | 'inbox' | 'all'; agreement?: string } = {}): Promise<RequestView[]> {
    const out: RequestView[] = [];
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams({ limit: String(MAX_PAGE_SIZE), ...(query.box ? { box: query.box } : {}), ...(query.agreement ? { agreement: query.agreement } : {}), ...(cursor ? { cursor } : {}) });
      const page: { items: RequestView[]; nextCursor: string | null } = await this.call(pageOf(RequestView), 'GET', `/requests?${params.toString()}`);
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }
  request(packetId: string) {
    return this.call(z.array(RequestView), 'GET', `/requests/${encodeURIComponent(packetId)}`);
  }
  changeState(packetId: string, body: StateChangeBody) {
    return this.call(RequestView, 'POST', `/requests/${encodeURIComponent(packetId)}/state`, body);
  }
  notifyDelay(packetId: string, noticePacketId: string) {
    return this.call(RequestView, 'POST', `/requests/${encodeURIComponent(packetId)}/delay`, { packetId: noticePacketId });
  }
  /** Every deadline of my party that matches, most urgent first, page after page. */
  deadlines(filters: DeadlineFilters = {}) {
    return this.api.list(DeadlineItem, '/deadlines', filters);
  }
  deadlinePage(query: DeadlineFilters & PageRequest = {}) {
    return this.api.page(DeadlineItem, '/deadlines', query);
  }
  /** Every oral request of my party, newest first, page by page. */
  async oralRequests(): Promise<OralRequestView[]> {
    const out: OralRequestView[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: OralRequestView[]; nextCursor: string | null } = await this.call(pageOf(OralRequestView), 'GET', `/oral-requests?limit=${MAX_PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }
  recordOralRequest(body: { agreementId: string; requestingParty: string; requestedParty: string; madeAt?: string }) {
    return this.call(OralRequestView, 'POST', '/oral-requests', body);
  }
  demandConfirmation(id: string) {
    return this.call(OralRequestView, 'POST', `/oral-requests/${encodeURIComponent(id)}/demand`);
  }
  confirmOralRequest(id: string, packetId: string) {
    return this.call(OralRequestView, 'POST', `/oral-requests/${encodeURIComponent(id)}/confirm`, { packetId });
  }
  askAuthenticity(packetId: string) {
    return this.call(AuthenticityView, 'POST', `/packets/${encodeURIComponent(packetId)}/authenticity`);
  }
  /** Every authenticity request of a packet the caller may see, page after page. */
  authenticityOf(packetId: string) {
    return this.api.list(AuthenticityView, `/packets/${encodeURIComponent(packetId)}/authenticity`);
  }
  authenticityPage(packetId: string, query: PageRequest = {}) {
    return this.api.page(AuthenticityView, `/packets/${encodeURIComponent(packetId)}/authenticity`, query);
  }
  authenticity(id: string) {
    return this.call(AuthenticityView, 'GET', `/authenticity/${encodeURIComponent(id)}`);
  }
  answerAuthenticity(id: string, confirmation: string, signature: string) {
    return this.call(AuthenticityView, 'POST', `/authenticity/${encodeURIComponent(id)}/confirm`, { confirmation, signature });
  }
  requestPurposeChange(packetId: string, purpose: string) {
    return this.call(Release, 'POST', `/packets/${encodeURIComponent(packetId)}/purpose-changes`, { purpose });
  }
  /** Every purpose change of a packet the caller may see, page after page. */
  purposeChanges(packetId: string) {
    return this.api.list(Release, `/packets/${encodeURIComponent(packetId)}/purpose-changes`);
  }
  purposeChangePage(packetId: string, query: PageRequest = {}) {
    return this.api.page(Release, `/packets/${encodeURIComponent(packetId)}/purpose-changes`, query);
  }
}
