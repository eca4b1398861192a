/**
 * Start the hub: open it and listen. Nothing else; all behaviour is in `createApp`.
 */
import type { Server } from 'node:http';
import { createApp } from './app.ts';
import type { HubConfigInput } from './config.ts';

export async function startServer(config: HubConfigInput & { port: number; host: string }): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const { port, host, ...hubConfig } = config;
  const liaison = await createApp(hubConfig);
  const app = liaison.app;
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.on('error', reject);
  });
  // Slow-loris and stuck-upload protection; long uploads keep sending, so they are unaffected.
  server.headersTimeout = 30_000;
  server.requestTimeout = 0;
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await liaison.close();
    },
  };
}
