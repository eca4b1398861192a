/**
 * `npm run build:cli`: the `liaison` command bundled into bin/dist/, for start-up time (run by
 * `prepare` at `npm ci`, and by `npm test`). Loading ~170 modules from source costs more than
 * running them: the bundle is one start-up file (everything `bin/liaison.ts` imports statically:
 * commander, zod, the protocol, the command definitions) and one lazily loaded file per group
 * of modules a command imports when it runs. Packages other than the small ones on the start-up
 * path stay outside (openpgp.js, pdf.js, mammoth, franc, SQLite, express): they load from
 * node_modules as they do from source.
 *
 * bin/liaison.js runs the bundle only while every file it was built from is unchanged
 * (bin/dist/sources.json: size and mtime of each, bin/current-bundle.js checks them); any edit,
 * checkout or `npm install` since makes it run the sources instead, so a stale bundle never runs
 * old code. Each bundled module keeps its own `import.meta` (the paths it resolves from its source
 * file), and source maps name the sources in LIAISON_DEBUG's stack traces.
 * Never writes anywhere but bin/dist/ (built beside it, then moved into place).
 */
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = fileURLToPath(new URL('../bin/dist/', import.meta.url));
const STAGING = `${OUT.replace(/\/$/, '')}.building-${process.pid}/`;
const ENTRY = `${ROOT}bin/liaison.ts`;

/**
 * The packages bundled: small, pure JavaScript, and on the start-up path. Nothing outside the
 * bundle imports them, so there is one copy of each (one ZodError class for `instanceof`).
 */
const BUNDLED = new Set(['zod', 'commander', 'canonicalize', '@noble/hashes', 'iso-639-3']);
const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const isExternal = (id: string) => id.startsWith('node:') || (!id.startsWith('.') && !id.startsWith('/') && !BUNDLED.has(packageOf(id)));

/** `import.meta` of a bundled module, as in its source file: paths it resolves (agreements, migrations, fonts, package.json) stay where they are. */
function sourceImportMeta(code: string, id: string, chunkDir: string): string {
  const file = JSON.stringify(relative(chunkDir, id));
  const dir = JSON.stringify(`${relative(chunkDir, dirname(id)) || '.'}/`);
  const path = (url: string) => `process.getBuiltinModule('node:url').fileURLToPath(new URL(${url}, import.meta.url))`;
  return code
    .replace(/\bimport\.meta\.url\b/g, `new URL(${file}, import.meta.url).href`)
    .replace(/\bimport\.meta\.filename\b/g, path(file))
    .replace(/\bimport\.meta\.dirname\b/g, `${path(dir)}.replace(/[\\\\/]$/, '')`);
}

/** Every module `bin/liaison.ts` imports statically, directly or not: what `--help` runs. */
const startUp = new Set<string>();
const sources = new Set<string>();

rmSync(STAGING, { recursive: true, force: true });
const bundle = await rolldown({
  input: { liaison: ENTRY },
  platform: 'node',
  external: isExternal,
  onLog(level, log, handler) {
    // The import.meta rewrite keeps every line where it was (only columns after it move on that
    // line), which is what a stack trace needs: no map of its own for it.
    if (log.code === 'SOURCEMAP_BROKEN' && log.plugin === 'liaison-cli') return;
    handler(level, log);
  },
  plugins: [
    {
      name: 'liaison-cli',
      transform(code, id) {
        sources.add(id);
        return code.includes('import.meta.') ? sourceImportMeta(code, id, STAGING) : null;
      },
      buildEnd() {
        const queue = [ENTRY];
        while (queue.length > 0) {
          const id = queue.pop()!;
          if (startUp.has(id)) continue;
          startUp.add(id);
          queue.push(...(this.getModuleInfo(id)?.importedIds ?? []).filter((imported) => !isExternal(imported)));
        }
      },
    },
  ],
});
const { output } = await bundle.write({
  dir: STAGING,
  format: 'esm',
  // For LIAISON_DEBUG's stack traces (bin/liaison.js turns source maps on only then).
  sourcemap: true,
  entryFileNames: '[name].js',
  chunkFileNames: '[name]-[hash].js',
  // One file for start-up rather than one per shared module: each file costs a module load. The
  // entry itself stays out of it: its top-level await (the command running) would otherwise hold
  // every lazily loaded file that imports a start-up module waiting for the command to end.
  codeSplitting: { groups: [{ name: 'liaison-start', test: (id) => id !== ENTRY && startUp.has(id), priority: 1 }] },
});
await bundle.close();

// What bin/liaison.js checks before it runs the bundle: the inputs as they were when it was built.
const stamp = (path: string) => {
  const s = statSync(path);
  return { size: s.size, mtimeMs: s.mtimeMs };
};
const inputs = [...sources].filter((id) => !id.includes('\0')).sort();
// The bundled packages by npm's record of what it installed (node_modules/.package-lock.json,
// rewritten by every install), not file by file: each file checked costs a stat at every start.
const checked = [...inputs.filter((id) => !id.includes('/node_modules/')), `${ROOT}package.json`, `${ROOT}package-lock.json`, `${ROOT}node_modules/.package-lock.json`];
const manifest = { files: Object.fromEntries(checked.map((path) => [relative(ROOT, path), stamp(path)])) };
writeFileSync(`${STAGING}sources.json`, `${JSON.stringify(manifest)}\n`);
rmSync(OUT, { recursive: true, force: true });
mkdirSync(dirname(OUT.replace(/\/$/, '')), { recursive: true });
renameSync(STAGING, OUT);
const chunks = output.filter((o) => o.type === 'chunk');
console.log(`bin/dist: ${chunks.length} files from ${inputs.length} modules (${chunks.find((c) => c.name === 'liaison-start')?.moduleIds.length ?? 0} at start-up); ${checked.length} files checked at each start`);
