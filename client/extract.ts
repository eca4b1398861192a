/**
 * Text out of office documents, for the language check before encrypting and after decrypting:
 * DOCX with mammoth, PDF with pdf.js. Reads at most the first pages and returns at most
 * `maxChars`; a document larger than MAX_DOCUMENT_BYTES is not read at all (these libraries load
 * the whole file), and the caller reports its language as not checked.
 * Never executes document content: pdf.js runs with scripting and eval disabled.
 * Both libraries are loaded only when a document is read: they cost a second of start-up, and
 * pdf.js replaces the global JSON.parse with its own wrapper, which no other command (and never
 * the hub) should run with.
 */
import { readFile, stat } from 'node:fs/promises';

export const DOCX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const PDF_MEDIA_TYPE = 'application/pdf';
export const DOCUMENT_MEDIA_TYPES = new Set([DOCX_MEDIA_TYPE, PDF_MEDIA_TYPE]);

/** Larger documents are not opened for the language check (the libraries read them whole). */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;
const MAX_PDF_PAGES = 5;

/** The text of a DOCX or PDF file, cut to `maxChars`; null if it is too large or not such a document. */
export async function extractDocumentText(path: string, mediaType: string, maxChars: number): Promise<string | null> {
  if (!DOCUMENT_MEDIA_TYPES.has(mediaType)) return null;
  if ((await stat(path)).size > MAX_DOCUMENT_BYTES) return null;
  try {
    if (mediaType === DOCX_MEDIA_TYPE) {
      const { default: mammoth } = await import('mammoth');
      const { value } = await mammoth.extractRawText({ path });
      return value.slice(0, maxChars);
    }
    const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const pdf = await getDocument({ data: new Uint8Array(await readFile(path)), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
    try {
      let text = '';
      for (let page = 1; page <= Math.min(pdf.numPages, MAX_PDF_PAGES) && text.length < maxChars; page++) {
        const content = await (await pdf.getPage(page)).getTextContent();
        text += content.items.map((item) => ('str' in item ? item.str : '')).join(' ') + '\n';
      }
      return text.slice(0, maxChars);
    } finally {
      await pdf.destroy();
    }
  } catch {
    // A damaged or encrypted document: its language cannot be checked, which the caller reports.
    return null;
  }
}
