/**
 * The pieces of a stamp with fixed expected outputs: the banner words for each reader, the visual
 * order of a mixed-script line (Persian and Urdu runs right to left between left-to-right fields),
 * DOCX packages of several shapes (no section properties, two sections, a shared footer), text
 * files with a byte order mark and CRLF, and a PDF whose marking needs a font that is missing.
 */
import JSZip from 'jszip';
import mammoth from 'mammoth';
import fontkit from '@cantoo/fontkit';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classificationLine, markingLine, provenanceLine, stampDocument, type StampMarking } from '../../client/core/stamp/index.ts';
import { layoutLine, type LayoutFace } from '../../client/core/stamp/line.ts';
import { stampDocx } from '../../client/core/stamp/docx.ts';
import { stampText } from '../../client/core/stamp/text.ts';
import { systemFonts } from '../../client/node/stamp-fonts.ts';
import { FONT_FILES, makeDocx, makePdf, RUSSIAN } from './fixtures.ts';

const IR_KG: StampMarking = { level: 'SECRET', agreementId: 'IR-KG', packetId: 'p-1', originatorParty: 'IR', readerParty: 'KG', labels: { IR: 'سری', KG: 'СОВЕРШЕННО СЕКРЕТНО' }, readerName: 'Айгуль Асанова' };

describe('banner words', () => {
  it('carry the common level, the reader’s and the originator’s labels once each, and the reader from SECRET up', () => {
    expect(classificationLine(IR_KG)).toBe('SECRET · СОВЕРШЕННО СЕКРЕТНО · سری');
    expect(provenanceLine(IR_KG, { number: 3, of: 50 })).toBe('IR-KG · packet p-1 · page 3 of 50 · copy for Айгуль Асанова');
    expect(provenanceLine({ ...IR_KG, level: 'CONFIDENTIAL' })).toBe('IR-KG · packet p-1');
    const ruPk: StampMarking = { level: 'SECRET', agreementId: 'RU-PK', packetId: 'p-2', originatorParty: 'RU', readerParty: 'PK', labels: { RU: 'СОВЕРШЕННО СЕКРЕТНО', PK: 'SECRET' } };
    expect(classificationLine(ruPk)).toBe('SECRET · СОВЕРШЕННО СЕКРЕТНО');
    const bySender: StampMarking = { level: 'TOP SECRET', agreementId: 'PK-BY', packetId: 'p-3', originatorParty: 'PK', labels: { PK: 'TOP SECRET', BY: 'ОСОБОЙ ВАЖНОСТИ' } };
    expect(markingLine(bySender)).toBe('TOP SECRET · ОСОБОЙ ВАЖНОСТИ · PK-BY · packet p-3 · stamped by the sender (PK)');
  });
});

describe('a mixed-script line', () => {
  const face = (name: keyof typeof FONT_FILES): LayoutFace<string> => {
    const font = fontkit.create(readFileSync(FONT_FILES[name]));
    if (!('hasGlyphForCodePoint' in font)) throw new Error('collection');
    return { fontkit: font, handle: name };
  };
  const faces = [face('latin'), face('arabic'), face('cjk')];

  it('keeps the fields left to right and each Arabic-script field right to left, in its own font', () => {
    const runs = layoutLine('SECRET · خیلی محرمانه · 机密 · копия', faces).map((r) => [r.face.handle, r.text]);
    expect(runs).toEqual([
      ['latin', 'SECRET · '],
      ['arabic', 'خیلی محرمانه'],
      ['latin', ' · '],
      ['cjk', '机密 '],
      ['latin', '· копия'],
    ]);
  });

  it('puts two adjacent right-to-left words of an Urdu name in right-to-left order as one shaped run', () => {
    const runs = layoutLine('copy for عائشہ ملک', faces);
    expect(runs.map((r) => r.text)).toEqual(['copy for ', 'عائشہ ملک']);
    // fontkit shapes the run and returns its glyphs in visual order: the last letter (ک) comes first.
    const glyphs = runs[1]!.face.fontkit.layout(runs[1]!.text);
    expect(glyphs.direction).toBe('rtl');
    expect(glyphs.glyphs[0]!.codePoints).toEqual(['ک'.codePointAt(0)]);
    // Joining forms, not the isolated letters: at least the medial ئ and ش are substituted glyphs.
    const isolated = 'عائشہ ملک'.replace(' ', '').split('').map((c) => runs[1]!.face.fontkit.glyphForCodePoint(c.codePointAt(0)!)!.id);
    const shaped = glyphs.glyphs.filter((g) => g.codePoints.length > 0 && g.codePoints[0] !== 0x20).map((g) => g.id).reverse();
    expect(shaped).not.toEqual(isolated);
  });
});

describe('DOCX shapes', () => {
  const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
  async function docxWith(documentBody: string): Promise<Uint8Array> {
    const zip = await JSZip.loadAsync(await makeDocx('x'));
    zip.file('word/document.xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="${W}"><w:body>${documentBody}</w:body></w:document>`);
    return zip.generateAsync({ type: 'uint8array' });
  }

  it('gives a document with no section properties a header and a footer', async () => {
    const result = await stampDocx(await docxWith('<w:p><w:r><w:t>Текст</w:t></w:r></w:p>'), IR_KG);
    if (!result.stamped) throw new Error(result.reason);
    const zip = await JSZip.loadAsync(result.bytes);
    const body = await zip.file('word/document.xml')!.async('string');
    expect(body).toMatch(/<w:sectPr><w:headerReference [^>]*w:type="default"/);
    expect(await zip.file('[Content_Types].xml')!.async('string')).toContain('/word/liaison-marking-header.xml');
    expect(await zip.file('word/_rels/document.xml.rels')!.async('string')).toContain('Target="liaison-marking-footer.xml"');
    expect((await mammoth.extractRawText({ buffer: Buffer.from(result.bytes) })).value).toContain('Текст');
  });

  it('marks every section of a two-section document, before its other properties', async () => {
    const result = await stampDocx(await docxWith('<w:p><w:pPr><w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:pPr></w:p><w:p/><w:sectPr><w:pgSz w:w="16838" w:h="11906"/></w:sectPr>'), IR_KG);
    if (!result.stamped) throw new Error(result.reason);
    const body = await (await JSZip.loadAsync(result.bytes)).file('word/document.xml')!.async('string');
    const sections = body.match(/<w:sectPr>[\s\S]*?<\/w:sectPr>/g)!;
    expect(sections).toHaveLength(2);
    for (const s of sections) expect(s).toMatch(/^<w:sectPr>(<w:headerReference [^>]*\/>){3}(<w:footerReference [^>]*\/>){3}<w:pgSz/);
  });

  it('refuses a package that is not a DOCX, in one sentence', async () => {
    expect(await stampDocx(new TextEncoder().encode('PK not really a zip'), IR_KG)).toEqual({ stamped: false, reason: 'the DOCX is damaged or not a DOCX, so it cannot be stamped' });
  });
});

describe('text files', () => {
  it('keep their byte order mark and CRLF line endings', () => {
    const result = stampText(new TextEncoder().encode('\uFEFFпервая\r\nвторая\r\n'), IR_KG);
    if (!result.stamped) throw new Error(result.reason);
    const line = markingLine(IR_KG);
    expect(new TextDecoder('utf-8', { ignoreBOM: true }).decode(result.bytes)).toBe(`\uFEFF${line}\r\n\r\nпервая\r\nвторая\r\n\r\n${line}\r\n`);
  });

  it('refuse bytes that are not UTF-8', () => {
    expect(stampText(new Uint8Array([0xff, 0xfe, 0x41]), IR_KG)).toEqual({ stamped: false, reason: 'the text is not UTF-8, so it cannot be stamped' });
  });
});

describe('missing fonts', () => {
  it('refuse in one sentence naming the package, when the marking needs a script no font covers', async () => {
    const latinOnly = systemFonts('/nonexistent');
    const noChinese = (script: 'latin' | 'arabic' | 'cjk', weight: 'regular' | 'bold') => (script === 'cjk' ? Promise.resolve(null) : latinOnly(script, weight));
    const result = await stampDocument(await makePdf(RUSSIAN, 1, 'latin'), 'application/pdf', { ...IR_KG, labels: { IR: '机密', KG: 'СОВЕРШЕННО СЕКРЕТНО' } }, noChinese);
    expect(result).toEqual({ stamped: false, reason: 'the marking cannot be drawn: no font for its Chinese text is installed (it needs a Chinese font (Debian: fonts-droid-fallback))' });
  });
});
