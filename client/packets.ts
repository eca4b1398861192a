/**
 * The packet builder and opener: everything that touches plaintext happens here, on the
 * person's machine. Sending checks languages and completeness, encrypts every part to the
 * cleared members of both parties, and signs a canonical manifest; fetching checks every
 * ciphertext hash against the signed manifest, decrypts to a private temp file, and moves it into
 * place only after integrity and the sender's signature verify.
 *
 * Every key it encrypts to, and every signature it accepts, comes from the TrustedDirectory:
 * a member vouched for by an officer this person pinned. The hub's directory is only a hint.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRequire } from 'node:module';
import { inspectPublicKey, type PrivateKey, type PublicKey } from '../keys/identity.ts';
import { decryptPart, encryptPartForRecipients, readWrapKeyIds, wrapSessionKeyFor, type ByteStream } from '../keys/parts.ts';
import { signDetached, verifyDetached } from '../keys/signatures.ts';
import { markingLevel, missingLanguages, type Agreement } from '../protocol/agreement.ts';
import type { Member, PacketDetail } from '../protocol/api.ts';
import { canonicalize } from '../protocol/canonical.ts';
import { clearanceCovers, type Level } from '../protocol/levels.ts';
import { MANIFEST_FORMAT, parseCanonicalManifest, type Manifest, type ManifestPart, type PacketKind, type PartRole } from '../protocol/manifest.ts';
import { isClearedReceiver } from '../protocol/membership.ts';
import { signedInstantProblem } from '../protocol/signing.ts';
import { RELEASE_DECISION_FORMAT, ReleaseDecision, type Release } from '../protocol/release.ts';
import { CHUNK_BYTES, collect, type HubClient } from './api.ts';
import type { TrustedDirectory, TrustedMember } from './trust.ts';
import { acknowledgeRetrieval } from './evidence.ts';
import { ClientError } from './home.ts';
import { describeIssues } from '../protocol/issues.ts';
import type { LanguageVerdict } from './language.ts';
import { DOCUMENT_MEDIA_TYPES, PDF_MEDIA_TYPE } from './extract.ts';

export interface ClientContext {
  api: HubClient;
  directory: TrustedDirectory;
  me: Member;
  key: PrivateKey;
  now: () => Date;
  /** Called as bytes flow through a long step (encrypting, uploading, downloading, decrypting). */
  progress?: (step: string, done: number, total: number) => void;
}

export interface PartInput {
  role: PartRole;
  lang: string;
  path: string;
  /** The file name to put inside the message when `path` is a temporary (stamped) copy. */
  name?: string;
}

export interface Notice {
  partId?: string;
  message: string;
}

const tempDir = () => fs.mkdtemp(join(tmpdir(), 'liaison-'));

/** A short description of a language verdict, for the person at the terminal. */
export function describeVerdict(file: string, v: LanguageVerdict): string {
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

async function checkLanguage(input: PartInput): Promise<LanguageVerdict> {
  // Loaded here, not at start: the language models (and the PDF and DOCX readers) are heavy.
  const { checkDeclaredLanguage, sampleText } = await import('./language.ts');
  const mediaType = mediaTypeOf(input.path);
  const text = await sampleText(input.path, mediaType);
  if (text === null) {
    const reason = DOCUMENT_MEDIA_TYPES.has(mediaType) ? `the ${mediaType === PDF_MEDIA_TYPE ? 'PDF' : 'DOCX'} could not be read (too large, damaged or encrypted)` : `no text extraction for ${mediaType}`;
    return { status: 'not-checked', declared: input.lang, reason };
  }
  return checkDeclaredLanguage(text, input.lang);
}

// mime-types parses the whole mime-db (about 2,000 types) when loaded: only commands that name
// files load it (issue 9: it was 50 ms of every `liaison inbox`).
const requireOnUse = createRequire(import.meta.url);
let mimeTypes: typeof import('mime-types') | undefined;

export function mediaTypeOf(path: string): string {
  mimeTypes ??= requireOnUse('mime-types') as typeof import('mime-types');
  const type = mimeTypes.lookup(path);
  return typeof type === 'string' ? type : 'application/octet-stream';
}

/** The keys of everyone who must read a packet of `level` from or to `parties`, each verified. */
async function readersOf(ctx: ClientContext, parties: string[], level: Level): Promise<PublicKey[]> {
  const keys: PublicKey[] = [];
  for (const party of parties) {
    const members = (await ctx.directory.activeMembers(party)).filter((m) => isClearedReceiver(m, level, ctx.now()));
    if (members.length === 0) throw new ClientError(`${party} has no member cleared for ${level} who can receive packets`);
    for (const m of members) {
      try {
        await inspectPublicKey(m.key, ctx.now());
      } catch (error) {
        throw new ClientError(`cannot encrypt to ${m.name} (${m.fingerprint}, ${party}): ${(error as Error).message}`);
      }
      keys.push(m.key);
    }
  }
  return keys;
}

/** Keys whose signatures count for `party`, with the instant each stops counting (revocation, expiry). */
async function signersOf(ctx: ClientContext, party: string): Promise<TrustedMember[]> {
  return ctx.directory.members(party);
}

/** A signature counts only if made while the signer was a member in good standing. */
function signatureStanding(signer: TrustedMember, signedAt: Date): string | null {
  const at = signedAt.toISOString();
  if (signer.revokedAt && at >= signer.revokedAt) return `made after the key was revoked (${signer.revokedAt})`;
  if (signer.validUntil && at >= signer.validUntil) return `made after the membership expired (${signer.validUntil})`;
  return null;
}

/** Sign-then-encrypt one file into a temp file, returning its ciphertext digest. */
async function encryptToFile(
  ctx: ClientContext,
  input: PartInput,
  recipients: PublicKey[],
  outPath: string,
): Promise<{ size: number; sha256: string }> {
  const total = (await fs.stat(input.path)).size;
  const name = input.name ?? basename(input.path);
  let read = 0;
  const source = createReadStream(input.path, { highWaterMark: CHUNK_BYTES }).on('data', (chunk) => {
    read += chunk.length;
    ctx.progress?.(`encrypting ${name}`, read, total);
  });
  const encrypted = await encryptPartForRecipients(Readable.toWeb(source) as ByteStream, {
    filename: name,
    signingKey: ctx.key,
    recipientKeys: recipients,
    date: ctx.now(),
  });
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    Readable.fromWeb(encrypted as import('node:stream/web').ReadableStream<Uint8Array>),
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    }),
    createWriteStream(outPath, { flags: 'wx', mode: 0o600 }),
  );
  return { size, sha256: hash.digest('hex') };
}

async function checkReadable(path: string): Promise<void> {
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile()) throw new ClientError(`${path} is not a file`);
    if (stat.size === 0) throw new ClientError(`${path} is empty`);
  } catch (error) {
    if (error instanceof ClientError) throw error;
    throw new ClientError(`cannot read ${path}`);
  }
}

/** Check each part's declared language; a mismatch refuses the whole packet before anything is encrypted. */
async function checkLanguages(inputs: PartInput[], notices: Notice[]): Promise<void> {
  for (const input of inputs) {
    await checkReadable(input.path);
    const verdict = await checkLanguage(input);
    if (verdict.status === 'mismatch') {
      const what = input.role === 'translation' ? `the ${input.lang} translation` : `the ${input.role}`;
      throw new ClientError(`${what} ${basename(input.path)} is not in ${input.lang}: the text reads as ${verdict.detected}`);
    }
    notices.push({ message: describeVerdict(basename(input.path), verdict) });
  }
}

async function encryptParts(ctx: ClientContext, inputs: PartInput[], firstIndex: number, recipients: PublicKey[], dir: string): Promise<Array<{ part: ManifestPart; path: string }>> {
  const out: Array<{ part: ManifestPart; path: string }> = [];
  for (const [i, input] of inputs.entries()) {
    const id = `p${firstIndex + i}`;
    const path = join(dir, `${id}.pgp`);
    const digest = await encryptToFile(ctx, input, recipients, path);
    out.push({ path, part: { id, role: input.role, lang: input.lang, mediaType: mediaTypeOf(input.name ?? input.path), size: digest.size, sha256: digest.sha256 } });
  }
  return out;
}

function uploadProgress(ctx: ClientContext) {
  return (sent: number, total: number) => ctx.progress?.('uploading', sent, total);
}

export interface SendOptions {
  agreementId: string;
  to: string[];
  level: Level;
  kind: PacketKind;
  original: { path: string; lang: string };
  translations: Array<{ lang: string; path: string }>;
  attachments?: Array<{ lang: string; path: string }>;
  /** The structured request form (a JSON file), only for a request: see client/workflow.ts sendRequest. */
  requestForm?: { lang: string; path: string };
  authority?: string;
  inReplyTo?: string;
  draft: boolean;
  /** Stamp PDF and DOCX parts with the marking before encrypting them (`send --stamp`). */
  stamp?: boolean;
}

export async function sendPacket(ctx: ClientContext, options: SendOptions): Promise<{ packetId: string; state: string; notices: Notice[] }> {
  const notices: Notice[] = [];
  const agreement = await ctx.api.agreement(options.agreementId);
  requireParties(agreement, ctx.me.party, options.to);
  const entry = markingLevel(agreement, options.level);
  if (!entry) throw new ClientError(`${agreement.id} has no ${options.level} level (${agreement.markings.article})`);
  if (!clearanceCovers(ctx.me.clearance, options.level)) {
    throw new ClientError(`your own clearance (${ctx.me.clearance}) does not cover ${options.level}: you cannot send at that marking; ask your security officer, or choose a lower marking`);
  }
  const labels: Record<string, string> = {};
  for (const party of [ctx.me.party, ...options.to]) {
    const label = entry.labels[party];
    if (!label) throw new ClientError(`${party} has no equivalent of ${options.level} under ${agreement.id} (${agreement.markings.article})`);
    labels[party] = label;
  }
  const inputs: PartInput[] = [
    { role: 'original', lang: options.original.lang, path: options.original.path },
    ...options.translations.map((t) => ({ role: 'translation' as const, lang: t.lang, path: t.path })),
    ...(options.attachments ?? []).map((a) => ({ role: 'attachment' as const, lang: a.lang, path: a.path })),
    ...(options.requestForm ? [{ role: 'request-form' as const, lang: options.requestForm.lang, path: options.requestForm.path }] : []),
  ];
  const missing = missingLanguages(agreement, ctx.me.party, inputs);
  if (missing && !options.draft) {
    throw new ClientError(`the packet is incomplete: ${missing.reason} (${agreement.languages.article}); add --translation or send it --draft for a clerk to complete`);
  }
  if (missing) notices.push({ message: `kept as a draft: ${missing.reason} (${agreement.languages.article})` });
  // The request form is JSON this client wrote itself; its free text is in the form's declared language.
  await checkLanguages(inputs.filter((i) => i.role !== 'request-form'), notices);
  const keys = await readersOf(ctx, [ctx.me.party, ...options.to], options.level);

  const packetId = randomUUID();
  const dir = await tempDir();
  try {
    if (options.stamp) {
      // The stamped bytes are what is signed and hashed: a reader with plain gpg sees the banners too.
      const { stampForSending } = await import('./stamped.ts');
      const marking = { level: options.level, agreementId: agreement.id, packetId, originatorParty: ctx.me.party, labels };
      const stamped = await stampForSending(marking, inputs.map((i) => ({ path: i.path, mediaType: mediaTypeOf(i.path) })), dir);
      stamped.forEach((path, i) => {
        if (path) inputs[i] = { ...inputs[i]!, name: basename(inputs[i]!.path), path };
      });
    }
    const parts = await encryptParts(ctx, inputs, 1, keys, dir);
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      packetId,
      revision: 1,
      agreementId: agreement.id,
      createdAt: ctx.now().toISOString(),
      sender: { party: ctx.me.party, fingerprint: ctx.me.fingerprint, ...(options.authority ? { authority: options.authority } : {}) },
      signedBy: ctx.me.fingerprint,
      recipients: options.to,
      marking: { level: options.level, labels },
      kind: options.kind,
      references: options.inReplyTo ? { inReplyTo: options.inReplyTo } : {},
      parts: parts.map((p) => p.part),
    };
    const text = canonicalize(manifest);
    const signature = await signDetached('manifest', text, ctx.key, ctx.now());
    const result = await ctx.api.upload(
      { manifest: text, signature, submit: !options.draft },
      parts.map((p) => ({ partId: p.part.id, path: p.path, size: p.part.size })),
      { onProgress: uploadProgress(ctx) },
    );
    return { packetId: result.packetId, state: result.state, notices };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The sender and every recipient are parties of the agreement; a misspelt or foreign party is named as such. */
export function requireParties(agreement: Agreement, sender: string, to: readonly string[]): void {
  const parties = agreement.parties.map((p) => p.id);
  const list = agreement.parties.map((p) => `${p.id} (${p.name})`).join('; ');
  if (!parties.includes(sender)) throw new ClientError(`your party ${sender} is not a party of ${agreement.id}, whose parties are ${list}`);
  if (to.length === 0) throw new ClientError(`say who receives it with --to: the parties of ${agreement.id} are ${list}`);
  for (const party of to) {
    if (party === sender) throw new ClientError(`${party} is your own party: --to names the receiving party (${parties.filter((p) => p !== sender).join(', ')})`);
    if (!parties.includes(party)) {
      throw new ClientError(`${party} is not a party of ${agreement.id}: its parties are ${list}; a third party receives material only through a consented release (liaison release request)`);
    }
  }
}

/** Read a packet's manifest and check its signature by a member of the sending party. */
export async function verifiedManifest(ctx: ClientContext, detail: Pick<PacketDetail, 'packetId' | 'manifest' | 'signature'>): Promise<{ manifest: Manifest; senderKeys: TrustedMember[] }> {
  const parsed = parseCanonicalManifest(detail.manifest);
  if (!parsed.ok) throw new ClientError(`packet ${detail.packetId}: ${parsed.error}`);
  const manifest = parsed.manifest;
  if (manifest.packetId !== detail.packetId) throw new ClientError(`the hub served the manifest of another packet for ${detail.packetId}`);
  const dated = signedInstantProblem(manifest.createdAt, ctx.now(), `the manifest date of ${detail.packetId}`);
  if (dated) throw new ClientError(dated);
  const senders = await signersOf(ctx, manifest.sender.party);
  const signer = senders.find((m) => m.fingerprint === manifest.signedBy);
  if (!signer) throw new ClientError(`the manifest of ${detail.packetId} is signed by ${manifest.signedBy}, who is not a vouched-for member of ${manifest.sender.party}`);
  const verification = await verifyDetached('manifest', detail.manifest, detail.signature, [signer.key], ctx.now());
  if (!verification.valid) throw new ClientError(`the manifest signature of ${detail.packetId} does not verify: ${verification.reason}`);
  const standing = signatureStanding(signer, verification.signedAt);
  if (standing) throw new ClientError(`the manifest of ${detail.packetId} is signed by ${signer.fingerprint}, but ${standing}`);
  return { manifest, senderKeys: senders };
}

/** Attach a translation to a draft of my party (clerk), optionally submitting it at once. */
export async function attachTranslation(
  ctx: ClientContext,
  packetId: string,
  translation: { lang: string; path: string },
  submit = false,
): Promise<{ packetId: string; state: string; revision: number; notices: Notice[] }> {
  const notices: Notice[] = [];
  const detail = await ctx.api.packet(packetId);
  const { manifest } = await verifiedManifest(ctx, detail);
  if (detail.state !== 'draft') throw new ClientError(`packet ${packetId} is already submitted; translations are attached to drafts`);
  const input: PartInput = { role: 'translation', lang: translation.lang, path: translation.path };
  await checkLanguages([input], notices);
  const keys = await readersOf(ctx, [manifest.sender.party, ...manifest.recipients], manifest.marking.level);
  const nextIndex = Math.max(...manifest.parts.map((p) => Number(p.id.slice(1)))) + 1;
  const dir = await tempDir();
  try {
    const [added] = await encryptParts(ctx, [input], nextIndex, keys, dir);
    const next: Manifest = { ...manifest, revision: manifest.revision + 1, signedBy: ctx.me.fingerprint, parts: [...manifest.parts, added!.part] };
    const text = canonicalize(next);
    const signature = await signDetached('manifest', text, ctx.key, ctx.now());
    const result = await ctx.api.upload({ manifest: text, signature, submit }, [{ partId: added!.part.id, path: added!.path, size: added!.part.size }], {
      packetId,
      onProgress: uploadProgress(ctx),
    });
    return { ...result, notices };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Download one part into `path`, checking the bytes after the key wraps against the signed digest. */
async function downloadChecked(ctx: ClientContext, packetId: string, part: ManifestPart, path: string): Promise<void> {
  const { wrapLength, body } = await ctx.api.downloadPart(packetId, part.id);
  const hash = createHash('sha256');
  let position = 0;
  let size = 0;
  const wrap: Buffer[] = [];
  await pipeline(
    body,
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        const inWrap = Math.max(0, Math.min(chunk.length, wrapLength - position));
        if (inWrap > 0) wrap.push(chunk.subarray(0, inWrap));
        const rest = chunk.subarray(inWrap);
        hash.update(rest);
        size += rest.length;
        position += chunk.length;
        ctx.progress?.(`downloading ${part.id}`, size, part.size);
        done(null, chunk);
      },
    }),
    createWriteStream(path, { flags: 'wx', mode: 0o600 }),
  );
  if (size !== part.size || hash.digest('hex') !== part.sha256) {
    throw new ClientError(`part ${part.id} of ${packetId} does not match the signed manifest: it was altered; nothing was decrypted`);
  }
  if (wrapLength > 0) {
    try {
      await readWrapKeyIds(new Uint8Array(Buffer.concat(wrap)));
    } catch {
      throw new ClientError(`part ${part.id} of ${packetId} came with an invalid key wrap`);
    }
  }
}

/** A file name safe to create in the output directory, from the untrusted name inside the message. */
export function safeFileName(candidate: string, fallback: string): string {
  const cleaned = basename(candidate.replace(/\\/g, '/'))
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}<>:"/\\|?*]/gu, '_')
    .replace(/^[.\s]+/, '')
    .slice(0, 180)
    .trim();
  return cleaned.length > 0 ? cleaned : fallback;
}

function uniquePath(dir: string, name: string): string {
  let path = join(dir, name);
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 1; existsSync(path); i++) path = join(dir, `${stem}-${i}${ext}`);
  return path;
}

export interface FetchedFile {
  partId: string;
  role: string;
  lang: string;
  path: string;
  signer?: string;
  /** The signer by name and party, as their officer vouched for them. */
  signerName?: string;
  /** The stamped copy made beside it, if its type has one (see client/stamped.ts). */
  stampedCopy?: string;
  /** SHA-256 and size of the decrypted file, computed while it was written. */
  sha256?: string;
  size?: number;
}

/**
 * Fetch a packet into `outDir`. With `raw`, keep the ciphertext parts and the signed manifest as
 * they are (for `gpg`); otherwise decrypt, verify and write the plaintext files.
 */
export async function fetchPacket(ctx: ClientContext, packetId: string, outDir: string, raw: boolean): Promise<{ manifest: Manifest; files: FetchedFile[]; notices: Notice[] }> {
  const detail = await ctx.api.packet(packetId);
  const { manifest, senderKeys } = await verifiedManifest(ctx, detail);
  const stamping = await import('./stamped.ts');
  await stamping.assertFolderFree(outDir);
  await fs.mkdir(outDir, { recursive: true, mode: 0o700 });
  const markFolder = () => stamping.markFetchedFolder(ctx, { outDir, manifest, manifestText: detail.manifest, signature: detail.signature, files, raw, created });
  const dir = await tempDir();
  const notices: Notice[] = [];
  const files: FetchedFile[] = [];
  const created: string[] = [];
  try {
    const cipherPaths = new Map<string, string>();
    for (const part of manifest.parts) {
      const path = join(dir, `${part.id}.pgp`);
      await downloadChecked(ctx, packetId, part, path);
      cipherPaths.set(part.id, path);
    }
    if (raw) {
      for (const part of manifest.parts) {
        const target = uniquePath(outDir, `${part.id}-${part.role}-${part.lang}.pgp`);
        await fs.copyFile(cipherPaths.get(part.id)!, target, fs.constants.COPYFILE_EXCL);
        created.push(target);
        files.push({ partId: part.id, role: part.role, lang: part.lang, path: target });
      }
      notices.push(...(await markFolder()));
      return { manifest, files, notices };
    }
    for (const part of manifest.parts) {
      const partial = join(outDir, `.liaison-partial-${randomBytes(8).toString('hex')}`);
      created.push(partial);
      const decrypted = await decryptPart(Readable.toWeb(createReadStream(cipherPaths.get(part.id)!, { highWaterMark: CHUNK_BYTES })) as ByteStream, {
        decryptionKey: ctx.key,
        senderKeys: senderKeys.map((m) => m.key),
        date: ctx.now(),
      }).catch((error: unknown) => {
        // The bytes already match the signed hash, so a failure here is about keys: this key is not
        // among the part's recipients (enrolled, cleared or rotated after it was sent).
        if (/decrypt|session key|key packet/i.test((error as Error).message)) {
          throw new ClientError(`your key cannot open part ${part.id}: the packet was sent before your key could read it; a colleague of ${ctx.me.party} who can read it must run: liaison rewrap --for ${ctx.me.fingerprint} ${packetId}`);
        }
        throw new ClientError(`cannot decrypt part ${part.id}: ${(error as Error).message}`);
      });
      let written = 0;
      const plaintextHash = createHash('sha256'); // for the folder's label, without reading the file again
      try {
        await pipeline(
          Readable.fromWeb(decrypted.data as import('node:stream/web').ReadableStream<Uint8Array>),
          new Transform({
            transform(chunk: Buffer, _enc, done) {
              written += chunk.length;
              plaintextHash.update(chunk);
              ctx.progress?.(`decrypting ${part.id}`, written, part.size);
              done(null, chunk);
            },
          }),
          createWriteStream(partial, { flags: 'wx', mode: 0o600 }),
        );
      } catch (error) {
        throw new ClientError(`part ${part.id} failed its integrity check while decrypting: ${(error as Error).message}`);
      }
      const verification = await decrypted.verification;
      if (!verification.valid) throw new ClientError(`part ${part.id} is not validly signed by a member of ${manifest.sender.party}: ${verification.reason}`);
      const partSigner = senderKeys.find((m) => m.fingerprint === verification.signer)!;
      const standing = signatureStanding(partSigner, verification.signedAt);
      if (standing) throw new ClientError(`part ${part.id} is signed by ${partSigner.fingerprint}, but ${standing}`);
      const target = uniquePath(outDir, safeFileName(decrypted.filename, `${part.id}-${part.role}-${part.lang}.bin`));
      await fs.rename(partial, target);
      created.push(target);
      files.push({ partId: part.id, role: part.role, lang: part.lang, path: target, signer: verification.signer, signerName: `${partSigner.name} (${partSigner.party})`, sha256: plaintextHash.digest('hex'), size: written });
      if (part.role !== 'attachment' && part.role !== 'request-form') {
        const verdict = await checkLanguage({ role: part.role, lang: part.lang, path: target });
        if (verdict.status === 'mismatch') notices.push({ partId: part.id, message: `warning: ${describeVerdict(basename(target), verdict)}` });
      }
    }
    // Stamped copies, MARKING.txt and the label come after every original verified.
    notices.push(...(await markFolder()));
    notices.push(...(await acknowledgeRetrieval(ctx, detail, manifest)));
    return { manifest, files, notices };
  } catch (error) {
    // Nothing half-done stays behind: remove every file this fetch created.
    for (const path of created) await fs.rm(path, { force: true });
    throw error;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** What the officer states they decide on, typed by them, never read from the hub. */
export interface ConfirmedRelease {
  /** The party the material would go to (`release consent ID --to KZ`). */
  thirdParty: string;
  /** When given, the purpose must be exactly this. */
  purpose?: string;
  /** When given, the packet must be this one. */
  packetId?: string;
}

/** The lines an officer is shown before a decision is signed: exactly the fields the signature covers. */
export function describeDecision(d: ReleaseDecision, manifest: Manifest): string[] {
  return [
    `${d.decision === 'consent' ? 'Consent' : 'Refusal'} to be signed by ${d.officer}:`,
    `  release:     ${d.releaseId}`,
    `  packet:      ${d.packetId} (${manifest.agreementId}, ${manifest.kind}, ${manifest.marking.level}, sent by ${manifest.sender.party} on ${manifest.createdAt.slice(0, 10)})`,
    `  to:          ${d.thirdParty}`,
    `  purpose:     ${JSON.stringify(d.purpose)}`,
    ...(d.decision === 'consent'
      ? [`  conditions:  ${d.conditions ? JSON.stringify(d.conditions) : 'none'}`, `  expires:     ${d.expiresAt ?? 'never (until used)'}`]
      : [`  reasons:     ${JSON.stringify(d.reason ?? '')}`]),
  ];
}

/**
 * Sign and record a consent to, or refusal of, an onward release (security officer of the
 * originator). The hub's record is checked against what the officer typed (`confirmed`) and the
 * packet's manifest is verified before anything is signed; `show` receives the exact fields the
 * signature will cover. Refuses, signing nothing, when the hub's record differs.
 */
export async function decideRelease(
  ctx: ClientContext,
  releaseId: string,
  decision: { refuse?: string; conditions?: string; expiresAt?: string },
  confirmed: ConfirmedRelease,
  show: (lines: string[]) => void = () => undefined,
): Promise<Release> {
  const release = await ctx.api.release(releaseId);
  const nothing = 'nothing was signed';
  if (release.id !== releaseId) throw new ClientError(`the hub answered with release ${release.id} when asked for ${releaseId}; ${nothing}`);
  if (release.thirdParty !== confirmed.thirdParty) {
    throw new ClientError(`release ${releaseId} on the hub is for ${release.thirdParty}, not ${confirmed.thirdParty} as you stated; ${nothing}`);
  }
  if (confirmed.purpose !== undefined && release.purpose !== confirmed.purpose) {
    throw new ClientError(`release ${releaseId} on the hub is for the purpose "${release.purpose}", not "${confirmed.purpose}" as you stated; ${nothing}`);
  }
  if (confirmed.packetId !== undefined && release.packetId !== confirmed.packetId) {
    throw new ClientError(`release ${releaseId} on the hub is about packet ${release.packetId}, not ${confirmed.packetId} as you stated; ${nothing}`);
  }
  if (release.state !== 'requested') throw new ClientError(`release ${releaseId} is already ${release.state}; ${nothing}`);
  if (release.originParty !== ctx.me.party || !ctx.me.roles.includes('officer')) {
    // Not this person's decision to make: no signature for the hub to hold.
    const agreement = await ctx.api.agreement(release.agreementId);
    const rule = release.thirdParty === release.requestingParty ? (agreement.purposeLimitation ?? agreement.thirdPartyRelease) : agreement.thirdPartyRelease;
    throw new ClientError(`only a security officer of the originating party (${release.originParty}) can consent to or refuse this release (${rule.article}); ${nothing}`);
  }
  // The packet the decision names must be a real, verified packet: the officer is shown its marking and sender.
  const { manifest } = await verifiedManifest(ctx, await ctx.api.packet(release.packetId));
  if (manifest.packetId !== release.packetId) throw new ClientError(`the hub served packet ${manifest.packetId} for ${release.packetId}; ${nothing}`);
  if (manifest.sender.party !== ctx.me.party) throw new ClientError(`packet ${manifest.packetId} was sent by ${manifest.sender.party}, not by your party; only its originator decides; ${nothing}`);
  const statement: ReleaseDecision = {
    format: RELEASE_DECISION_FORMAT,
    releaseId,
    packetId: manifest.packetId,
    thirdParty: confirmed.thirdParty,
    purpose: release.purpose,
    decision: decision.refuse ? 'refuse' : 'consent',
    ...(decision.refuse ? { reason: decision.refuse } : {}),
    ...(decision.conditions ? { conditions: decision.conditions } : {}),
    ...(decision.expiresAt ? { expiresAt: decision.expiresAt } : {}),
    decidedAt: ctx.now().toISOString(),
    officer: ctx.me.fingerprint,
  };
  const checked = ReleaseDecision.safeParse(statement);
  if (!checked.success) throw new ClientError(describeIssues(checked.error, 'the decision'));
  show(describeDecision(statement, manifest));
  const text = canonicalize(statement);
  return ctx.api.decideRelease(releaseId, text, await signDetached('releaseDecision', text, ctx.key, ctx.now()));
}

/** Execute a consented release: wrap each part's session key for the third party's cleared members. */
export async function executeRelease(ctx: ClientContext, releaseId: string): Promise<Release> {
  const release = await ctx.api.release(releaseId);
  const detail = await ctx.api.packet(release.packetId);
  const { manifest } = await verifiedManifest(ctx, detail);
  const keys = await readersOf(ctx, [release.thirdParty], manifest.marking.level);
  return ctx.api.executeRelease(releaseId, await wrapParts(ctx, release.packetId, manifest, keys));
}

/** New session-key wraps of every part of a packet for `keys`, made with this person's key. */
async function wrapParts(ctx: ClientContext, packetId: string, manifest: Manifest, keys: PublicKey[]): Promise<Array<{ partId: string; pkesk: string }>> {
  const wraps: Array<{ partId: string; pkesk: string }> = [];
  for (const part of manifest.parts) {
    const { body } = await ctx.api.downloadPart(packetId, part.id);
    try {
      const pkesk = await wrapSessionKeyFor(Readable.toWeb(body) as ByteStream, { decryptionKey: ctx.key, newRecipients: keys, date: ctx.now() });
      wraps.push({ partId: part.id, pkesk: Buffer.from(pkesk).toString('base64') });
    } catch (error) {
      throw new ClientError(`cannot re-wrap part ${part.id} of ${packetId}: ${(error as Error).message}`);
    } finally {
      body.destroy();
    }
  }
  return wraps;
}

/**
 * Let a colleague read earlier packets (newly cleared, or a rotated key): wrap each packet's
 * session keys for their verified key. With no ids, every packet this person can read and the
 * colleague is entitled to. Returns what was done and what was skipped, with the reason.
 */
export async function rewrapFor(ctx: ClientContext, fingerprint: string, packetIds: string[]): Promise<{ done: string[]; skipped: Array<{ packetId: string; reason: string }> }> {
  const colleague = (await ctx.directory.activeMembers(ctx.me.party)).find((m) => m.fingerprint === fingerprint);
  if (!colleague) throw new ClientError(`${fingerprint} is not an active, vouched-for member of ${ctx.me.party}`);
  const ids = packetIds.length > 0 ? packetIds : (await collect(ctx.api.packets({ box: 'all', limit: 500 }))).map((p) => p.packetId);
  const done: string[] = [];
  const skipped: Array<{ packetId: string; reason: string }> = [];
  for (const id of ids) {
    const detail = await ctx.api.packet(id);
    const { manifest } = await verifiedManifest(ctx, detail);
    if (!isClearedReceiver(colleague, manifest.marking.level, ctx.now())) {
      skipped.push({ packetId: id, reason: `not cleared for ${manifest.marking.level} or no receiving role` });
      continue;
    }
    try {
      await ctx.api.addWraps(id, fingerprint, await wrapParts(ctx, id, manifest, [colleague.key]));
      done.push(id);
    } catch (error) {
      skipped.push({ packetId: id, reason: (error as Error).message });
    }
  }
  return { done, skipped };
}

