/**
 * A Chinese PDF the way many CJK producers write one: the text in a non-embedded Adobe-GB1 CID
 * font (STSong-Light) through a predefined CMap (UniGB-UCS2-H), with no ToUnicode map. A reader
 * gets its text only through that CMap's data (pdf.js: cMapUrl); poppler reads it with its own.
 * Built byte by byte here so that nothing in it comes from the font embedding the stamping uses.
 */
export function predefinedCMapPdf(text: string): Uint8Array {
  // Lines of 24 characters, within the page: a reader keeps only the text on it.
  const hex = (line: string) => Buffer.from(line, 'utf16le').swap16().toString('hex').toUpperCase();
  const lines = (text.match(/.{1,24}/gu) ?? []).map((line) => `<${hex(line)}> Tj 0 -20 Td`).join(' ');
  const content = `BT /F1 14 Tf 72 760 Td ${lines} ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 6 0 R >>',
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [5 0 R] >>',
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 7 0 R /DW 1000 >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}
