/**
 * A small loopback load generator for the benchmark, run as its own process so that its work is
 * not counted in the event loop of the server under test. Keeps `concurrency` requests in flight
 * over keep-alive connections for `seconds` (or until `bodies` run out), then prints one JSON line:
 * requests, errors, seconds, requests per second, latency percentiles in ms, first failure.
 *
 *   node scripts/load.ts '{"url": "...", "concurrency": 10, "seconds": 3, "headers": {...}}'
 *
 * With "bodies": a JSON file listing { "contentType", "path" } request bodies, each sent once by
 * POST (durable uploads of distinct packets). Loopback only: refuses any other host.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';

interface LoadSpec {
  url: string;
  concurrency: number;
  seconds: number;
  headers?: Record<string, string>;
  bodies?: string;
  /** A status other than this one counts as an error. */
  expect?: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  firstError?: string;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const target = new URL(spec.url);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) throw new Error('the load generator talks to loopback only');
const bodies = spec.bodies ? (JSON.parse(readFileSync(spec.bodies, 'utf8')) as Array<{ contentType: string; path: string }>) : undefined;
const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });
const latencies: number[] = [];
let errors = 0;
let firstError: string | undefined;
let next = 0;
const started = performance.now();
const until = started + spec.seconds * 1000;

function once(): Promise<void> {
  return new Promise((resolve) => {
    const body = bodies ? bodies[next++] : undefined;
    const t0 = performance.now();
    const req = http.request(
      target,
      {
        agent,
        method: body ? 'POST' : 'GET',
        headers: { ...spec.headers, ...(body ? { 'Content-Type': body.contentType } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          latencies.push(performance.now() - t0);
          if (res.statusCode !== (spec.expect ?? 200)) {
            errors++;
            firstError ??= `${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`;
          }
          resolve();
        });
      },
    );
    req.on('error', (error) => {
      errors++;
      firstError ??= error.message;
      resolve();
    });
    req.end(body ? readFileSync(body.path) : undefined);
  });
}

async function worker(): Promise<void> {
  while (performance.now() < until && (!bodies || next < bodies.length)) await once();
}

await Promise.all(Array.from({ length: spec.concurrency }, worker));
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
const result: LoadResult = {
  requests: latencies.length,
  errors,
  seconds,
  perSecond: latencies.length / seconds,
  p50: pct(50),
  p99: pct(99),
  max: latencies.at(-1) ?? 0,
  ...(firstError ? { firstError } : {}),
};
console.log(JSON.stringify(result));
agent.destroy();
