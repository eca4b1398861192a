/**
 * Whether the CLI bundle in bin/dist/ (scripts/build-cli.ts, run by `npm ci` and `npm test`) may
 * run: only while every file it was built from (the project's sources, package.json, the lockfile,
 * and npm's node_modules/.package-lock.json for the bundled packages) has the size and
 * modification time recorded in bin/dist/sources.json when it was built. An edit, a checkout or an
 * `npm install` since then changes one, and the CLI runs the sources instead: a stale bundle never
 * runs old code. About 150 stat calls, 2 ms. It guards against staleness only, not tampering:
 * whoever can write bin/dist/ can write the sources too.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

/** The bundle's entry file under `root` (the checkout), or undefined when there is none or it is stale. */
export function currentBundle(root) {
  let files;
  try {
    ({ files } = JSON.parse(readFileSync(join(root, 'bin', 'dist', 'sources.json'), 'utf8')));
  } catch {
    return undefined; // not built (a checkout without `npm ci`), or being rebuilt
  }
  // Plain concatenation: the recorded paths are relative and normal, and path.join costs more than the stat.
  for (const [path, built] of Object.entries(files)) {
    const now = statSync(root + sep + path, { throwIfNoEntry: false });
    if (!now || now.size !== built.size || now.mtimeMs !== built.mtimeMs) return undefined;
  }
  return join(root, 'bin', 'dist', 'liaison.js');
}
