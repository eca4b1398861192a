/**
 * The CLI's side of the language check's sample: a file on disk handed to the core as a Blob
 * (`openAsBlob`: read lazily, only the range the core asks for). What is read and how (the first
 * bytes of a text part, DOCX and PDF text, the size limit, the reasons) is the core's,
 * client/core/documents.ts, the same code the web client's worker runs.
 */
import { openAsBlob } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { sampleOf, type PdfData, type TextSample } from '../core/documents.ts';
import { SAMPLE_BYTES } from '../core/sample.ts';

/** pdf.js's CMaps and standard font data, from the installed pdfjs-dist (read from disk only when a PDF names them). */
const PDFJS = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const PDF_DATA: PdfData = { cMapUrl: join(PDFJS, 'cmaps') + '/', standardFontDataUrl: join(PDFJS, 'standard_fonts') + '/', read: async (path) => new Uint8Array(await readFile(path)) };

/** Up to `maxChars` of the text of the file at `path` (of `mediaType`), or why there is none to check. */
export function fileSample(path: string, mediaType: string, maxChars = SAMPLE_BYTES): Promise<TextSample> {
  return sampleOf(() => openAsBlob(path), mediaType, maxChars, PDF_DATA);
}
