/**
 * The CLI's side of the treaty's request workflow: the steps that touch plaintext, done on the
 * person's machine (the rules are client/core/requests.ts's): the structured request form
 * (SCO Art. 5(4)) is checked against the agreement and sent encrypted as a part of the request;
 * written reasons, notices and replies are sent as packets in reply to the request before the
 * state changes (an authenticity confirmation is signed and checked by client/core/authenticity.ts).
 *
 * What it does not guarantee: that the requested party acts on the request. The hub records who
 * changed what and when; the content of reasons is only in the encrypted packets.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Level } from '../../protocol/levels.ts';
import type { PacketKind } from '../../protocol/manifest.ts';
import { REQUEST_FORM_MEDIA_TYPE, type RequestForm, type RequestView, type StateChangeBody } from '../../protocol/requests.ts';
import type { WorkflowApi } from '../core/workflow-api.ts';
import { ClientError } from '../core/errors.ts';
import type { ClientContext, Notice } from '../core/context.ts';
import { resolveMarking } from '../core/levels.ts';
import { fetchPacket } from './opening.ts';
import { sendPacket } from './sending.ts';
import { checkedRequestForm, readRequestForm as readRequestFormText, replyTo, writingKind } from '../core/requests.ts';

interface RequestOptions {
  agreementId: string;
  to: string[];
  level: Level;
  original: { path: string; lang: string };
  translations: Array<{ lang: string; path: string }>;
  /** The structured fields (SCO Art. 5(4)); `format` and `agreementId` are filled in. */
  form: Omit<RequestForm, 'format' | 'agreementId'>;
  /** The language the form's free text is written in. */
  formLang: string;
  authority?: string;
  draft?: boolean;
}

/**
 * Send a request: the form is checked against what the agreement requires, written to a private
 * temp file and sent as an encrypted attachment beside the original and its translations.
 * A request that confirms an oral one is linked to it once submitted.
 */
export async function sendRequest(ctx: ClientContext, wf: WorkflowApi, options: RequestOptions): Promise<{ packetId: string; state: string; notices: Notice[]; confirmedOral?: string }> {
  const agreement = await ctx.api.agreement(options.agreementId);
  const form = checkedRequestForm(agreement, options.form);
  const dir = await fs.mkdtemp(join(tmpdir(), 'liaison-form-'));
  try {
    const path = join(dir, 'request-form.json');
    await fs.writeFile(path, `${JSON.stringify(form, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    const sent = await sendPacket(ctx, {
      agreementId: agreement.id,
      to: options.to,
      level: options.level,
      kind: 'request',
      original: options.original,
      translations: options.translations,
      requestForm: { lang: options.formLang, path },
      ...(options.authority ? { authority: options.authority } : {}),
      draft: Boolean(options.draft),
    });
    if (form.confirmsOralRequest && sent.state === 'submitted') {
      await wf.confirmOralRequest(form.confirmsOralRequest, sent.packetId);
      return { ...sent, confirmedOral: form.confirmsOralRequest };
    }
    return sent;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export interface Writing {
  original: { path: string; lang: string };
  translations: Array<{ lang: string; path: string }>;
  /** The marking as the person wrote it (a common level or a national label); default: the request's. */
  marking?: string;
}

/** Send a packet in reply to a request, to its requesting party, under its agreement and (by default) its marking. */
export async function sendInReply(ctx: ClientContext, requestId: string, kind: PacketKind, writing: Writing): Promise<{ packetId: string; notices: Notice[] }> {
  const request = await ctx.api.packet(requestId);
  const level = writing.marking === undefined ? request.level : resolveMarking(writing.marking, await ctx.api.agreement(request.agreementId));
  const sent = await sendPacket(ctx, { ...replyTo(request, kind, level), original: writing.original, translations: writing.translations, draft: false });
  return { packetId: sent.packetId, notices: sent.notices };
}

/**
 * Move a request to `state`. With `writing`, first send the reasons, notice or reply as a packet of
 * the matching kind in reply to the request, then point the state change at it.
 */
export async function changeRequestState(
  ctx: ClientContext,
  wf: WorkflowApi,
  requestId: string,
  change: StateChangeBody,
  writing?: Writing,
): Promise<{ view: RequestView; sentPacket?: string; notices: Notice[] }> {
  let packetId = change.packetId;
  let notices: Notice[] = [];
  if (writing) {
    const kind = writingKind(change.state);
    if (!kind) throw new ClientError(`a change to ${change.state} carries no document`);
    const sent = await sendInReply(ctx, requestId, kind, writing);
    packetId = sent.packetId;
    notices = sent.notices;
  }
  const view = await wf.changeState(requestId, { ...change, ...(packetId ? { packetId } : {}) });
  return { view, ...(writing && packetId ? { sentPacket: packetId } : {}), notices };
}

/** Fetch a request and read its structured form, checking it against the agreement's required contents. */
export async function readRequestForm(ctx: ClientContext, packetId: string, outDir: string): Promise<{ form?: RequestForm; missing: string[]; article?: string; files: string[] }> {
  const fetched = await fetchPacket(ctx, packetId, outDir, false);
  const agreement = await ctx.api.agreement(fetched.manifest.agreementId);
  for (const file of fetched.files) {
    const part = fetched.manifest.parts.find((p) => p.id === file.partId);
    if (part?.role !== 'request-form' || part.mediaType !== REQUEST_FORM_MEDIA_TYPE) continue;
    const read = readRequestFormText(agreement, await fs.readFile(file.path, 'utf8'));
    if (!read.form) continue;
    return { ...read, files: fetched.files.map((f) => f.path) };
  }
  const { form: _none, ...empty } = readRequestFormText(agreement, '');
  return { ...empty, files: fetched.files.map((f) => f.path) };
}
