/**
 * Start the hub: open it and listen. Nothing else; all behaviour is in `createApp`.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createApp } from './app.ts';
import type { HubConfigInput } from './config.ts';

/** TLS for `liaison serve --tls-cert --tls-key`: browsers give WebCrypto only to secure contexts. */
export interface TlsFiles {
  cert: string;
  key: string;
}

export async function startServer(config: HubConfigInput & { port: number; host: string; tls?: TlsFiles }): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const { port, host, tls, ...hubConfig } = config;
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
  const server: Server = credentials ? createHttpsServer(credentials, app) : createHttpServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  // Slow-loris and stuck-upload protection; long uploads keep sending, so they are unaffected.
  server.headersTimeout = 30_000;
  server.requestTimeout = 0;
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    url: `${credentials ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${actualPort}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await liaison.close();
    },
  };
}
