/**
 * The OpenAPI 3.1 description of the hub's API, generated from the route table (server/routes/)
 * and the very zod schemas the routes parse with (`z.toJSONSchema`, JSON Schema 2020-12, which is
 * OpenAPI 3.1's dialect). Request schemas are the schemas' input side (what a client sends),
 * answers their output side. Every route carries its access, its problem types and the articles
 * of the agreements loaded that its refusals cite. Pure: no I/O; `scripts/openapi.ts` writes the
 * copy in docs/openapi.json, `GET /v1/openapi.json` serves the hub's own.
 */
import { z } from 'zod';
import type { Agreement } from '../protocol/agreement.ts';
import { Agreement as AgreementSchema, AgreementView } from '../protocol/agreement.ts';
import { AgreementSummary, Contact, HubInfo, Member, PacketDetail, PacketSummary, ProblemDetails, Rotation, SubmitResult } from '../protocol/api.ts';
import { AuditEvent, AuditExport, EvidenceBundle, Receipt, SignedReceipt } from '../protocol/evidence.ts';
import { Release } from '../protocol/release.ts';
import { AuthenticityView, DeadlineItem, OralRequestView, RequestView } from '../protocol/requests.ts';
import { PROBLEM_TYPE_BASE, STATUS, TITLE, type ProblemCode } from './errors.ts';
import type { AgreementRuleName, RouteSpec } from './http/route.ts';

type JsonSchema = Record<string, unknown>;

export const OPENAPI_VERSION = '3.1.0';

/**
 * The named answer shapes: each becomes one entry of `components.schemas`, referenced wherever an
 * answer holds it, so the document says once what a Member or a Release is.
 */
const SHARED: Record<string, z.ZodType> = {
  Problem: ProblemDetails,
  HubInfo,
  Agreement: AgreementSchema,
  AgreementView,
  AgreementSummary,
  Member,
  Rotation,
  Contact,
  PacketSummary,
  PacketDetail,
  SubmitResult,
  Release,
  SignedReceipt,
  Receipt,
  AuditEvent,
  AuditExport,
  EvidenceBundle,
  RequestView,
  OralRequestView,
  AuthenticityView,
  DeadlineItem,
};

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

/**
 * Convert every schema of `entries` in one pass over a zod registry: a schema that is an entry is
 * a `$ref` wherever another entry holds it. Request schemas are converted as input (what a client
 * sends; a transform such as a lower-cased id describes its input), answers as output.
 */
function convert(entries: ReadonlyMap<z.ZodType, string>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of entries) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io, unrepresentable: 'any', target: 'draft-2020-12', uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => {
    const { $schema: _dialect, id: _id, ...rest } = schema;
    return [id, rest];
  }));
}

/** `/packets/:id/parts/:partId` -> `/packets/{id}/parts/{partId}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z]+)/g, '{$1}');
}

/** The parameters of an object schema (path or query), each with its own schema and whether it is required. */
function parametersOf(object: { properties?: Record<string, JsonSchema>; required?: string[] } | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!object) return [];
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (object.required ?? []).includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: propertySchema,
    };
  });
}

/** Every article an agreement gives the named rule (a rule, or a group of rules such as `workflow`). */
function articlesOf(agreement: Agreement, rule: AgreementRuleName): string[] {
  const found: string[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'article' && typeof inner === 'string') found.push(inner);
        else walk(inner);
      }
    }
  };
  walk(agreement[rule]);
  return [...new Set(found)];
}

/** The problems a route can answer: its own, plus 400 for bad input (every route parses), 401 for member routes, 413 for a body. */
function problemsOf(route: RouteSpec): ProblemCode[] {
  const codes = new Set<ProblemCode>(['bad-request', ...route.problems]);
  if (route.access === 'member') codes.add('unauthenticated');
  if (route.body || route.multipart) codes.add('too-large');
  if (route.body) codes.add('unsupported-media-type');
  return [...codes].sort((a, b) => STATUS[a] - STATUS[b] || a.localeCompare(b));
}

/** A header's value schema (a plain string pattern; headers hold no shared shapes). */
function headerSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

/** The component ids of every schema the routes use: shared answers by name, the rest by operation. */
interface Catalogue {
  answers: Map<z.ZodType, string>;
  inputs: Map<z.ZodType, string>;
}

function catalogue(routes: readonly RouteSpec[]): Catalogue {
  const answers = new Map<z.ZodType, string>(Object.entries(SHARED).map(([id, schema]) => [schema, id]));
  const inputs = new Map<z.ZodType, string>();
  const upper = (id: string) => id[0]!.toUpperCase() + id.slice(1);
  for (const route of routes) {
    const op = upper(route.operationId);
    if (route.answer.schema && !answers.has(route.answer.schema)) answers.set(route.answer.schema, `${op}Answer`);
    for (const [suffix, schema] of [['Params', route.params], ['Query', route.query], ['Body', route.body], ['Fields', route.multipart?.fields]] as const) {
      if (schema && !inputs.has(schema)) inputs.set(schema, `${op}${suffix}`);
    }
  }
  return { answers, inputs };
}

function operation(route: RouteSpec, agreements: readonly Agreement[], ids: Catalogue, inputs: Record<string, JsonSchema>): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  const answer = route.answer;
  responses[String(answer.status)] = {
    description: answer.description,
    ...(answer.headers
      ? { headers: Object.fromEntries(Object.entries(answer.headers).map(([name, h]) => [name, { description: h.description, required: true, schema: headerSchema(h.schema) }])) }
      : {}),
    ...(answer.schema ? { content: { 'application/json': { schema: ref(ids.answers.get(answer.schema)!) } } } : {}),
    ...(answer.contentType ? { content: { [answer.contentType]: { schema: { type: 'string', contentMediaType: answer.contentType } } } } : {}),
  };
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of problemsOf(route)) byStatus.set(STATUS[code], [...(byStatus.get(STATUS[code]) ?? []), code]);
  for (const [status, codes] of byStatus) {
    responses[String(status)] = {
      description: codes.map((c) => `${c}: ${TITLE[c]}`).join('; '),
      content: { 'application/problem+json': { schema: ref('Problem') } },
    };
  }
  const articles: Record<string, string[]> = {};
  for (const agreement of agreements) {
    const cited = (route.rules ?? []).flatMap((rule) => articlesOf(agreement, rule));
    if (cited.length > 0) articles[agreement.id] = [...new Set(cited)];
  }
  const objectOf = (schema: z.ZodType | undefined) => (schema ? (inputs[ids.inputs.get(schema)!] as { properties?: Record<string, JsonSchema>; required?: string[] }) : undefined);
  let requestBody: JsonSchema | undefined;
  if (route.body) requestBody = { required: true, content: { 'application/json': { schema: ref(ids.inputs.get(route.body)!) } } };
  if (route.multipart) {
    const fields = objectOf(route.multipart.fields)!;
    requestBody = {
      required: true,
      description: `Text fields, then ${route.multipart.files}.`,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            properties: fields.properties ?? {},
            required: fields.required ?? [],
            patternProperties: { '^p[1-9][0-9]{0,2}$': { type: 'string', contentMediaType: 'application/octet-stream' } },
            additionalProperties: false,
          },
        },
      },
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    security: route.access === 'member' ? [{ bearer: [] }] : [],
    'x-liaison-access': route.access,
    'x-liaison-problems': problemsOf(route),
    ...(route.rules?.length ? { 'x-liaison-rules': route.rules, 'x-liaison-articles': articles } : {}),
    parameters: [...parametersOf(objectOf(route.params), 'path'), ...parametersOf(objectOf(route.query), 'query')],
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

/** The whole document for `routes` under /v1, citing the articles of `agreements`. */
export function openApiDocument(routes: readonly RouteSpec[], agreements: Iterable<Agreement>): JsonSchema {
  const loaded = [...agreements].sort((a, b) => a.id.localeCompare(b.id));
  const ids = catalogue(routes);
  const inputs = convert(ids.inputs, 'input');
  // Parameters and multipart fields are spelled out in the operation; only bodies stay components.
  const bodyIds = new Set(routes.flatMap((r) => (r.body ? [ids.inputs.get(r.body)!] : [])));
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operation(route, loaded, ids, inputs) };
  }
  const schemas = { ...convert(ids.answers, 'output'), ...Object.fromEntries(Object.entries(inputs).filter(([id]) => bodyIds.has(id))) };
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'Liaison hub API',
      version: '1',
      description:
        'The hub relays OpenPGP-encrypted packets between the parties of cooperation agreements; it never sees plaintext. ' +
        'Every list is a page ({items, nextCursor}; pass nextCursor back as cursor). Errors are RFC 9457 problem+json with a stable `code` ' +
        `(the last segment of \`type\`, under ${PROBLEM_TYPE_BASE}) and, when a treaty rule refused, the \`article\`. ` +
        "x-liaison-articles lists, per agreement this hub enforces, the articles a route's refusals cite.",
    },
    servers: [{ url: '/v1' }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token from POST /auth/token (a signed login challenge).' } },
      schemas,
    },
  };
}
