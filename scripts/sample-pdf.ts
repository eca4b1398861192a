/**
 * Sample PDFs for the demo, the bench, the rendered page in the docs and the stamping tests:
 * `pages` A4 pages of `lines`, in a font from Debian's packages. One home, so all of them draw
 * documents the same way. Not used by the client.
 */
import { readFileSync } from 'node:fs';
import fontkit from '@cantoo/fontkit';
import { PDFDocument } from '@cantoo/pdf-lib';

export const SAMPLE_FONTS = {
  latin: '/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf',
  arabic: '/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf',
  cjk: '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf',
} as const;

export async function makeSamplePdf(options: {
  lines: string[];
  pages: number;
  script: keyof typeof SAMPLE_FONTS;
  /** Right-align each line (Arabic script). */
  rightToLeft?: boolean;
  size?: [number, number];
  fontSize?: number;
  /** A classic cross-reference table instead of object streams (for the hostile-PDF corpus). */
  classicXref?: boolean;
  pageNumbers?: boolean;
}): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(readFileSync(SAMPLE_FONTS[options.script]), { subset: true });
  const [width, height] = options.size ?? [595, 842];
  const fontSize = options.fontSize ?? 14;
  for (let n = 1; n <= options.pages; n++) {
    const page = doc.addPage([width, height]);
    options.lines.forEach((line, i) => {
      const x = options.rightToLeft ? width - 60 - font.widthOfTextAtSize(line, fontSize) : 60;
      page.drawText(line, { x, y: height - 62 - i * fontSize * 1.8, size: fontSize, font });
    });
    if (options.pageNumbers) page.drawText(`${n}`, { x: width / 2, y: 40, size: 10, font });
  }
  return Buffer.from(await doc.save({ useObjectStreams: !options.classicXref }));
}
