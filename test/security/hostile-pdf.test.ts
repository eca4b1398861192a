/**
 * Attack: a sender (or a lying hub replaying an old packet) hands the reader's client a PDF built
 * to break the stamper: truncated, encrypted, a broken cross-reference table, a page tree that
 * claims two billion pages, a page tree that contains itself, bytes that are not a PDF at all.
 * The stamper must answer each with one sentence and no stamped copy, quickly, and never throw.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stampDocument, type StampMarking } from '../../client/core/stamp/index.ts';
import { systemFonts } from '../../client/node/stamp-fonts.ts';
import { hostilePdfs, pageCount } from '../stamp/fixtures.ts';

const marking: StampMarking = { level: 'SECRET', agreementId: 'RU-PK', packetId: '0b5d7c4e-1f2a-4b3c-8d9e-000000000013', originatorParty: 'RU', readerParty: 'PK', labels: { RU: 'СОВЕРШЕННО СЕКРЕТНО', PK: 'SECRET' }, readerName: 'Ayesha Khan' };

describe('hostile PDFs', () => {
  it('are refused with one sentence each, leaving the input untouched', async () => {
    const corpus = await hostilePdfs();
    const reasons: Record<string, string> = {};
    for (const [name, bytes] of Object.entries(corpus)) {
      const before = Buffer.from(bytes);
      const result = await stampDocument(bytes, 'application/pdf', marking, systemFonts());
      expect(Buffer.from(bytes).equals(before)).toBe(true);
      if (result.stamped) {
        // A damaged file pdf-lib could fully recover is stamped; its page count must then be real.
        expect(name).toBe('bad-xref.pdf');
        const copy = join(mkdtempSync(join(tmpdir(), 'liaison-stamp-')), name);
        writeFileSync(copy, result.bytes);
        expect(pageCount(copy)).toBe(3);
        continue;
      }
      reasons[name] = result.reason;
      expect(result.reason.split(/\.\s/)).toHaveLength(1);
    }
    expect(reasons['encrypted.pdf']).toMatch(/encrypted/);
    expect(reasons['huge-page-count.pdf']).toMatch(/2000000000 pages/);
    expect(reasons['not-a-pdf.pdf']).toMatch(/damaged or not a PDF/);
    expect(reasons['truncated.pdf']).toMatch(/damaged|inconsistent/);
    expect(reasons['page-tree-cycle.pdf']).toMatch(/damaged|inconsistent/);
  });
});
