/**
 * The operator's export of the whole audit log (`liaison audit export --data`), streamed
 * (evidence at scale): events leave SQLite in keyset pages, are checked as they pass (the chain,
 * and every checkpoint the hub stored, at its size) and are written to the file with
 * backpressure, one per line (protocol/audit-stream.ts), so a million events take flat memory.
 * The file is written beside its target and linked into place only when the whole log verified.
 *
 * It never writes to the store: no interval checkpoint is signed or stored while exporting (the
 * running hub signs those after the writes that reach them), and no receipt. It signs exactly one
 * checkpoint, over the exported log as it stands, kept in the file and nowhere else: an export is
 * evidence only with a signature over all its events.
 */
import { once } from 'node:events';
import { createWriteStream, existsSync, linkSync, rmSync, type WriteStream } from 'node:fs';
import { AuditStreamVerifier, auditExportEventLine, auditExportHeadLine, auditExportTailLine } from '../protocol/audit-stream.ts';
import { AUDIT_EXPORT_FORMAT, type Checkpoint } from '../protocol/evidence.ts';
import { auditLogPages, auditVerification, storedCheckpoints } from '../storage/audit.ts';
import { OperatorEvidenceError, openOperator, signCheckpoint } from './evidence.ts';

async function write(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** Write the whole log of the hub in `dataDir` to `outPath` (which must not exist); refuses, writing nothing, when the log does not verify. */
export async function exportAuditLog(dataDir: string, outPath: string, now: () => Date): Promise<{ events: number }> {
  if (existsSync(outPath)) throw new OperatorEvidenceError(`${outPath} already exists: choose a new file`);
  const ctx = await openOperator(dataDir, now);
  const partial = `${outPath}.partial-${process.pid}`;
  let out: WriteStream | undefined;
  try {
    const stored = await storedCheckpoints(ctx.store);
    const kept = stored.map((c) => c.checkpoint).filter((c): c is Checkpoint => c !== undefined);
    const verifier = new AuditStreamVerifier(kept.map((checkpoint) => ({ checkpoint, tag: undefined })));
    out = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
    await write(out, auditExportHeadLine({ format: AUDIT_EXPORT_FORMAT, hub: { fingerprint: ctx.hubFingerprint, publicKey: ctx.hubPublicKey.armor() }, scope: 'all', checkpoints: stored.map((c) => c.signed), consistency: [] }));
    for await (const page of auditLogPages(ctx.store)) {
      let chunk = '';
      for (const event of page) {
        verifier.push(event);
        if (!verifier.going) break;
        chunk += auditExportEventLine({ event, proof: [] }, verifier.size === 1);
      }
      if (!verifier.going) break;
      await write(out, chunk);
    }
    const verdict = auditVerification(verifier.finish(), kept.length);
    if (!verdict.ok) throw new OperatorEvidenceError(`the audit log does not verify at position ${verdict.position}: ${verdict.reason}`);
    if (verdict.size === 0) throw new OperatorEvidenceError('the audit log is empty: there is nothing to export');
    const at = now();
    await write(out, auditExportTailLine(await signCheckpoint(ctx, verdict, at)));
    out.end();
    await once(out, 'close');
    // A hard link does not replace a file someone made meanwhile, as rename would.
    linkSync(partial, outPath);
    return { events: verdict.size };
  } finally {
    out?.destroy();
    rmSync(partial, { force: true });
    await ctx.close();
  }
}
