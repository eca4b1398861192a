/**
 * The client's import graph, read from the source: no circle anywhere in client/ (a
 * module that needs another that needs it back is two modules in the wrong rooms), and the layers
 * point one way: cli -> node -> core, web -> core, and core, node, cli and web reach outside
 * client/ only into keys/ and protocol/ (never server/ or storage/). Static, dynamic (`import()`)
 * and type-only imports all count: a reader follows each of them.
 */
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT as root, importsOf, sourceFiles } from '../helpers/imports.ts';

// The web client's build configuration (client/web/vite.config.ts) runs in Node at build time and
// ships nothing: its plugins live in scripts/, which no client code may import.
const graph = new Map(
  sourceFiles(join(root, 'client'))
    .filter((f) => !f.endsWith('/vite.config.ts'))
    .map((f) => [relative(root, f), importsOf(f)]),
);

/** Every cycle, each as the path that closes it (Tarjan's strongly connected components). */
function cycles(edges: Map<string, string[]>): string[][] {
  let index = 0;
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!edges.has(w)) continue;
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!order.has(v)) visit(v);
  return found;
}

const LAYER = /^client\/(core|node|cli|web)\//;
const MAY_IMPORT: Record<string, RegExp> = {
  core: /^(client\/core|keys|protocol)\//,
  node: /^(client\/(core|node)|keys|protocol)\//,
  cli: /^(client\/(core|node|cli)|keys|protocol)\//,
  web: /^(client\/(core|web)|keys|protocol)\//,
};

describe('the client import graph', () => {
  it('reads the client modules and their imports', () => {
    expect(graph.size).toBeGreaterThan(40);
    expect(graph.get('client/cli/commands.ts')).toContain('client/node/sending.ts');
  });

  it('has no circle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('points one way: cli -> node -> core, web -> core, and out only to keys/ and protocol/', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const layer = LAYER.exec(file)?.[1];
      if (!layer) continue;
      for (const t of targets) if (!MAY_IMPORT[layer]!.test(t)) wrong.push(`${file} -> ${t}`);
    }
    expect(wrong).toEqual([]);
  });

  it('the cycle check finds a circle (the control)', () => {
    const circle = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    expect(cycles(circle)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
