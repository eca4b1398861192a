/**
 * The request rules both clients share (SCO Art. 5(4)): the structured request form
 * checked against what the agreement requires before it is encrypted, the form read back from a
 * decrypted part, and the kind of packet that carries the writing behind a state change
 * (refusal, deferral, additional-information request, transfer notice, reply).
 *
 * Pure: no file, network or key access. The CLI (client/node/requests.ts) and the web client's
 * worker write the form into a part and send it; neither checks a form of its own.
 */
import type { Agreement } from '../../protocol/agreement.ts';
import { describeIssues } from '../../protocol/issues.ts';
import type { PacketSummary } from '../../protocol/api.ts';
import type { Level } from '../../protocol/levels.ts';
import type { PacketKind } from '../../protocol/manifest.ts';
import { REQUEST_FORM_FORMAT, RequestForm, STATE_PACKET, missingRequestFields, type StateChangeBody } from '../../protocol/requests.ts';
import { ClientError } from './errors.ts';

/** The fields a person fills in (`format` and `agreementId` are the client's). */
export type RequestFields = Omit<RequestForm, 'format' | 'agreementId'>;

/** The form of a new request under `agreement`, complete as the agreement requires; throws naming the article. */
export function checkedRequestForm(agreement: Agreement, fields: RequestFields): RequestForm {
  if (agreement.status.state === 'terminated') throw new ClientError(`${agreement.id} is terminated and accepts no new requests (${agreement.status.article})`, 'request.agreement-terminated', { agreement: agreement.id, article: agreement.status.article });
  const form = RequestForm.safeParse({ format: REQUEST_FORM_FORMAT, agreementId: agreement.id, ...fields });
  if (!form.success) throw new ClientError(`the request form is not complete: ${describeIssues(form.error, 'request form')}`, 'request.form-invalid', { issues: describeIssues(form.error, 'request form') });
  const rule = agreement.workflow?.requestContents;
  if (rule) {
    const missing = missingRequestFields(form.data, rule.fields);
    if (missing.length > 0) throw new ClientError(`a request under ${agreement.id} must state ${missing.join(', ')} (${rule.article})`, 'request.form-missing', { agreement: agreement.id, fields: missing.join(', '), article: rule.article });
  }
  return form.data;
}

/** The fields `agreement` requires of a request, and the article that says so. */
export function requiredRequestFields(agreement: Agreement): { fields: string[]; article?: string } {
  const rule = agreement.workflow?.requestContents;
  return rule ? { fields: [...rule.fields], article: rule.article } : { fields: [] };
}

/** A decrypted request-form part read back, with the fields the agreement requires that it leaves empty. */
export function readRequestForm(agreement: Agreement, text: string): { form?: RequestForm; missing: string[]; article?: string } {
  const rule = agreement.workflow?.requestContents;
  const article = rule ? { article: rule.article } : {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { missing: rule?.fields ?? [], ...article };
  }
  const parsed = RequestForm.safeParse(json);
  if (!parsed.success || parsed.data.agreementId !== agreement.id) return { missing: rule?.fields ?? [], ...article };
  return { form: parsed.data, missing: rule ? missingRequestFields(parsed.data, rule.fields) : [], ...article };
}

/** The packet kind that carries the writing behind a change to `state`, if that change carries one. */
export function writingKind(state: StateChangeBody['state']): PacketKind | undefined {
  return STATE_PACKET[state]?.kinds[0];
}

/** Whether a change to `state` must point to a packet of written reasons or a notice. */
export function writingRequired(state: StateChangeBody['state']): boolean {
  return STATE_PACKET[state]?.required ?? false;
}

/**
 * Where a document that answers a request goes: to the requesting party, under the request's
 * agreement and (unless the person chose another) its marking, in reply to it. Reasons, notices,
 * replies and delay notices are all sent this way, by both clients.
 */
export function replyTo(request: Pick<PacketSummary, 'packetId' | 'agreementId' | 'senderParty' | 'level'>, kind: PacketKind, level: Level = request.level): { agreementId: string; to: string[]; level: Level; kind: PacketKind; inReplyTo: string } {
  return { agreementId: request.agreementId, to: [request.senderParty], level, kind, inReplyTo: request.packetId };
}

/** A delay in executing a request (SCO Art. 6(2)) is notified by a packet of this kind in reply to it; the hub checks the same. */
export const DELAY_NOTICE_KIND: PacketKind = 'information';
