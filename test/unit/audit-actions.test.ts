/**
 * Audit action names have one home, protocol/evidence.ts (AUDIT_ACTIONS, and the AuditAction type
 * every writer is held to), and docs/evidence.md lists exactly those: a name added to the code
 * and not to the documentation, or documented and gone from the code, fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../../protocol/evidence.ts';

describe('audit actions', () => {
  it('are the ones docs/evidence.md lists', () => {
    const doc = readFileSync(new URL('../../docs/evidence.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('### Audit actions'), doc.indexOf('###', doc.indexOf('### Audit actions') + 3));
    const listed = [...section.matchAll(/`([a-z-]+\.[a-z.-]+|connect|\(many\))`/g)].map((m) => m[1]!);
    expect(new Set(listed)).toEqual(new Set(AUDIT_ACTIONS));
  });
});
