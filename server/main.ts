/**
 * Start the hub: open it and listen. Nothing else; all behaviour is in `createApp`, except what
 * only a listening socket has: timeouts against slow and stalled clients, and a limit on open
 * connections per address (docs/threat-model.md, "Slow and stalled clients").
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server, Socket } from 'node:net';
import { createApp } from './app.ts';
import { parseHubConfig, type HubConfigInput } from './config.ts';

/**
 * Bound what slow or many connections can hold: the request head within `headersTimeoutMs`, a
 * whole request within `requestTimeoutMs` except multipart uploads (they may take long, but must
 * keep sending: `idleTimeoutMs` closes a stalled one), idle keep-alive sockets after
 * `keepAliveTimeoutMs`, and at most `maxConnectionsPerAddress` sockets from one address.
 */
export function protectServer(server: HttpServer, limits: { headersTimeoutMs: number; requestTimeoutMs: number; idleTimeoutMs: number; keepAliveTimeoutMs: number; maxConnectionsPerAddress: number }, onRefused: (address: string) => void = () => undefined): void {
  server.headersTimeout = limits.headersTimeoutMs;
  // Node's requestTimeout would also cut a long upload; it is enforced per request below instead.
  server.requestTimeout = 0;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.timeout = limits.idleTimeoutMs;
  server.on('timeout', (socket: Socket) => socket.destroy());
  const open = new Map<string, number>();
  (server as unknown as Server).on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > limits.maxConnectionsPerAddress) {
      onRefused(address);
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
  server.on('request', (req, res) => {
    if (/^multipart\//i.test(req.headers['content-type'] ?? '')) return;
    // A JSON body (the login routes, decisions) or none: it must arrive whole in requestTimeoutMs.
    const timer = setTimeout(() => {
      if (!req.complete) req.socket.destroy();
    }, limits.requestTimeoutMs);
    timer.unref();
    res.once('close', () => clearTimeout(timer));
    req.once('end', () => clearTimeout(timer));
  });
}

/** TLS for `liaison serve --tls-cert --tls-key`: browsers give WebCrypto only to secure contexts. */
export interface TlsFiles {
  cert: string;
  key: string;
}

export async function startServer(config: HubConfigInput & { port: number; host: string; tls?: TlsFiles }): Promise<{ server: HttpServer; url: string; close(): Promise<void> }> {
  const { port, host, tls, ...hubConfig } = config;
  const settings = parseHubConfig(hubConfig);
  let credentials: { cert: Buffer; key: Buffer } | undefined;
  if (tls) {
    try {
      credentials = { cert: readFileSync(tls.cert), key: readFileSync(tls.key) };
    } catch (cause) {
      throw new Error(`cannot read the TLS certificate or key: ${(cause as Error).message}`, { cause });
    }
  }
  const liaison = await createApp(hubConfig);
  const app = liaison.app;
  // HTTPS when given a certificate (helmet's Strict-Transport-Security then binds browsers to it);
  // plain HTTP otherwise, for loopback and for a reverse proxy that terminates TLS.
  const server: HttpServer = credentials ? (createHttpsServer(credentials, app)) : createHttpServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  protectServer(server, settings, (address) => liaison.hub.auditUnauthenticated({ address, action: 'connect', code: 'too-many-connections' }));
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    url: `${credentials ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${actualPort}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await liaison.close();
    },
  };
}
