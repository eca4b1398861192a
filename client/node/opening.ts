/**
 * The CLI's packet opener: the files side of client/core/opening.ts. It downloads each part into
 * a private temp folder through the core's ciphertext check, has the core decrypt it into a hidden
 * partial file in the output folder (the PartSink), which the core keeps only after integrity and
 * the sender's signature verify; then the stamped copies, the label and the retrieval receipt.
 * Any failure removes everything this fetch wrote. Every rule is the core's.
 */
import { promises as fs } from 'node:fs';
import { basename, join } from 'node:path';
import type { Manifest, ManifestPart } from '../../protocol/manifest.ts';
import type { ClientContext, Notice } from '../core/context.ts';
import { acknowledgeRetrieval } from '../core/evidence.ts';
import { downloadCheck, openPart, verifiedManifest } from '../core/opening.ts';
import { receivedLanguageNotice } from '../core/sending.ts';
import { fileSink, fileSource, fileStream, partialFileSink, tempDir, uniquePath } from './part-files.ts';
import type { FetchedFile } from './stamped.ts';


/** Download one part into `path`, checking the bytes after the key wraps against the signed digest. */
async function downloadChecked(ctx: ClientContext, packetId: string, part: ManifestPart, path: string): Promise<void> {
  const { wrapLength, body } = await ctx.api.downloadPart(packetId, part.id);
  const check = downloadCheck(ctx, packetId, part, wrapLength, (done) => ctx.progress?.(`downloading ${part.id}`, done, part.size));
  await body.pipeThrough(check.stream).pipeTo(fileSink(path));
  await check.verify();
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
      const sink = partialFileSink(outDir);
      created.push(sink.partial);
      const opened = await openPart(ctx, packetId, part, manifest, senderKeys, fileStream(cipherPaths.get(part.id)!), sink);
      created.push(opened.path);
      files.push({ partId: part.id, role: part.role, lang: part.lang, ...opened });
      const warning = await receivedLanguageNotice(part, basename(opened.path), fileSource(opened.path));
      if (warning) notices.push(warning);
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
