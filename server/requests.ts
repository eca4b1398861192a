/**
 * The treaty workflow of written requests, driven entirely by the agreement files: the state of
 * each request at each requested party, written reasons for refusals and deferrals, delay
 * notices, and the deadlines of the caller's party (requests, oral requests, authenticity).
 *
 * Every rule cites the article its agreement file gives it; a step the agreement does not provide
 * for is refused citing the agreement. Time comes only from `hub.now`. Every change and its audit
 * event commit in one transaction. The hub never reads reasons, purposes or facts: they travel in
 * encrypted packets, and a state change only points at the packet that carries them.
 */
import type { Agreement } from '../protocol/agreement.ts';
import { requestStateAction } from '../protocol/evidence.ts';
import { parseCanonicalManifest } from '../protocol/manifest.ts';
import {
  CLOSED_STATES,
  STATE_PACKET,
  addDeadline,
  canTransition,
  dueStatus,
  type DeadlineItem,
  type DueStatus,
  type RequestEvent,
  type RequestState,
  type RequestView,
  type StateChangeBody,
} from '../protocol/requests.ts';
import type { MemberRecord, PacketRecord } from '../storage/records.ts';
import { Problem, notFound, treatyRefusal } from './errors.ts';
import type { Hub } from './hub.ts';
import type { RequestListQuery } from '../protocol/api.ts';
import type { DeadlineListQuery } from '../protocol/requests.ts';
import { decodeListCursor, encodeListCursor, type Page } from '../storage/listings.ts';
import { recordHubReceipt } from './evidence.ts';
import { afterTermination, agreementOf, ruleOrRefuse } from './policy/agreements.ts';
import { requireContact } from './policy/roles.ts';
import { listed, packetSeenBy, visiblePacket } from './packets.ts';
import { readableLevels, type Relation } from './policy/visibility.ts';
import { authenticityView } from './authenticity.ts';
import { listOralRequests } from './oral-requests.ts';

// --- requests and their state ----------------------------------------------------------------

async function requestPacket(hub: Hub, member: MemberRecord, packetId: string): Promise<{ packet: PacketRecord; relation: Relation }> {
  const { packet, relation } = await visiblePacket(hub, member, packetId);
  if (packet.kind !== 'request') throw new Problem('bad-request', `packet ${packetId} is a ${packet.kind}, not a request`);
  if (packet.state !== 'submitted') throw new Problem('conflict', 'a draft is not a request yet; submit it first');
  return { packet, relation };
}

/** The state-bearing events of one requested party (a delay notice does not change the state). */
async function stateOf(hub: Hub, packetId: string, party: string) {
  const events = await hub.store.requests.events(packetId, party);
  const last = [...events].reverse().find((e) => e.state !== 'delay-notified');
  return { events, state: (last?.state ?? 'received') as RequestState, scope: last?.scope };
}

async function viewOf(hub: Hub, packet: PacketRecord, party: string): Promise<RequestView> {
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  const { events, state, scope } = await stateOf(hub, packet.id, party);
  const receivedAt = packet.submittedAt ?? packet.createdAt;
  const execution = agreement.deadlines.execution;
  const dueAt = addDeadline(receivedAt, execution);
  const closed = CLOSED_STATES.includes(state) && !(state === 'refused' && scope === 'part');
  const due: DueStatus = closed ? 'closed' : state === 'deferred' ? 'no-deadline' : dueStatus(hub.now(), receivedAt, dueAt);
  const delay = [...events].reverse().find((e) => e.state === 'delay-notified');
  const history: RequestEvent[] = [
    { state: 'received', at: receivedAt },
    ...events
      .filter((e) => e.state !== 'delay-notified')
      .map((e) => ({
        state: e.state as RequestState,
        at: e.at,
        by: e.actor,
        ...(e.relatedPacket ? { packetId: e.relatedPacket } : {}),
        ...(e.scope ? { scope: e.scope } : {}),
        ...(e.authority ? { authority: e.authority } : {}),
      })),
  ];
  return {
    packetId: packet.id,
    agreementId: packet.agreementId,
    requestingParty: packet.senderParty,
    requestedParty: party,
    state,
    ...(scope && (state === 'refused' || state === 'deferred') ? { scope } : {}),
    receivedAt,
    ...(dueAt ? { dueAt } : {}),
    due,
    ...(execution ? { deadlineArticle: execution.article } : {}),
    ...(delay ? { delayNotifiedAt: delay.at } : {}),
    history,
  };
}

/** The request as `member` may see it: each requested party's state for the requester, its own for a requested party. */
export async function requestViews(hub: Hub, member: MemberRecord, packetId: string): Promise<RequestView[]> {
  const { packet, relation } = await requestPacket(hub, member, packetId);
  // A third party that received the packet by release is no party to the request: like a missing packet.
  if (relation === 'released') throw notFound('packet');
  return await viewsFor(hub, member, packet, relation);
}

async function viewsFor(hub: Hub, member: MemberRecord, packet: PacketRecord, relation: 'sent' | 'received'): Promise<RequestView[]> {
  return relation === 'sent' ? Promise.all(packet.recipients.map((party) => viewOf(hub, packet, party))) : [await viewOf(hub, packet, member.party)];
}

/** Every request my party sent or received that I may see: the views of the packets `visiblePackets` lets through. */
async function listRequests(hub: Hub, member: MemberRecord): Promise<RequestView[]> {
  const out: RequestView[] = [];
  for (const id of await hub.store.packets.submittedIdsFor(member.party, 'request')) {
    const seen = await packetSeenBy(hub, member, id);
    if (!seen || seen.packet.kind !== 'request' || seen.packet.state !== 'submitted' || seen.relation === 'released') continue;
    out.push(...(await viewsFor(hub, member, seen.packet, seen.relation)));
  }
  return out;
}

/** The written packet behind a state change: sent by the requested party, of the right kind, in reply to the request. */
async function requireStatePacket(hub: Hub, member: MemberRecord, request: PacketRecord, agreement: Agreement, body: StateChangeBody, article: string): Promise<string | undefined> {
  const rule = STATE_PACKET[body.state];
  if (!rule) {
    if (body.packetId) throw new Problem('bad-request', `a change to ${body.state} does not take a packet`);
    return undefined;
  }
  if (!body.packetId) {
    if (!rule.required) return undefined;
    const [what, them] = body.state === 'refused' || body.state === 'deferred' ? ['written reasons', 'them'] : ['a written notice', 'it'];
    throw treatyRefusal(article, `a request is ${body.state} only with ${what}: send ${them} as a packet of kind ${rule.kinds.join(' or ')} in reply to ${request.id} and give its id`);
  }
  const related = await hub.store.packets.get(body.packetId);
  const manifest = related ? parseCanonicalManifest(related.manifest) : undefined;
  if (!related || !manifest?.ok || related.senderParty !== member.party || related.state !== 'submitted') {
    throw treatyRefusal(article, `packet ${body.packetId} is not a submitted packet of ${member.party}`);
  }
  if (!rule.kinds.includes(related.kind)) throw treatyRefusal(article, `packet ${body.packetId} is a ${related.kind}; a change to ${body.state} needs a ${rule.kinds.join(' or ')}`);
  if (manifest.manifest.references.inReplyTo !== request.id || !related.recipients.includes(request.senderParty) || related.agreementId !== agreement.id) {
    throw treatyRefusal(article, `packet ${body.packetId} must answer request ${request.id} and be addressed to ${request.senderParty} under ${agreement.id}`);
  }
  return related.id;
}

/** The article a change to `state` rests on, refusing a change the agreement does not provide for. */
function articleFor(agreement: Agreement, state: RequestState): string {
  const w = agreement.workflow;
  switch (state) {
    case 'refused':
      return ruleOrRefuse(agreement, agreement.refusalReasons, 'refusals with reasons').article;
    case 'deferred':
      return ruleOrRefuse(agreement, w?.deferral, 'deferral of execution').article;
    case 'waiting-for-information':
      return ruleOrRefuse(agreement, w?.additionalInformation, 'requests for additional information').article;
    case 'transferred':
      return ruleOrRefuse(agreement, w?.transfer, 'transfer to another competent authority').article;
    default:
      return agreement.deadlines.execution?.article ?? agreement.status.article;
  }
}

/** A contact of a requested party moves the request on; refusals and deferrals need written reasons. */
export async function changeState(hub: Hub, member: MemberRecord, packetId: string, body: StateChangeBody): Promise<RequestView> {
  const { packet, relation } = await requestPacket(hub, member, packetId);
  if (relation !== 'received') throw new Problem('forbidden', `the state of a request is set by the requested party (${packet.recipients.join(', ')})`);
  requireContact(member, 'changing the state of a request');
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  const article = articleFor(agreement, body.state);
  if (body.scope && body.state !== 'refused' && body.state !== 'deferred') throw new Problem('bad-request', 'only a refusal or a deferral is in whole or in part');
  if (body.authority && body.state !== 'transferred') throw new Problem('bad-request', 'an authority is named only for a transfer');
  if (body.state === 'transferred') {
    const party = agreement.parties.find((p) => p.id === member.party);
    if (!body.authority || !party?.authorities.some((a) => a.id === body.authority)) {
      throw treatyRefusal(article, `a transfer names a competent authority of ${member.party} under ${agreement.id} (${party?.authorities.map((a) => a.id).join(', ') ?? 'none'})`);
    }
  }
  const relatedPacket = await requireStatePacket(hub, member, packet, agreement, body, article);
  const at = hub.now().toISOString();
  await hub.store.transaction(async () => {
    // Re-read inside the transaction, so two contacts cannot both move the request from the same state.
    const current = await stateOf(hub, packet.id, member.party);
    const fromPartialRefusal = current.state === 'refused' && current.scope === 'part';
    if (!canTransition(current.state, body.state) || (current.state === 'refused' && !fromPartialRefusal)) {
      throw new Problem('conflict', `the request is ${current.state}${current.scope ? ` (${current.scope})` : ''}; it cannot become ${body.state}`);
    }
    await hub.store.requests.insertEvent({
      packetId: packet.id,
      party: member.party,
      state: body.state,
      scope: body.state === 'refused' || body.state === 'deferred' ? (body.scope ?? 'whole') : undefined,
      authority: body.authority,
      relatedPacket,
      actor: member.fingerprint,
      at,
    });
    await hub.audit({
      actor: member.fingerprint,
      party: member.party,
      action: requestStateAction(body.state),
      object: packet.id,
      outcome: 'allow',
      detail: { from: current.state, requestingParty: packet.senderParty, article, ...afterTermination(agreement), ...(relatedPacket ? { packet: relatedPacket } : {}), ...(body.authority ? { authority: body.authority } : {}), ...(body.scope ? { scope: body.scope } : {}) },
    });
    // The requesting party can later prove it was refused, deferred or told of the transfer.
    const receiptKind = ({ refused: 'request-refused', deferred: 'request-deferred', transferred: 'transfer' } as const)[body.state as 'refused' | 'deferred' | 'transferred'];
    if (receiptKind) await recordHubReceipt(hub, { kind: receiptKind, packetId: packet.id, party: packet.senderParty });
  });
  return await viewOf(hub, packet, member.party);
}

/** The requesting party is told of a delay (SCO Art. 6(2)) by a packet of kind information in reply to the request. */
export async function notifyDelay(hub: Hub, member: MemberRecord, packetId: string, body: { packetId: string }): Promise<RequestView> {
  const { packet, relation } = await requestPacket(hub, member, packetId);
  if (relation !== 'received') throw new Problem('forbidden', 'a delay is notified by the requested party');
  requireContact(member, 'notifying a delay');
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  const article = ruleOrRefuse(agreement, agreement.workflow?.delayNotice, 'delay notices').article;
  const related = await hub.store.packets.get(body.packetId);
  const manifest = related ? parseCanonicalManifest(related.manifest) : undefined;
  if (!related || !manifest?.ok || related.senderParty !== member.party || related.state !== 'submitted' || related.kind !== 'information' || manifest.manifest.references.inReplyTo !== packet.id) {
    throw treatyRefusal(article, `a delay is notified in writing: packet ${body.packetId} must be a submitted information packet of ${member.party} in reply to ${packet.id}`);
  }
  const { state } = await stateOf(hub, packet.id, member.party);
  if (CLOSED_STATES.includes(state)) throw new Problem('conflict', `the request is already ${state}`);
  const at = hub.now().toISOString();
  await hub.store.transaction(async () => {
    await hub.store.requests.insertEvent({ packetId: packet.id, party: member.party, state: 'delay-notified', relatedPacket: related.id, actor: member.fingerprint, at });
    await hub.audit({ actor: member.fingerprint, party: member.party, action: 'request.delay-notified', object: packet.id, outcome: 'allow', detail: { packet: related.id, article } });
  });
  return await viewOf(hub, packet, member.party);
}

// --- deadlines ---------------------------------------------------------------------------------

const DUE_ORDER: Record<DueStatus, number> = { overdue: 0, 'due-soon': 1, due: 2, 'no-deadline': 3, closed: 4 };

/** A deadline's place in the list: no deadline last, then the earliest due first; ties by what, id and counterpart. */
function deadlineKey(item: DeadlineItem): [string, string] {
  const rank = item.due === 'no-deadline' ? 1 : 0;
  return [rank === 0 ? (item.dueAt ?? '') : '', `${rank}|${item.what}|${item.id}|${item.counterpart}`];
}
const DEADLINE_CURSOR_ID = /^[01]\|(execution|oral-confirmation|authenticity)\|[0-9A-Za-z-]{1,64}\|[A-Z][A-Z0-9-]{1,15}$/;

/**
 * One page of what is due for my party, most urgent first, with the filters of DeadlineListQuery.
 * The cursor is the keyset position (due time, what, id, counterpart) of the last item, so a
 * deadline added meanwhile appears where it belongs and nothing is repeated or skipped. Not yet
 * served by an index: each page still computes the party's open deadlines (O(its requests); see
 * docs/performance.md), because a due time is derived from the agreement and the request's state.
 */
export async function deadlinePage(hub: Hub, member: MemberRecord, query: DeadlineListQuery): Promise<Page<DeadlineItem>> {
  const after = query.cursor ? decodeListCursor('deadlines', query.cursor, DEADLINE_CURSOR_ID) : undefined;
  const requestState = (item: DeadlineItem) => item.state.split(',')[0];
  const matching = (await deadlines(hub, member)).filter(
    (item) =>
      (query.due === undefined || item.due === query.due) &&
      (query.what === undefined || item.what === query.what) &&
      (query.whose === undefined || item.whose === query.whose) &&
      (query.state === undefined || (item.what === 'execution' && requestState(item) === query.state)),
  );
  const keyed = matching.map((item) => ({ item, key: deadlineKey(item) }));
  const order = (x: [string, string], y: [string, string]) => (x[1][0]! !== y[1][0]! ? x[1][0]!.localeCompare(y[1][0]!) : x[0].localeCompare(y[0]) || x[1].localeCompare(y[1]));
  keyed.sort((x, y) => order(x.key, y.key));
  const rest = after ? keyed.filter((k) => order(k.key, [after.at, after.id]) > 0) : keyed;
  const page = rest.slice(0, query.limit);
  const last = page.at(-1);
  return { items: page.map((k) => k.item), nextCursor: rest.length > query.limit && last ? encodeListCursor('deadlines', ...last.key) : null };
}

/** What is due, due soon and overdue for my party: requests to execute or awaited, oral requests to confirm, packets to confirm. */
async function deadlines(hub: Hub, member: MemberRecord): Promise<DeadlineItem[]> {
  const items: DeadlineItem[] = [];
  for (const view of await listRequests(hub, member)) {
    if (view.due === 'closed') continue;
    const mine = view.requestedParty === member.party;
    items.push({
      what: 'execution',
      id: view.packetId,
      agreementId: view.agreementId,
      whose: mine ? 'mine' : 'theirs',
      counterpart: mine ? view.requestingParty : view.requestedParty,
      state: view.delayNotifiedAt ? `${view.state}, delay notified` : view.state,
      ...(view.dueAt ? { dueAt: view.dueAt } : {}),
      due: view.due,
      article: view.deadlineArticle ?? `no execution deadline in ${view.agreementId}`,
    });
  }
  for (const o of await listOralRequests(hub, member)) {
    if (o.due === 'closed') continue;
    const mine = o.requestingParty === member.party;
    items.push({
      what: 'oral-confirmation',
      id: o.id,
      agreementId: o.agreementId,
      whose: mine ? 'mine' : 'theirs',
      counterpart: mine ? o.requestedParty : o.requestingParty,
      state: o.demandedAt ? 'confirmation demanded' : o.confirmation === 'on-demand' ? 'recorded (confirmation on demand)' : 'awaiting written confirmation',
      ...(o.dueAt ? { dueAt: o.dueAt } : {}),
      due: o.due,
      article: o.article,
    });
  }
  // Open requests about packets my party may look at, in one query; then each packet once.
  const open = await hub.store.requests.openAuthenticityFor(member.party);
  const byPacket = new Map<string, typeof open>();
  for (const a of open) byPacket.set(a.packetId, [...(byPacket.get(a.packetId) ?? []), a]);
  for (const [id, pending] of byPacket) {
    // Below the marking, the packet (and so the doubt about it) does not exist for this member.
    const packet = (await packetSeenBy(hub, member, id))?.packet;
    if (!packet) continue;
    for (const a of pending) {
      const mine = packet.senderParty === member.party;
      if (!mine && a.requestingParty !== member.party) continue;
      items.push({
        what: 'authenticity',
        id: a.id,
        agreementId: packet.agreementId,
        whose: mine ? 'mine' : 'theirs',
        counterpart: mine ? a.requestingParty : packet.senderParty,
        state: `confirmation of ${packet.id} asked`,
        due: 'no-deadline',
        article: authenticityView(hub, a, packet).article,
      });
    }
  }
  return items.sort((x, y) => DUE_ORDER[x.due] - DUE_ORDER[y.due] || (x.dueAt ?? '~').localeCompare(y.dueAt ?? '~'));
}

/**
 * One page of the requests my party sent or received, newest first (one indexed query
 * for the page, storage/listings.ts); each request expands into the views `requestViews` gives.
 * `limit` counts requests, so a page of sent requests may hold more views than `limit`.
 */
export async function requestPage(hub: Hub, member: MemberRecord, query: RequestListQuery): Promise<Page<RequestView>> {
  const page = await listed(() =>
    hub.store.packets.page({
      party: member.party,
      levels: readableLevels(member),
      folder: query.box === 'all' ? undefined : query.box,
      agreementId: query.agreement,
      kind: 'request',
      state: 'submitted',
      since: query.since,
      limit: query.limit,
      cursor: query.cursor,
    }),
  );
  const items: RequestView[] = [];
  for (const p of page.items) if (p.relation !== 'released') items.push(...(await requestViews(hub, member, p.id)));
  return { items, nextCursor: page.nextCursor };
}
