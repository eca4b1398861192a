/**
 * The CLI's packet builder: the files side of client/core/sending.ts. It reads each file through
 * the PartSource port for the language check, has the core sign-then-encrypt it into a private
 * temp file while hashing, and streams the upload with progress. Every rule (who is cleared,
 * labels, completeness, the request form, the manifest) is the core's.
 */
import { openAsBlob, promises as fs } from 'node:fs';
import { basename, join } from 'node:path';
import type { Level } from '../../protocol/levels.ts';
import type { ManifestPart, PacketKind, PartRole } from '../../protocol/manifest.ts';
import type { UploadFile } from '../core/api.ts';
import type { ClientContext, Notice } from '../core/context.ts';
import { ClientError } from '../core/errors.ts';
import { verifiedManifest } from '../core/opening.ts';
import {
  checkLanguages,
  completeness,
  encryptParts,
  markingLabels,
  nextPartIndex,
  readersOf,
  requireOwnClearance,
  requireParties,
  requireRequestForm,
  signNewManifest,
  signNextRevision,
  type CiphertextStore,
  type SourcedPart,
} from '../core/sending.ts';
import { requireFile } from './files.ts';
import { fileSink, fileSource, tempDir } from './part-files.ts';

type PartInput = SourcedPart;

/** Ciphertext into private temp files of `dir` (0600), one per part. */
function tempFiles(dir: string): CiphertextStore<string> {
  return {
    create: (partId) => {
      const path = join(dir, `${partId}.pgp`);
      return Promise.resolve({ writable: fileSink(path), done: () => Promise.resolve(path) });
    },
  };
}

async function upload(ctx: ClientContext, signed: { text: string; signature: string }, parts: Array<{ part: ManifestPart; stored: string }>, options: { submit: boolean; packetId?: string }) {
  const files: UploadFile[] = await Promise.all(parts.map(async (p) => ({ partId: p.part.id, size: p.part.size, body: await openAsBlob(p.stored) })));
  return ctx.api.upload({ manifest: signed.text, signature: signed.signature, submit: options.submit }, files, { ...(options.packetId ? { packetId: options.packetId } : {}), onProgress: (sent, total) => ctx.progress?.('uploading', sent, total) });
}

export interface SendOptions {
  agreementId: string;
  to: string[];
  level: Level;
  kind: PacketKind;
  original: { path: string; lang: string };
  translations: Array<{ lang: string; path: string }>;
  attachments?: Array<{ lang: string; path: string }>;
  /** The structured request form (a JSON file), only for a request: see client/node/requests.ts sendRequest. */
  requestForm?: { lang: string; path: string };
  authority?: string;
  inReplyTo?: string;
  draft: boolean;
  /** Stamp PDF and DOCX parts with the marking before encrypting them (`send --stamp`). */
  stamp?: boolean;
}

export async function sendPacket(ctx: ClientContext, options: SendOptions): Promise<{ packetId: string; state: string; notices: Notice[] }> {
  const agreement = await ctx.api.agreement(options.agreementId);
  requireRequestForm(agreement, options.kind, options.requestForm !== undefined, 'send it with "liaison request send" and the form\'s fields (see liaison request send --help)');
  requireParties(agreement, ctx.me.party, options.to);
  const labels = markingLabels(agreement, [ctx.me.party, ...options.to], options.level);
  requireOwnClearance(ctx.me.clearance, options.level);
  const files: Array<{ role: PartRole; lang: string; path: string }> = [
    { role: 'original', lang: options.original.lang, path: options.original.path },
    ...options.translations.map((t) => ({ role: 'translation' as const, lang: t.lang, path: t.path })),
    ...(options.attachments ?? []).map((a) => ({ role: 'attachment' as const, lang: a.lang, path: a.path })),
    ...(options.requestForm ? [{ role: 'request-form' as const, lang: options.requestForm.lang, path: options.requestForm.path }] : []),
  ];
  const notices = completeness(agreement, ctx.me.party, files, options.draft, 'add --translation or send it --draft for a clerk to complete');
  for (const f of files) requireFile(f.path);
  const inputs: PartInput[] = files.map((f) => ({ role: f.role, lang: f.lang, source: fileSource(f.path) }));
  // The request form is JSON this client wrote itself; its free text is in the form's declared language.
  await checkLanguages(inputs.filter((i) => i.role !== 'request-form'), notices, agreement);
  const keys = await readersOf(ctx, [ctx.me.party, ...options.to], options.level);

  const packetId = crypto.randomUUID();
  const dir = await tempDir();
  try {
    if (options.stamp) {
      // The stamped bytes are what is signed and hashed: a reader with plain gpg sees the banners too.
      const { stampForSending } = await import('./stamped.ts');
      const marking = { level: options.level, agreementId: agreement.id, packetId, originatorParty: ctx.me.party, labels };
      const stamped = await stampForSending(marking, files.map((f, i) => ({ path: f.path, mediaType: inputs[i]!.source.mediaType })), dir);
      stamped.forEach((path, i) => {
        if (path) inputs[i] = { ...inputs[i]!, source: fileSource(path, basename(files[i]!.path)) };
      });
    }
    const parts = await encryptParts(ctx, inputs, 1, keys, tempFiles(dir));
    const signed = await signNewManifest(ctx, {
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
    const result = await upload(ctx, signed, parts, { submit: !options.draft });
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
  const agreement = await ctx.api.agreement(manifest.agreementId);
  if (detail.state !== 'draft') throw new ClientError(`packet ${packetId} is already submitted; translations are attached to drafts`);
  requireFile(translation.path);
  const input: PartInput = { role: 'translation', lang: translation.lang, source: fileSource(translation.path) };
  await checkLanguages([input], notices, agreement);
  const keys = await readersOf(ctx, [manifest.sender.party, ...manifest.recipients], manifest.marking.level);
  const dir = await tempDir();
  try {
    const [added] = await encryptParts(ctx, [input], nextPartIndex(manifest), keys, tempFiles(dir));
    const signed = await signNextRevision(ctx, manifest, [added!.part]);
    const result = await upload(ctx, signed, [added!], { submit, packetId });
    return { ...result, notices };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
