/**
 * server/policy/roles.ts: the one spelling of each role and standing, case by case.
 */
import { describe, expect, it } from 'vitest';
import { isActive, isContact, isOfficerOf, isReader, isTranslator, requireContact } from '../../../server/policy/roles.ts';
import type { Role } from '../../../protocol/ids.ts';
import { NOW, member } from './records.ts';

describe('roles', () => {
  it.each<[Role[], { contact: boolean; reader: boolean; translator: boolean }]>([
    [['contact'], { contact: true, reader: true, translator: true }],
    [['clerk'], { contact: false, reader: true, translator: true }],
    [['officer'], { contact: false, reader: false, translator: false }],
    [['officer', 'clerk'], { contact: false, reader: true, translator: true }],
    [[], { contact: false, reader: false, translator: false }],
  ])('%j: contact, reader, translator', (roles, want) => {
    const m = member({ roles });
    expect({ contact: isContact(m), reader: isReader(m), translator: isTranslator(m) }).toEqual(want);
  });

  it('refuses a member without the contact role, naming the action', () => {
    expect(() => requireContact(member({ roles: ['clerk'] }), 'submitting')).toThrow('submitting needs the contact role');
    expect(() => requireContact(member(), 'submitting')).not.toThrow();
  });
});

describe('standing', () => {
  it.each<[string, Parameters<typeof member>[0], boolean]>([
    ['active', {}, true],
    ['revoked before now', { revokedAt: '2026-05-31T00:00:00.000Z' }, false],
    ['revocation dated after now (not yet in force)', { revokedAt: '2026-06-02T00:00:00.000Z' }, true],
    ['not yet valid', { validFrom: '2026-06-01T12:00:01.000Z' }, false],
    ['statement expired', { validUntil: '2026-06-01T12:00:00.000Z' }, false],
    ['key expired', { keyExpiresAt: '2026-05-01T00:00:00.000Z' }, false],
  ])('%s', (_label, over, active) => {
    expect(isActive(member(over), NOW)).toBe(active);
  });

  it.each<[string, Parameters<typeof member>[0], string, boolean]>([
    ['an active officer of the party', { roles: ['officer'] }, 'PK', true],
    ['an officer of another party', { roles: ['officer'] }, 'RU', false],
    ['a revoked officer', { roles: ['officer'], revokedAt: '2026-05-01T00:00:00.000Z' }, 'PK', false],
    ['an expired officer', { roles: ['officer'], validUntil: '2026-05-01T00:00:00.000Z' }, 'PK', false],
    ['a contact', { roles: ['contact'] }, 'PK', false],
  ])('is %s an officer of the party: %s', (_label, over, party, want) => {
    expect(isOfficerOf(member(over), party, NOW)).toBe(want);
  });
});
