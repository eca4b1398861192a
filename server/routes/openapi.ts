/**
 * The routes that describe the API itself: the OpenAPI 3.1 document of every route of this hub
 * (server/openapi.ts), citing the articles of the agreements this hub loaded, and the reference
 * page for people generated from that document (server/api-reference.ts) with its stylesheet.
 * They read nothing but the route table and the agreements; the page is served under its own
 * strict policy (no script, styles from the hub only), never with inline script or style.
 */
import { z } from 'zod';
import { REFERENCE_CSP, REFERENCE_CSS, REFERENCE_CSS_PATH, REFERENCE_PATH, apiReferenceHtml } from '../api-reference.ts';
import { ANSWERED, defineRoute, type RouteSpec } from '../http/route.ts';
import type { Hub } from '../hub.ts';
import { OPENAPI_VERSION, openApiDocument } from '../openapi.ts';

/** The agreements never change while a hub runs: one document, and one page, per hub. */
const documents = new WeakMap<Hub, { document: Record<string, unknown>; page?: string }>();

const underV1 = (path: string) => path.replace(/^\/v1/, '');

/** `routes` is read when the document is first asked for, so the table can include these routes. */
export function openApiRoutes(routes: () => readonly RouteSpec[]): RouteSpec[] {
  const described = (hub: Hub) => {
    let entry = documents.get(hub);
    if (!entry) {
      entry = { document: openApiDocument(routes(), hub.agreements.values()) };
      documents.set(hub, entry);
    }
    return entry;
  };
  return [
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      operationId: 'getOpenApi',
      tag: 'hub',
      summary: 'This description of the API (OpenAPI 3.1, generated from the schemas the hub parses with)',
      access: 'public',
      answer: { status: 200, description: 'the OpenAPI document', schema: z.looseObject({ openapi: z.literal(OPENAPI_VERSION) }) },
      problems: [],
      handle: ({ hub }) => described(hub).document,
    }),
    defineRoute({
      method: 'get',
      path: underV1(REFERENCE_PATH),
      operationId: 'getApiReference',
      tag: 'hub',
      summary: 'This description as a page for people: every route, its auth, parameters, answers, problem types and treaty articles',
      access: 'public',
      answer: { status: 200, description: 'the reference page (HTML, generated from the OpenAPI document; no script)', contentType: 'text/html' },
      problems: [],
      handle: ({ hub, http }) => {
        const entry = described(hub);
        entry.page ??= apiReferenceHtml(entry.document);
        http.res.set({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': REFERENCE_CSP }).send(entry.page);
        return ANSWERED;
      },
    }),
    defineRoute({
      method: 'get',
      path: underV1(REFERENCE_CSS_PATH),
      operationId: 'getApiReferenceStyle',
      tag: 'hub',
      summary: "The reference page's stylesheet",
      access: 'public',
      answer: { status: 200, description: 'the stylesheet', contentType: 'text/css' },
      problems: [],
      handle: ({ http }) => {
        http.res.set('Content-Type', 'text/css; charset=utf-8').send(REFERENCE_CSS);
        return ANSWERED;
      },
    }),
  ];
}
