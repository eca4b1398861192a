/**
 * Render the first page of a stamped copy into docs/images/stamped-page.png (needs pdftoppm from
 * poppler-utils and the fonts .ci/run installs). The document is a one-page request in Persian
 * sent by IR to KG under IR-KG and read by a KG contact, so the banner shows the common level, the
 * reader's Cyrillic label and the originator's Persian label, shaped and right to left.
 * Run: node scripts/stamped-page.ts [out.png]
 * A documentation aid: nothing in the product or the tests depends on it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stampDocument } from '../client/core/stamp/index.ts';
import { systemFonts } from '../client/node/stamp-fonts.ts';
import { makeSamplePdf } from './sample-pdf.ts';

const out = process.argv[2] ?? new URL('../docs/images/stamped-page.png', import.meta.url).pathname;
const PERSIAN = ['درخواست همکاری حقوقی', 'لطفاً دارندگان حساب‌های بانکی را شناسایی کنید', 'و جزئیات نقل و انتقال وجوه را گزارش دهید.'];

const original = await makeSamplePdf({ lines: PERSIAN, pages: 1, script: 'arabic', rightToLeft: true, size: [595, 420], fontSize: 18 });

const stamped = await stampDocument(original, 'application/pdf', {
  level: 'SECRET',
  agreementId: 'IR-KG',
  packetId: '3f2a9c1e-7b4d-4e8a-9c0f-5d6e7f809a1b',
  originatorParty: 'IR',
  readerParty: 'KG',
  labels: { IR: 'سری', KG: 'СОВЕРШЕННО СЕКРЕТНО' },
  readerName: 'Айгуль Асанова',
}, systemFonts());
if (!stamped.stamped) throw new Error(stamped.reason);
const dir = mkdtempSync(join(tmpdir(), 'liaison-stamped-page-'));
try {
  writeFileSync(join(dir, 'stamped.pdf'), stamped.bytes);
  execFileSync('pdftoppm', ['-png', '-r', '110', '-singlefile', join(dir, 'stamped.pdf'), join(dir, 'page')]);
  writeFileSync(out, readFileSync(join(dir, 'page.png')));
  console.log(`wrote ${out}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
