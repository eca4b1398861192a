/**
 * Build of the web client (client/web/ -> client/web/dist/), served by the hub at `/`.
 * Nothing is inlined as a data: URI and no inline script is emitted, so the hub's CSP can stay
 * `default-src 'self'` with no 'unsafe-inline'; openpgp.js runs in its own worker chunk, and
 * mammoth and pdf.js (with its worker module, run in the key worker's own thread) are chunks the
 * worker loads on first use, from this origin. pdf.js's CMaps and standard font data (a CJK PDF
 * that names a predefined CMap has no readable text without them) are copied as they are into
 * dist/pdfjs/, fetched from this origin only when a PDF needs one.
 */
import { defineConfig } from 'vite';
import { pdfjsData } from '../../scripts/pdfjs-data.ts';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [pdfjsData()],
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 4096,
  },
  worker: {
    format: 'es',
    // The document readers are chunks of their own, loaded by the worker only when a DOCX or PDF is
    // checked (client/core/documents.ts imports them dynamically); named so that a test can tell.
    rollupOptions: {
      output: {
        chunkFileNames: (chunk) => (chunk.facadeModuleId?.includes('/node_modules/mammoth/') ? 'assets/mammoth-[hash].js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  logLevel: 'warn',
});
