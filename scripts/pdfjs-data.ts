/**
 * The web client's build step for pdf.js's data (client/web/vite.config.ts): pdfjs-dist's cmaps/
 * and standard_fonts/ copied as they are into the build's pdfjs/, where the worker fetches them
 * from this origin only when a PDF names a predefined CMap or a standard font
 * (client/web/src/opfs.ts names the URLs). Kept out of client/web/, whose code never imports Node.
 */
import { cpSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { Plugin } from 'vite';

const PDFJS = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

export function pdfjsData(): Plugin {
  let outDir = '';
  return {
    name: 'liaison-pdfjs-data',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    writeBundle() {
      for (const dir of ['cmaps', 'standard_fonts']) cpSync(join(PDFJS, dir), join(outDir, 'pdfjs', dir), { recursive: true });
    },
  };
}
