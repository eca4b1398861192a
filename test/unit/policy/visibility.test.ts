/**
 * server/policy/visibility.ts: who sees a packet and everything about it, as a table. The same
 * rule decides GET /v1/packets/:id, releases, authenticity requests and audit events.
 */
import { describe, expect, it } from 'vitest';
import { authenticityVisibleTo, awaitingWrapLevels, oralVisibleTo, purposeChangeVisibleTo, readRelation, readableLevels, receiptVisibleTo, releaseVisibleTo } from '../../../server/policy/visibility.ts';
import { NOW, member, packet, release } from './records.ts';

describe('a packet', () => {
  it.each<[string, Parameters<typeof member>[0], Parameters<typeof packet>[0], ReturnType<typeof release>[], ReturnType<typeof readRelation>]>([
    ['a recipient, cleared', {}, {}, [], 'received'],
    ['the sender', { party: 'RU' }, {}, [], 'sent'],
    ['the sender, of its own draft', { party: 'RU' }, { state: 'draft' }, [], 'sent'],
    ['a recipient, of a draft', {}, { state: 'draft' }, [], null],
    ['a recipient below the marking', { clearance: 'CONFIDENTIAL' }, {}, [], null],
    ['a revoked recipient', { revokedAt: '2026-05-01T00:00:00.000Z' }, {}, [], null],
    ['a third party, no release', { party: 'KZ' }, {}, [], null],
    ['a third party, release only consented', { party: 'KZ' }, {}, [release({ state: 'consented' })], null],
    ['a third party, release executed', { party: 'KZ' }, {}, [release({ state: 'executed' })], 'released'],
    ['a third party, release executed, below the marking', { party: 'KZ', clearance: 'RESTRICTED' }, {}, [release({ state: 'executed' })], null],
  ])('%s', (_label, m, p, releases, want) => {
    expect(readRelation(member(m), packet(p), releases, NOW)).toBe(want);
  });

  it('lists only the levels a member is cleared for', () => {
    expect(readableLevels(member({ clearance: 'CONFIDENTIAL' }))).toEqual(['RESTRICTED', 'CONFIDENTIAL']);
    expect(readableLevels(member({ clearance: 'TOP SECRET' }))).toHaveLength(4);
  });
});

describe('a release', () => {
  const executed = release({ state: 'executed' });
  it.each<[string, Parameters<typeof member>[0], ReturnType<typeof release>, boolean]>([
    ['the originator', { party: 'RU' }, release(), true],
    ['the requester', {}, release(), true],
    ['the requester below the marking', { clearance: 'CONFIDENTIAL' }, release(), false],
    ['the third party before execution', { party: 'KZ' }, release({ state: 'consented' }), false],
    ['the third party once executed', { party: 'KZ' }, executed, true],
    ['another third party', { party: 'BY' }, executed, false],
  ])('%s', (_label, m, r, want) => {
    expect(releaseVisibleTo(member(m), packet(), r, [r], NOW)).toBe(want);
  });
});

describe('what else is about a packet', () => {
  it.each<[string, Parameters<typeof member>[0], string, boolean]>([
    ['the sender, asked by PK', { party: 'RU' }, 'PK', true],
    ['the asking party', {}, 'PK', true],
    ['a party that may see the packet but did not ask', { party: 'PK' }, 'BY', false],
    ['the asking party, below the marking', { clearance: 'RESTRICTED' }, 'PK', false],
  ])('an authenticity request: %s', (_label, m, asker, want) => {
    expect(authenticityVisibleTo(member(m), packet(), { requestingParty: asker }, [], NOW)).toBe(want);
  });

  it.each<[string, string, boolean]>([
    ['PK', 'requesting', true],
    ['RU', 'requested', true],
    ['KZ', 'neither', false],
  ])('an oral request between PK and RU, for %s (%s)', (party, _role, want) => {
    expect(oralVisibleTo(member({ party }), { requestingParty: 'PK', requestedParty: 'RU' })).toBe(want);
  });

  it('a purpose change: the originator and the party that asked', () => {
    const change = release({ thirdParty: 'PK' });
    expect(purposeChangeVisibleTo(member({ party: 'RU' }), packet(), change)).toBe(true);
    expect(purposeChangeVisibleTo(member(), packet(), change)).toBe(true);
    expect(purposeChangeVisibleTo(member({ party: 'KZ' }), packet(), change)).toBe(false);
  });

  it.each<[string, string, string, boolean]>([
    ['the sender, a receipt about the recipient', 'RU', 'PK', true],
    ['the sender, a receipt about a third party', 'RU', 'KZ', true],
    ['the recipient, its own receipt', 'PK', 'PK', true],
    ['the recipient, the sender\'s receipt', 'PK', 'RU', false],
    ['the recipient, a third party\'s receipt', 'PK', 'KZ', false],
  ])('a receipt (of a packet the caller may see): %s', (_label, party, about, want) => {
    expect(receiptVisibleTo(member({ party }), packet(), { party: about })).toBe(want);
  });
});

describe('packets waiting for a colleague\'s key', () => {
  it.each<[string, Parameters<typeof member>[0], Parameters<typeof member>[0], string[] | null]>([
    ['a colleague of the same party, both SECRET', { clearance: 'SECRET' }, { clearance: 'SECRET' }, ['RESTRICTED', 'CONFIDENTIAL', 'SECRET']],
    ['an officer above the colleague: the colleague\'s levels', { clearance: 'TOP SECRET' }, { clearance: 'CONFIDENTIAL' }, ['RESTRICTED', 'CONFIDENTIAL']],
    ['an asker below the colleague: the asker\'s levels', { clearance: 'RESTRICTED' }, { clearance: 'SECRET' }, ['RESTRICTED']],
    ['a member of another party', { party: 'RU' }, {}, null],
  ])('%s', (_label, asker, colleague, want) => {
    expect(awaitingWrapLevels(member(asker), member(colleague))).toEqual(want);
  });
});
