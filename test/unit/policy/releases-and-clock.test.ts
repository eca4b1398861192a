/**
 * server/policy/releases.ts and server/policy/clock.ts as tables: who is a third party, whether
 * a consent stands at the moment of release, and how far a signed date may be from the hub's clock.
 */
import { describe, expect, it } from 'vitest';
import { SIGNED_DATE_TOLERANCE, requireBetween, requireSignedNear } from '../../../server/policy/clock.ts';
import { isDirectParty, requireStandingConsent } from '../../../server/policy/releases.ts';
import { NOW, packet, release } from './records.ts';

describe('third parties', () => {
  it.each([
    ['RU', true],
    ['PK', true],
    ['KZ', false],
  ])('%s is a direct party of a packet from RU to PK: %s', (party, direct) => {
    expect(isDirectParty(packet(), party)).toBe(direct);
  });
});

describe('a consent at the moment of release', () => {
  const now = NOW.toISOString();
  it.each<[string, Parameters<typeof release>[0], RegExp | null, string | null]>([
    ['consented, no expiry', { state: 'consented' }, null, null],
    ['consented, expiring later', { state: 'consented', expiresAt: '2026-07-01T00:00:00.000Z' }, null, null],
    ['consented, expired', { state: 'consented', expiresAt: '2026-06-01T11:59:59.000Z' }, /consent expired/, 'forbidden'],
    ['only requested', { state: 'requested' }, /blocked until RU records its written consent/, 'forbidden'],
    ['refused', { state: 'refused' }, /RU refused this release/, 'forbidden'],
    ['already executed', { state: 'executed' }, /already executed/, 'conflict'],
  ])('%s', (_label, over, message, code) => {
    const run = () => requireStandingConsent(release(over), packet(), now, 'RU-PK Art. 7(4)');
    if (!message) return expect(run).not.toThrow();
    try {
      run();
      expect.unreachable();
    } catch (error) {
      const problem = error as { code: string; message: string; extra: { article?: string } };
      expect(problem.message).toMatch(message);
      expect(problem.code).toBe(code);
      if (code === 'forbidden') expect(problem.extra.article).toBe('RU-PK Art. 7(4)');
    }
  });
});

describe('signed dates against the hub clock', () => {
  const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();
  it.each<[string, number, boolean]>([
    ['now', 0, true],
    ['just within the skew ahead', SIGNED_DATE_TOLERANCE.aheadMs, true],
    ['beyond the skew ahead', SIGNED_DATE_TOLERANCE.aheadMs + 1, false],
    ['a day old', -SIGNED_DATE_TOLERANCE.behindMs, true],
    ['older than a day', -SIGNED_DATE_TOLERANCE.behindMs - 1, false],
  ])('a signing time %s', (_label, offset, ok) => {
    const run = () => requireSignedNear(NOW, at(offset), 'statement date');
    if (ok) expect(run).not.toThrow();
    else expect(run).toThrow(/statement date/);
  });

  it('a backdated revocation: not before its floor, never in the future', () => {
    expect(() => requireBetween(NOW, '2026-03-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'revokedAt')).not.toThrow();
    expect(() => requireBetween(NOW, '2025-12-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'revokedAt')).toThrow(/before/);
    expect(() => requireBetween(NOW, at(SIGNED_DATE_TOLERANCE.aheadMs + 1), '2026-01-01T00:00:00.000Z', 'revokedAt')).toThrow(/future/);
    expect(() => requireSignedNear(NOW, 'not a date', 'statement date')).toThrow(/future/);
  });
});
