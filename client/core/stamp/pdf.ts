/**
 * PDF stamped copies: a banner at the top and the bottom of every page with the classification in
 * every label it must carry, the agreement, the packet, `page X of N` and, for SECRET and above,
 * the reader. The page is made taller by a strip above and below (MediaBox and CropBox), so the
 * banner never covers a word of the document; the page's own content is wrapped in q/Q so whatever
 * state it leaves cannot move or hide the banner. Rotated pages get the banner at their visual top.
 *
 * Given bytes, returns new bytes; the input is never changed. A document it cannot stamp safely
 * (encrypted, damaged, an inconsistent page tree, too many pages) is refused with one sentence,
 * never a throw: the caller still delivers the verified original.
 */
import { degrees, EncryptedPDFError, PDFDocument, PDFName, PDFNumber, rgb, type PDFFont, type PDFPage } from '@cantoo/pdf-lib';
import fontkit from '@cantoo/fontkit';
import { loadFaces, MissingFontError, scriptsOf, type FontSource } from './fonts.ts';
import { layoutLine, uncovered, type LayoutFace, type Run } from './line.ts';
import { classificationLine, provenanceLine, type StampMarking } from './marking.ts';
import type { StampResult } from './result.ts';

/** A stamped copy is made for documents up to this many pages (a page costs about a millisecond and a few kB). */
const MAX_STAMP_PAGES = 5000;
/** Height in points added above and below each page for its banner. */
const STRIP = 30;
const CLASSIFICATION_SIZE = 10;
const PROVENANCE_SIZE = 7;
const SIDE_MARGIN = 12;
const RED = rgb(0.72, 0, 0);
const GREY = rgb(0.2, 0.2, 0.2);

interface Point {
  x: number;
  y: number;
}

/** Maps a point on the page as it is seen (origin bottom-left after /Rotate) to user space, and the text angle. */
function visualFrame(page: PDFPage): { width: number; height: number; angle: number; toUser: (v: Point) => Point } {
  const rotation = ((page.getRotation().angle % 360) + 360) % 360;
  const { x: x0, y: y0, width: w, height: h } = page.getCropBox();
  switch (rotation) {
    case 90:
      return { width: h, height: w, angle: 90, toUser: (v) => ({ x: x0 + w - v.y, y: y0 + v.x }) };
    case 180:
      return { width: w, height: h, angle: 180, toUser: (v) => ({ x: x0 + w - v.x, y: y0 + h - v.y }) };
    case 270:
      return { width: h, height: w, angle: 270, toUser: (v) => ({ x: x0 + v.y, y: y0 + h - v.x }) };
    default:
      return { width: w, height: h, angle: 0, toUser: (v) => ({ x: x0 + v.x, y: y0 + v.y }) };
  }
}

/** Make room: extend the crop and media boxes by STRIP at the visual top and bottom. */
function addStrips(page: PDFPage): void {
  const rotation = ((page.getRotation().angle % 360) + 360) % 360;
  const crop = page.getCropBox();
  const media = page.getMediaBox();
  const sideways = rotation === 90 || rotation === 270;
  const next = sideways
    ? { x: crop.x - STRIP, y: crop.y, width: crop.width + 2 * STRIP, height: crop.height }
    : { x: crop.x, y: crop.y - STRIP, width: crop.width, height: crop.height + 2 * STRIP };
  const left = Math.min(media.x, next.x);
  const bottom = Math.min(media.y, next.y);
  const right = Math.max(media.x + media.width, next.x + next.width);
  const top = Math.max(media.y + media.height, next.y + next.height);
  page.setMediaBox(left, bottom, right - left, top - bottom);
  page.setCropBox(next.x, next.y, next.width, next.height);
}

/** Draw one line (laid out by layoutLine) centred at visual height `baseline`, shrinking it to fit the page width. */
function drawLine(page: PDFPage, runs: Array<Run<PDFFont>>, size: number, baseline: number, color: ReturnType<typeof rgb>): void {
  const frame = visualFrame(page);
  const em = runs.reduce((sum, r) => sum + r.advance, 0);
  const fitted = Math.min(size, (frame.width - 2 * SIDE_MARGIN) / Math.max(em, 1));
  let x = (frame.width - em * fitted) / 2;
  for (const run of runs) {
    const at = frame.toUser({ x, y: baseline });
    page.drawText(run.text, { x: at.x, y: at.y, size: fitted, font: run.face.handle, color, rotate: degrees(frame.angle) });
    x += run.advance * fitted;
  }
}

function drawRule(page: PDFPage, y: number): void {
  const frame = visualFrame(page);
  const start = frame.toUser({ x: SIDE_MARGIN, y });
  const end = frame.toUser({ x: frame.width - SIDE_MARGIN, y });
  page.drawLine({ start, end, thickness: 0.6, color: RED });
}

/** The page count the document's page tree claims at its root, or undefined if it says nothing usable. */
function claimedPageCount(doc: PDFDocument): number | undefined {
  const count = doc.catalog.Pages().lookup(PDFName.of('Count'));
  return count instanceof PDFNumber ? count.asNumber() : undefined;
}

/** Stamp every page of a PDF. Never throws: a document it cannot stamp comes back with the reason. */
export async function stampPdf(original: Uint8Array, marking: StampMarking, fonts: FontSource): Promise<StampResult> {
  let doc: PDFDocument;
  try {
    // A copy, so nothing pdf-lib does can touch the caller's bytes of the verified original.
    doc = await PDFDocument.load(original.slice(), { updateMetadata: false, throwOnInvalidObject: true });
  } catch (error) {
    if (error instanceof EncryptedPDFError) return { stamped: false, reason: 'the PDF is encrypted, so it cannot be stamped' };
    return { stamped: false, reason: 'the PDF is damaged or not a PDF, so it cannot be stamped' };
  }
  try {
    if (doc.isEncrypted) return { stamped: false, reason: 'the PDF is encrypted, so it cannot be stamped' };
    const claimed = claimedPageCount(doc);
    if (claimed !== undefined && claimed > MAX_STAMP_PAGES) return { stamped: false, reason: `the PDF has ${claimed} pages, more than the ${MAX_STAMP_PAGES} a stamped copy is made for` };
    const pages = doc.getPages();
    if (pages.length === 0) return { stamped: false, reason: 'the PDF has no pages to stamp' };
    if (claimed !== pages.length) return { stamped: false, reason: `the PDF's page tree is inconsistent (it claims ${claimed ?? 'no'} pages and holds ${pages.length}), so it may be damaged and cannot be stamped` };

    const classification = classificationLine(marking);
    const sample = `${classification} ${provenanceLine(marking, { number: pages.length, of: pages.length })}`;
    const scripts = scriptsOf(sample);
    doc.registerFontkit(fontkit);
    const embed = async (weight: 'regular' | 'bold'): Promise<Array<LayoutFace<PDFFont>>> => {
      const loaded = await loadFaces(fonts, scripts, weight);
      const faces: Array<LayoutFace<PDFFont>> = [];
      for (const face of loaded) faces.push({ fontkit: face.fontkit, handle: await doc.embedFont(face.bytes, { subset: true }) });
      return faces;
    };
    const bold = await embed('bold');
    const regular = await embed('regular');
    const missing = uncovered(sample, [...bold, ...regular]);
    if (missing.length > 0) return { stamped: false, reason: `no installed font can draw ${missing.join(' ')}, so the PDF was not stamped` };

    const classificationRuns = layoutLine(classification, bold); // the same on every page
    pages.forEach((page, index) => {
      page.translateContent(0, 0); // wraps the page's own content in q ... Q
      addStrips(page);
      const { height } = visualFrame(page);
      const provenance = layoutLine(provenanceLine(marking, { number: index + 1, of: pages.length }), regular);
      drawLine(page, classificationRuns, CLASSIFICATION_SIZE, height - 12, RED);
      drawLine(page, provenance, PROVENANCE_SIZE, height - 23, GREY);
      drawRule(page, height - STRIP + 1);
      drawRule(page, STRIP - 1);
      drawLine(page, classificationRuns, CLASSIFICATION_SIZE, 15, RED);
      drawLine(page, provenance, PROVENANCE_SIZE, 5, GREY);
    });
    // Say so in the document's own properties too, for whoever opens it without the folder.
    doc.setSubject(
      marking.readerParty
        ? `Stamped copy of packet ${marking.packetId} (${classification}); not the signed original`
        : `Marked by the sender for packet ${marking.packetId} (${classification})`,
    );
    return { stamped: true, bytes: await doc.save({ useObjectStreams: true }) };
  } catch (error) {
    if (error instanceof MissingFontError) return { stamped: false, reason: `the marking cannot be drawn: ${error.message}` };
    return { stamped: false, reason: 'the PDF is damaged, so it cannot be stamped' };
  }
}
