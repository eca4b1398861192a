/**
 * Plain text and Markdown stamped copies: the marking on a line of its own at the top and at the
 * bottom, keeping the file's byte order mark and line endings. A file that is not valid UTF-8 is
 * refused with a reason rather than re-encoded. Never reads or writes a file.
 */
import { markingLine, type StampMarking } from './marking.ts';
import type { StampResult } from './result.ts';

const BOM = '\uFEFF';

export function stampText(original: Uint8Array, marking: StampMarking): StampResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(original);
  } catch {
    return { stamped: false, reason: 'the text is not UTF-8, so it cannot be stamped' };
  }
  const bom = text.startsWith(BOM) ? BOM : '';
  const body = text.slice(bom.length);
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const line = markingLine(marking);
  const ending = body.endsWith('\n') ? '' : eol;
  return { stamped: true, bytes: new TextEncoder().encode(`${bom}${line}${eol}${eol}${body}${ending}${eol}${line}${eol}`) };
}
