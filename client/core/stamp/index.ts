/**
 * Stamping, the one entry point the CLI and the web client use: given a document's bytes, its
 * media type and the marking, the stamped copy's bytes or the sentence saying why there is none.
 * Every type it does not know gets no copy, and says so. Pure over bytes: fonts come from the
 * FontSource the caller gives; no file, no network.
 */
import type { FontSource } from './fonts.ts';
import type { StampMarking } from './marking.ts';
import type { StampResult } from './result.ts';

export type { FontSource, Script, Weight } from './fonts.ts';
export type { StampMarking } from './marking.ts';
export type { StampResult } from './result.ts';
export { classificationLine, classificationWords, markingLine, namesReader, provenanceLine } from './marking.ts';

export const PDF = 'application/pdf';
export const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const TEXT_TYPES = new Set(['text/plain', 'text/markdown', 'text/x-markdown']);

/** The media types that get a stamped copy. */
export function stampable(mediaType: string): boolean {
  return mediaType === PDF || mediaType === DOCX || TEXT_TYPES.has(mediaType);
}

/** Stamp one document. Never throws for bad input; the libraries are loaded only when used. */
export async function stampDocument(bytes: Uint8Array, mediaType: string, marking: StampMarking, fonts: FontSource): Promise<StampResult> {
  try {
    if (mediaType === PDF) return await (await import('./pdf.ts')).stampPdf(bytes, marking, fonts);
    if (mediaType === DOCX) return await (await import('./docx.ts')).stampDocx(bytes, marking);
    if (TEXT_TYPES.has(mediaType)) return (await import('./text.ts')).stampText(bytes, marking);
    return { stamped: false, reason: `no stamped copy is made for ${mediaType} files` };
  } catch {
    return { stamped: false, reason: 'it could not be stamped' };
  }
}
