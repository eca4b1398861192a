/**
 * server/ depends on storage/ through its ports only: the repository interfaces and records, the
 * blob store port, the listing shapes and the audit checks written over the Storage interface.
 * The implementations (storage/sqlite/, the file-system blob store, the connection and the group
 * commit) are opened in exactly the places that open a hub's stores: server/hub.ts (the running
 * hub), server/admin.ts (hub init, enrolment) and server/evidence.ts (the operator's `--data`
 * access to the audit log), so a PostgreSQL or object-store backend changes those lines and
 * nothing else in server/. Read from the source, type-only and dynamic imports included.
 */
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, importsOf, sourceFiles } from '../helpers/imports.ts';

const PORTS = new Set(['storage/repositories.ts', 'storage/records.ts', 'storage/blob-store.ts', 'storage/listings.ts', 'storage/audit.ts']);
const OPENERS = new Set(['server/hub.ts', 'server/admin.ts', 'server/evidence.ts']);
const IMPLEMENTATIONS = new Set(['storage/sqlite/index.ts', 'storage/blobs.ts']);

const storageImports = sourceFiles(join(ROOT, 'server')).flatMap((file) =>
  importsOf(file).filter((target) => target.startsWith('storage/')).map((target) => ({ from: relative(ROOT, file), target })),
);

it('imports storage/ through its ports, and its implementations only where the hub opens them', () => {
  const wrong = storageImports.filter(({ from, target }) => !PORTS.has(target) && !(OPENERS.has(from) && IMPLEMENTATIONS.has(target)));
  expect(wrong).toEqual([]);
});

it('opens both stores where it says it does (the control: the reader sees the imports)', () => {
  const opened = storageImports.filter(({ target }) => IMPLEMENTATIONS.has(target)).map(({ from, target }) => `${from} -> ${target}`).sort();
  expect(opened).toEqual([
    'server/admin.ts -> storage/blobs.ts',
    'server/admin.ts -> storage/sqlite/index.ts',
    'server/evidence.ts -> storage/sqlite/index.ts',
    'server/hub.ts -> storage/blobs.ts',
    'server/hub.ts -> storage/sqlite/index.ts',
  ]);
});
