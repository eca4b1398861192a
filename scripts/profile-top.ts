/**
 * `node scripts/profile-top.ts <file.cpuprofile> [n]`: where a CPU profile's time went, as the
 * top `n` functions by self time (and the same grouped by package or source file), in percent
 * of the samples. For the bench's profiles (BENCH_PROFILE) and `node --cpu-prof`; reads only.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, count = '30'] = process.argv.slice(2);
if (!file) throw new Error('usage: node scripts/profile-top.ts <file.cpuprofile> [n]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});

/** Where a frame's code lives: a package name, a project file, or the runtime. */
function origin(url: string): string {
  if (!url) return '(runtime)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\/.*?\/(server|storage|keys|protocol|client|scripts)\//, '$1/');
}

const functions = new Map<string, number>();
const origins = new Map<string, number>();
for (const [id, time] of self) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const where = origin(url);
  const key = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
  functions.set(key, (functions.get(key) ?? 0) + time);
  origins.set(where, (origins.get(where) ?? 0) + time);
}
const print = (title: string, rows: Map<string, number>, n: number) => {
  console.log(`${title} (${(total / 1000).toFixed(0)} ms sampled)`);
  for (const [key, time] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((100 * time) / total).toFixed(1).padStart(6)} %  ${key}`);
};
print('self time by function', functions, Number(count));
console.log('');
print('self time by package or file', origins, 15);
