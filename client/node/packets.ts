/**
 * The CLI's packet builder and opener: the files side of client/core/packets.ts. Sending reads
 * each file for the language check, signs-then-encrypts it into a private temp file while
 * hashing, and streams the upload; fetching downloads into a temp directory through the core's
 * ciphertext check, decrypts to a hidden partial file and moves it into place only after
 * integrity and the sender's signature verify. Every rule (who is cleared, which signature
 * counts, labels, completeness, the manifest) is the core's.
 */
import { createReadStream, createWriteStream, existsSync, openAsBlob, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { createRequire } from 'node:module';
import type { PublicKey } from '../../keys/identity.ts';
import { decryptPart, encryptPartForRecipients, type ByteStream } from '../../keys/parts.ts';
import type { Level } from '../../protocol/levels.ts';
import type { Manifest, ManifestPart, PacketKind, PartRole } from '../../protocol/manifest.ts';
import { CHUNK_BYTES, type UploadFile } from '../core/api.ts';
import type { ClientContext, Notice, Sha256Hasher } from '../core/context.ts';
import { ClientError } from '../core/errors.ts';
import { acknowledgeRetrieval } from '../core/evidence.ts';
import type { LanguageVerdict } from '../core/language.ts';
import { DOCUMENT_MEDIA_TYPES, PDF_MEDIA_TYPE } from '../core/sample.ts';
import {
  completeness,
  describeVerdict,
  digestMeter,
  downloadCheck,
  languageRefusal,
  markingLabels,
  nextPartIndex,
  partSignerStanding,
  readersOf,
  requireOwnClearance,
  requireParties,
  safeFileName,
  signNewManifest,
  signNextRevision,
  verifiedManifest,
} from '../core/packets.ts';
import { sampleText } from './extract.ts';

// node:crypto loads when a command first hashes or draws an id: loading it costs every command,
// `--help` and `inbox` too, tens of milliseconds (issue 9: CLI start-up).
const nodeCrypto = () => process.getBuiltinModule('node:crypto');

export interface PartInput {
  role: PartRole;
  lang: string;
  path: string;
  /** The file name to put inside the message when `path` is a temporary (stamped) copy. */
  name?: string;
}

/** node:crypto's SHA-256 behind the core's hasher port: several times faster than the portable one on large parts. */
export function nodeSha256(): Sha256Hasher {
  const h = nodeCrypto().createHash('sha256');
  return { update: (b) => void h.update(b), hex: () => h.digest('hex') };
}

const tempDir = () => fs.mkdtemp(join(tmpdir(), 'liaison-'));

/** A Node file as a web stream sink, created exclusively with mode 0600. */
const fileSink = (path: string) => Writable.toWeb(createWriteStream(path, { flags: 'wx', mode: 0o600 })) as WritableStream<Uint8Array>;
const fileSource = (path: string) => Readable.toWeb(createReadStream(path, { highWaterMark: CHUNK_BYTES })) as ByteStream;

async function checkLanguage(input: PartInput): Promise<LanguageVerdict> {
  // Loaded here, not at start: the language models are heavy.
  const { checkDeclaredLanguage } = await import('../core/language.ts');
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

/** Sign-then-encrypt one file into a temp file, returning its ciphertext digest. */
async function encryptToFile(ctx: ClientContext, input: PartInput, recipients: PublicKey[], outPath: string): Promise<{ size: number; sha256: string }> {
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
  const meter = digestMeter(ctx);
  await encrypted.pipeThrough(meter.stream).pipeTo(fileSink(outPath));
  return meter.result();
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
    const refusal = languageRefusal(input, basename(input.path), verdict);
    if (refusal) throw refusal;
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

async function uploadFiles(parts: Array<{ part: ManifestPart; path: string }>): Promise<UploadFile[]> {
  return Promise.all(parts.map(async (p) => ({ partId: p.part.id, size: p.part.size, body: await openAsBlob(p.path) })));
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
  /** The structured request form (a JSON file), only for a request: see client/node/workflow.ts sendRequest. */
  requestForm?: { lang: string; path: string };
  authority?: string;
  inReplyTo?: string;
  draft: boolean;
  /** Stamp PDF and DOCX parts with the marking before encrypting them (`send --stamp`). */
  stamp?: boolean;
}

export async function sendPacket(ctx: ClientContext, options: SendOptions): Promise<{ packetId: string; state: string; notices: Notice[] }> {
  const agreement = await ctx.api.agreement(options.agreementId);
  requireParties(agreement, ctx.me.party, options.to);
  const labels = markingLabels(agreement, [ctx.me.party, ...options.to], options.level);
  requireOwnClearance(ctx.me.clearance, options.level);
  const inputs: PartInput[] = [
    { role: 'original', lang: options.original.lang, path: options.original.path },
    ...options.translations.map((t) => ({ role: 'translation' as const, lang: t.lang, path: t.path })),
    ...(options.attachments ?? []).map((a) => ({ role: 'attachment' as const, lang: a.lang, path: a.path })),
    ...(options.requestForm ? [{ role: 'request-form' as const, lang: options.requestForm.lang, path: options.requestForm.path }] : []),
  ];
  const notices = completeness(agreement, ctx.me.party, inputs, options.draft, 'add --translation or send it --draft for a clerk to complete');
  // The request form is JSON this client wrote itself; its free text is in the form's declared language.
  await checkLanguages(inputs.filter((i) => i.role !== 'request-form'), notices);
  const keys = await readersOf(ctx, [ctx.me.party, ...options.to], options.level);

  const packetId = nodeCrypto().randomUUID();
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
    const { text, signature } = await signNewManifest(ctx, {
      packetId,
      agreementId: agreement.id,
      to: options.to,
      level: options.level,
      labels,
      kind: options.kind,
      ...(options.authority ? { authority: options.authority } : {}),
      ...(options.inReplyTo ? { inReplyTo: options.inReplyTo } : {}),
      parts: parts.map((p) => p.part),
    });
    const result = await ctx.api.upload({ manifest: text, signature, submit: !options.draft }, await uploadFiles(parts), { onProgress: uploadProgress(ctx) });
    return { packetId: result.packetId, state: result.state, notices };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
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
  const dir = await tempDir();
  try {
    const [added] = await encryptParts(ctx, [input], nextPartIndex(manifest), keys, dir);
    const { text, signature } = await signNextRevision(ctx, manifest, [added!.part]);
    const result = await ctx.api.upload({ manifest: text, signature, submit }, await uploadFiles([added!]), { packetId, onProgress: uploadProgress(ctx) });
    return { ...result, notices };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Download one part into `path`, checking the bytes after the key wraps against the signed digest. */
async function downloadChecked(ctx: ClientContext, packetId: string, part: ManifestPart, path: string): Promise<void> {
  const { wrapLength, body } = await ctx.api.downloadPart(packetId, part.id);
  const check = downloadCheck(ctx, packetId, part, wrapLength, (done) => ctx.progress?.(`downloading ${part.id}`, done, part.size));
  await body.pipeThrough(check.stream).pipeTo(fileSink(path));
  await check.verify();
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
  /** The stamped copy made beside it, if its type has one (see client/node/stamped.ts). */
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
      const partial = join(outDir, `.liaison-partial-${nodeCrypto().randomBytes(8).toString('hex')}`);
      created.push(partial);
      const decrypted = await decryptPart(fileSource(cipherPaths.get(part.id)!), {
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
      const plaintextHash = nodeCrypto().createHash('sha256'); // for the folder's label, without reading the file again
      try {
        const progress = new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            written += chunk.length;
            plaintextHash.update(chunk);
            ctx.progress?.(`decrypting ${part.id}`, written, part.size);
            controller.enqueue(chunk);
          },
        });
        await decrypted.data.pipeThrough(progress).pipeTo(fileSink(partial));
      } catch (error) {
        throw new ClientError(`part ${part.id} failed its integrity check while decrypting: ${(error as Error).message}`);
      }
      const signer = partSignerStanding(part, manifest, senderKeys, await decrypted.verification);
      const target = uniquePath(outDir, safeFileName(decrypted.filename, `${part.id}-${part.role}-${part.lang}.bin`));
      await fs.rename(partial, target);
      created.push(target);
      const signerMember = senderKeys.find((m) => m.fingerprint === signer)!;
      files.push({ partId: part.id, role: part.role, lang: part.lang, path: target, signer, signerName: `${signerMember.name} (${signerMember.party})`, sha256: plaintextHash.digest('hex'), size: written });
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
