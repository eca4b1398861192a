/**
 * The web client's key worker: the only place in the browser where openpgp.js runs, the
 * private key is unlocked and the session token lives. It runs the shared client core
 * (client/core/) exactly as the CLI does; the page sends it requests (messages.ts) and gets
 * back data to show, never the key or the token.
 *
 * Storage: the passphrase-protected key and the trust pins in IndexedDB (idb.ts); ciphertext and
 * verified plaintext in the origin-private file system (opfs.ts), under `scratch/` while working and
 * `opened/` for the files of the packet shown last, both emptied at lock, logout and start. Large
 * parts stream through OPFS both ways in 1 MiB chunks, so memory stays flat (docs/web.md).
 *
 * Never: posts the unlocked key, the token or an unverified plaintext byte to the page; signs a
 * text it did not build or parse itself.
 */
import { fingerprintOf, generatePersonKey, inspectPublicKey, isProtectedPrivateKey, readPublicKey, unlockPrivateKey, type PrivateKey, type PublicKey } from '../../../keys/identity.ts';
import type { Member } from '../../../protocol/api.ts';
import type { Level } from '../../../protocol/levels.ts';
import type { PacketKind, PartRole } from '../../../protocol/manifest.ts';
import { RECEIVING_ROLES, type Role } from '../../../protocol/ids.ts';
import { ApiError, collect, HubClient, type Transport } from '../../core/api.ts';
import type { ClientContext, Notice } from '../../core/context.ts';
import { ClientError, isTypedError, type ErrorWording } from '../../core/errors.ts';
import { WEB_PHRASES } from './error-catalogue.ts';
import { EvidenceApi, acknowledgeRetrieval, verifyReceipts } from '../../core/evidence.ts';
import { textOfSample } from '../../core/sample.ts';
import { currentStatement, signContact, signMembership, signRestatement, signRevocation, signRotation, verifiedContacts } from '../../core/officer.ts';
import { checkAudit, evidenceBundle } from './worker-evidence.ts';
import { attachToDraft, receivedLanguageNotice, sendNewPacket, type CiphertextStore, type SourcedPart } from '../../core/sending.ts';
import { downloadCheck, openPart, verifiedManifest } from '../../core/opening.ts';
import { prepareReleaseDecision, signReleaseDecision } from '../../core/releases.ts';
import { executeRelease, rewrapFor } from '../../core/rewrap.ts';
import { keySigner, logIn, logOut } from '../../core/session.ts';
import { WorkflowApi } from '../../core/workflow-api.ts';
import { checkAuthenticity, confirmAuthenticity } from '../../core/authenticity.ts';
import { checkedRequestForm, DELAY_NOTICE_KIND, readRequestForm, replyTo, requiredRequestFields, writingKind, writingRequired, type RequestFields } from '../../core/requests.ts';
import { describeTerms, releaseTerms, type ReleaseTerms } from '../../core/releases.ts';
import type { Release } from '../../../protocol/release.ts';
import type { Agreement } from '../../../protocol/agreement.ts';
import { REQUEST_FORM_MEDIA_TYPE, RequestForm, StateChangeBody, TRANSITIONS, type RequestView } from '../../../protocol/requests.ts';
import { TrustedDirectory, TrustStore, type TrustData } from '../../core/trust.ts';
import { records } from './idb.ts';
import { fileChunks, fileSource, openedFileSink, removeFolders, requireSpace, WorkingFiles } from './opfs.ts';
import type { AgreementChoice, AuditView, AuthenticityRow, DecisionChoice, OpenedPacket, OpenedPart, OralRow, Request, RequestRow, SendForm, ShownNotice, Status, TermsView, WorkerMessage, Writing } from './messages.ts';
import { z } from 'zod';

// zod compiles its object parsers with `new Function` when it may; the hub's CSP has no
// 'unsafe-eval', so its probe for that would be refused (and reported) here. Parse without it.
z.config({ jitless: true });

interface KeyRecord {
  armoredPrivateKey: string;
  armoredPublicKey: string;
  fingerprint: string;
  name: string;
}

const scope = self as unknown as { postMessage(m: WorkerMessage): void; onmessage: ((e: MessageEvent<{ id: number; request: Request }>) => void) | null; location: Location };
const now = () => new Date();
const origin = scope.location.origin;

/** Text parts larger than this are offered for saving only, not shown inline. */
const MAX_INLINE_TEXT = 1024 * 1024;
const DEFAULT_IDLE_MINUTES = 15;

let key: PrivateKey | undefined;
let keyRecord: KeyRecord | undefined;
let api: HubClient | undefined;
let me: Member | undefined;
let idleMinutes = DEFAULT_IDLE_MINUTES;
let locksAt: number | undefined;
let lockTimer: ReturnType<typeof setTimeout> | undefined;
let trust: TrustStore | undefined;
let lastAudit: AuditView | undefined;

const post = (m: WorkerMessage) => scope.postMessage(m);

/** How often, at most, one step's progress is posted: a 1 GiB part would otherwise post thousands of renders. */
const PROGRESS_INTERVAL_MS = 100;
let lastProgress = { step: '', at: 0 };
function progress(step: string, done: number, total: number): void {
  const at = Date.now();
  if (step === lastProgress.step && done < total && at - lastProgress.at < PROGRESS_INTERVAL_MS) return;
  lastProgress = { step, at };
  post({ event: 'progress', step, done, total });
}

// --- storage --------------------------------------------------------------------------------

async function trustStore(): Promise<TrustStore> {
  if (trust) return trust;
  const saved = await records.get<TrustData>('trust');
  trust = new TrustStore({ where: 'the pins kept in this browser', load: () => saved, save: (data) => records.put('trust', data) });
  return trust;
}

/** Remove every working and opened file: nothing plaintext outlives the unlocked session. */
const wipeFiles = () => removeFolders('scratch', 'opened');

// --- the key and the idle lock ----------------------------------------------------------------

function armIdleLock(): void {
  if (lockTimer) clearTimeout(lockTimer);
  if (!key) {
    locksAt = undefined;
    return;
  }
  locksAt = Date.now() + idleMinutes * 60_000;
  lockTimer = setTimeout(() => void lock(true), idleMinutes * 60_000);
}

async function lock(idle: boolean): Promise<void> {
  key = undefined;
  locksAt = undefined;
  if (lockTimer) clearTimeout(lockTimer);
  await wipeFiles();
  if (idle) post({ event: 'locked' });
}

/** A core notice as the page shows it (the part it is about stays here). */
const shownNotice = (n: Notice): ShownNotice => ({ message: n.message, ...(n.wording ? { wording: n.wording } : {}) });

/** A key operation's failure: keys/'s own sentence (with its code) as it is, anything else worded as a key failure. */
function keyFailure(e: Error): Error {
  return isTypedError(e) ? e : new ClientError(e.message, 'web.key-failed', { reason: e.message });
}

function requireKey(): PrivateKey {
  if (!key) throw new ClientError('the key is locked: unlock it with your passphrase', 'web.key-locked');
  return key;
}

async function context(): Promise<ClientContext> {
  const k = requireKey();
  if (!api || !me) throw new ClientError('not logged in', 'web.not-logged-in');
  return { api, directory: new TrustedDirectory(api, await trustStore(), now), me, key: k, now, progress };
}

async function status(): Promise<Status> {
  keyRecord ??= await records.get<KeyRecord>('key');
  return {
    hasKey: keyRecord !== undefined,
    unlocked: key !== undefined,
    ...(keyRecord ? { fingerprint: keyRecord.fingerprint, name: keyRecord.name } : {}),
    loggedIn: me !== undefined,
    ...(me ? { me: { name: me.name, party: me.party, roles: me.roles, clearance: me.clearance, fingerprint: me.fingerprint } } : {}),
    idleMinutes,
    ...(locksAt ? { locksAt } : {}),
    ...(lastAudit && me ? { audit: lastAudit } : {}),
  };
}

async function keepKey(armoredPrivateKey: string, unlocked: PrivateKey): Promise<void> {
  const info = await inspectPublicKey(unlocked.toPublic(), now());
  keyRecord = { armoredPrivateKey, armoredPublicKey: info.armored, fingerprint: info.fingerprint, name: info.userIds[0] ?? info.fingerprint };
  await records.put('key', keyRecord);
  key = unlocked;
}

// --- uploads from OPFS with progress ----------------------------------------------------------

/** XMLHttpRequest reports upload progress (fetch does not); the body streams from OPFS files. */
const xhrTransport: Transport = {
  post(url, headers, fields, files, onProgress) {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    for (const f of files) form.append(f.partId, f.body, `${f.partId}.pgp`);
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (e) => onProgress?.(e.loaded, e.total);
      xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
      xhr.onerror = () => reject(new ApiError(0, 'the upload to the hub failed', 'api.upload-failed'));
      xhr.send(form);
    });
  },
};

// --- sending ------------------------------------------------------------------------------------

/** A chosen file as a part with its role and declared language; an empty file is refused by name, as the CLI does. */
function sourcedPart(role: PartRole, lang: string, file: File): SourcedPart {
  if (file.size === 0) throw new ClientError(`${file.name} is empty`, 'web.file-empty', { file: file.name });
  return { role, lang, source: fileSource(file) };
}

/** Ciphertext into OPFS files of `scratch`, one per part (removed with the folder after the upload). */
function scratchFiles(scratch: WorkingFiles): CiphertextStore<Blob> {
  return { create: () => scratch.create() };
}

async function send(form: SendForm): Promise<{ packetId: string; state: string; notices: ShownNotice[] }> {
  const ctx = await context();
  const agreement = await agreementOf(ctx, form.agreementId);
  const parts: SourcedPart[] = [sourcedPart('original', form.original.lang, form.original.file), ...form.translations.map((t) => sourcedPart('translation', t.lang, t.file))];
  // A request carries its structured form (SCO Art. 5(4)), checked with the core's rule before anything is encrypted;
  // it is JSON this client writes itself, in the form's declared language.
  const requestForm = form.kind === 'request' ? checkedRequestForm(agreement, formFieldsOf(form.requestForm?.fields ?? {})) : undefined;
  const formPart = requestForm ? sourcedPart('request-form', form.requestForm?.lang || form.original.lang, new File([`${JSON.stringify(requestForm, null, 2)}\n`], 'request-form.json', { type: REQUEST_FORM_MEDIA_TYPE })) : undefined;
  const scratch = new WorkingFiles('scratch');
  try {
    const sent = await sendNewPacket(
      ctx,
      { agreementId: agreement.id, to: form.to, level: form.level as Level, kind: form.kind as PacketKind, parts, ...(formPart ? { requestForm: formPart } : {}), ...(form.inReplyTo ? { inReplyTo: form.inReplyTo } : {}), draft: form.draft },
      { store: scratchFiles(scratch), howToComplete: WEB_PHRASES.complete.en, howToSendRequest: WEB_PHRASES.sendRequest.en, beforeEncrypt: roomFor(WEB_PHRASES.encryptPacket.en) },
    );
    if (requestForm?.confirmsOralRequest && sent.state === 'submitted') {
      await new WorkflowApi(ctx.api).confirmOralRequest(requestForm.confirmsOralRequest, sent.packetId);
      sent.notices.push({ message: `it confirms oral request ${requestForm.confirmsOralRequest} in writing`, wording: { code: 'web.notice.confirms-oral', params: { id: requestForm.confirmsOralRequest } } });
    }
    return { packetId: sent.packetId, state: sent.state, notices: sent.notices.map(shownNotice) };
  } finally {
    await scratch.discard();
  }
}

/** Before encrypting: refuse what this browser's storage for the site cannot hold (the ciphertext is written to OPFS). */
function roomFor(what: string): (inputs: SourcedPart[]) => Promise<SourcedPart[]> {
  return async (inputs) => {
    await requireSpace(inputs.reduce((n, i) => n + i.source.size, 0), what);
    return inputs;
  };
}

/** The typed form fields the protocol knows, trimmed, empty ones left out (the core's check names what is missing). */
function formFieldsOf(typed: Record<string, string>): RequestFields {
  const known = new Set(Object.keys(RequestForm.shape).filter((k) => k !== 'format' && k !== 'agreementId'));
  return Object.fromEntries(Object.entries(typed).filter(([k, v]) => known.has(k) && v.trim().length > 0).map(([k, v]) => [k, v.trim()]));
}

async function attach(packetId: string, file: File, lang: string, submit: boolean): Promise<{ packetId: string; state: string; notices: ShownNotice[] }> {
  const ctx = await context();
  const scratch = new WorkingFiles('scratch');
  try {
    const result = await attachToDraft(ctx, packetId, sourcedPart('translation', lang, file), submit, { store: scratchFiles(scratch), beforeEncrypt: roomFor(WEB_PHRASES.encryptTranslation.en) });
    return { packetId: result.packetId, state: result.state, notices: result.notices.map(shownNotice) };
  } finally {
    await scratch.discard();
  }
}

// --- opening ------------------------------------------------------------------------------------

const agreementsSeen = new Map<string, Promise<Agreement>>();
/** An agreement's rules, read once per worker (they are data the hub serves, validated by the protocol schema). */
function agreementOf(ctx: ClientContext, id: string): Promise<Agreement> {
  let found = agreementsSeen.get(id);
  if (!found) {
    found = ctx.api.agreement(id);
    found.catch(() => agreementsSeen.delete(id));
    agreementsSeen.set(id, found);
  }
  return found;
}

/** The filled-in fields of a request form, in the order the protocol lists them. */
function formFields(form: RequestForm): Array<[string, string]> {
  return Object.entries(form).filter((e): e is [string, string] => e[0] !== 'format' && e[0] !== 'agreementId' && typeof e[1] === 'string');
}

async function hubKey(client: HubClient): Promise<PublicKey> {
  const hub = await client.hub();
  const pinned = await records.get<string>('hub-fingerprint');
  if (pinned && pinned !== hub.fingerprint) throw new ClientError(`the hub's key is ${hub.fingerprint}, but ${pinned} was pinned on first use in this browser`, 'web.hub-not-pinned', { actual: hub.fingerprint, pinned });
  const k = await readPublicKey(hub.publicKey);
  if (fingerprintOf(k) !== hub.fingerprint) throw new ClientError('the hub published a key that does not match its fingerprint', 'web.hub-key-mismatch');
  if (!pinned) await records.put('hub-fingerprint', hub.fingerprint);
  return k;
}

async function open(packetId: string): Promise<OpenedPacket> {
  const ctx = await context();
  const detail = await ctx.api.packet(packetId);
  const { manifest, senderKeys } = await verifiedManifest(ctx, detail);
  // The page shows one packet at a time: the files of the one shown before are no longer offered.
  await removeFolders('opened');
  // The ciphertext of every part is kept until all are decrypted, beside their plaintext.
  await requireSpace(2 * manifest.parts.reduce((n, p) => n + p.size, 0), WEB_PHRASES.openPacket.en);
  const scratch = new WorkingFiles('scratch');
  const opened = new WorkingFiles('opened');
  const notices: ShownNotice[] = [];
  const parts: OpenedPart[] = [];
  try {
    // Every part's ciphertext is checked against the signed manifest before anything is decrypted.
    const cipher = new Map<string, File>();
    for (const part of manifest.parts) {
      const { wrapLength, body } = await ctx.api.downloadPart(packetId, part.id);
      const check = downloadCheck(ctx, packetId, part, wrapLength, (done) => progress(`downloading ${part.id}`, done, part.size));
      const file = await scratch.write(body.pipeThrough(check.stream));
      await check.verify();
      cipher.set(part.id, file);
    }
    for (const part of manifest.parts) {
      const ciphertext = cipher.get(part.id)!;
      // The core decrypts into the sink and keeps the file only after integrity and the signature passed.
      const sink = await openedFileSink(opened);
      const kept = await openPart(ctx, packetId, part, manifest, senderKeys, fileChunks(ciphertext), sink);
      const file = sink.kept();
      const filename = kept.path;
      const signer = kept.signer;
      const isText = textOfSample(new Uint8Array(0), part.mediaType) !== null;
      const shown: OpenedPart = { id: part.id, role: part.role, lang: part.lang, mediaType: part.mediaType, filename, size: file.size, file, signer };
      if (isText && file.size <= MAX_INLINE_TEXT) shown.text = await file.text();
      else if (isText) shown.truncated = true;
      if (part.role === 'request-form') {
        // The structured form is JSON this client reads field by field (SCO Art. 5(4)), never a translation to language-check.
        const read = readRequestForm(await agreementOf(ctx, manifest.agreementId), file.size <= MAX_INLINE_TEXT ? await file.text() : '');
        shown.form = { fields: read.form ? formFields(read.form) : [], missing: read.missing, ...(read.article ? { article: read.article } : {}) };
        delete shown.text;
        if (!read.form) notices.push({ message: `warning: the request form ${filename} could not be read as a ${manifest.agreementId} request form`, wording: { code: 'web.notice.form-unreadable', params: { file: filename, agreement: manifest.agreementId } } });
        else if (read.missing.length > 0) notices.push({ message: `warning: the request form leaves out ${read.missing.join(', ')} (${read.article ?? manifest.agreementId})`, wording: { code: 'web.notice.form-incomplete', params: { fields: read.missing.join(', '), article: read.article ?? manifest.agreementId } } });
      }
      const warning = await receivedLanguageNotice(part, filename, fileSource(file, filename, part.mediaType));
      if (warning) notices.push(shownNotice(warning));
      parts.push(shown);
    }
    notices.push(...(await acknowledgeRetrieval(ctx, detail, manifest)).map(shownNotice));
  } catch (error) {
    await opened.discard();
    throw error;
  } finally {
    await scratch.discard();
  }
  const signer = senderKeys.find((m) => m.fingerprint === manifest.signedBy)!;
  // The sender is who made the packet; a clerk's later revision is signed by the clerk.
  const sender = senderKeys.find((m) => m.fingerprint === manifest.sender.fingerprint) ?? signer;
  const receiptList = await new EvidenceApi(ctx.api).receipts(packetId);
  const personKeys = new Map<string, PublicKey>();
  const partyOf = new Map<string, string>();
  // Retrieval receipts come from the direct parties and from third parties the packet was released to (my own party among them).
  const receiptParties = receiptList.flatMap((r) => {
    try {
      const party = (JSON.parse(r.statement) as { party?: unknown }).party;
      return typeof party === 'string' ? [party] : [];
    } catch {
      return [];
    }
  });
  for (const party of new Set([manifest.sender.party, ...manifest.recipients, ctx.me.party, ...receiptParties])) {
    for (const m of await ctx.directory.members(party).catch(() => [])) {
      personKeys.set(m.fingerprint, m.key);
      partyOf.set(m.fingerprint, m.party);
    }
  }
  const receipts = await verifyReceipts(packetId, receiptList, await hubKey(ctx.api), personKeys, ctx.now(), partyOf);
  const releases: Array<Release & { terms?: TermsView }> = [];
  // Conditions and reasons are read from the signed decision and verified against the originating officer, here.
  for (const r of await ctx.api.releasesOf(packetId).catch(() => [])) {
    const terms = await releaseTerms(ctx, r).catch(() => undefined);
    releases.push({ ...r, ...(terms ? { terms: termsView(terms) } : {}) });
  }
  const receivedUnder = releases.filter((r) => r.terms && r.thirdParty === ctx.me.party && r.state === 'executed').map((r) => r.terms!);
  const { manifest: _m, signature: _s, parts: _p, ...summary } = detail;
  return {
    summary,
    manifest,
    sender: { name: sender.name, fingerprint: sender.fingerprint, vouchedBy: sender.vouchedBy },
    ...(signer.fingerprint !== sender.fingerprint ? { revisionSigner: { name: signer.name, fingerprint: signer.fingerprint, revision: manifest.revision } } : {}),
    parts,
    receipts: receipts.map((r) => ({ valid: r.valid, ...(r.reason ? { reason: r.reason } : {}), ...(r.receipt ? { receipt: r.receipt } : {}) })),
    releases,
    receivedUnder,
    notices,
  };
}

function termsView(t: ReleaseTerms): TermsView {
  return { ...t, lines: describeTerms(t, (iso) => new Date(iso).toLocaleString()) };
}

// --- the officer's own key -------------------------------------------------------------------

/**
 * Rotate to a new key made here (the `liaison keygen` profile): a statement signed by the old key
 * and the new one lets partners follow without a new pin. The new key replaces the old one in this
 * browser, protected by the new passphrase; the session of the old key ends here.
 */
async function rotate(passphrase: string): Promise<Status> {
  const ctx = await context();
  if (passphrase.length < 8) throw new ClientError('the passphrase of the new key has at least 8 characters', 'web.new-passphrase-too-short');
  const made = await generatePersonKey({ name: keyRecord?.name ?? ctx.me.name, passphrase, date: ctx.now() }).catch((e: Error) => {
    throw keyFailure(e);
  });
  const newKey = await unlockPrivateKey(made.armoredPrivateKey, passphrase);
  const signed = await signRotation(ctx.me.party, { key: ctx.key, fingerprint: ctx.me.fingerprint }, { key: newKey, fingerprint: fingerprintOf(newKey) }, ctx.now());
  await ctx.api.rotateOfficer({ publicKey: made.armoredPublicKey, ...signed });
  await keepKey(made.armoredPrivateKey, newKey);
  await logOut(ctx.api).catch(() => undefined);
  api = undefined;
  me = undefined;
  lastAudit = undefined;
  armIdleLock();
  return status();
}

// --- requests ---------------------------------------------------------------------------------

/**
 * Move a request addressed to my party on. With writing, the reasons, notice or reply go first as
 * a packet of the kind the workflow requires (refusal, deferral, ...), in reply to the request,
 * to its requesting party, under its agreement and marking; the state change then points to it.
 */
async function changeState(packetId: string, stateName: string, scope: 'whole' | 'part' | undefined, authority: string | undefined, writing: Writing | undefined): Promise<{ view: RequestView; sentPacket?: string; notices: ShownNotice[] }> {
  const ctx = await context();
  const parsed = StateChangeBody.shape.state.safeParse(stateName);
  if (!parsed.success) throw new ClientError(`"${stateName}" is not a state a request can move to`, 'web.not-a-state', { state: stateName });
  const state = parsed.data;
  const kind = writingKind(state);
  if (writing && !kind) throw new ClientError(`a change to ${state} carries no document`, 'web.change-carries-no-document', { state });
  if (!writing && writingRequired(state)) {
    const reasons = state === 'refused' || state === 'deferred';
    throw new ClientError(`a change to ${state} goes with the written ${reasons ? 'reasons' : 'notice'} the agreement requires: write them first`, reasons ? 'web.change-needs-reasons' : 'web.change-needs-notice', { state });
  }
  let sentPacket: string | undefined;
  let notices: ShownNotice[] = [];
  if (writing && kind) {
    const sent = await sendReply(ctx, packetId, kind, writing);
    sentPacket = sent.packetId;
    notices = sent.notices;
  }
  const view = await new WorkflowApi(ctx.api).changeState(packetId, { state, ...(sentPacket ? { packetId: sentPacket } : {}), ...(scope ? { scope } : {}), ...(authority ? { authority } : {}) });
  return { view, ...(sentPacket ? { sentPacket } : {}), notices };
}

/** Send `writing` as a packet of `kind` in reply to the request `requestId` (the core's replyTo: its party, agreement and marking). */
async function sendReply(ctx: ClientContext, requestId: string, kind: PacketKind, writing: Writing): Promise<{ packetId: string; notices: ShownNotice[] }> {
  const reply = replyTo(await ctx.api.packet(requestId), kind);
  return send({ ...reply, original: writing.original, translations: writing.translations, draft: false });
}

/** Tell the requesting party in writing that execution is delayed (SCO Art. 6(2)): the notice first, then the hub's record pointing to it. */
async function notifyDelay(packetId: string, writing: Writing): Promise<{ view: RequestView; sentPacket: string; notices: ShownNotice[] }> {
  const ctx = await context();
  const sent = await sendReply(ctx, packetId, DELAY_NOTICE_KIND, writing);
  const view = await new WorkflowApi(ctx.api).notifyDelay(packetId, sent.packetId);
  return { view, sentPacket: sent.packetId, notices: sent.notices };
}

// --- the rest ---------------------------------------------------------------------------------

async function agreements(): Promise<AgreementChoice[]> {
  const ctx = await context();
  const out: AgreementChoice[] = [];
  for (const a of await ctx.api.agreements()) {
    if (!a.parties.includes(ctx.me.party) || a.status === 'terminated') continue;
    const full = await ctx.api.agreement(a.id);
    out.push({
      id: a.id,
      title: a.title,
      parties: a.parties,
      levels: full.markings.levels.map((l) => ({ level: l.level, labels: l.labels })),
      kinds: ['information', 'request', 'reply'],
      languagesArticle: full.languages.article,
      ...(() => {
        const rule = requiredRequestFields(full);
        return { requestFields: rule.fields, ...(rule.article ? { requestArticle: rule.article } : {}) };
      })(),
      authorities: Object.fromEntries(full.parties.map((p) => [p.id, p.authorities.map((a) => ({ id: a.id, name: a.name }))])),
    });
  }
  return out;
}

function choiceOf(c: DecisionChoice): { refuse?: string; conditions?: string; expiresAt?: string } {
  return { ...(c.refuse ? { refuse: c.refuse } : {}), ...(c.conditions ? { conditions: c.conditions } : {}), ...(c.expiresAt ? { expiresAt: c.expiresAt } : {}) };
}

async function handle(request: Request): Promise<unknown> {
  switch (request.op) {
    case 'status':
      return status();
    case 'touch':
      armIdleLock();
      return status();
    case 'createKey': {
      const made = await generatePersonKey({ name: request.name, ...(request.email ? { email: request.email } : {}), passphrase: request.passphrase, date: now() }).catch((e: Error) => {
        throw keyFailure(e);
      });
      await keepKey(made.armoredPrivateKey, await unlockPrivateKey(made.armoredPrivateKey, request.passphrase));
      armIdleLock();
      return status();
    }
    case 'importKey': {
      // Kept as imported: passphrase-protected. An unprotected secret key is refused rather than stored in the clear.
      const isProtected = await isProtectedPrivateKey(request.armored).catch((e: Error) => {
        throw keyFailure(e);
      });
      if (!isProtected) throw new ClientError('this secret key has no passphrase: protect it first (gpg --edit-key KEY passwd)', 'web.key-unprotected');
      const unlocked = await unlockPrivateKey(request.armored, request.passphrase).catch((e: Error) => {
        throw keyFailure(e);
      });
      await keepKey(request.armored, unlocked);
      armIdleLock();
      return status();
    }
    case 'unlock': {
      keyRecord ??= await records.get<KeyRecord>('key');
      if (!keyRecord) throw new ClientError('there is no key in this browser yet', 'web.no-key');
      key = await unlockPrivateKey(keyRecord.armoredPrivateKey, request.passphrase).catch((e: Error) => {
        throw keyFailure(e);
      });
      armIdleLock();
      return status();
    }
    case 'lock':
      await lock(false);
      return status();
    case 'setIdle':
      if (!Number.isInteger(request.minutes) || request.minutes < 1 || request.minutes > 240) throw new ClientError('the idle lock is between 1 and 240 minutes', 'web.idle-minutes');
      idleMinutes = request.minutes;
      await records.put('idle-minutes', idleMinutes);
      armIdleLock();
      return status();
    case 'exportPublicKey':
      keyRecord ??= await records.get<KeyRecord>('key');
      if (!keyRecord) throw new ClientError('there is no key in this browser yet', 'web.no-key');
      return { armored: keyRecord.armoredPublicKey, fingerprint: keyRecord.fingerprint };
    case 'exportSecretKey':
      // The backup is the key as stored: still protected by its passphrase.
      requireKey();
      return { armored: keyRecord!.armoredPrivateKey, fingerprint: keyRecord!.fingerprint };
    case 'pins':
      return (await trustStore()).pins();
    case 'pin': {
      const fpr = request.fingerprint.replace(/\s+/g, '').toUpperCase();
      if (!/^[0-9A-F]{40}$/.test(fpr)) throw new ClientError('a fingerprint is 40 hexadecimal characters', 'web.not-a-fingerprint');
      if (!/^[A-Z]{2,3}(-[A-Z0-9]+)?$/i.test(request.party)) throw new ClientError(`"${request.party}" is not a party id`, 'web.not-a-party', { party: request.party });
      const store = await trustStore();
      store.add(request.party.toUpperCase(), fpr, 'out-of-band', now());
      await store.flushed();
      return store.pins();
    }
    case 'unpin': {
      const store = await trustStore();
      store.remove(request.party, request.fingerprint);
      await store.flushed();
      return store.pins();
    }
    case 'login': {
      const k = requireKey();
      // The hub pinned on first use in this browser, if any: a different hub key refuses the login.
      const pinnedHub = await records.get<string>('hub-fingerprint');
      const session = await logIn(new HubClient(origin, undefined, undefined, xhrTransport), keySigner(k, now), now, pinnedHub);
      api = session.api;
      me = session.member;
      // Every visit holds the hub's log against the checkpoints kept here; a failure is shown, not hidden.
      lastAudit = await checkAudit(api, await hubKey(api), now).catch((error: unknown) => ({ ok: false, reason: `the audit log could not be checked: ${(error as Error).message}`, lines: [], checkedAt: now().toISOString(), kept: [] }));
      return status();
    }
    case 'logout':
      if (api) await logOut(api).catch(() => undefined);
      api = undefined;
      me = undefined;
      await wipeFiles();
      return status();
    case 'list': {
      const ctx = await context();
      const read = new Set((await records.get<string[]>(`read:${ctx.me.fingerprint}`)) ?? []);
      return (await collect(ctx.api.packets({ box: request.box }))).map((p) => ({ ...p, unread: p.relation !== 'sent' && !read.has(p.packetId) }));
    }
    case 'open': {
      const opened = await open(request.packetId);
      // Read = decrypted and verified here; kept per key in this browser (the hub has the retrieval receipt).
      const readKey = `read:${me!.fingerprint}`;
      const read = new Set((await records.get<string[]>(readKey)) ?? []);
      read.add(request.packetId);
      await records.put(readKey, [...read]);
      return opened;
    }
    case 'agreements':
      return agreements();
    case 'send':
      return send(request.form);
    case 'attach':
      return attach(request.packetId, request.file, request.lang, request.submit);
    case 'submit': {
      const ctx = await context();
      return ctx.api.submit(request.packetId);
    }
    case 'members': {
      const ctx = await context();
      return (await ctx.directory.members(request.party)).map((m) => ({ fingerprint: m.fingerprint, name: m.name, roles: m.roles, clearance: m.clearance, vouchedBy: m.vouchedBy, ...(m.revokedAt ? { revokedAt: m.revokedAt } : {}), ...(m.validUntil ? { validUntil: m.validUntil } : {}) }));
    }
    case 'enroll': {
      const ctx = await context();
      const signed = await signMembership({ key: ctx.key, fingerprint: ctx.me.fingerprint }, request.publicKey, { party: ctx.me.party, roles: request.roles as Role[], clearance: request.clearance as Level, ...(request.validUntil ? { validUntil: request.validUntil } : {}) }, ctx.now());
      return ctx.api.enroll({ publicKey: request.publicKey, statement: signed.statement, signature: signed.signature });
    }
    case 'revoke': {
      const ctx = await context();
      const signed = await signRevocation({ key: ctx.key, fingerprint: ctx.me.fingerprint }, { party: ctx.me.party, fingerprint: request.fingerprint }, request.reason, ctx.now());
      return ctx.api.revoke(request.fingerprint, { statement: signed.statement, signature: signed.signature });
    }
    case 'requests': {
      const ctx = await context();
      const wf = new WorkflowApi(ctx.api);
      const [requests, deadlines] = await Promise.all([wf.requests({ box: 'inbox' }), wf.deadlines()]);
      // Every state the workflow allows next, each with whether it goes with a written packet (protocol/requests.ts STATE_PACKET).
      const rows: RequestRow[] = requests.map((r) => ({
        ...r,
        next: TRANSITIONS[r.state].map((state) => ({ state, writing: writingRequired(state as StateChangeBody['state']) ? 'required' : writingKind(state as StateChangeBody['state']) ? 'optional' : 'none' })),
      }));
      return { requests: rows, deadlines };
    }
    case 'authenticityOf': {
      // Each answer checked here against the vouched-for members of the sending party and the manifest we hold (the core's check).
      const ctx = await context();
      const wf = new WorkflowApi(ctx.api);
      const rows: AuthenticityRow[] = [];
      for (const a of await wf.authenticityOf(request.packetId)) {
        const toAnswer = a.senderParty === ctx.me.party && !a.confirmation;
        rows.push({ ...a, toAnswer, ...(a.confirmation ? { check: await checkAuthenticity(ctx, wf, a.id) } : {}) });
      }
      return rows;
    }
    case 'askAuthenticity': {
      const ctx = await context();
      return new WorkflowApi(ctx.api).askAuthenticity(request.packetId);
    }
    case 'confirmAuthenticity': {
      // Signed only after the hub's question matched this packet and the manifest verified as one of my party's (the core's rule).
      const ctx = await context();
      let lines: string[] = [];
      const view = await confirmAuthenticity(ctx, new WorkflowApi(ctx.api), request.id, { packetId: request.packetId }, (shown) => (lines = shown));
      return { view, lines };
    }
    case 'requestPurposeChange': {
      const ctx = await context();
      return new WorkflowApi(ctx.api).requestPurposeChange(request.packetId, request.purpose.trim());
    }
    case 'oralRequests': {
      const ctx = await context();
      return (await new WorkflowApi(ctx.api).oralRequests()).map((o): OralRow => ({ ...o, side: o.requestingParty === ctx.me.party ? 'requesting' : 'requested' }));
    }
    case 'recordOral': {
      // Recorded at once (SCO Art. 5(2); RU-PK Art. 5); the time it was made is the person's, the written confirmation runs from it.
      const ctx = await context();
      const madeAt = request.madeAt ? new Date(request.madeAt) : undefined;
      if (madeAt && Number.isNaN(madeAt.getTime())) throw new ClientError(`"${request.madeAt}" is not a date and time`, 'web.not-a-date-time', { value: request.madeAt ?? '' });
      return new WorkflowApi(ctx.api).recordOralRequest({ agreementId: request.agreementId, requestingParty: request.requestingParty.trim().toUpperCase(), requestedParty: request.requestedParty.trim().toUpperCase(), ...(madeAt ? { madeAt: madeAt.toISOString() } : {}) });
    }
    case 'demandConfirmation': {
      const ctx = await context();
      return new WorkflowApi(ctx.api).demandConfirmation(request.id);
    }
    case 'confirmOral': {
      const ctx = await context();
      return new WorkflowApi(ctx.api).confirmOralRequest(request.id, request.packetId.trim());
    }
    case 'notifyDelay':
      return notifyDelay(request.packetId, request.writing);
    case 'changeState':
      return changeState(request.packetId, request.state, request.scope, request.authority, request.writing);
    case 'restate': {
      const ctx = await context();
      const previous = await currentStatement(ctx, request.fingerprint);
      const change = { ...(request.roles ? { roles: request.roles as Role[] } : {}), ...(request.clearance ? { clearance: request.clearance as Level } : {}) };
      const member = await ctx.api.restate(request.fingerprint, await signRestatement({ key: ctx.key, fingerprint: ctx.me.fingerprint }, previous, change, ctx.now()));
      return { member, previous: { roles: previous.roles, clearance: previous.clearance } };
    }
    case 'rotate':
      return rotate(request.passphrase);
    case 'awaiting': {
      // Only colleagues this browser verifies against its pins, with a role that receives packets.
      const ctx = await context();
      const rows: Array<{ fingerprint: string; name: string; waiting: number; more: boolean }> = [];
      for (const m of (await ctx.directory.activeMembers(ctx.me.party)).filter((x) => x.fingerprint !== ctx.me.fingerprint && x.roles.some((r) => RECEIVING_ROLES.includes(r)))) {
        const page = await ctx.api.awaitingWrapPage(m.fingerprint);
        rows.push({ fingerprint: m.fingerprint, name: m.name, waiting: page.items.length, more: page.nextCursor !== null });
      }
      return rows;
    }
    case 'rewrap':
      // Each packet checked here against its signed manifest and the colleague's vouched-for clearance (the core's rewrapFor).
      return rewrapFor(await context(), request.fingerprint, []);
    case 'contacts': {
      const ctx = await context();
      return verifiedContacts(ctx, request.party.trim().toUpperCase());
    }
    case 'recordContact': {
      const ctx = await context();
      const e = request.entry;
      const optional = Object.fromEntries((['position', 'phone', 'email', 'address'] as const).flatMap((k) => (e[k] && e[k].trim() ? [[k, e[k].trim()]] : [])));
      const signed = await signContact({ key: ctx.key, fingerprint: ctx.me.fingerprint }, { party: ctx.me.party, agreementId: e.agreementId, kind: e.kind, name: e.name.trim(), ...optional, effectiveFrom: e.effectiveFrom, withdrawn: Boolean(e.withdrawn) }, ctx.now());
      return ctx.api.recordContact(ctx.me.party, signed);
    }
    case 'evidence': {
      const ctx = await context();
      const result = await evidenceBundle(ctx, await hubKey(ctx.api), await trustStore(), request.packetId);
      return { ok: result.check.ok, lines: result.check.lines, ...(result.check.ok ? {} : { reason: result.check.reason }), ...(result.json ? { json: result.json } : {}) };
    }
    case 'audit': {
      const ctx = await context();
      lastAudit = await checkAudit(ctx.api, await hubKey(ctx.api), now);
      return status();
    }
    case 'releases': {
      const ctx = await context();
      const out: Array<Release & { terms?: TermsView }> = [];
      for (const r of await collect(ctx.api.releases())) {
        const terms = await releaseTerms(ctx, r).catch(() => undefined);
        out.push({ ...r, ...(terms ? { terms: termsView(terms) } : {}) });
      }
      return out;
    }
    case 'requestRelease': {
      const ctx = await context();
      return ctx.api.requestRelease(request.packetId, request.thirdParty.trim().toUpperCase(), request.purpose);
    }
    case 'executeRelease':
      // Re-wraps each part's session key for the third party's cleared, vouched-for members, here.
      return executeRelease(await context(), request.releaseId);
    case 'previewDecision': {
      const { text, lines } = await prepareReleaseDecision(await context(), request.releaseId, choiceOf(request.choice), { thirdParty: request.choice.thirdParty.trim().toUpperCase() });
      return { text, lines };
    }
    case 'decideRelease':
      return signReleaseDecision(await context(), request.releaseId, request.shown, choiceOf(request.choice), { thirdParty: request.choice.thirdParty.trim().toUpperCase() });
  }
}

let ready: Promise<void> | undefined;
async function start(): Promise<void> {
  idleMinutes = (await records.get<number>('idle-minutes')) ?? DEFAULT_IDLE_MINUTES;
  await wipeFiles();
}

scope.onmessage = (e) => {
  const { id, request } = e.data;
  ready ??= start();
  void ready
    .then(async () => {
      if (request.op !== 'status' && request.op !== 'touch') armIdleLock();
      return handle(request);
    })
    .then(
      (result) => post({ id, ok: true, result }),
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 401 && me) {
          // The hub refused this session: say why (a revoked or expired key is the hub's own words), and log out here too.
          api = undefined;
          me = undefined;
          const keyInactive = error.detail.includes('this key cannot act any more');
          const message = keyInactive ? (error.detail.includes('security officer') ? error.detail : `${error.detail}; ask your security officer`) : 'your session on this hub has ended (expired or logged out): log in again';
          const wording: ErrorWording = keyInactive ? { code: 'api.key-inactive', params: { detail: error.detail.replace(/; ask your security officer$/, '') } } : { code: 'web.session-ended', params: {} };
          post({ event: 'sessionEnded', message, wording });
          post({ id, ok: false, error: message, wording });
        } else if (error instanceof ApiError) post({ id, ok: false, error: error.detail, ...(error.article ? { article: error.article } : {}), wording: error.wording });
        else post({ id, ok: false, error: error instanceof Error ? error.message : String(error), ...(isTypedError(error) ? { wording: error.wording } : {}) });
      },
    );
};

