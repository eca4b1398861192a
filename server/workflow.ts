/**
 * The treaty workflow of requests (issue 4), driven entirely by the agreement files: the state of
 * each request at each requested party, execution deadlines, written reasons for refusals and
 * deferrals, urgent oral requests and their written confirmation, authenticity confirmation,
 * and consent to use for another purpose (through the release machinery).
 *
 * Every rule cites the article its agreement file gives it; a step the agreement does not provide
 * for is refused citing the agreement. Time comes only from `hub.now`. Every change and its audit
 * event commit in one transaction. The hub never reads reasons, purposes or facts: they travel in
 * encrypted packets, and a state change only points at the packet that carries them.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readPublicKey } from '../keys/identity.ts';
import { verifyDetached } from '../keys/signatures.ts';
import type { Agreement } from '../protocol/agreement.ts';
import { parseCanonical } from '../protocol/canonical.ts';
import { SENDING_ROLES } from '../protocol/ids.ts';
import { parseCanonicalManifest } from '../protocol/manifest.ts';
import type { Release } from '../protocol/release.ts';
import {
  AuthenticityConfirmation,
  CLOSED_STATES,
  STATE_PACKET,
  addDeadline,
  canTransition,
  dueStatus,
  type AuthenticityView,
  type DeadlineItem,
  type DueStatus,
  type OralRequestView,
  type RequestEvent,
  type RequestState,
  type RequestView,
  type StateChangeBody,
} from '../protocol/workflow.ts';
import type { AuthenticityRequestRecord, MemberRecord, OralRequestRecord, PacketRecord, ReleaseRecord } from '../storage/store.ts';
import { Problem, notFound, treatyRefusal } from './errors.ts';
import type { Hub } from './hub.ts';
import type { OralRequestListQuery, RequestListQuery } from '../protocol/api.ts';
import type { Page } from '../storage/listings.ts';
import { recordHubReceipt } from './evidence.ts';
import { agreementOf, readRelation } from './policy.ts';
import { requireSignedNear } from './signed-dates.ts';
import { listed, readableLevels, visiblePacket } from './packets.ts';
import { getRelease } from './releases.ts';

const isContact = (m: MemberRecord) => m.roles.some((r) => SENDING_ROLES.includes(r));


function requireContact(member: MemberRecord, what: string): void {
  if (!isContact(member)) throw new Problem('forbidden', `${what} needs the contact role`);
}

/** A step the agreement does not provide for is refused, citing the agreement itself. */
function ruleOrRefuse<T extends { article: string }>(agreement: Agreement, rule: T | undefined, what: string): T {
  if (!rule) throw treatyRefusal(agreement.status.article, `${agreement.id} does not provide for ${what}`);
  return rule;
}

/** For the audit: a request already under way is still handled after termination (RU-PK Art. 15(3), SCO Art. 13(3)). */
function afterTermination(agreement: Agreement): { afterTermination?: string } {
  if (agreement.status.state !== 'terminated') return {};
  return { afterTermination: agreement.workflow?.pendingAfterTermination?.article ?? agreement.confidentialitySurvivesTermination.article };
}

/** A new request (oral or written) is refused under a terminated agreement (RU-PK Art. 15(4)). */
function requireAcceptsNewRequests(agreement: Agreement): void {
  if (agreement.status.state === 'terminated') {
    throw treatyRefusal(agreement.status.article, `${agreement.id} is terminated and accepts no new requests; what was exchanged stays protected`);
  }
}

// --- requests and their state ----------------------------------------------------------------

function requestPacket(hub: Hub, member: MemberRecord, packetId: string): { packet: PacketRecord; relation: string } {
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
  if (relation === 'sent') return packet.recipients.map((party) => viewOf(hub, packet, party));
  if (relation === 'received') return [viewOf(hub, packet, member.party)];
  // A third party that received the packet by release is no party to the request: like a missing packet.
  throw notFound('packet');
}

/** Every request my party sent or received that I may see. */
export function listRequests(hub: Hub, member: MemberRecord): RequestView[] {
  const out: RequestView[] = [];
  for (const id of hub.store.submittedPacketIds(member.party, 'request')) {
    try {
      out.push(...requestViews(hub, member, id));
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
    }
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

// --- urgent oral requests (SCO Art. 5(2); RU-PK Art. 5) ----------------------------------------

function oralView(hub: Hub, o: OralRequestRecord): OralRequestView {
  const agreement = agreementOf(hub.agreements, o.agreementId);
  const rule = agreement.workflow?.oralRequests;
  const confirmation = rule?.confirmation ?? 'on-demand';
  const deadline = agreement.deadlines.oralConfirmation;
  const start = confirmation === 'within-deadline' ? o.madeAt : o.demandedAt;
  const dueAt = start ? addDeadline(start, deadline) : undefined;
  const due: DueStatus = o.confirmedAt ? 'closed' : start ? dueStatus(hub.now(), start, dueAt) : 'no-deadline';
  const article = confirmation === 'within-deadline' && deadline ? deadline.article : (rule?.article ?? agreement.status.article);
  return {
    id: o.id,
    agreementId: o.agreementId,
    requestingParty: o.requestingParty,
    requestedParty: o.requestedParty,
    madeAt: o.madeAt,
    recordedAt: o.recordedAt,
    recordedBy: o.recordedBy,
    confirmation,
    ...(o.demandedAt ? { demandedAt: o.demandedAt } : {}),
    ...(o.confirmedBy ? { confirmedBy: o.confirmedBy } : {}),
    ...(o.confirmedAt ? { confirmedAt: o.confirmedAt } : {}),
    ...(dueAt ? { dueAt } : {}),
    due,
    article,
  };
}

/** Record an urgent oral request at once, by a contact of either side; its written confirmation falls due from the moment it was made. */
export function recordOralRequest(hub: Hub, member: MemberRecord, body: { agreementId: string; requestingParty: string; requestedParty: string; madeAt?: string | undefined }): OralRequestView {
  const agreement = hub.agreements.get(body.agreementId);
  if (!agreement) throw new Problem('bad-request', `the hub has no agreement ${body.agreementId}`);
  requireAcceptsNewRequests(agreement);
  const rule = ruleOrRefuse(agreement, agreement.workflow?.oralRequests, 'oral requests');
  requireContact(member, 'recording an oral request');
  const parties = new Set(agreement.parties.map((p) => p.id));
  if (body.requestingParty === body.requestedParty || !parties.has(body.requestingParty) || !parties.has(body.requestedParty)) {
    throw treatyRefusal(rule.article, `an oral request goes between two different parties of ${agreement.id}`);
  }
  if (member.party !== body.requestingParty && member.party !== body.requestedParty) throw new Problem('forbidden', 'an oral request is recorded by one of its two parties');
  const now = hub.now();
  const madeAt = body.madeAt ?? now.toISOString();
  if (Date.parse(madeAt) > now.getTime()) throw new Problem('bad-request', 'an oral request cannot have been made in the future');
  const record: OralRequestRecord = {
    id: randomUUID(),
    agreementId: agreement.id,
    requestingParty: body.requestingParty,
    requestedParty: body.requestedParty,
    madeAt,
    recordedAt: now.toISOString(),
    recordedBy: member.fingerprint,
  };
  hub.store.transaction(() => {
    hub.store.insertOralRequest(record);
    hub.audit({ actor: member.fingerprint, party: member.party, action: 'oral-request.record', object: record.id, outcome: 'allow', detail: { agreementId: agreement.id, requestingParty: record.requestingParty, requestedParty: record.requestedParty, madeAt, article: rule.article } });
  });
  return oralView(hub, record);
}

function visibleOral(hub: Hub, member: MemberRecord, id: string): OralRequestRecord {
  const o = hub.store.getOralRequest(id);
  if (!o || (member.party !== o.requestingParty && member.party !== o.requestedParty)) throw notFound('oral request');
  return o;
}

export function listOralRequests(hub: Hub, member: MemberRecord): OralRequestView[] {
  return hub.store.oralRequestsOf(member.party).map((o) => oralView(hub, o));
}

/** The requested party demands written confirmation of an oral request (RU-PK Art. 5: "at the demand of the requested Party"). */
export function demandOralConfirmation(hub: Hub, member: MemberRecord, id: string): OralRequestView {
  const o = visibleOral(hub, member, id);
  const agreement = agreementOf(hub.agreements, o.agreementId);
  const rule = ruleOrRefuse(agreement, agreement.workflow?.oralRequests, 'oral requests');
  if (member.party !== o.requestedParty) throw treatyRefusal(rule.article, `only the requested party (${o.requestedParty}) demands written confirmation`, 'forbidden');
  requireContact(member, 'demanding confirmation');
  if (rule.confirmation !== 'on-demand') throw new Problem('conflict', `under ${agreement.id} every oral request is confirmed in writing anyway (${agreement.deadlines.oralConfirmation?.article ?? rule.article})`);
  if (o.confirmedAt) throw new Problem('conflict', 'the oral request is already confirmed in writing');
  if (o.demandedAt) throw new Problem('conflict', 'confirmation was already demanded');
  const at = hub.now().toISOString();
  hub.store.transaction(() => {
    if (!hub.store.demandOralConfirmation(o.id, member.fingerprint, at)) throw new Problem('conflict', 'confirmation was already demanded, or the request confirmed');
    hub.audit({ actor: member.fingerprint, party: member.party, action: 'oral-request.demand', object: o.id, outcome: 'allow', detail: { article: rule.article } });
  });
  return oralView(hub, hub.store.getOralRequest(o.id)!);
}

/** The requesting party links the written request that confirms an oral one; a late confirmation is recorded as late. */
export function confirmOralRequest(hub: Hub, member: MemberRecord, id: string, body: { packetId: string }): OralRequestView {
  const o = visibleOral(hub, member, id);
  const agreement = agreementOf(hub.agreements, o.agreementId);
  const rule = ruleOrRefuse(agreement, agreement.workflow?.oralRequests, 'oral requests');
  if (member.party !== o.requestingParty) throw treatyRefusal(rule.article, `the requesting party (${o.requestingParty}) confirms its oral request in writing`, 'forbidden');
  requireContact(member, 'confirming an oral request');
  const packet = hub.store.getPacket(body.packetId);
  if (!packet || packet.senderParty !== member.party) throw notFound('packet');
  if (packet.kind !== 'request' || packet.state !== 'submitted' || packet.agreementId !== o.agreementId || !packet.recipients.includes(o.requestedParty)) {
    throw treatyRefusal(rule.article, `the written confirmation is a submitted request of ${o.requestingParty} to ${o.requestedParty} under ${o.agreementId}`);
  }
  const view = oralView(hub, o);
  const late = view.due === 'overdue';
  const at = hub.now().toISOString();
  hub.store.transaction(() => {
    if (!hub.store.confirmOralRequest(o.id, packet.id, at)) throw new Problem('conflict', 'the oral request is already confirmed in writing');
    hub.audit({ actor: member.fingerprint, party: member.party, action: 'oral-request.confirm', object: o.id, outcome: 'allow', detail: { packet: packet.id, late, article: view.article } });
  });
  return oralView(hub, hub.store.getOralRequest(o.id)!);
}

// --- authenticity (SCO Art. 5(3)) --------------------------------------------------------------

function authenticityView(hub: Hub, a: AuthenticityRequestRecord, packet: PacketRecord): AuthenticityView {
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  return {
    id: a.id,
    packetId: a.packetId,
    requestingParty: a.requestingParty,
    senderParty: packet.senderParty,
    requestedAt: a.requestedAt,
    ...(a.confirmation ? { confirmation: a.confirmation } : {}),
    ...(a.confirmationSignature ? { signature: a.confirmationSignature } : {}),
    ...(a.confirmedBy ? { confirmedBy: a.confirmedBy } : {}),
    ...(a.confirmedAt ? { confirmedAt: a.confirmedAt } : {}),
    article: agreement.workflow?.authenticity?.article ?? agreement.status.article,
  };
}

/** A recipient in doubt asks the sender to confirm the packet. */
export function askAuthenticity(hub: Hub, member: MemberRecord, packetId: string): AuthenticityView {
  const { packet, relation } = visiblePacket(hub, member, packetId);
  if (relation === 'sent') throw new Problem('bad-request', 'the sender does not ask itself to confirm its own packet');
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  const rule = ruleOrRefuse(agreement, agreement.workflow?.authenticity, 'authenticity confirmation');
  requireContact(member, 'asking for confirmation');
  const record = { id: randomUUID(), packetId, requestedBy: member.fingerprint, requestingParty: member.party, requestedAt: hub.now().toISOString() };
  hub.store.transaction(() => {
    hub.store.insertAuthenticityRequest(record);
    hub.audit({ actor: member.fingerprint, party: member.party, action: 'authenticity.ask', object: record.id, outcome: 'allow', detail: { packetId, senderParty: packet.senderParty, article: rule.article } });
  });
  return authenticityView(hub, record, packet);
}

export function listAuthenticity(hub: Hub, member: MemberRecord, packetId: string): AuthenticityView[] {
  const { packet, relation } = visiblePacket(hub, member, packetId);
  return hub.store
    .authenticityRequestsOf(packetId)
    .filter((a) => relation === 'sent' || a.requestingParty === member.party)
    .map((a) => authenticityView(hub, a, packet));
}

export function manifestDigest(manifest: string): string {
  return createHash('sha256').update(manifest, 'utf8').digest('hex');
}

/** The sender answers with a canonical confirmation signed by a contact or officer of the sending party. */
export async function answerAuthenticity(hub: Hub, member: MemberRecord, requestId: string, body: { confirmation: string; signature: string }): Promise<AuthenticityView> {
  const { a, packet } = visibleAuthenticity(hub, member, requestId);
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  const article = agreement.workflow?.authenticity?.article ?? agreement.status.article;
  if (member.party !== packet.senderParty) throw treatyRefusal(article, `only ${packet.senderParty}, which sent the packet, can confirm it`, 'forbidden');
  if (!isContact(member) && !member.roles.includes('officer')) throw new Problem('forbidden', 'confirming a packet needs the contact or officer role');
  const parsed = parseCanonical(AuthenticityConfirmation, body.confirmation, 'confirmation');
  if (!parsed.ok) throw new Problem('bad-request', parsed.error);
  const c = parsed.value;
  if (c.requestId !== a.id || c.packetId !== packet.id) throw new Problem('bad-request', 'the confirmation is for another request or packet');
  if (c.manifestSha256 !== manifestDigest(packet.manifest)) throw new Problem('bad-request', 'the confirmation does not cover the packet as the hub holds it (manifest SHA-256 differs)');
  if (c.confirmedBy !== member.fingerprint) throw new Problem('bad-request', 'the confirmation must name the member who signs it');
  const now = hub.now();
  requireSignedNear(now, c.confirmedAt, 'confirmation date (confirmedAt)');
  if (a.confirmedAt) throw new Problem('conflict', 'this request was already answered');
  const verification = await verifyDetached('authenticity', body.confirmation, body.signature, [await readPublicKey(member.publicKey)], now);
  if (!verification.valid) throw new Problem('bad-request', `the confirmation signature does not verify: ${verification.reason}`);
  hub.store.transaction(() => {
    // Compare-and-set: of two answers checked at once, only the first is recorded.
    if (!hub.store.recordAuthenticityConfirmation(a.id, { confirmation: body.confirmation, signature: body.signature, confirmedBy: member.fingerprint, confirmedAt: now.toISOString() })) {
      throw new Problem('conflict', 'this request was already answered');
    }
    hub.audit({ actor: member.fingerprint, party: member.party, action: 'authenticity.confirm', object: a.id, outcome: 'allow', detail: { packetId: packet.id, article } });
  });
  return authenticityView(hub, hub.store.getAuthenticityRequest(a.id)!, packet);
}

/** An authenticity request as `member` may see it: someone who may see the packet, of the sending or the asking party; else like a missing one. */
function visibleAuthenticity(hub: Hub, member: MemberRecord, requestId: string): { a: AuthenticityRequestRecord; packet: PacketRecord } {
  const a = hub.store.getAuthenticityRequest(requestId);
  const packet = a ? hub.store.getPacket(a.packetId) : undefined;
  if (!a || !packet || (member.party !== packet.senderParty && member.party !== a.requestingParty)) throw notFound('authenticity request');
  if (!readRelation(member, packet, hub.store.releasesOf(packet.id), hub.now())) throw notFound('authenticity request');
  return { a, packet };
}

export function getAuthenticity(hub: Hub, member: MemberRecord, requestId: string): AuthenticityView {
  const { a, packet } = visibleAuthenticity(hub, member, requestId);
  return authenticityView(hub, a, packet);
}

// --- use for another purpose (SCO Art. 7(2)) ---------------------------------------------------

/**
 * A recipient asks the originator's consent to use a packet for another purpose. It is a release
 * whose "third party" is the recipient itself, so the originating officer's signed consent or
 * refusal goes through exactly the release decision (`POST /v1/releases/:id/decision`).
 */
export function requestPurposeChange(hub: Hub, member: MemberRecord, packetId: string, body: { purpose: string }): Release {
  const { packet, relation } = visiblePacket(hub, member, packetId);
  if (relation !== 'received') throw new Problem('bad-request', 'consent to another use is asked by a party that received the packet');
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  const rule = agreement.purposeLimitation;
  if (!rule) throw new Problem('conflict', `${agreement.id} limits disclosure to third parties but not the purpose of use; no consent is needed`);
  requireContact(member, 'asking consent to another use');
  const record: ReleaseRecord = {
    id: randomUUID(),
    packetId,
    requestedBy: member.fingerprint,
    requestingParty: member.party,
    thirdParty: member.party,
    purpose: body.purpose,
    state: 'requested',
    requestedAt: hub.now().toISOString(),
  };
  hub.store.transaction(() => {
    hub.store.insertRelease(record);
    hub.store.insertPurposeChange(record.id, packetId, member.party);
    hub.audit({ at: record.requestedAt, actor: member.fingerprint, party: member.party, action: 'purpose.request', object: record.id, outcome: 'allow', detail: { packetId, article: rule.article } });
  });
  return getRelease(hub, member, record.id);
}

export function listPurposeChanges(hub: Hub, member: MemberRecord, packetId: string): Release[] {
  const { packet } = visiblePacket(hub, member, packetId);
  return hub.store
    .releasesOf(packetId)
    .filter((r) => hub.store.isPurposeChange(r.id) && (member.party === packet.senderParty || member.party === r.requestingParty))
    .map((r) => getRelease(hub, member, r.id));
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
    let packet: PacketRecord;
    try {
      // Below the marking, the packet (and so the doubt about it) does not exist for this member.
      packet = visiblePacket(hub, member, id).packet;
    } catch (error) {
      if (error instanceof Problem) continue;
      throw error;
    }
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

/** One page of the oral requests my party made or received, newest first: one indexed query. */
export function oralRequestPage(hub: Hub, member: MemberRecord, query: OralRequestListQuery): Page<OralRequestView> {
  const page = listed(() => hub.store.oralRequestPage({ party: member.party, since: query.since, limit: query.limit, cursor: query.cursor }));
  return { items: page.items.map((o) => oralView(hub, o)), nextCursor: page.nextCursor };
}
