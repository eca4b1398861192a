/**
 * A Chinese PDF whose text goes through a predefined CMap (no embedded font, no ToUnicode): the
 * language check reads its text only with pdf.js's CMap data, which each shell gives the core
 * (client/node/extract.ts from the installed pdfjs-dist; the web client from its own origin,
 * test/browser/pdf-cjk.test.ts). Without it the same PDF reads as having no text.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { documentText } from '../../client/core/documents.ts';
import { fileSample } from '../../client/node/extract.ts';
import { predefinedCMapPdf } from '../helpers/cjk-pdf.ts';
import { CHINESE } from '../stamp/fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'liaison-cjk-pdf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a Chinese PDF through a predefined CMap', () => {
  it('has no text for pdf.js without the CMap data', async () => {
    expect(await documentText(predefinedCMapPdf(CHINESE), 'application/pdf', 2000)).toEqual({ unread: 'the PDF has no text to read (a scanned image without a text layer?)' });
  });

  it('reads as its Chinese text in the CLI, which gives the core the installed CMaps', async () => {
    const path = join(dir, 'qingqiu.pdf');
    writeFileSync(path, predefinedCMapPdf(CHINESE));
    const sample = await fileSample(path, 'application/pdf');
    // The PDF breaks its lines at 24 characters; the reader joins them with a space.
    expect('text' in sample ? sample.text.replace(/\s+/g, '') : sample.unread).toBe(CHINESE);
  });
});
