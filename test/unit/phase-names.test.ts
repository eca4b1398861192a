/**
 * Code is named by what it holds, not by the project phase that asked for it: no source file,
 * test, script or migration cites "(issue N)" or "issue N item M" (a reader cannot follow an
 * issue number; the header must say the reason itself). Docs may tell the history; code may
 * not. (File names are not checked here: "workflow" is the treaties' own word, and
 * protocol/issues.ts holds zod issues.)
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, sourceFiles } from '../helpers/imports.ts';

/** Where a file of the web client still cites its issue, left to that client's branch. The set may only shrink. */
const PENDING = new Set<string>([]);

const DIRS = ['keys', 'protocol', 'storage', 'server', 'client', 'bin', 'scripts', 'test'];

function sqlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sqlFiles(path) : name.endsWith('.sql') ? [path] : [];
  });
}

const files = [...DIRS.flatMap((d) => sourceFiles(join(ROOT, d))), ...sqlFiles(join(ROOT, 'storage')), join(ROOT, 'eslint.config.js'), join(ROOT, 'bin', 'liaison.js')].map((f) => relative(ROOT, f));
const ISSUE = /\(issue \d+|\bissue \d+ items? \d/i;

it('no file cites an issue number', () => {
  // This file spells the pattern out; it is not a citation.
  const citing = files.filter((f) => f !== 'test/unit/phase-names.test.ts' && ISSUE.test(readFileSync(join(ROOT, f), 'utf8')));
  expect(citing.filter((f) => !PENDING.has(f))).toEqual([]);
  expect([...PENDING].filter((f) => !citing.includes(f)), 'no longer cites an issue: drop it from PENDING').toEqual([]);
});

it('reads the files it claims to (the control)', () => {
  expect(files).toEqual(expect.arrayContaining(['server/app.ts', 'storage/migrations/004_workflow.sql', 'test/unit/phase-names.test.ts', 'client/web/src/worker.ts']));
});
