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
import type { MemberRecord, PacketRecord } from '../storage/store.ts';
import { Problem, notFound, treatyRefusal } from './errors.ts';
import type { Hub } from './hub.ts';
import type { RequestListQuery } from '../protocol/api.ts';
import type { Page } from '../storage/listings.ts';
import { recordHubReceipt } from './evidence.ts';
import { afterTermination, agreementOf, ruleOrRefuse } from './policy/agreements.ts';
import { requireContact } from './policy/roles.ts';
import { listed, packetSeenBy, visiblePacket } from './packets.ts';
import { readableLevels, type Relation } from './policy/visibility.ts';
import { authenticityView } from './authenticity.ts';
import { listOralRequests } from './oral-requests.ts';

// --- requests and their state ----------------------------------------------------------------

function requestPacket(hub: Hub, member: MemberRecord, packetId: string): { packet: PacketRecord; relation: Relation } {
  const { packet, relation } = visiblePacket(hub, member, packetId);
  if (packet.kind !== 'request') throw new Problem('bad-request', `packet ${packetId} is a ${packet.kind}, not a request`);
  if (packet.state !== 'submitted') throw new Problem('conflict', 'a draft is not a request yet; submit it first');
  return { packet, relation };
}

/** The state-bearing events of one requested party (a delay notice does not change the state). */
function stateOf(hub: Hub, packetId: string, party: string) {
  const events = hub.store.requestEvents(packetId, party);
  const last = [...events].reverse().find((e) => e.state !== 'delay-notified');
  return { events, state: (last?.state ?? 'received') as RequestState, scope: last?.scope };
}

function viewOf(hub: Hub, packet: PacketRecord, party: string): RequestView {
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  const { events, state, scope } = stateOf(hub, packet.id, party);
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
export function requestViews(hub: Hub, member: MemberRecord, packetId: string): RequestView[] {
  const { packet, relation } = requestPacket(hub, member, packetId);
  // A third party that received the packet by release is no party to the request: like a missing packet.
  if (relation === 'released') throw notFound('packet');
  return viewsFor(hub, member, packet, relation);
}

function viewsFor(hub: Hub, member: MemberRecord, packet: PacketRecord, relation: 'sent' | 'received'): RequestView[] {
  return relation === 'sent' ? packet.recipients.map((party) => viewOf(hub, packet, party)) : [viewOf(hub, packet, member.party)];
}

/** Every request my party sent or received that I may see: the views of the packets `visiblePackets` lets through. */
function listRequests(hub: Hub, member: MemberRecord): RequestView[] {
  const out: RequestView[] = [];
  for (const id of hub.store.submittedPacketIds(member.party, 'request')) {
    const seen = packetSeenBy(hub, member, id);
    if (!seen || seen.packet.kind !== 'request' || seen.packet.state !== 'submitted' || seen.relation === 'released') continue;
    out.push(...viewsFor(hub, member, seen.packet, seen.relation));
  }
  return out;
}

/** The written packet behind a state change: sent by the requested party, of the right kind, in reply to the request. */
function requireStatePacket(hub: Hub, member: MemberRecord, request: PacketRecord, agreement: Agreement, body: StateChangeBody, article: string): string | undefined {
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
  const related = hub.store.getPacket(body.packetId);
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
export function changeState(hub: Hub, member: MemberRecord, packetId: string, body: StateChangeBody): RequestView {
  const { packet, relation } = requestPacket(hub, member, packetId);
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
  const relatedPacket = requireStatePacket(hub, member, packet, agreement, body, article);
  const at = hub.now().toISOString();
  hub.store.transaction(() => {
    // Re-read inside the transaction, so two contacts cannot both move the request from the same state.
    const current = stateOf(hub, packet.id, member.party);
    const fromPartialRefusal = current.state === 'refused' && current.scope === 'part';
    if (!canTransition(current.state, body.state) || (current.state === 'refused' && !fromPartialRefusal)) {
      throw new Problem('conflict', `the request is ${current.state}${current.scope ? ` (${current.scope})` : ''}; it cannot become ${body.state}`);
    }
    hub.store.insertRequestEvent({
      packetId: packet.id,
      party: member.party,
      state: body.state,
      scope: body.state === 'refused' || body.state === 'deferred' ? (body.scope ?? 'whole') : undefined,
      authority: body.authority,
      relatedPacket,
      actor: member.fingerprint,
      at,
    });
    hub.audit({
      actor: member.fingerprint,
      party: member.party,
      action: `request.${body.state}`,
      object: packet.id,
      outcome: 'allow',
      detail: { from: current.state, requestingParty: packet.senderParty, article, ...afterTermination(agreement), ...(relatedPacket ? { packet: relatedPacket } : {}), ...(body.authority ? { authority: body.authority } : {}), ...(body.scope ? { scope: body.scope } : {}) },
    });
    // The requesting party can later prove it was refused, deferred or told of the transfer.
    const receiptKind = ({ refused: 'request-refused', deferred: 'request-deferred', transferred: 'transfer' } as const)[body.state as 'refused' | 'deferred' | 'transferred'];
    if (receiptKind) recordHubReceipt(hub, { kind: receiptKind, packetId: packet.id, party: packet.senderParty });
  });
  return viewOf(hub, packet, member.party);
}

/** The requesting party is told of a delay (SCO Art. 6(2)) by a packet of kind information in reply to the request. */
export function notifyDelay(hub: Hub, member: MemberRecord, packetId: string, body: { packetId: string }): RequestView {
  const { packet, relation } = requestPacket(hub, member, packetId);
  if (relation !== 'received') throw new Problem('forbidden', 'a delay is notified by the requested party');
  requireContact(member, 'notifying a delay');
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  const article = ruleOrRefuse(agreement, agreement.workflow?.delayNotice, 'delay notices').article;
  const related = hub.store.getPacket(body.packetId);
  const manifest = related ? parseCanonicalManifest(related.manifest) : undefined;
  if (!related || !manifest?.ok || related.senderParty !== member.party || related.state !== 'submitted' || related.kind !== 'information' || manifest.manifest.references.inReplyTo !== packet.id) {
    throw treatyRefusal(article, `a delay is notified in writing: packet ${body.packetId} must be a submitted information packet of ${member.party} in reply to ${packet.id}`);
  }
  const { state } = stateOf(hub, packet.id, member.party);
  if (CLOSED_STATES.includes(state)) throw new Problem('conflict', `the request is already ${state}`);
  const at = hub.now().toISOString();
  hub.store.transaction(() => {
    hub.store.insertRequestEvent({ packetId: packet.id, party: member.party, state: 'delay-notified', relatedPacket: related.id, actor: member.fingerprint, at });
    hub.audit({ actor: member.fingerprint, party: member.party, action: 'request.delay-notified', object: packet.id, outcome: 'allow', detail: { packet: related.id, article } });
  });
  return viewOf(hub, packet, member.party);
}

// --- deadlines ---------------------------------------------------------------------------------

const DUE_ORDER: Record<DueStatus, number> = { overdue: 0, 'due-soon': 1, due: 2, 'no-deadline': 3, closed: 4 };

/** What is due, due soon and overdue for my party: requests to execute or awaited, oral requests to confirm, packets to confirm. */
export function deadlines(hub: Hub, member: MemberRecord): DeadlineItem[] {
  const items: DeadlineItem[] = [];
  for (const view of listRequests(hub, member)) {
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
  for (const o of listOralRequests(hub, member)) {
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
  for (const id of hub.store.packetIdsForParty(member.party)) {
    const pending = hub.store.authenticityRequestsOf(id).filter((a) => !a.confirmedAt);
    if (pending.length === 0) continue;
    // Below the marking, the packet (and so the doubt about it) does not exist for this member.
    const packet = packetSeenBy(hub, member, id)?.packet;
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
 * One page of the requests my party sent or received, newest first (issue 9: one indexed query
 * for the page, storage/listings.ts); each request expands into the views `requestViews` gives.
 * `limit` counts requests, so a page of sent requests may hold more views than `limit`.
 */
export function requestPage(hub: Hub, member: MemberRecord, query: RequestListQuery): Page<RequestView> {
  const page = listed(() =>
    hub.store.listings.packets({
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
  const items = page.items.filter((p) => p.relation !== 'released').flatMap((p) => requestViews(hub, member, p.id));
  return { items, nextCursor: page.nextCursor };
}
