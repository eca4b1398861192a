/**
 * The rules the hub enforces on a packet upload, a revision and a submission, each treaty refusal
 * citing the article it comes from. Pure decisions over records the caller has read; no I/O.
 */
import { markingLevel, missingLanguages, type Agreement } from '../../protocol/agreement.ts';
import { clearanceCovers, type Level } from '../../protocol/levels.ts';
import type { Manifest } from '../../protocol/manifest.ts';
import { REQUEST_FORM_MEDIA_TYPE } from '../../protocol/requests.ts';
import { isClearedReceiver } from '../../protocol/membership.ts';
import { isContact, isTranslator } from './roles.ts';
import { readRelation } from './visibility.ts';
import type { MemberRecord, PacketRecord } from '../../storage/records.ts';
import { Problem, treatyRefusal } from '../errors.ts';

/** Members who must be able to read a packet at `level`: receiving role and enough clearance. */
export function clearedReceivers(members: MemberRecord[], level: Level, at: Date): MemberRecord[] {
  return members.filter((m) => isClearedReceiver(m, level, at));
}

/**
 * The agreement is in force: a terminated one takes no new packets (RU-PK Art. 15(4) keeps old ones
 * confidential), except, where the agreement says so (RU-PK Art. 15(3), SCO Art. 13(3)), a packet
 * that answers or completes a request already under way between the same parties.
 */
export function requireInForce(agreement: Agreement, manifest?: Manifest, answered?: PacketRecord): void {
  if (agreement.status.state !== 'terminated') return;
  if (agreement.workflow?.pendingAfterTermination && manifest && answered && isPendingExchange(agreement, manifest, answered)) return;
  throw treatyRefusal(agreement.status.article, `${agreement.id} is terminated and accepts no new packets; what was exchanged stays protected`);
}

/** A non-request packet in reply to a submitted request of this agreement, from one side of it to the other. */
function isPendingExchange(agreement: Agreement, manifest: Manifest, request: PacketRecord): boolean {
  if (manifest.kind === 'request' || request.kind !== 'request' || request.state !== 'submitted' || request.agreementId !== agreement.id) return false;
  const sender = manifest.sender.party;
  const answersIt = request.recipients.includes(sender) && manifest.recipients.every((r) => r === request.senderParty);
  const completesIt = request.senderParty === sender && manifest.recipients.every((r) => request.recipients.includes(r));
  return answersIt || completesIt;
}

/** A contact person's sending rights (RU-PK Art. 4(3): exchanges go through named contact persons). */
export function requireSender(agreement: Agreement, member: MemberRecord, manifest: Manifest): void {
  if (member.party !== manifest.sender.party || manifest.sender.fingerprint !== member.fingerprint) {
    throw new Problem('forbidden', 'a packet is uploaded by the member who signs it as sender, for their own party');
  }
  if (!isContact(member)) {
    throw new Problem('forbidden', `sending for ${member.party} needs the contact role`);
  }
  const party = agreement.parties.find((p) => p.id === manifest.sender.party);
  if (!party) {
    throw treatyRefusal(agreement.status.article, `${manifest.sender.party} is not a party of ${agreement.id}`);
  }
  if (manifest.sender.authority && !party.authorities.some((a) => a.id === manifest.sender.authority)) {
    throw treatyRefusal(agreement.status.article, `${manifest.sender.authority} is not a competent authority of ${party.id} under ${agreement.id}`);
  }
}

/** Every receiving party belongs to the agreement. */
export function requireRecipientsInAgreement(agreement: Agreement, manifest: Manifest): void {
  const parties = new Set(agreement.parties.map((p) => p.id));
  const stranger = manifest.recipients.find((r) => !parties.has(r));
  if (stranger) {
    throw treatyRefusal(
      agreement.thirdPartyRelease.article,
      `${stranger} is not a party of ${agreement.id}; a third party can receive material only through a consented release`,
    );
  }
}

/** The marking is a level of the agreement, labelled as the agreement labels it, and within the sender's clearance. */
export function requireMarking(agreement: Agreement, manifest: Manifest, sender: MemberRecord): void {
  const article = agreement.markings.article;
  const entry = markingLevel(agreement, manifest.marking.level);
  if (!entry) throw treatyRefusal(article, `${agreement.id} has no ${manifest.marking.level} level`);
  for (const party of [manifest.sender.party, ...manifest.recipients]) {
    const label = entry.labels[party];
    if (!label) throw treatyRefusal(article, `${party} has no equivalent of ${manifest.marking.level} under ${agreement.id}`);
    if (manifest.marking.labels[party] !== label) {
      throw treatyRefusal(article, `the marking label for ${party} must be "${label}"`);
    }
  }
  const extra = Object.keys(manifest.marking.labels).find((p) => p !== manifest.sender.party && !manifest.recipients.includes(p));
  if (extra) throw new Problem('bad-request', `the marking labels name ${extra}, which is neither sender nor recipient`);
  if (!clearanceCovers(sender.clearance, manifest.marking.level)) {
    throw treatyRefusal(article, `the sender's clearance (${sender.clearance}) does not cover ${manifest.marking.level}`, 'forbidden');
  }
}

/**
 * A request under an agreement that says what a request contains (SCO Art. 5(4), RU-PK Art. 5)
 * carries the structured form as an encrypted part, declared `request-form` in the signed
 * manifest. The hub cannot read the form; it checks the signed declaration, and the receiving
 * client checks the fields.
 */
export function requireRequestForm(agreement: Agreement, manifest: Manifest): void {
  const rule = agreement.workflow?.requestContents;
  if (manifest.kind !== 'request' || !rule) return;
  const form = manifest.parts.find((p) => p.role === 'request-form');
  if (!form) {
    throw treatyRefusal(rule.article, `a request under ${agreement.id} must carry the request form (${rule.fields.join(', ')}); send it with "liaison request send"`);
  }
  if (form.mediaType !== REQUEST_FORM_MEDIA_TYPE) throw new Problem('bad-request', `the request form part must be ${REQUEST_FORM_MEDIA_TYPE}`);
}

/** The required translations are present (RU-PK Art. 6, SCO Art. 11, IR-KG Art. 6). */
export function requireComplete(agreement: Agreement, manifest: Manifest): void {
  const missing = missingLanguages(agreement, manifest.sender.party, manifest.parts);
  if (missing) {
    throw treatyRefusal(agreement.languages.article, `the packet is incomplete: ${missing.reason}; a clerk attaches it to the draft (liaison attach), then it can be submitted`);
  }
}

/** A later revision only adds parts; everything else it signs is what the first revision signed. */
export function requireOnlyAddsParts(previous: Manifest, next: Manifest): void {
  const { parts: prevParts, revision: prevRev, signedBy: _a, ...prevRest } = previous;
  const { parts: nextParts, revision: nextRev, signedBy: _b, ...nextRest } = next;
  if (nextRev !== prevRev + 1) throw new Problem('conflict', `the next revision of this packet is ${prevRev + 1}, not ${nextRev}`);
  if (JSON.stringify(prevRest) !== JSON.stringify(nextRest)) {
    throw new Problem('bad-request', 'a new revision may only add parts; the rest of the manifest must stay as signed');
  }
  for (const part of prevParts) {
    const same = nextParts.find((p) => p.id === part.id);
    if (!same || JSON.stringify(same) !== JSON.stringify(part)) {
      throw new Problem('bad-request', `part ${part.id} must stay exactly as signed in revision ${prevRev}`);
    }
  }
  if (nextParts.length === prevParts.length) throw new Problem('bad-request', 'a new revision must add at least one part');
}

export function requireTranslator(member: MemberRecord, packet: PacketRecord, at: Date): void {
  if (readRelation(member, packet, [], at) !== 'sent' || !isTranslator(member)) {
    throw new Problem('not-found', 'packet does not exist or is not available to you');
  }
  if (packet.state !== 'draft') throw new Problem('conflict', 'the packet is already submitted; translations are attached to drafts');
}
