/**
 * The hub serves the built web client (client/web/dist/, made by `npm run build:web`, which
 * `npm ci` runs as `prepare`) at `/`, under its own Content-Security-Policy: scripts, styles,
 * workers and connections from this origin only; no inline script or style, no eval, no
 * WebAssembly (openpgp.js does not need 'wasm-unsafe-eval' for the v4 profile: no argon2), no
 * frames, no external fonts or CDN. The API keeps its own `default-src 'none'` policy.
 *
 * Never: serves anything outside dist/, lists directories, or sends a packet byte from here.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type RequestHandler } from 'express';
import { Problem } from './errors.ts';

export const WEB_DIST = resolve(import.meta.dirname, '..', 'client', 'web', 'dist');

/** The web client's policy, one directive per line of reasoning. */
const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function webClient(dist = WEB_DIST): RequestHandler {
  const files = express.static(dist, {
    index: 'index.html',
    dotfiles: 'deny',
    redirect: false,
    fallthrough: true,
    setHeaders: (res) => {
      res.setHeader('Content-Security-Policy', WEB_CSP);
      res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    },
  });
  const built = () => existsSync(join(dist, 'index.html'));
  return (req, res, next) => {
    if (req.path.startsWith('/v1/') || req.path === '/v1' || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    if (req.path === '/' && !built()) return next(new Problem('not-found', 'the web client is not built on this hub: run "npm run build:web"'));
    files(req, res, next);
  };
}
