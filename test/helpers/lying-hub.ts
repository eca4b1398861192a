/**
 * A deliberately lying hub: a loopback proxy in front of a real hub that lets a test rewrite any
 * JSON answer (inject keys, swap parties, replay stale statements) before the client sees it.
 */
import { createServer, type Server } from 'node:http';
import type { Express } from 'express';

export type Rewrite = (path: string, body: unknown) => unknown;

export interface LyingHub {
  url: string;
  rewrite: Rewrite | undefined;
  /** Every request the proxy passed on, as `METHOD /path`, in order. */
  requests: string[];
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

/** Serve `app` for real, and a proxy in front of it that applies `rewrite` to JSON answers. */
export async function startLyingHub(app: Express): Promise<LyingHub> {
  const real = createServer(app);
  const realUrl = await listen(real);
  const state: { rewrite: Rewrite | undefined } = { rewrite: undefined };
  const requests: string[] = [];
  const proxy = createServer((req, res) => {
    requests.push(`${req.method ?? '?'} ${new URL(req.url ?? '/', realUrl).pathname}`);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
        const body = chunks.length ? Buffer.concat(chunks) : undefined;
        const upstream = await fetch(`${realUrl}${req.url}`, { method: req.method, headers, ...(body ? { body } : {}) });
        const type = upstream.headers.get('content-type') ?? '';
        let payload = Buffer.from(await upstream.arrayBuffer());
        if (type.includes('json') && state.rewrite && upstream.ok) {
          payload = Buffer.from(JSON.stringify(state.rewrite(new URL(req.url!, realUrl).pathname, JSON.parse(payload.toString('utf8')))));
        }
        const out: Record<string, string> = {};
        upstream.headers.forEach((v, k) => {
          if (k !== 'content-length' && k !== 'content-encoding' && k !== 'transfer-encoding') out[k] = v;
        });
        res.writeHead(upstream.status, { ...out, 'content-length': String(payload.length) });
        res.end(payload);
      })().catch(() => {
        res.writeHead(502);
        res.end();
      });
    });
  });
  const url = await listen(proxy);
  return {
    url,
    requests,
    get rewrite() {
      return state.rewrite;
    },
    set rewrite(fn) {
      state.rewrite = fn;
    },
    close: async () => {
      await new Promise<void>((r) => proxy.close(() => r()));
      await new Promise<void>((r) => real.close(() => r()));
    },
  };
}
