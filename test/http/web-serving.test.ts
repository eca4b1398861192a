/**
 * The hub serves the built web client at `/` under a strict CSP, keeps its API policy, and with
 * `liaison serve --tls-cert --tls-key` answers over HTTPS with HSTS.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liaison, startHub } from '../../scripts/harness.ts';
import { WEB_DIST } from '../../server/web.ts';
import { catalogues, translator } from '../../client/web/src/i18n.ts';
import { deadlineWhatLabel, packetStateLabel, releaseStateLabel, requestStateLabel } from '../../client/web/src/labels.ts';
import { PacketState } from '../../protocol/api.ts';
import { ReleaseState } from '../../protocol/release.ts';
import { DeadlineItem, RequestState } from '../../protocol/requests.ts';
import type { LiaisonApp } from '../../server/app.ts';
import { makeWorld, type World } from '../helpers/world.ts';

let world: World;
let hub: LiaisonApp;

beforeAll(async () => {
  world = await makeWorld();
  hub = await world.open();
});
afterAll(async () => {
  await hub.close();
  world.cleanup();
});

describe('the web client at /', () => {
  it('is built (npm ci runs prepare -> build:web) and served with a strict CSP and no inline script', async () => {
    const res = await supertest(hub.app).get('/').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const csp = res.headers['content-security-policy'] as string;
    for (const d of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "worker-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]) expect(csp).toContain(d);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|wasm-unsafe-eval|https?:|data:|\*/);
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.text).not.toMatch(/https?:\/\//);
    const assets = readdirSync(join(WEB_DIST, 'assets'));
    expect(assets.some((a) => a.startsWith('worker-'))).toBe(true);
    const script = await supertest(hub.app).get(`/assets/${assets.find((a) => a.startsWith('index-') && a.endsWith('.js'))!}`).expect(200);
    expect(script.headers['content-type']).toMatch(/javascript/);
    expect(script.headers['x-content-type-options']).toBe('nosniff');
  });

  it('keeps the API under its own default-src none policy, and answers unknown paths with a problem', async () => {
    const api = await supertest(hub.app).get('/v1/hub').expect(200);
    expect(api.headers['content-security-policy']).toContain("default-src 'none'");
    const missing = await supertest(hub.app).get('/no-such-page').expect(404);
    expect(missing.headers['content-type']).toMatch(/problem\+json/);
    await supertest(hub.app).get('/../package.json').expect(404);
    await supertest(hub.app).post('/').expect(404);
  });

  it('has English and Russian catalogues with the same keys, none empty', () => {
    expect(Object.keys(catalogues.ru).sort()).toEqual(Object.keys(catalogues.en).sort());
    for (const [locale, table] of Object.entries(catalogues)) for (const [key, text] of Object.entries(table)) expect(text.trim(), `${locale}.${key}`).not.toBe('');
  });

  it('words every state and deadline kind of the protocol in Russian, and leaves a name it does not know as the hub gave it', () => {
    const ru = translator('ru');
    const named: [string, (t: typeof ru, name: string) => string, readonly string[]][] = [
      ['packet state', packetStateLabel, PacketState.options],
      ['request state', requestStateLabel, RequestState.options],
      ['release state', releaseStateLabel, ReleaseState.options],
      ['deadline', deadlineWhatLabel, DeadlineItem.shape.what.options],
    ];
    for (const [what, label, names] of named)
      for (const name of names) {
        const worded = label(ru, name);
        expect(worded, `${what} ${name}`).toMatch(/[а-яё]/);
        expect(worded, `${what} ${name}`).not.toMatch(/\{|[a-z]{3}/);
      }
    expect(requestStateLabel(ru, 'executed, delay notified')).toBe('executed, delay notified');
  });
});

describe('liaison serve --tls-cert --tls-key', () => {
  it('serves HTTPS with Strict-Transport-Security', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liaison-tls-'));
    try {
      const cert = join(dir, 'cert.pem');
      const key = join(dir, 'key.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      const data = join(dir, 'hub');
      expect((await liaison(['hub', 'init', '--data', data])).code).toBe(0);
      const served = await startHub(data, join(dir, 'hub.log'), ['--tls-cert', cert, '--tls-key', key]);
      try {
        expect(served.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
          request(`${served.url}/`, { ca: readFileSync(cert) }, (res) => {
            res.resume();
            resolve(res.headers);
          })
            .on('error', reject)
            .end();
        });
        expect(headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
        expect(headers['content-security-policy']).toContain("default-src 'self'");
      } finally {
        await served.stop();
      }
      // Half a TLS configuration is refused in one sentence.
      const half = await liaison(['serve', '--data', data, '--port', '0', '--tls-cert', cert]);
      expect(half.code).not.toBe(0);
      expect(half.stderr).toMatch(/--tls-cert and --tls-key go together/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
