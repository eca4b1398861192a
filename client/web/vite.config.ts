/**
 * Build of the web client (client/web/ -> client/web/dist/), served by the hub at `/`.
 * Nothing is inlined as a data: URI and no inline script is emitted, so the hub's CSP can stay
 * `default-src 'self'` with no 'unsafe-inline'; openpgp.js runs in its own worker chunk.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
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
  worker: { format: 'es' },
  logLevel: 'warn',
});
