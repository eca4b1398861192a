/**
 * A part's text for the language check, for both clients, from its bytes: the first bytes of a
 * text part (decoded by client/core/sample.ts), the text of a DOCX (mammoth) or a PDF (pdf.js),
 * or the reason there is none, in the person's terms (too large, not a type that has text, a
 * document that could not be read and why). The platform only hands over the bytes as a Blob
 * (Node's `openAsBlob` in the CLI, a `File` in the browser's worker); everything else is here.
 *
 * mammoth and pdf.js are loaded only when a document is read (a dynamic import: a second of CLI
 * start-up, and a separate chunk of the web client's worker loaded on first use). pdf.js runs in
 * the calling thread (its "fake worker": no nested worker, no worker script fetched), with eval
 * off, no font faces, no system fonts and no URL for character maps or standard fonts, so it
 * fetches nothing and never executes document content.
 * Never: file, network or environment access of its own.
 */
import { DOCUMENT_MEDIA_TYPES, DOCX_MEDIA_TYPE, PDF_MEDIA_TYPE, SAMPLE_BYTES, mediaEssence, textOfSample } from './sample.ts';

/** Text to check, or why a part has none to check (a phrase: "the PDF is damaged"). */
export type TextSample = { text: string } | { unread: string };

/** Larger documents are not opened for the language check: these libraries read a document whole. */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;
/** A PDF's first pages say which language it is in; the rest would only cost time. */
const MAX_PDF_PAGES = 5;

/**
 * Where pdf.js finds its data files, and how to read one, given by the shell (the core reads no
 * environment): the predefined CMaps a CJK PDF names instead of embedding its font's encoding
 * (UniGB-UCS2-H, 90ms-RKSJ-H...), and the standard fonts. Each location ends in "/": a
 * same-origin URL in the browser (read with fetch: pdf.js's own reader needs a `document`, which
 * a worker has not), a directory in Node. Without them such a PDF reads as having no text.
 */
export interface PdfData {
  cMapUrl: string;
  standardFontDataUrl: string;
  read: (location: string) => Promise<Uint8Array>;
}

/** pdf.js's two data readers over the shell's `read` (the shape pdf.js's BaseCMapReaderFactory and BaseStandardFontDataFactory have). */
function pdfDataReaders(read: PdfData['read']) {
  class CMapReader {
    private readonly baseUrl: string;
    private readonly isCompressed: boolean;
    constructor(options: { baseUrl: string; isCompressed?: boolean }) {
      this.baseUrl = options.baseUrl;
      this.isCompressed = options.isCompressed ?? true;
    }
    async fetch({ name }: { name: string }): Promise<{ cMapData: Uint8Array; isCompressed: boolean }> {
      return { cMapData: await read(`${this.baseUrl}${name}${this.isCompressed ? '.bcmap' : ''}`), isCompressed: this.isCompressed };
    }
  }
  class StandardFontReader {
    private readonly baseUrl: string;
    constructor(options: { baseUrl: string }) {
      this.baseUrl = options.baseUrl;
    }
    fetch({ filename }: { filename: string }): Promise<Uint8Array> {
      return read(`${this.baseUrl}${filename}`);
    }
  }
  return { CMapReaderFactory: CMapReader, StandardFontDataFactory: StandardFontReader };
}

const documentName = (type: string) => (type === PDF_MEDIA_TYPE ? 'PDF' : 'DOCX');

/**
 * The sample of a part of `mediaType` whose bytes `open` gives: up to `maxChars` bytes of a text
 * part, or up to `maxChars` characters of a document's text. `open` is called only for a type
 * that has text (a part of another type is not touched).
 */
export async function sampleOf(open: () => Promise<Blob> | Blob, mediaType: string, maxChars: number = SAMPLE_BYTES, pdfData?: PdfData): Promise<TextSample> {
  if (!Number.isSafeInteger(maxChars) || maxChars < 1) throw new RangeError(`maxChars must be a positive integer, not ${maxChars}`);
  const { type } = mediaEssence(mediaType);
  if (DOCUMENT_MEDIA_TYPES.has(type)) {
    const blob = await open();
    if (blob.size > MAX_DOCUMENT_BYTES) return { unread: `the ${documentName(type)} is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB, more than the check reads` };
    return documentText(new Uint8Array(await blob.arrayBuffer()), type, maxChars, pdfData);
  }
  if (textOfSample(new Uint8Array(0), mediaType) === null) return { unread: `no text extraction for ${mediaType}` };
  const blob = await open();
  return { text: textOfSample(new Uint8Array(await blob.slice(0, maxChars).arrayBuffer()), mediaType)! };
}

/** The text of a DOCX or PDF, cut to `maxChars`, or why it has none. */
export async function documentText(bytes: Uint8Array, mediaType: string, maxChars: number, pdfData?: PdfData): Promise<TextSample> {
  const { type } = mediaEssence(mediaType);
  if (!DOCUMENT_MEDIA_TYPES.has(type)) return { unread: `no text extraction for ${mediaType}` };
  let text: string;
  try {
    text = type === DOCX_MEDIA_TYPE ? await docxText(bytes) : await pdfText(bytes, maxChars, pdfData);
  } catch (error) {
    return { unread: `the ${documentName(type)} could not be read: ${unreadableBecause(type, error)}` };
  }
  if (text.trim().length === 0) return { unread: `the ${documentName(type)} has no text to read (${type === PDF_MEDIA_TYPE ? 'a scanned image without a text layer?' : 'an empty document?'})` };
  return { text: text.slice(0, maxChars) };
}

async function docxText(bytes: Uint8Array): Promise<string> {
  const { default: mammoth } = await import('mammoth');
  // One input for both builds: Node's mammoth reads `buffer`, its browser build `arrayBuffer`; JSZip takes an ArrayBuffer in both.
  const arrayBuffer = bytes.slice().buffer;
  const input = { buffer: arrayBuffer, arrayBuffer } as unknown as Parameters<typeof mammoth.extractRawText>[0];
  return (await mammoth.extractRawText(input)).value;
}

async function pdfText(bytes: Uint8Array, maxChars: number, pdfData: PdfData | undefined): Promise<string> {
  const [{ getDocument }, worker] = await Promise.all([import('pdfjs-dist/legacy/build/pdf.mjs'), import('pdfjs-dist/legacy/build/pdf.worker.mjs')]);
  // pdf.js looks for its worker's handler here first and then runs it in this thread: no Worker, no script URL to load.
  (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker ??= worker;
  const data = pdfData ? { cMapUrl: pdfData.cMapUrl, cMapPacked: true, standardFontDataUrl: pdfData.standardFontDataUrl, ...pdfDataReaders(pdfData.read) } : {};
  const pdf = await getDocument({ data: bytes, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, useWorkerFetch: false, verbosity: 0, ...data }).promise;
  try {
    let text = '';
    for (let page = 1; page <= Math.min(pdf.numPages, MAX_PDF_PAGES) && text.length < maxChars; page++) {
      const content = await (await pdf.getPage(page)).getTextContent();
      text += content.items.map((item) => ('str' in item ? item.str : '')).join(' ') + '\n';
    }
    return text;
  } finally {
    await pdf.destroy();
  }
}

/** Why a document could not be read, in a reader's words (the libraries' own messages say nothing to one). */
function unreadableBecause(type: string, error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (type === PDF_MEDIA_TYPE) {
    if (name === 'PasswordException') return 'it is protected by a password';
    if (name === 'InvalidPDFException') return 'it is not a valid PDF';
    return 'it is damaged or uses a feature the reader does not support';
  }
  return 'it is not a valid DOCX (damaged, or encrypted with a password)';
}
