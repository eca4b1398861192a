/**
 * Read an exported audit log from a file for `liaison audit verify --file` (a million
 * events in flat memory). A complete export in the streamed layout (protocol/audit-stream.ts) is
 * read line by line and verified as it is read; any other export (a party's, or one a person
 * re-formatted) is read whole and verified the same way. Node only (files); it decides nothing:
 * the rules are in client/core/evidence.ts.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { readStreamedLine, type AuditExportHead } from '../../protocol/audit-stream.ts';
import { AuditExport, type AuditEvent, type SignedCheckpoint } from '../../protocol/evidence.ts';
import { ClientError } from '../core/errors.ts';
import { verifyAuditExport, verifyCompleteLog, type LogCheck } from '../core/evidence.ts';

/** What the verification of an exported file needs, once the file has said which hub it is from. */
type ExportCheckOptions = (hubFingerprint: string) => { pinnedHub: string | undefined; kept: readonly SignedCheckpoint[]; now: Date };

/** A file read whole is bounded below V8's longest string; a bigger one must be in the streamed layout. */
const WHOLE_FILE_LIMIT = 256 * 1024 * 1024;

export async function verifyAuditExportFile(path: string, optionsFor: ExportCheckOptions): Promise<{ check: LogCheck; events: number; scope: string }> {
  const notAnExport = () => new ClientError(`${path} is not an exported audit log`);
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new ClientError(`cannot read ${path}`);
  }
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 1024 * 1024 });
  const lines = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  try {
    const first = await lines.next();
    const head = first.done ? undefined : readStreamedLine(first.value, 0);
    if (!head || head.kind !== 'head' || head.head.scope !== 'all') {
      void lines.return?.(undefined);
      input.destroy();
      return await verifyWholeFile(path, size, optionsFor, notAnExport);
    }
    return await verifyStreamed(head.head, lines, optionsFor, notAnExport);
  } finally {
    input.destroy();
  }
}

async function verifyStreamed(head: AuditExportHead, lines: AsyncIterator<string>, optionsFor: ExportCheckOptions, notAnExport: () => Error) {
  let tail: SignedCheckpoint | undefined;
  let count = 0;
  let index = 1;
  async function* events(): AsyncGenerator<AuditEvent> {
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      const line = readStreamedLine(next.value, index++);
      if (!line || line.kind === 'head') throw notAnExport();
      if (line.kind === 'tail') {
        tail = line.checkpoint;
        if (!(await lines.next()).done) throw notAnExport();
        return;
      }
      count++;
      yield line.event;
    }
    throw notAnExport();
  }
  const check = await verifyCompleteLog(head, events(), () => {
    // Reached only when every event was read (a broken chain ends the check before).
    if (!tail) throw notAnExport();
    return tail;
  }, optionsFor(head.hub.fingerprint));
  return { check, events: count, scope: head.scope };
}

async function verifyWholeFile(path: string, size: number, optionsFor: ExportCheckOptions, notAnExport: () => Error) {
  if (size > WHOLE_FILE_LIMIT) throw new ClientError(`${path} is too large to read whole and is not a complete export in the streamed layout`);
  let json: unknown;
  try {
    json = JSON.parse(await (await import('node:fs/promises')).readFile(path, 'utf8'));
  } catch {
    throw new ClientError(`cannot read ${path} as JSON`);
  }
  const parsed = AuditExport.safeParse(json);
  if (!parsed.success) throw notAnExport();
  const data = parsed.data;
  return { check: await verifyAuditExport(data, optionsFor(data.hub.fingerprint)), events: data.events.length, scope: data.scope };
}
