/**
 * The language check reads DOCX and PDF too: real documents built here (a DOCX zipped with
 * jszip, a PDF written by hand), real mammoth and pdf.js, through the core's sample
 * (client/core/documents.ts, which the web client's worker runs too) and the CLI's file adapter.
 * A part without text to check says why: too large, damaged, no text layer, not a document.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DOCUMENT_BYTES, documentText, sampleOf } from '../../client/core/documents.ts';
import { DOCX_MEDIA_TYPE, PDF_MEDIA_TYPE } from '../../client/core/sample.ts';
import { checkPartLanguage } from '../../client/core/sending.ts';
import { fileSample } from '../../client/node/extract.ts';
import { checkDeclaredLanguage } from '../../client/core/language.ts';
import { fileSource, mediaTypeOf } from '../../client/node/part-files.ts';

const sampleText = async (path: string, mediaType: string) => {
  const sample = await fileSample(path, mediaType);
  return 'text' in sample ? sample.text : null;
};

const RU = 'Генеральная прокуратура Российской Федерации просит установить владельцев банковских счетов, на которые поступили средства от продажи наркотических средств, и сообщить сведения о движении денежных средств.';
const EN = 'The Prosecutor General asks the competent authorities to identify the holders of the bank accounts that received the proceeds of the sale of narcotic drugs, and to report the movements of funds on those accounts.';

let dir: string;

async function docx(path: string, paragraphs: string[]): Promise<void> {
  const zip = new JSZip();
  zip.file('[Content_Types].xml', '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>');
  zip.file('_rels/.rels', '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>');
  const body = paragraphs.map((p) => `<w:p><w:r><w:t>${p}</w:t></w:r></w:p>`).join('');
  zip.file('word/document.xml', `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`);
  writeFileSync(path, await zip.generateAsync({ type: 'nodebuffer' }));
}

/** A one-page PDF with `text` in Helvetica (ASCII only), with a correct cross-reference table. */
function pdf(path: string, text: string): void {
  const lines = text.match(/.{1,70}(\s|$)/g)!.map((l, i) => `BT /F1 11 Tf 40 ${780 - i * 14} Td (${l.trim().replace(/[()\\]/g, '\\$&')}) Tj ET`).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(lines)} >>\nstream\n${lines}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  writeFileSync(path, out, 'latin1');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'liaison-extract-'));
  await docx(join(dir, 'zapros.docx'), [RU, RU]);
  await docx(join(dir, 'request.docx'), [EN]);
  pdf(join(dir, 'request.pdf'), EN);
  writeFileSync(join(dir, 'broken.pdf'), '%PDF-1.4\nthis is not really a PDF');
  pdf(join(dir, 'empty.pdf'), ' ');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('document text for the language check', () => {
  it('knows the media types from the file names', () => {
    expect(mediaTypeOf('x.docx')).toBe(DOCX_MEDIA_TYPE);
    expect(mediaTypeOf('x.pdf')).toBe(PDF_MEDIA_TYPE);
  });

  it('reads a Russian DOCX and an English one, and catches a DOCX "translation" in the wrong language', async () => {
    const ru = (await sampleText(join(dir, 'zapros.docx'), DOCX_MEDIA_TYPE))!;
    expect(ru).toContain('Генеральная прокуратура');
    expect(checkDeclaredLanguage(ru, 'ru')).toMatchObject({ status: 'match', detected: 'ru' });
    expect(checkDeclaredLanguage(ru, 'en')).toMatchObject({ status: 'mismatch', detected: 'ru' });
    const en = (await sampleText(join(dir, 'request.docx'), DOCX_MEDIA_TYPE))!;
    expect(checkDeclaredLanguage(en, 'en')).toMatchObject({ status: 'match' });
  });

  it('reads the text of a PDF', async () => {
    const text = (await sampleText(join(dir, 'request.pdf'), PDF_MEDIA_TYPE))!;
    expect(text).toContain('Prosecutor General');
    expect(checkDeclaredLanguage(text, 'en')).toMatchObject({ status: 'match', detected: 'en' });
    expect(checkDeclaredLanguage(text, 'ru')).toMatchObject({ status: 'mismatch' });
  });

  it('says why a document was not read: damaged, not a document, no text (reported as not checked, not a crash)', async () => {
    expect(await fileSample(join(dir, 'broken.pdf'), PDF_MEDIA_TYPE)).toEqual({ unread: 'the PDF could not be read: it is not a valid PDF' });
    expect(await fileSample(join(dir, 'broken.pdf'), DOCX_MEDIA_TYPE)).toEqual({ unread: 'the DOCX could not be read: it is not a valid DOCX (damaged, or encrypted with a password)' });
    expect(await documentText(new Uint8Array([1, 2, 3]), 'image/png', 1000)).toEqual({ unread: 'no text extraction for image/png' });
    expect(await fileSample(join(dir, 'request.pdf'), 'image/png')).toEqual({ unread: 'no text extraction for image/png' });
    expect(await fileSample(join(dir, 'empty.pdf'), PDF_MEDIA_TYPE)).toEqual({ unread: 'the PDF has no text to read (a scanned image without a text layer?)' });
  });

  it('does not open a document larger than MAX_DOCUMENT_BYTES, and says so in the verdict', async () => {
    const large = new Blob([new Uint8Array(MAX_DOCUMENT_BYTES + 1)]);
    expect(await sampleOf(() => large, PDF_MEDIA_TYPE)).toEqual({ unread: 'the PDF is larger than 64 MiB, more than the check reads' });
    const source = { ...fileSource(join(dir, 'request.pdf')), sample: (max: number) => sampleOf(() => large, DOCX_MEDIA_TYPE, max) };
    expect(await checkPartLanguage(source, 'en')).toEqual({ status: 'not-checked', declared: 'en', reason: 'the DOCX is larger than 64 MiB, more than the check reads' });
    expect(await checkPartLanguage(fileSource(join(dir, 'broken.pdf')), 'en')).toEqual({ status: 'not-checked', declared: 'en', reason: 'the PDF could not be read: it is not a valid PDF' });
  });

  it('reads the same text from bytes as from the file (the browser hands the core a File)', async () => {
    const bytes = new Uint8Array(readFileSync(join(dir, 'zapros.docx')));
    expect(await sampleOf(() => new Blob([bytes]), DOCX_MEDIA_TYPE)).toEqual(await fileSample(join(dir, 'zapros.docx'), DOCX_MEDIA_TYPE));
  });
});
