/**
 * Documents for the stamping tests, built here rather than kept as opaque files: multi-page PDFs
 * in Russian, Urdu and Chinese (real fonts from Debian's packages), a DOCX with and without its
 * own header, and a corpus of hostile PDFs. Readers of the result are poppler's command-line tools.
 */
import { execFileSync } from 'node:child_process';
import JSZip from 'jszip';
import { makeSamplePdf, SAMPLE_FONTS } from '../../scripts/sample-pdf.ts';

export const FONT_FILES = SAMPLE_FONTS;

export const RUSSIAN = 'Запрос о правовой помощи. Просим установить владельцев банковских счетов и сообщить сведения о движении денежных средств за последние три года.';
export const URDU = 'قانونی معاونت کی درخواست۔ براہ کرم بینک کھاتوں کے مالکان کی شناخت کریں اور گزشتہ تین سال کے دوران رقوم کی منتقلی کی تفصیلات فراہم کریں۔';
export const CHINESE = '司法协助请求。请查明银行账户的持有人，并提供过去三年资金往来的详细情况。';

/** A PDF of `pages` pages, each with `text` in short lines and its page number, in the font for its script. */
export async function makePdf(text: string, pages: number, script: keyof typeof FONT_FILES, classicXref = false): Promise<Buffer> {
  const words = text.split(' ');
  const lines = script === 'cjk' ? (text.match(/.{1,24}/gu) ?? []) : Array.from({ length: Math.ceil(words.length / 6) }, (_, i) => words.slice(i * 6, (i + 1) * 6).join(' '));
  return makeSamplePdf({ lines, pages, script, rightToLeft: script === 'arabic', classicXref, pageNumbers: true });
}

/** A minimal DOCX: one paragraph; with `ownHeader`, a default header part of its own already referenced. */
export async function makeDocx(text: string, ownHeader = false): Promise<Buffer> {
  const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
  const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  const zip = new JSZip();
  zip.file(
    '[Content_Types].xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>${ownHeader ? '<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>' : ''}</Types>`,
  );
  zip.file('_rels/.rels', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`);
  zip.file(
    'word/_rels/document.xml.rels',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${ownHeader ? '<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/>' : ''}</Relationships>`,
  );
  if (ownHeader) zip.file('word/header1.xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr xmlns:w="${W}"><w:p><w:r><w:t>Ministry letterhead</w:t></w:r></w:p></w:hdr>`);
  const sectPr = ownHeader ? `<w:sectPr><w:headerReference w:type="default" r:id="rId7"/><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>` : '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>';
  zip.file('word/document.xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="${W}" xmlns:r="${R}"><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p>${sectPr}</w:body></w:document>`);
  return zip.generateAsync({ type: 'nodebuffer' });
}

/** Hostile PDFs: each must leave the client standing and the verified original delivered. */
export async function hostilePdfs(): Promise<Record<string, Buffer>> {
  const good = await makePdf(RUSSIAN, 3, 'latin', true);
  const text = good.toString('latin1');
  const encrypted = Buffer.from(
    text.replace(/trailer\s*<</, 'trailer\n<<\n/Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>'),
    'latin1',
  );
  const oneSmallPage = Buffer.from(
    '%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 2000000000 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
    'latin1',
  );
  const cycle = Buffer.from(
    '%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
    'latin1',
  );
  return {
    'truncated.pdf': good.subarray(0, Math.floor(good.length / 3)),
    'encrypted.pdf': encrypted,
    'bad-xref.pdf': Buffer.from(text.replace(/startxref\s*\d+/, 'startxref\n99999999').replace(/xref\n0 \d+/, 'xref\n0 999'), 'latin1'),
    'huge-page-count.pdf': oneSmallPage,
    'page-tree-cycle.pdf': cycle,
    'not-a-pdf.pdf': Buffer.from('GIF89a this is not a PDF at all', 'latin1'),
  };
}

/** The text of one page, as poppler's pdftotext reads it. */
export function pageText(path: string, page: number): string {
  return execFileSync('pdftotext', ['-f', String(page), '-l', String(page), '-layout', path, '-'], { encoding: 'utf8' }).replace(/[\u202A-\u202E\u2066-\u2069]/g, '');
}

export function pageCount(path: string): number {
  const info = execFileSync('pdfinfo', [path], { encoding: 'utf8' });
  return Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
}
