/**
 * The CLI's packet builder: the files side of client/core/sending.ts (sendNewPacket,
 * attachToDraft). It names each file as a PartSource, gives the core private temp files for the
 * ciphertext (uploaded as file-backed Blobs), and stamps PDF and DOCX parts when asked. Every rule
 * (who is cleared, labels, completeness, the request form, languages, the manifest) is the core's.
 */
import { openAsBlob, promises as fs } from 'node:fs';
import { basename, join } from 'node:path';
import type { Level } from '../../protocol/levels.ts';
import type { PacketKind, PartRole } from '../../protocol/manifest.ts';
import type { ClientContext, Notice } from '../core/context.ts';
import { attachToDraft, sendNewPacket, type CiphertextStore, type SourcedPart } from '../core/sending.ts';
import { requireFile } from './files.ts';
import { fileSink, fileSource, tempDir } from './part-files.ts';

/** Ciphertext into private temp files of `dir` (0600), one per part, uploaded as file-backed Blobs. */
function tempFiles(dir: string): CiphertextStore<Blob> {
  return {
    create: (partId) => {
      const path = join(dir, `${partId}.pgp`);
      return Promise.resolve({ writable: fileSink(path), done: () => openAsBlob(path) });
    },
  };
}

/** A file the person named, as a part of `role` in `lang`: a missing, folder or empty file is refused by name first. */
function filePart(role: PartRole, lang: string, path: string): SourcedPart {
  requireFile(path);
  return { role, lang, source: fileSource(path) };
}

interface SendOptions {
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
  const parts = [
    filePart('original', options.original.lang, options.original.path),
    ...options.translations.map((t) => filePart('translation', t.lang, t.path)),
    ...(options.attachments ?? []).map((a) => filePart('attachment', a.lang, a.path)),
  ];
  const requestForm = options.requestForm ? filePart('request-form', options.requestForm.lang, options.requestForm.path) : undefined;
  // The core hands the parts back before encrypting in this order: the paths, for stamping.
  const paths = [options.original.path, ...options.translations.map((t) => t.path), ...(options.attachments ?? []).map((a) => a.path), ...(options.requestForm ? [options.requestForm.path] : [])];
  const dir = await tempDir();
  try {
    return await sendNewPacket(
      ctx,
      { agreementId: options.agreementId, to: options.to, level: options.level, kind: options.kind, parts, ...(requestForm ? { requestForm } : {}), ...(options.authority ? { authority: options.authority } : {}), ...(options.inReplyTo ? { inReplyTo: options.inReplyTo } : {}), draft: options.draft },
      {
        store: tempFiles(dir),
        howToComplete: 'add --translation or send it --draft for a clerk to complete',
        howToSendRequest: 'send it with "liaison request send" and the form\'s fields (see liaison request send --help)',
        ...(options.stamp ? { beforeEncrypt: (inputs, packet) => stamped(inputs, paths, { ...packet, level: options.level, agreementId: options.agreementId, originatorParty: ctx.me.party }, dir) } : {}),
      },
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The stamped bytes are what is signed and hashed: a reader with plain gpg sees the banners too. */
async function stamped(inputs: SourcedPart[], paths: string[], marking: { packetId: string; labels: Record<string, string>; level: Level; agreementId: string; originatorParty: string }, dir: string): Promise<SourcedPart[]> {
  const { stampForSending } = await import('./stamped.ts');
  const copies = await stampForSending(marking, inputs.map((input, i) => ({ path: paths[i]!, mediaType: input.source.mediaType })), dir);
  return inputs.map((input, i) => {
    const copy = copies[i];
    return copy ? { ...input, source: fileSource(copy, basename(paths[i]!)) } : input;
  });
}

/** Attach a translation to a draft of my party (clerk), optionally submitting it at once. */
export async function attachTranslation(ctx: ClientContext, packetId: string, translation: { lang: string; path: string }, submit = false): Promise<{ packetId: string; state: string; revision: number; notices: Notice[] }> {
  const part = filePart('translation', translation.lang, translation.path);
  const dir = await tempDir();
  try {
    return await attachToDraft(ctx, packetId, part, submit, { store: tempFiles(dir) });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
