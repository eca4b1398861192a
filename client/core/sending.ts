/**
 * Building a packet, for both clients: who it is encrypted to (the cleared, vouched-for members
 * of the sending and receiving parties), the parties and marking labels of the agreement, the
 * sender's own clearance, completeness and the language of each part, and the manifest as signed
 * (first revision, or a clerk's next one). The files side is the platform's: client/node/sending.ts
 * in the CLI, the web client's worker in the browser; neither writes a rule of its own.
 *
 * Every key it encrypts to comes from the TrustedDirectory: a member vouched for by an officer
 * this person pinned; the hub's directory is only a hint.
 * Never: file, environment or process access.
 */
import { inspectPublicKey, type PublicKey } from '../../keys/identity.ts';
import { encryptPartForRecipients } from '../../keys/parts.ts';
import { signStatement } from '../../keys/statements.ts';
import { markingLevel, missingLanguages, type Agreement } from '../../protocol/agreement.ts';
import { clearanceCovers, type Level } from '../../protocol/levels.ts';
import { MANIFEST_FORMAT, Manifest, type ManifestPart, type PacketKind, type PartRole } from '../../protocol/manifest.ts';
import { isClearedReceiver } from '../../protocol/membership.ts';
import type { ClientContext, Notice } from './context.ts';
import { meteredDigest } from './digest.ts';
import { ClientError, reasonOf, reasonWording } from './errors.ts';
import { verifiedManifest } from './opening.ts';
import type { TextSample } from './documents.ts';
import type { LanguageVerdict } from './language.ts';
import type { PartSource } from './part-io.ts';
import { SAMPLE_BYTES } from './sample.ts';

/** A short description of a language verdict, for the person at the terminal. */
function describeVerdict(file: string, v: LanguageVerdict): string {
  switch (v.status) {
    case 'match':
      return `${file}: language ${v.detected} confirmed`;
    case 'mismatch':
      return `${file}: declared ${v.declared} but the text is ${v.detected}`;
    case 'undetermined':
      return `${file}: language undetermined (${v.reason}); declared ${v.declared} accepted unchecked`;
    default:
      return `${file}: language not checked (${v.reason})`;
  }
}

/** The keys of everyone who must read a packet of `level` from or to `parties`, each verified. */
export async function readersOf(ctx: ClientContext, parties: string[], level: Level): Promise<PublicKey[]> {
  const keys: PublicKey[] = [];
  for (const party of parties) {
    const members = (await ctx.directory.activeMembers(party)).filter((m) => isClearedReceiver(m, level, ctx.now()));
    if (members.length === 0) throw new ClientError(`${party} has no member cleared for ${level} who can receive packets`, 'send.no-cleared-receiver', { party, level });
    for (const m of members) {
      try {
        await inspectPublicKey(m.key, ctx.now());
      } catch (error) {
        throw new ClientError(`cannot encrypt to ${m.name} (${m.fingerprint}, ${party}): ${reasonOf(error)}`, 'send.cannot-encrypt-to', { name: m.name, fingerprint: m.fingerprint, party, reason: reasonWording(error) });
      }
      keys.push(m.key);
    }
  }
  return keys;
}

/**
 * A request under an agreement that asks for a request form (SCO Art. 5(4), RU-PK Art. 5) carries
 * one: the packet is sent by the request flow, which builds the form (`liaison request send`).
 */
function requireRequestForm(agreement: Agreement, kind: PacketKind, hasForm: boolean, howToSend: string): void {
  const form = agreement.workflow?.requestContents;
  if (kind === 'request' && form && !hasForm) throw new ClientError(`a request under ${agreement.id} carries the request form (${form.article}): ${howToSend}`, 'send.request-form-required', { agreement: agreement.id, article: form.article, how: howToSend });
}

/** The sender and every recipient are parties of the agreement; a misspelt or foreign party is named as such. */
function requireParties(agreement: Agreement, sender: string, to: readonly string[]): void {
  const parties = agreement.parties.map((p) => p.id);
  const list = agreement.parties.map((p) => `${p.id} (${p.name})`).join('; ');
  if (!parties.includes(sender)) throw new ClientError(`your party ${sender} is not a party of ${agreement.id}, whose parties are ${list}`, 'send.sender-not-party', { party: sender, agreement: agreement.id, parties: list });
  if (to.length === 0) throw new ClientError(`say who receives it with --to: the parties of ${agreement.id} are ${list}`, 'send.no-receiver', { agreement: agreement.id, parties: list });
  for (const party of to) {
    if (party === sender) throw new ClientError(`${party} is your own party: --to names the receiving party (${parties.filter((p) => p !== sender).join(', ')})`, 'send.own-party', { party, others: parties.filter((p) => p !== sender).join(', ') });
    if (!parties.includes(party)) {
      throw new ClientError(`${party} is not a party of ${agreement.id}: its parties are ${list}; a third party receives material only through a consented release (liaison release request)`, 'send.not-a-party', { party, agreement: agreement.id, parties: list });
    }
  }
}

/** The sender's own clearance covers the marking: nobody sends what they could not read. */
function requireOwnClearance(clearance: Level, level: Level): void {
  if (!clearanceCovers(clearance, level)) {
    throw new ClientError(`your own clearance (${clearance}) does not cover ${level}: you cannot send at that marking; ask your security officer, or choose a lower marking`, 'send.clearance-too-low', { clearance, level });
  }
}

/** The national label of `level` for the sender's and every recipient party, or a refusal naming the article. */
function markingLabels(agreement: Agreement, parties: string[], level: Level): Record<string, string> {
  const entry = markingLevel(agreement, level);
  if (!entry) throw new ClientError(`${agreement.id} has no ${level} level (${agreement.markings.article})`, 'send.no-such-level', { agreement: agreement.id, level, article: agreement.markings.article });
  const labels: Record<string, string> = {};
  for (const party of parties) {
    const label = entry.labels[party];
    if (!label) throw new ClientError(`${party} has no equivalent of ${level} under ${agreement.id} (${agreement.markings.article})`, 'send.no-equivalent-label', { party, level, agreement: agreement.id, article: agreement.markings.article });
    labels[party] = label;
  }
  return labels;
}

/**
 * Completeness of a new packet: a refusal naming the article unless it is kept as a draft, and
 * the notice that it was. `howToComplete` is the client's own words for adding a translation.
 */
function completeness(agreement: Agreement, party: string, parts: Array<{ role: PartRole; lang: string }>, draft: boolean, howToComplete: string): Notice[] {
  const missing = missingLanguages(agreement, party, parts);
  if (!missing) return [];
  if (!draft) throw new ClientError(`the packet is incomplete: ${missing.reason} (${agreement.languages.article}); ${howToComplete}`, 'send.incomplete', { reason: missing.wording, article: agreement.languages.article, how: howToComplete });
  return [{ message: `kept as a draft: ${missing.reason} (${agreement.languages.article})` }];
}

/**
 * The refusal for a part whose text is not in its declared language (nothing is encrypted then),
 * naming the agreement's article on languages: the declarations are what completeness counts.
 */
function languageRefusal(part: { role: PartRole; lang: string }, file: string, verdict: LanguageVerdict, article: string): ClientError | null {
  if (verdict.status !== 'mismatch') return null;
  if (part.role === 'translation') return new ClientError(`the ${part.lang} translation ${file} is not in ${part.lang}: the text reads as ${verdict.detected} (${article})`, 'language.translation-mismatch', { lang: part.lang, file, detected: verdict.detected, article });
  return new ClientError(`the ${part.role} ${file} is not in ${part.lang}: the text reads as ${verdict.detected} (${article})`, 'language.part-mismatch', { role: part.role, lang: part.lang, file, detected: verdict.detected, article });
}

interface NewPacket {
  packetId: string;
  agreementId: string;
  to: string[];
  level: Level;
  labels: Record<string, string>;
  kind: PacketKind;
  authority?: string;
  inReplyTo?: string;
  parts: ManifestPart[];
}

/** The manifest of a packet's first revision, canonical and signed by me. */
async function signNewManifest(ctx: ClientContext, p: NewPacket): Promise<{ manifest: Manifest; text: string; signature: string }> {
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    packetId: p.packetId,
    revision: 1,
    agreementId: p.agreementId,
    createdAt: ctx.now().toISOString(),
    sender: { party: ctx.me.party, fingerprint: ctx.me.fingerprint, ...(p.authority ? { authority: p.authority } : {}) },
    signedBy: ctx.me.fingerprint,
    recipients: p.to,
    marking: { level: p.level, labels: p.labels },
    kind: p.kind,
    references: p.inReplyTo ? { inReplyTo: p.inReplyTo } : {},
    parts: p.parts,
  };
  return signManifest(ctx, manifest);
}

/** The next revision of a draft with `added` parts, signed by me (a clerk attaching a translation). */
async function signNextRevision(ctx: ClientContext, previous: Manifest, added: ManifestPart[]): Promise<{ manifest: Manifest; text: string; signature: string }> {
  return signManifest(ctx, { ...previous, revision: previous.revision + 1, signedBy: ctx.me.fingerprint, parts: [...previous.parts, ...added] });
}

/** The id the next added part gets. */
function nextPartIndex(manifest: Manifest): number {
  return Math.max(...manifest.parts.map((p) => Number(p.id.slice(1)))) + 1;
}

async function signManifest(ctx: ClientContext, manifest: Manifest): Promise<{ manifest: Manifest; text: string; signature: string }> {
  const { statement, signature } = await signStatement('manifest', Manifest, manifest, ctx.key, ctx.now());
  return { manifest, text: statement, signature };
}

/** SHA-256 and size of a byte stream as it passes (ciphertext as it is written), with the context's hasher. */
function digestMeter(ctx: Pick<ClientContext, 'sha256'>, onBytes?: (done: number) => void): ReturnType<typeof meteredDigest> {
  return meteredDigest(ctx.sha256, onBytes);
}

/**
 * The declared language of a document against its text (franc, loaded only here: the models are
 * heavy). A document with no text to check is `not-checked`, with the reason its sample gave
 * (client/core/documents.ts: too large, not a type with text, could not be read and why).
 */
export async function checkPartLanguage(source: PartSource, declared: string): Promise<LanguageVerdict> {
  const sample = await source.sample(SAMPLE_BYTES);
  if ('unread' in sample) return { status: 'not-checked', declared, reason: sample.unread };
  const { checkDeclaredLanguage } = await import('./language.ts');
  return checkDeclaredLanguage(sample.text, declared);
}

/** The language a document's text is in, detected (for a part given without one); a sentence saying to declare it when it cannot be told. */
export async function detectPartLanguage(source: PartSource): Promise<string> {
  const sample: TextSample = await source.sample(SAMPLE_BYTES).catch(() => ({ unread: 'it could not be read' }));
  if ('unread' in sample) throw new ClientError(`cannot tell the language of ${source.name} (${sample.unread}); give it with --lang`, 'language.cannot-tell-unread', { file: source.name, reason: sample.unread });
  const { detectLanguage } = await import('./language.ts');
  const detected = detectLanguage(sample.text).lang;
  if (detected === 'und') throw new ClientError(`cannot tell the language of ${source.name}; give it with --lang`, 'language.cannot-tell', { file: source.name });
  return detected;
}

/** A document with the role and language it is declared in. */
export interface SourcedPart {
  role: PartRole;
  lang: string;
  source: PartSource;
}

/** Check each part's declared language; a mismatch refuses the whole packet, naming `agreement`'s article on languages, before anything is encrypted. */
async function checkLanguages(parts: readonly SourcedPart[], notices: Notice[], agreement: Pick<Agreement, 'languages'>): Promise<void> {
  for (const part of parts) {
    const verdict = await checkPartLanguage(part.source, part.lang);
    const refusal = languageRefusal(part, part.source.name, verdict, agreement.languages.article);
    if (refusal) throw refusal;
    notices.push({ message: describeVerdict(part.source.name, verdict) });
  }
}

/** Sign-then-encrypt `source` for `recipients` into `sink`, returning the ciphertext's size and SHA-256 (what the manifest fixes). */
async function encryptPart(ctx: ClientContext, source: PartSource, recipients: PublicKey[], sink: WritableStream<Uint8Array>): Promise<{ size: number; sha256: string }> {
  let read = 0;
  const progress = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      read += chunk.length;
      ctx.progress?.(`encrypting ${source.name}`, read, source.size);
      controller.enqueue(chunk);
    },
  });
  const encrypted = await encryptPartForRecipients(source.stream().pipeThrough(progress), { filename: source.name, signingKey: ctx.key, recipientKeys: recipients, date: ctx.now() });
  const meter = digestMeter(ctx);
  await encrypted.pipeThrough(meter.stream).pipeTo(sink);
  return meter.result();
}

/**
 * Where the ciphertext of each part is written while it is made, and what the platform keeps of
 * it to upload: a private temp file's path in the CLI, an OPFS `File` in the web client.
 */
export interface CiphertextStore<T> {
  create(partId: string): Promise<{ writable: WritableStream<Uint8Array>; done(): Promise<T> }>;
}

/** Sign-then-encrypt each part, numbered from `firstIndex`, into `store`: the manifest's part entries and what the store kept. */
async function encryptParts<T>(ctx: ClientContext, inputs: readonly SourcedPart[], firstIndex: number, recipients: PublicKey[], store: CiphertextStore<T>): Promise<Array<{ part: ManifestPart; stored: T }>> {
  const out: Array<{ part: ManifestPart; stored: T }> = [];
  for (const [i, input] of inputs.entries()) {
    const id = `p${firstIndex + i}`;
    const target = await store.create(id);
    const digest = await encryptPart(ctx, input.source, recipients, target.writable);
    out.push({ part: { id, role: input.role, lang: input.lang, mediaType: input.source.mediaType, size: digest.size, sha256: digest.sha256 }, stored: await target.done() });
  }
  return out;
}

/** A packet as the person put it together, its documents already sourced by the platform. */
interface OutgoingPacket {
  agreementId: string;
  to: string[];
  level: Level;
  kind: PacketKind;
  /** The original first, then translations and attachments: each language-checked. */
  parts: SourcedPart[];
  /** The request form this client wrote itself (JSON in the form's language): not checked as a translation. */
  requestForm?: SourcedPart;
  authority?: string;
  inReplyTo?: string;
  draft: boolean;
}

/**
 * What sending needs of the platform: where ciphertext goes (kept as a Blob to upload), its own
 * words for the person's next step, and a step before encrypting once the packet has its id and
 * labels (the browser asks for room in its storage; the CLI's `--stamp` swaps in stamped copies).
 */
interface SendingPlatform {
  store: CiphertextStore<Blob>;
  /** How to add a translation or keep a draft, in this client's terms. */
  howToComplete: string;
  /** How to send a request with its form, in this client's terms. */
  howToSendRequest: string;
  beforeEncrypt?(parts: SourcedPart[], packet: { packetId: string; labels: Record<string, string> }): Promise<SourcedPart[]>;
}

/**
 * Send a new packet, for both clients: the agreement's rules (request form, parties, labels, my
 * clearance, completeness), each part's language, the cleared and vouched-for readers, then
 * sign-then-encrypt into the platform's store, the signed manifest, and the upload with progress.
 * Nothing is encrypted before every check passed.
 */
export async function sendNewPacket(ctx: ClientContext, packet: OutgoingPacket, platform: SendingPlatform): Promise<{ packetId: string; state: string; notices: Notice[] }> {
  const agreement = await ctx.api.agreement(packet.agreementId);
  requireRequestForm(agreement, packet.kind, packet.requestForm !== undefined, platform.howToSendRequest);
  requireParties(agreement, ctx.me.party, packet.to);
  const labels = markingLabels(agreement, [ctx.me.party, ...packet.to], packet.level);
  requireOwnClearance(ctx.me.clearance, packet.level);
  const all = [...packet.parts, ...(packet.requestForm ? [packet.requestForm] : [])];
  const notices = completeness(agreement, ctx.me.party, all, packet.draft, platform.howToComplete);
  await checkLanguages(packet.parts, notices, agreement);
  const keys = await readersOf(ctx, [ctx.me.party, ...packet.to], packet.level);
  const packetId = crypto.randomUUID();
  const inputs = platform.beforeEncrypt ? await platform.beforeEncrypt(all, { packetId, labels }) : all;
  const parts = await encryptParts(ctx, inputs, 1, keys, platform.store);
  const signed = await signNewManifest(ctx, {
    packetId,
    agreementId: agreement.id,
    to: packet.to,
    level: packet.level,
    labels,
    kind: packet.kind,
    ...(packet.authority ? { authority: packet.authority } : {}),
    ...(packet.inReplyTo ? { inReplyTo: packet.inReplyTo } : {}),
    parts: parts.map((p) => p.part),
  });
  const result = await uploadParts(ctx, signed, parts, { submit: !packet.draft });
  return { packetId: result.packetId, state: result.state, notices };
}

/**
 * Attach a translation to a draft of my party (a clerk), as its next revision signed by me: the
 * draft's manifest verified first, the translation language-checked against the agreement, and
 * encrypted to the draft's cleared readers. Optionally submits it at once.
 */
export async function attachToDraft(ctx: ClientContext, packetId: string, translation: SourcedPart, submit: boolean, platform: Pick<SendingPlatform, 'store' | 'beforeEncrypt'>): Promise<{ packetId: string; state: string; revision: number; notices: Notice[] }> {
  const detail = await ctx.api.packet(packetId);
  const { manifest } = await verifiedManifest(ctx, detail);
  if (detail.state !== 'draft') throw new ClientError(`packet ${packetId} is already submitted; translations are attached to drafts`, 'send.not-a-draft', { packet: packetId });
  const agreement = await ctx.api.agreement(manifest.agreementId);
  const notices: Notice[] = [];
  await checkLanguages([translation], notices, agreement);
  const keys = await readersOf(ctx, [manifest.sender.party, ...manifest.recipients], manifest.marking.level);
  const inputs = platform.beforeEncrypt ? await platform.beforeEncrypt([translation], { packetId, labels: manifest.marking.labels }) : [translation];
  const [added] = await encryptParts(ctx, inputs, nextPartIndex(manifest), keys, platform.store);
  const signed = await signNextRevision(ctx, manifest, [added!.part]);
  const result = await uploadParts(ctx, signed, [added!], { submit, packetId });
  return { packetId: result.packetId, state: result.state, revision: result.revision, notices };
}

function uploadParts(ctx: ClientContext, signed: { text: string; signature: string }, parts: Array<{ part: ManifestPart; stored: Blob }>, options: { submit: boolean; packetId?: string }) {
  return ctx.api.upload(
    { manifest: signed.text, signature: signed.signature, submit: options.submit },
    parts.map((p) => ({ partId: p.part.id, size: p.part.size, body: p.stored })),
    { ...(options.packetId ? { packetId: options.packetId } : {}), onProgress: (sent, total) => ctx.progress?.('uploading', sent, total) },
  );
}

/**
 * The receiving side's language check of an opened part (the sender's client checked it before
 * encrypting; this catches a sender that did not): a warning naming the file when its text is not
 * in the declared language. Attachments and request forms declare no language to check.
 */
export async function receivedLanguageNotice(part: ManifestPart, name: string, source: PartSource): Promise<Notice | null> {
  if (part.role === 'attachment' || part.role === 'request-form') return null;
  const verdict = await checkPartLanguage(source, part.lang);
  return verdict.status === 'mismatch' ? { partId: part.id, message: `warning: ${describeVerdict(name, verdict)}` } : null;
}
