#!/usr/bin/env node
// The CLI runs its TypeScript with Node's own type stripping (Node 24 LTS): no compiler at start.
// Stripping and compiling the modules costs about a second per run, so the result is cached
// (node:module compile cache, keyed by each source's content) in the user's own cache directory,
// mode 0700: never a shared temp directory, where another local user could plant entries.
//
// A person's command runs the bundle of the same sources (bin/dist/, built at `npm ci`: two files
// to load at start instead of ~170 modules) while it is current (bin/current-bundle.js); the
// hub's commands (`serve`, `hub`) always run the sources, so the hub's stack traces and logs name
// the real files. LIAISON_NO_BUNDLE=1 runs the sources for every command.
import { mkdirSync } from 'node:fs';
import process from 'node:process';
import { enableCompileCache } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { currentBundle } from './current-bundle.js';

if (!process.env.NODE_COMPILE_CACHE && !process.env.LIAISON_NO_COMPILE_CACHE) {
  try {
    const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'liaison', 'compile-cache');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    enableCompileCache(dir);
  } catch {
    // No writable cache directory: run uncached, only slower to start.
  }
}
const hubCommand = ['serve', 'hub'].includes(process.argv[2] ?? '');
const bundle = hubCommand || process.env.LIAISON_NO_BUNDLE ? undefined : currentBundle(dirname(import.meta.dirname));
// With LIAISON_DEBUG, the stack traces it prints name the source files, not the bundle's.
if (bundle && process.env.LIAISON_DEBUG) process.setSourceMapsEnabled(true);
await import(bundle ? pathToFileURL(bundle).href : './liaison.ts');
