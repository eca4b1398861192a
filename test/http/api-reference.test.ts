/**
 * The API reference page the hub serves at /v1/docs: generated from the OpenAPI document it
 * serves at /v1/openapi.json, it lists every route of that document with its auth, parameters,
 * answers, problem types and treaty articles; it is served under the strict policy (no script,
 * no inline style, nothing from elsewhere) and its stylesheet comes from the hub itself.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_CSP } from '../../server/api-reference.ts';
import type { LiaisonApp } from '../../server/app.ts';
import { makeWorld, type World } from '../helpers/world.ts';

type Operation = {
  operationId: string;
  'x-liaison-access': string;
  'x-liaison-problems': string[];
  'x-liaison-articles'?: Record<string, string[]>;
  parameters: Array<{ name: string }>;
  responses: Record<string, unknown>;
};
type Document = { paths: Record<string, Record<string, Operation>> };

let world: World;
let hub: LiaisonApp;
let html: string;
let csp: string;
let document: Document;

beforeAll(async () => {
  world = await makeWorld();
  hub = await world.open();
  const page = await request(hub.app).get('/v1/docs').expect(200);
  expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
  html = page.text;
  csp = page.headers['content-security-policy'] as string;
  document = (await request(hub.app).get('/v1/openapi.json').expect(200)).body as Document;
});

afterAll(async () => {
  await hub.close();
  world.cleanup();
});

/** The section of one operation: sections of operations do not nest. */
function sectionOf(operationId: string): string {
  const start = html.indexOf(`<section class="operation" id="op-${operationId}">`);
  expect(start, `no section for ${operationId}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
}

/** What the page shows for a text: HTML-escaped. */
const shown = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const operations = () => Object.entries(document.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method, path: `/v1${path}`, op })));

describe('the API reference page', () => {
  it('has a section for every route of the OpenAPI document, and only those', () => {
    const ids = [...html.matchAll(/<section class="operation" id="op-([^"]+)">/g)].map((m) => m[1]).sort();
    expect(ids).toEqual(operations().map((o) => o.op.operationId).sort());
    expect(ids.length).toBeGreaterThan(40);
  });

  it('gives each route its method and path, auth, parameters, answers, problem types and treaty articles', () => {
    let articlesShown = 0;
    for (const { method, path, op } of operations()) {
      const section = sectionOf(op.operationId);
      expect(section, op.operationId).toContain(`<span class="method ${method}">${method.toUpperCase()}</span> <code class="path">${shown(path)}</code>`);
      expect(section, op.operationId).toMatch(new RegExp(`<dd class="access">${op['x-liaison-access']}[ :]`));
      for (const parameter of op.parameters) expect(section, `${op.operationId} ${parameter.name}`).toContain(`<td><code>${parameter.name}</code></td>`);
      for (const status of Object.keys(op.responses)) expect(section, `${op.operationId} ${status}`).toContain(`<tr><td>${status}</td>`);
      for (const problem of op['x-liaison-problems']) expect(section, `${op.operationId} ${problem}`).toContain(`<li><code>${problem}</code>`);
      for (const [agreement, articles] of Object.entries(op['x-liaison-articles'] ?? {})) {
        expect(section).toContain(`<code>${agreement}</code>`);
        for (const article of articles) {
          expect(section, `${op.operationId} ${article}`).toContain(`<span class="article">${shown(article)}</span>`);
          articlesShown++;
        }
      }
    }
    // The control: the agreements of this hub do cite articles (an upload's refusals, for one).
    expect(articlesShown).toBeGreaterThan(10);
    expect(sectionOf('uploadPacket')).toContain('RU-PK Art. 6');
  });

  it('is served under the strict policy: no script at all, styles only from the hub, nothing else', () => {
    expect(csp).toBe(REFERENCE_CSP);
    const directives = new Map(csp.split(/;\s*/).map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect([...directives.keys()].filter((d) => d.startsWith('script'))).toEqual([]);
    expect(csp).not.toMatch(/unsafe|data:|https?:|\*/);
  });

  it('holds no script, no inline style, and no resource from elsewhere; its one stylesheet is the hub\'s', async () => {
    expect(html).not.toMatch(/<script|<style|\sstyle=|\son[a-z]+=|javascript:/i);
    const resources = [...html.matchAll(/<(?:link|img|iframe|object|embed|source|audio|video)\b[^>]*>/g)].map((m) => m[0]);
    expect(resources).toEqual(['<link rel="stylesheet" href="/v1/docs/reference.css">']);
    for (const href of [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!)) expect(href, href).toMatch(/^(#|\/v1\/)/);
    const css = await request(hub.app).get('/v1/docs/reference.css').expect(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.text).toContain('.operation');
    expect(css.text).not.toMatch(/@import|url\(/);
  });

  it('links every named schema it refers to', () => {
    for (const target of new Set([...html.matchAll(/href="#(schema-[^"]+)"/g)].map((m) => m[1]!))) expect(html, target).toContain(`id="${target}"`);
  });
});
