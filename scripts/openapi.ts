/**
 * Rewrite docs/openapi.json from the route table and the agreements in agreements/ (npm run
 * openapi). test/http/openapi.test.ts fails when the copy and the generated document differ.
 * Writes that one file only; it never starts a hub.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadAgreements } from '../server/agreements.ts';
import { openApiDocument } from '../server/openapi.ts';
import { ROUTES } from '../server/routes/index.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const document = openApiDocument(ROUTES, loadAgreements(`${root}agreements`).values());
writeFileSync(`${root}docs/openapi.json`, `${JSON.stringify(document, null, 2)}\n`);
console.log(`docs/openapi.json: ${Object.keys(document.paths as object).length} paths`);
