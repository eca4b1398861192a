#!/usr/bin/env node
// The CLI runs its TypeScript with Node's own type stripping (Node 24 LTS): no compiler at start.
// Stripping and compiling ~40 modules costs about a second per run, so the result is cached
// (node:module compile cache, keyed by each source's content) in the user's own cache directory,
// mode 0700: never a shared temp directory, where another local user could plant entries.
import { mkdirSync } from 'node:fs';
import process from 'node:process';
import { enableCompileCache } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

if (!process.env.NODE_COMPILE_CACHE && !process.env.LIAISON_NO_COMPILE_CACHE) {
  try {
    const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'liaison', 'compile-cache');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    enableCompileCache(dir);
  } catch {
    // No writable cache directory: run uncached, only slower to start.
  }
}
await import('./liaison.ts');
