/**
 * The client core (client/core/) and what it imports (keys/, protocol/) run in Node and in the
 * browser: this walks their import graph from the source and fails on any Node built-in, Node-only
 * library, `process` or `Buffer`, or an import of client/node or client/cli. The eslint rule says
 * the same per file; this also follows imports, so a core file cannot reach Node through a helper.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const NODE_ONLY = new Set(['commander', 'read', 'cli-progress', 'form-data', 'mime-types', 'pino', 'express', 'better-sqlite3', 'multer', 'fs', 'os', 'path', 'crypto', 'stream', 'http', 'https', 'module', 'buffer', 'process', 'child_process']);

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm)].map((m) => (m[1] ?? m[2])!);
}

function violations(entry: string): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const rel = relative(root, file);
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    if (/\bprocess\.|\bBuffer\./.test(code)) problems.push(`${rel} uses process or Buffer`);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        const targetRel = relative(root, target);
        if (!/^(client\/core|keys|protocol)\//.test(targetRel)) problems.push(`${rel} imports ${targetRel}`);
        else walk(target);
      } else {
        const name = spec.startsWith('node:') ? spec : spec.split('/')[0]!;
        if (spec.startsWith('node:') || NODE_ONLY.has(name)) problems.push(`${rel} imports ${spec}`);
      }
    }
  };
  walk(entry);
  return problems;
}

describe('the client core imports nothing Node-only', () => {
  const files = readdirSync(join(root, 'client/core')).filter((f) => f.endsWith('.ts'));

  it('has the modules both clients share', () => {
    expect(files).toEqual(expect.arrayContaining(['api.ts', 'trust.ts', 'language.ts', 'sending.ts', 'opening.ts', 'releases.ts', 'rewrap.ts', 'evidence.ts', 'session.ts', 'officer.ts', 'levels.ts', 'dates.ts', 'storage.ts', 'part-io.ts']));
  });

  for (const f of files) {
    it(`client/core/${f} and everything it imports`, () => {
      expect(violations(join(root, 'client/core', f))).toEqual([]);
    });
  }

  it('the check itself finds a Node import (client/node/opening.ts has several)', () => {
    const problems = violations(join(root, 'client/node/opening.ts'));
    expect(problems.some((p) => p.includes('node:fs'))).toBe(true);
  });
});
