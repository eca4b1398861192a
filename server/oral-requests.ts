/**
 * Urgent oral requests (SCO Art. 5(2); RU-PK Art. 5): recorded at once by a contact of either
 * side, their written confirmation due from when they were made or from the requested party's
 * demand, as the agreement says. Every change and its audit event commit in one transaction.
 * The hub keeps ids, parties and times only, never what was asked.
 */
import { randomUUID } from 'node:crypto';
import type { OralRequestListQuery } from '../protocol/api.ts';
import { addDeadline, dueStatus, type DueStatus, type OralRequestView } from '../protocol/requests.ts';
import type { Page } from '../storage/listings.ts';
import type { MemberRecord, OralRequestRecord } from '../storage/records.ts';
import { Problem, notFound, treatyRefusal } from './errors.ts';
import type { Hub } from './hub.ts';
import { listed } from './packets.ts';
import { agreementOf, requireAcceptsNewRequests, ruleOrRefuse } from './policy/agreements.ts';
import { requireContact } from './policy/roles.ts';
import { oralVisibleTo } from './policy/visibility.ts';


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
export async function recordOralRequest(hub: Hub, member: MemberRecord, body: { agreementId: string; requestingParty: string; requestedParty: string; madeAt?: string | undefined }): Promise<OralRequestView> {
  const agreement = agreementOf(hub.agreements, body.agreementId);
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
  await hub.store.transaction(async () => {
    await hub.store.requests.insertOral(record);
    await hub.audit({ actor: member.fingerprint, party: member.party, action: 'oral-request.record', object: record.id, outcome: 'allow', detail: { agreementId: agreement.id, requestingParty: record.requestingParty, requestedParty: record.requestedParty, madeAt, article: rule.article } });
  });
  return oralView(hub, record);
}

async function visibleOral(hub: Hub, member: MemberRecord, id: string): Promise<OralRequestRecord> {
  const o = await hub.store.requests.getOral(id);
  if (!o || !oralVisibleTo(member, o)) throw notFound('oral request');
  return o;
}

/** Every oral request of my party (for its deadlines). */
export async function listOralRequests(hub: Hub, member: MemberRecord): Promise<OralRequestView[]> {
  return (await hub.store.requests.oralOfParty(member.party)).map((o) => oralView(hub, o));
}

/** The requested party demands written confirmation of an oral request (RU-PK Art. 5: "at the demand of the requested Party"). */
export async function demandOralConfirmation(hub: Hub, member: MemberRecord, id: string): Promise<OralRequestView> {
  const o = await visibleOral(hub, member, id);
  const agreement = agreementOf(hub.agreements, o.agreementId);
  const rule = ruleOrRefuse(agreement, agreement.workflow?.oralRequests, 'oral requests');
  if (member.party !== o.requestedParty) throw treatyRefusal(rule.article, `only the requested party (${o.requestedParty}) demands written confirmation`, 'forbidden');
  requireContact(member, 'demanding confirmation');
  if (rule.confirmation !== 'on-demand') throw new Problem('conflict', `under ${agreement.id} every oral request is confirmed in writing anyway (${agreement.deadlines.oralConfirmation?.article ?? rule.article})`);
  if (o.confirmedAt) throw new Problem('conflict', 'the oral request is already confirmed in writing');
  if (o.demandedAt) throw new Problem('conflict', 'confirmation was already demanded');
  const at = hub.now().toISOString();
  await hub.store.transaction(async () => {
    if (!await hub.store.requests.demandOralConfirmation(o.id, member.fingerprint, at)) throw new Problem('conflict', 'confirmation was already demanded, or the request confirmed');
    await hub.audit({ actor: member.fingerprint, party: member.party, action: 'oral-request.demand', object: o.id, outcome: 'allow', detail: { article: rule.article } });
  });
  return oralView(hub, (await hub.store.requests.getOral(o.id))!);
}

/** The requesting party links the written request that confirms an oral one; a late confirmation is recorded as late. */
export async function confirmOralRequest(hub: Hub, member: MemberRecord, id: string, body: { packetId: string }): Promise<OralRequestView> {
  const o = await visibleOral(hub, member, id);
  const agreement = agreementOf(hub.agreements, o.agreementId);
  const rule = ruleOrRefuse(agreement, agreement.workflow?.oralRequests, 'oral requests');
  if (member.party !== o.requestingParty) throw treatyRefusal(rule.article, `the requesting party (${o.requestingParty}) confirms its oral request in writing`, 'forbidden');
  requireContact(member, 'confirming an oral request');
  const packet = await hub.store.packets.get(body.packetId);
  if (!packet || packet.senderParty !== member.party) throw notFound('packet');
  if (packet.kind !== 'request' || packet.state !== 'submitted' || packet.agreementId !== o.agreementId || !packet.recipients.includes(o.requestedParty)) {
    throw treatyRefusal(rule.article, `the written confirmation is a submitted request of ${o.requestingParty} to ${o.requestedParty} under ${o.agreementId}`);
  }
  const view = oralView(hub, o);
  const late = view.due === 'overdue';
  const at = hub.now().toISOString();
  await hub.store.transaction(async () => {
    if (!await hub.store.requests.confirmOral(o.id, packet.id, at)) throw new Problem('conflict', 'the oral request is already confirmed in writing');
    await hub.audit({ actor: member.fingerprint, party: member.party, action: 'oral-request.confirm', object: o.id, outcome: 'allow', detail: { packet: packet.id, late, article: view.article } });
  });
  return oralView(hub, (await hub.store.requests.getOral(o.id))!);
}

/** One page of the oral requests my party made or received, newest first: one indexed query. */
export async function oralRequestPage(hub: Hub, member: MemberRecord, query: OralRequestListQuery): Promise<Page<OralRequestView>> {
  const page = await listed(() => hub.store.requests.oralPage({ party: member.party, since: query.since, limit: query.limit, cursor: query.cursor }));
  return { items: page.items.map((o) => oralView(hub, o)), nextCursor: page.nextCursor };
}
