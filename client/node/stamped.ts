/**
 * Stamped copies and labels on the person's disk: after a fetch has verified and written the
 * originals, make a stamped copy beside each one it can (`*.stamped-copy.*`), keep the signed
 * manifest, write MARKING.txt and the signed label; `liaison label verify` checks a folder again;
 * `send --stamp` stamps PDF and DOCX parts before they are encrypted.
 *
 * It never changes an original, and a document that cannot be stamped never stops the verified
 * original from being delivered: it is reported in one sentence and named in the label.
 * Loaded only by the commands that use it, so fonts and PDF code stay out of CLI start-up.
 */
import { promises as fs } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { signDetached, verifyDetached } from '../../keys/signatures.ts';
import type { Manifest } from '../../protocol/manifest.ts';
import { parseCanonicalManifest } from '../../protocol/manifest.ts';
import {
  LABEL_FILE,
  LABEL_SIGNATURE_FILE,
  labelXml,
  MANIFEST_FILE,
  MANIFEST_SIGNATURE_FILE,
  MARKING_FILE,
  markingNotice,
  readLabelClaims,
  type FolderLabel,
  type LabelledFile,
} from '../core/label.ts';
import { classificationLine, DOCX, PDF, stampable, stampDocument, type StampMarking } from '../core/stamp/index.ts';
import type { ClientContext, Notice } from '../core/context.ts';
import { ClientError } from '../core/errors.ts';
import { systemFonts } from './stamp-fonts.ts';
import { sha256Hex } from '../core/digest.ts';
import { sha256File } from './digest.ts';

/** A file a fetch wrote (an original, or with --raw a ciphertext part), as the fetch reports it. */
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

/** Documents larger than this get no stamped copy (the PDF and DOCX libraries hold them whole). */
export const MAX_STAMP_BYTES = 128 * 1024 * 1024;
/** What a stamped copy's name carries, so nobody takes it for the signed original. */
export const STAMPED_SUFFIX = '.stamped-copy';

/** The marking as this reader sees it. */
export function readerMarking(ctx: ClientContext, manifest: Manifest): StampMarking {
  return {
    level: manifest.marking.level,
    agreementId: manifest.agreementId,
    packetId: manifest.packetId,
    originatorParty: manifest.sender.party,
    readerParty: ctx.me.party,
    labels: manifest.marking.labels,
    readerName: ctx.me.name,
  };
}

/** A path in `dir` for `name` that does not exist yet. */
async function freePath(dir: string, name: string): Promise<string> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 0; ; i++) {
    const path = join(dir, i === 0 ? name : `${stem}-${i}${ext}`);
    try {
      await fs.access(path);
    } catch {
      return path;
    }
  }
}

/** Stamp one file's bytes, or say why not; never throws for the file's content. */
async function stampFile(path: string, mediaType: string, marking: StampMarking): Promise<{ bytes: Uint8Array } | { reason: string }> {
  if (!stampable(mediaType)) return { reason: `no stamped copy is made for ${mediaType} files` };
  const { size } = await fs.stat(path);
  if (size > MAX_STAMP_BYTES) return { reason: `it is larger than ${MAX_STAMP_BYTES / 1024 / 1024} MB` };
  const result = await stampDocument(new Uint8Array(await fs.readFile(path)), mediaType, marking, systemFonts());
  return result.stamped ? { bytes: result.bytes } : { reason: result.reason };
}

/** The files a fetch writes under fixed names; a folder that already has one holds another fetch. */
export const FOLDER_FILES = [MANIFEST_FILE, MANIFEST_SIGNATURE_FILE, MARKING_FILE, LABEL_FILE, LABEL_SIGNATURE_FILE];

/** Refuse, before anything is downloaded, a folder that already holds a fetched packet's label. */
export async function assertFolderFree(outDir: string): Promise<void> {
  for (const name of FOLDER_FILES) {
    try {
      await fs.access(join(outDir, name));
    } catch {
      continue;
    }
    throw new ClientError(`${outDir} already holds ${name} of another fetch; fetch each packet into a folder of its own`);
  }
}

/**
 * After a fetch: stamped copies, the signed manifest, MARKING.txt, and the label signed by this
 * reader. Every file it writes is pushed to `created` so a failed fetch removes it.
 * `files` are the verified originals (or, for --raw, the ciphertext parts).
 */
export async function markFetchedFolder(
  ctx: ClientContext,
  input: { outDir: string; manifest: Manifest; manifestText: string; signature: string; files: FetchedFile[]; raw: boolean; created: string[] },
): Promise<Notice[]> {
  const { outDir, manifest } = input;
  const notices: Notice[] = [];
  const marking = readerMarking(ctx, manifest);
  const labelled: Array<Omit<LabelledFile, 'sha256' | 'size'> & { path: string; digest?: { sha256: string; size: number } }> = [];
  const notStamped: FolderLabel['notStamped'] = [];
  const write = async (name: string, content: string | Uint8Array, exact = true): Promise<string> => {
    const path = exact ? join(outDir, name) : await freePath(outDir, name);
    await fs.writeFile(path, content, { flag: 'wx', mode: 0o600 });
    input.created.push(path);
    return path;
  };

  for (const file of input.files) {
    const digest = file.sha256 !== undefined && file.size !== undefined ? { sha256: file.sha256, size: file.size } : undefined;
    labelled.push({ name: basename(file.path), copy: input.raw ? 'ciphertext' : 'original', partId: file.partId, path: file.path, ...(digest ? { digest } : {}) });
    if (input.raw) continue;
    const part = manifest.parts.find((p) => p.id === file.partId)!;
    const outcome = await stampFile(file.path, part.mediaType, marking);
    if ('reason' in outcome) {
      notStamped.push({ partId: part.id, reason: outcome.reason });
      notices.push({ partId: part.id, message: `${basename(file.path)}: no stamped copy (${outcome.reason}); the verified original is delivered` });
      continue;
    }
    const ext = extname(file.path);
    const path = await write(`${basename(file.path, ext)}${STAMPED_SUFFIX}${ext}`, outcome.bytes, false);
    labelled.push({ name: basename(path), copy: 'stamped-copy', partId: part.id, path });
    file.stampedCopy = path;
  }
  if (input.raw) notStamped.push(...manifest.parts.map((p) => ({ partId: p.id, reason: 'fetched --raw: the parts are kept encrypted' })));

  const manifestPath = await write(MANIFEST_FILE, input.manifestText);
  const signaturePath = await write(MANIFEST_SIGNATURE_FILE, input.signature);
  const reader = { party: ctx.me.party, name: ctx.me.name, fingerprint: ctx.me.fingerprint };
  const base = {
    manifest,
    manifestSha256: sha256Hex(await fs.readFile(manifestPath, 'utf8')),
    signatureSha256: sha256Hex(await fs.readFile(signaturePath, 'utf8')),
    reader,
    labelledAt: ctx.now().toISOString(),
    notStamped,
  };
  const noticePath = await write(MARKING_FILE, markingNotice({ ...base, files: labelled }, classificationLine(marking)));
  labelled.push({ name: basename(noticePath), copy: 'marking-notice', path: noticePath });

  const files: LabelledFile[] = [];
  for (const { path, digest, ...file } of labelled) files.push({ ...file, ...(digest ?? (await sha256File(path))) });
  const xml = labelXml({ ...base, files });
  await write(LABEL_FILE, xml);
  await write(LABEL_SIGNATURE_FILE, await signDetached('label', xml, ctx.key, ctx.now()));
  return notices;
}

export interface LabelVerification {
  packetId?: string;
  manifest?: Manifest;
  checkedFiles: number;
  problems: string[];
}

/**
 * Check a fetched folder: the manifest's signature by a vouched-for sender, the label's signature
 * by a vouched-for reader, the label's marking against the signed manifest (rebuilt byte for
 * byte), and every file it covers against its hash. Problems are sentences; none means it holds.
 */
export async function verifyFolderLabel(
  ctx: ClientContext,
  dir: string,
  verifiedManifest: (ctx: ClientContext, detail: { packetId: string; manifest: string; signature: string }) => Promise<{ manifest: Manifest }>,
): Promise<LabelVerification> {
  const read = async (name: string): Promise<string> => {
    try {
      return await fs.readFile(join(dir, name), 'utf8');
    } catch {
      throw new ClientError(`${dir} has no ${name}: it is not a folder written by liaison fetch`);
    }
  };
  const [manifestText, signature, xml, labelSignature] = await Promise.all([MANIFEST_FILE, MANIFEST_SIGNATURE_FILE, LABEL_FILE, LABEL_SIGNATURE_FILE].map(read));
  const parsed = parseCanonicalManifest(manifestText!);
  if (!parsed.ok) return { checkedFiles: 0, problems: [`${MANIFEST_FILE} is not a signed Liaison manifest: ${parsed.error}`] };
  const { manifest } = await verifiedManifest(ctx, { packetId: parsed.manifest.packetId, manifest: manifestText!, signature: signature! });
  const problems: string[] = [];
  const result = (checkedFiles: number) => ({ packetId: manifest.packetId, manifest, checkedFiles, problems });

  const read2 = readLabelClaims(xml!);
  if (!read2.ok) return { ...result(0), problems: [`${LABEL_FILE} cannot be read: ${read2.error}`] };
  const claims = read2.claims;
  const reader = (await ctx.directory.members(claims.reader.party)).find((m) => m.fingerprint === claims.reader.fingerprint);
  if (!reader) return { ...result(0), problems: [`${LABEL_FILE} claims to be signed by ${claims.reader.fingerprint}, who is not a vouched-for member of ${claims.reader.party}`] };
  const check = await verifyDetached('label', xml!, labelSignature!, [reader.key], ctx.now());
  if (!check.valid) return { ...result(0), problems: [`${LABEL_FILE} was changed after its reader signed it (${check.reason})`] };
  if (reader.revokedAt && check.signedAt.toISOString() >= reader.revokedAt) problems.push(`${LABEL_FILE} was signed after its reader's key was revoked (${reader.revokedAt})`);

  if (claims.packetId !== manifest.packetId || claims.revision !== manifest.revision) problems.push(`${LABEL_FILE} is for packet ${claims.packetId} revision ${claims.revision}, not the signed manifest's ${manifest.packetId} revision ${manifest.revision}`);
  if (claims.manifestSha256 !== sha256Hex(manifestText!) || claims.signatureSha256 !== sha256Hex(signature!)) problems.push(`${LABEL_FILE} was made from another copy of the signed manifest`);
  if (labelXml({ manifest, ...claims }) !== xml) problems.push(`${LABEL_FILE} does not match the signed manifest: its marking, parties or policy differ from what the sender signed`);

  let checkedFiles = 0;
  for (const file of claims.files) {
    const path = join(dir, basename(file.name));
    let actual: { sha256: string; size: number };
    try {
      actual = await sha256File(path);
    } catch {
      problems.push(`${file.name} is missing`);
      continue;
    }
    checkedFiles++;
    if (actual.sha256 !== file.sha256 || actual.size !== file.size) problems.push(`${file.name} was changed after it was labelled (its SHA-256 no longer matches)`);
    const part = file.partId ? manifest.parts.find((p) => p.id === file.partId) : undefined;
    if (file.partId && !part) problems.push(`${file.name} claims part ${file.partId}, which the signed manifest does not have`);
    // A released part starts with the key wraps made for the third party; the signed bytes follow them.
    if (part && file.copy === 'ciphertext' && (actual.size < part.size || (await sha256File(path, actual.size - part.size)).sha256 !== part.sha256)) {
      problems.push(`${file.name} is not the encrypted part ${part.id} the sender signed`);
    }
  }
  for (const part of manifest.parts) {
    if (!claims.files.some((f) => f.partId === part.id && (f.copy === 'original' || f.copy === 'ciphertext'))) problems.push(`part ${part.id} of the signed manifest is not in the label`);
  }
  return result(checkedFiles);
}

/**
 * `send --stamp`: stamp each PDF and DOCX part into `dir` before it is encrypted, so the stamped
 * bytes are what is signed and hashed. A part that cannot be stamped stops the send: the person
 * asked for stamped documents.
 */
export async function stampForSending(
  marking: StampMarking,
  inputs: Array<{ path: string; mediaType: string }>,
  dir: string,
): Promise<Array<string | undefined>> {
  const out: Array<string | undefined> = [];
  for (const [i, input] of inputs.entries()) {
    if (input.mediaType !== PDF && input.mediaType !== DOCX) {
      out.push(undefined);
      continue;
    }
    const outcome = await stampFile(input.path, input.mediaType, marking);
    if ('reason' in outcome) throw new ClientError(`cannot stamp ${basename(input.path)}: ${outcome.reason}; send it without --stamp`);
    const path = join(dir, `stamped-${i}${extname(input.path)}`);
    await fs.writeFile(path, outcome.bytes, { flag: 'wx', mode: 0o600 });
    out.push(path);
  }
  return out;
}
