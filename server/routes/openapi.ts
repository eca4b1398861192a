/**
 * The route that serves the API's own description: the OpenAPI 3.1 document of every route of
 * this hub (server/openapi.ts), citing the articles of the agreements this hub loaded.
 */
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import type { Hub } from '../hub.ts';
import { OPENAPI_VERSION, openApiDocument } from '../openapi.ts';

/** The agreements never change while a hub runs: one document per hub. */
const documents = new WeakMap<Hub, Record<string, unknown>>();

/** `routes` is read when the document is first asked for, so the table can include this route. */
export function openApiRoutes(routes: () => readonly RouteSpec[]): RouteSpec[] {
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
      handle: ({ hub }) => {
        let document = documents.get(hub);
        if (!document) {
          document = openApiDocument(routes(), hub.agreements.values());
          documents.set(hub, document);
        }
        return document;
      },
    }),
  ];
}
