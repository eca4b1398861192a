/**
 * No dead exports: every name a source module exports is imported by another module (source or
 * test), so a reader can trust that an export is part of something. Reads every module with the
 * TypeScript parser (no type-check, so it takes a second): named, type, namespace, re-exported
 * and dynamic imports, and destructured `await import(...)` results. Entry points (bin, the
 * hub's main, scripts, the web client's page and worker) and configuration files are not
 * imported by anyone and are left out. When this fails, remove the export or drop its `export`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const SOURCE_DIRS = ['keys', 'protocol', 'server', 'storage', 'client', 'scripts', 'bin'];
/** Modules that are started, not imported: what they export is for nobody. */
const ENTRY = [/^bin\//, /^scripts\//, /^server\/main\.ts$/, /^client\/web\/src\/main\.tsx$/, /^client\/web\/vite\.config\.ts$/];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) return [];
    const path = join(dir, e.name);
    return e.isDirectory() ? files(path) : /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Dead when this test came, in files other branches were changing at the time (the listings, the
 * app's middleware, the upload, the blob store, the web client): swept when those land. The list
 * may only shrink: an entry that is no longer dead fails the test too.
 */
const PENDING = new Set<string>([]);

const ALL = '*';
const parse = (file: string) => ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
const hasExport = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** The names `file` exports itself (re-exports are counted as uses of their origin, below). */
function exportsOf(source: ts.SourceFile): string[] {
  const names: string[] = [];
  for (const s of source.statements) {
    if (ts.isExportDeclaration(s) && !s.moduleSpecifier && s.exportClause && ts.isNamedExports(s.exportClause)) names.push(...s.exportClause.elements.map((e) => e.name.text));
    if (!hasExport(s)) continue;
    if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) names.push(d.name.text);
    if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEnumDeclaration(s)) && s.name) names.push(s.name.text);
  }
  return [...new Set(names)];
}

/** Every (module, name) that `source` imports, with relative specifiers resolved. */
function importsOf(source: ts.SourceFile, file: string, add: (target: string, name: string) => void): void {
  const target = (spec: string) => resolve(dirname(file), spec);
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text.startsWith('.')) {
      const to = target(node.moduleSpecifier.text);
      if (ts.isImportDeclaration(node)) {
        const clause = node.importClause;
        if (!clause) add(to, ALL);
        else {
          if (clause.name) add(to, 'default');
          const bindings = clause.namedBindings;
          if (bindings && ts.isNamespaceImport(bindings)) add(to, ALL);
          if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) add(to, (e.propertyName ?? e.name).text);
        }
      } else if (!node.exportClause || ts.isNamespaceExport(node.exportClause)) add(to, ALL);
      else for (const e of node.exportClause.elements) add(to, (e.propertyName ?? e.name).text);
    }
    // await import('./x.ts'), with the names destructured where it is assigned, else all of them.
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0]) && node.arguments[0].text.startsWith('.')) {
      const to = target(node.arguments[0].text);
      let holder: ts.Node = node.parent;
      while (ts.isAwaitExpression(holder) || ts.isParenthesizedExpression(holder)) holder = holder.parent;
      if (ts.isVariableDeclaration(holder) && ts.isObjectBindingPattern(holder.name)) {
        for (const e of holder.name.elements) add(to, ((e.propertyName as ts.Identifier | undefined) ?? (e.name as ts.Identifier)).text);
      } else if (ts.isPropertyAccessExpression(holder)) add(to, holder.name.text);
      else add(to, ALL);
    }
    // import('./x.ts').Name in a type position.
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal) && node.argument.literal.text.startsWith('.')) {
      add(target(node.argument.literal.text), node.qualifier && ts.isIdentifier(node.qualifier) ? node.qualifier.text : ALL);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

describe('exports', () => {
  it('are each imported by some other module', () => {
    const sources = SOURCE_DIRS.flatMap((d) => files(join(root, d)));
    const used = new Map<string, Set<string>>();
    const add = (to: string, name: string) => {
      const key = /\.tsx?$/.test(to) ? to : `${to}.ts`;
      if (!used.has(key)) used.set(key, new Set());
      used.get(key)!.add(name);
    };
    for (const file of [...sources, ...files(join(root, 'test'))]) importsOf(parse(file), file, add);
    const dead: string[] = [];
    for (const file of sources) {
      const rel = relative(root, file);
      if (ENTRY.some((p) => p.test(rel))) continue;
      const names = used.get(file);
      if (names?.has(ALL)) continue;
      for (const name of exportsOf(parse(file))) if (!names?.has(name)) dead.push(`${rel}: ${name}`);
    }
    expect(dead.filter((d) => !PENDING.has(d))).toEqual([]);
    expect([...PENDING].filter((p) => !dead.includes(p))).toEqual([]);
  });
});
