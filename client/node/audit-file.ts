/**
 * Read an exported audit log from a file for `liaison audit verify --file` (a million
 * events in flat memory). A complete export in the streamed layout (protocol/audit-stream.ts) is
 * read line by line and verified as it is read; any other export (a party's, or one a person
 * re-formatted) is read whole and verified the same way. Node only (files); it decides nothing:
 * the rules are in client/core/evidence.ts.
 */
import { isAscii } from 'node:buffer';
import { statSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
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
  let handle: FileHandle;
  try {
    size = statSync(path).size;
    handle = await open(path, 'r');
  } catch {
    throw new ClientError(`cannot read ${path}`);
  }
  const batches = lineBatches(handle, () => new ClientError(`${path} has a line longer than ${MAX_LINE / 1024 / 1024} MiB: not an exported audit log`));
  try {
    const first = await batches.next();
    const lines = first.done ? [] : first.value;
    const head = lines.length > 0 ? readStreamedLine(lines[0]!, 0) : undefined;
    if (!head || head.kind !== 'head' || head.head.scope !== 'all') {
      await batches.return(undefined);
      return await verifyWholeFile(path, size, optionsFor, notAnExport);
    }
    return await verifyStreamed(head.head, lines.slice(1), batches, optionsFor, notAnExport);
  } finally {
    await batches.return(undefined);
    await handle.close();
  }
}

/** Bytes read at a time; a line may be longer (the head line carries every checkpoint the hub stored). */
const CHUNK = 4 * 1024 * 1024;
/** No line of a streamed export comes near this (the head line of a million events, 10,000 checkpoints, is about 6 MiB). */
const MAX_LINE = 256 * 1024 * 1024;

/**
 * The lines of a file (without their "\n" or "\r\n"), a chunk's worth at a time: each chunk is
 * decoded up to its last newline in one go (a newline byte is never part of a UTF-8 sequence, so
 * no character is split), the bytes after it wait for the next chunk, and the next chunk is being
 * read while the caller works on this one's lines.
 */
export async function* lineBatches(handle: FileHandle, tooLong: () => Error, chunk = CHUNK): AsyncGenerator<string[], void, undefined> {
  let buffer = Buffer.allocUnsafe(chunk);
  let carried = 0; // bytes of an unfinished line at the start of `buffer`
  let reading = handle.read(buffer, 0, buffer.length, null);
  try {
    for (;;) {
      const { bytesRead } = await reading;
      const end = carried + bytesRead;
      if (bytesRead === 0) {
        if (end > 0) yield [withoutCr(buffer.toString('utf8', 0, end))];
        return;
      }
      const last = buffer.lastIndexOf(0x0a, end - 1);
      let text: string | undefined;
      if (last >= 0) {
        // An export is mostly ASCII: then latin1 is the same characters, copied without decoding.
        text = isAscii(buffer.subarray(0, last)) ? buffer.toString('latin1', 0, last) : buffer.toString('utf8', 0, last);
        buffer.copyWithin(0, last + 1, end);
        carried = end - last - 1;
      } else carried = end;
      if (carried === buffer.length) {
        if (buffer.length >= MAX_LINE) throw tooLong();
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, carried);
        buffer = bigger;
      }
      reading = handle.read(buffer, carried, buffer.length - carried, null);
      if (text !== undefined) {
        const lines = text.split('\n');
        for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith('\r')) lines[i] = lines[i]!.slice(0, -1);
        yield lines;
      }
    }
  } finally {
    // Not closed under a read in flight.
    await reading.catch(() => undefined);
  }
}

const withoutCr = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);

async function verifyStreamed(head: AuditExportHead, rest: string[], batches: AsyncGenerator<string[], void, undefined>, optionsFor: ExportCheckOptions, notAnExport: () => Error) {
  let tail: SignedCheckpoint | undefined;
  let count = 0;
  let index = 1;
  // Events go to the verifier a chunk's lines at a time. A line that is not what the layout allows
  // fails the file only once the events before it are checked: a broken chain before it is the
  // finding, as when reading line by line.
  async function* events(): AsyncGenerator<AuditEvent[]> {
    for (let lines: string[] | undefined = rest; lines; lines = await nextBatch()) {
      const batch: AuditEvent[] = [];
      for (const text of lines) {
        const line = tail ? undefined : readStreamedLine(text, index++);
        if (!line || line.kind === 'head') {
          if (batch.length > 0) yield batch;
          throw notAnExport();
        }
        if (line.kind === 'tail') tail = line.checkpoint;
        else batch.push(line.event);
      }
      count += batch.length;
      if (batch.length > 0) yield batch;
    }
    if (!tail) throw notAnExport();
  }
  const nextBatch = async () => {
    const next = await batches.next();
    return next.done ? undefined : next.value;
  };
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
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw new ClientError(`cannot read ${path} as JSON`);
  }
  const parsed = AuditExport.safeParse(json);
  if (!parsed.success) throw notAnExport();
  const data = parsed.data;
  return { check: await verifyAuditExport(data, optionsFor(data.hub.fingerprint)), events: data.events.length, scope: data.scope };
}
