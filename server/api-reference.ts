/**
 * The API reference page for people: one static HTML page generated from the hub's OpenAPI
 * document (server/openapi.ts), listing every route with its auth, parameters, request body,
 * answers, problem types and treaty articles, and every named schema. It reads only the
 * document, so the page says exactly what the machine-readable description says.
 *
 * Never: inline script or style, an external resource (CDN, font, image), or anything from a
 * request; every text is HTML-escaped. The page is served under `REFERENCE_CSP`, which allows
 * nothing but the stylesheet `REFERENCE_CSS_PATH` from the hub itself.
 */
import { readFileSync } from 'node:fs';

/** Where the hub serves the page and its stylesheet (server/routes/openapi.ts). */
export const REFERENCE_PATH = '/v1/docs';
export const REFERENCE_CSS_PATH = '/v1/docs/reference.css';

/** The page's policy: no script at all, styles only from this origin's stylesheet, nothing else. */
export const REFERENCE_CSP = ["default-src 'none'", "style-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join('; ');

/** The stylesheet, read once at start. */
export const REFERENCE_CSS = readFileSync(new URL('./api-reference.css', import.meta.url), 'utf8');

type Json = Record<string, unknown>;

interface Operation {
  operationId: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  'x-liaison-access'?: string;
  'x-liaison-problems'?: string[];
  'x-liaison-rules'?: string[];
  'x-liaison-articles'?: Record<string, string[]>;
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: Json }>;
  requestBody?: { description?: string; content?: Record<string, { schema?: Json }> };
  responses?: Record<string, { description?: string; headers?: Record<string, { description?: string; schema?: Json }>; content?: Record<string, { schema?: Json }> }>;
}

interface Document {
  info?: { title?: string; description?: string };
  servers?: Array<{ url?: string }>;
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Json> };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (text: unknown) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
const code = (text: unknown) => `<code>${esc(text)}</code>`;

const ACCESS: Record<string, string> = {
  public: 'public: no session needed',
  login: 'login: the login exchange itself, no session needed',
  member: 'member: a bearer token of a live session of an active member (<code>Authorization: Bearer …</code>)',
};

/** Patterns longer than this are left to the OpenAPI document: the page names the type. */
const MAX_SHOWN_PATTERN = 48;

const refName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);

/** A JSON Schema in a few words, for people: a link for a named schema, the values of an enum, the limits. */
function typeOf(schema: Json | undefined): string {
  if (!schema) return 'any';
  if (typeof schema.$ref === 'string') return `<a href="#schema-${esc(refName(schema.$ref))}">${esc(refName(schema.$ref))}</a>`;
  if ('const' in schema) return code(JSON.stringify(schema.const));
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => code(JSON.stringify(v))).join(' | ');
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options)) return (options as Json[]).map(typeOf).join(' or ');
  }
  const type = Array.isArray(schema.type) ? (schema.type as string[]).join(' or ') : typeof schema.type === 'string' ? schema.type : 'any';
  let words = type === 'array' ? `array of ${typeOf(schema.items as Json | undefined)}` : esc(type);
  const notes: string[] = [];
  if (typeof schema.format === 'string') notes.push(esc(schema.format));
  if (typeof schema.contentMediaType === 'string') notes.push(esc(schema.contentMediaType));
  if (typeof schema.minLength === 'number' || typeof schema.maxLength === 'number') notes.push(`length ${esc(schema.minLength ?? 0)}–${esc(schema.maxLength ?? '∞')}`);
  if (typeof schema.minimum === 'number' || typeof schema.maximum === 'number') notes.push(`${esc(schema.minimum ?? '−∞')}–${esc(schema.maximum ?? '∞')}`);
  if (typeof schema.minItems === 'number' || typeof schema.maxItems === 'number') notes.push(`${esc(schema.minItems ?? 0)}–${esc(schema.maxItems ?? '∞')} items`);
  if (typeof schema.pattern === 'string' && schema.pattern.length <= MAX_SHOWN_PATTERN && !schema.format) notes.push(`matching ${code(schema.pattern)}`);
  if ('default' in schema) notes.push(`default ${code(JSON.stringify(schema.default))}`);
  if (notes.length) words += ` (${notes.join(', ')})`;
  return words;
}

/** The fields of an object schema as rows: name, type, required, description. */
function fieldsTable(schema: Json): string {
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  const rows = Object.entries(properties).map(([name, property]) =>
    `<tr><td>${code(name)}</td><td>${typeOf(property)}</td><td>${required.has(name) ? 'required' : 'optional'}</td><td>${esc(property.description ?? '')}</td></tr>`,
  );
  if (rows.length === 0) return '<p class="none">No fields.</p>';
  return `<table><thead><tr><th>Field</th><th>Type</th><th>Required</th><th>Description</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Each problem code's status and title, read from the answers that carry it ("code: Title; code: Title"). */
function problemTitles(op: Operation): Map<string, { status: string; title: string }> {
  const titles = new Map<string, { status: string; title: string }>();
  for (const [status, answer] of Object.entries(op.responses ?? {})) {
    if (!answer.content?.['application/problem+json']) continue;
    for (const entry of (answer.description ?? '').split('; ')) {
      const colon = entry.indexOf(': ');
      if (colon > 0) titles.set(entry.slice(0, colon), { status, title: entry.slice(colon + 2) });
    }
  }
  return titles;
}

function operationSection(method: string, path: string, op: Operation): string {
  const access = op['x-liaison-access'] ?? (op.security?.length ? 'member' : 'public');
  const parts: string[] = [];
  parts.push(`<section class="operation" id="op-${esc(op.operationId)}">`);
  parts.push(`<h3><span class="method ${esc(method)}">${esc(method.toUpperCase())}</span> <code class="path">${esc(path)}</code></h3>`);
  if (op.summary) parts.push(`<p class="summary">${esc(op.summary)}</p>`);
  parts.push(`<dl class="facts"><dt>Auth</dt><dd class="access">${ACCESS[access] ?? esc(access)}</dd><dt>Operation</dt><dd>${code(op.operationId)}</dd></dl>`);

  parts.push('<h4>Parameters</h4>');
  const parameters = op.parameters ?? [];
  if (parameters.length === 0) parts.push('<p class="none">None.</p>');
  else {
    const rows = parameters.map((p) => `<tr><td>${code(p.name)}</td><td>${esc(p.in)}</td><td>${typeOf(p.schema)}</td><td>${p.required ? 'required' : 'optional'}</td><td>${esc(p.description ?? '')}</td></tr>`);
    parts.push(`<table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Required</th><th>Description</th></tr></thead><tbody>${rows.join('')}</tbody></table>`);
  }

  if (op.requestBody) {
    parts.push('<h4>Request body</h4>');
    if (op.requestBody.description) parts.push(`<p>${esc(op.requestBody.description)}</p>`);
    for (const [type, content] of Object.entries(op.requestBody.content ?? {})) {
      const schema = content.schema;
      parts.push(`<p>${code(type)}: ${schema?.$ref ? typeOf(schema) : ''}</p>`);
      if (schema && !schema.$ref && schema.properties) parts.push(fieldsTable(schema));
    }
  }

  parts.push('<h4>Answers</h4>');
  const answers = Object.entries(op.responses ?? {}).map(([status, answer]) => {
    const content = Object.entries(answer.content ?? {}).map(([type, c]) => `${code(type)}${c.schema ? ` ${typeOf(c.schema)}` : ''}`).join('<br>');
    const headers = Object.entries(answer.headers ?? {}).map(([name, h]) => `${code(name)}: ${esc(h.description ?? '')}`).join('<br>');
    return `<tr><td>${esc(status)}</td><td>${esc(answer.description ?? '')}</td><td>${content || '<span class="none">no body</span>'}</td><td>${headers}</td></tr>`;
  });
  parts.push(`<table><thead><tr><th>Status</th><th>Meaning</th><th>Body</th><th>Headers</th></tr></thead><tbody>${answers.join('')}</tbody></table>`);

  parts.push('<h4>Problem types</h4>');
  const titles = problemTitles(op);
  const problems = op['x-liaison-problems'] ?? [];
  parts.push(`<ul class="problems">${problems.map((p) => `<li>${code(p)} ${esc(titles.get(p)?.status ?? '')} ${esc(titles.get(p)?.title ?? '')}</li>`).join('')}</ul>`);

  parts.push('<h4>Treaty articles</h4>');
  const articles = Object.entries(op['x-liaison-articles'] ?? {});
  if (articles.length === 0) parts.push('<p class="none">No treaty rule refuses this route.</p>');
  else {
    parts.push(`<p>Refusals cite the agreement rules ${(op['x-liaison-rules'] ?? []).map(code).join(', ')}:</p>`);
    parts.push(`<ul class="articles">${articles.map(([agreement, cited]) => `<li>${code(agreement)}: ${cited.map((a) => `<span class="article">${esc(a)}</span>`).join(', ')}</li>`).join('')}</ul>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

/** The whole page for `document` (the hub's own OpenAPI document). */
export function apiReferenceHtml(document: Json): string {
  const doc = document as Document;
  const base = (doc.servers?.[0]?.url ?? '').replace(/\/$/, '');
  const operations = Object.entries(doc.paths ?? {}).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method, path: `${base}${path}`, op })));
  const tags = [...new Set(operations.map((o) => o.op.tags?.[0] ?? 'other'))];
  const title = doc.info?.title ?? 'API';
  const nav = tags.map((tag) => {
    const items = operations.filter((o) => (o.op.tags?.[0] ?? 'other') === tag).map((o) =>
      `<li><a href="#op-${esc(o.op.operationId)}"><span class="method ${esc(o.method)}">${esc(o.method.toUpperCase())}</span> <code>${esc(o.path)}</code></a> <span class="summary">${esc(o.op.summary ?? '')}</span></li>`,
    );
    return `<h3>${esc(tag)}</h3><ul>${items.join('')}</ul>`;
  });
  const schemas = Object.entries(doc.components?.schemas ?? {}).map(([name, schema]) =>
    `<section class="schema" id="schema-${esc(name)}"><h3>${esc(name)}</h3>${typeof schema.description === 'string' ? `<p>${esc(schema.description)}</p>` : ''}${schema.properties ? fieldsTable(schema) : `<p>${typeOf(schema)}</p>`}</section>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}: reference</title>
<link rel="stylesheet" href="${REFERENCE_CSS_PATH}">
</head>
<body>
<header>
<h1>${esc(title)}</h1>
<p>${esc(doc.info?.description ?? '')}</p>
<p>Generated by this hub from its OpenAPI 3.1 document, <a href="${esc(base)}/openapi.json">${esc(base)}/openapi.json</a>, which says the same for machines. ${operations.length} routes.</p>
</header>
<nav aria-label="Routes">
<h2>Routes</h2>
${nav.join('\n')}
</nav>
<main>
<h2>Operations</h2>
${operations.map((o) => operationSection(o.method, o.path, o.op)).join('\n')}
</main>
<section id="schemas">
<h2>Schemas</h2>
${schemas.join('\n')}
</section>
</body>
</html>
`;
}
