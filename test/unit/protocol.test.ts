/**
 * protocol/: canonical serialisation and the manifest schema both sides share.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize } from '../../protocol/canonical.ts';
import { MANIFEST_FORMAT, parseCanonicalManifest, type Manifest } from '../../protocol/manifest.ts';
import { clearanceCovers } from '../../protocol/levels.ts';
import { isClearedReceiver } from '../../protocol/membership.ts';

const manifest: Manifest = {
  format: MANIFEST_FORMAT,
  packetId: '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b',
  revision: 1,
  agreementId: 'RU-PK',
  createdAt: '2026-11-23T09:00:00.000Z',
  sender: { party: 'RU', fingerprint: 'A'.repeat(40) },
  signedBy: 'A'.repeat(40),
  recipients: ['PK'],
  marking: { level: 'SECRET', labels: { RU: 'СОВЕРШЕННО СЕКРЕТНО', PK: 'SECRET' } },
  kind: 'request',
  references: {},
  parts: [{ id: 'p1', role: 'original', lang: 'ru', mediaType: 'text/plain', size: 10, sha256: 'a'.repeat(64) }],
};

describe('canonical JSON (RFC 8785)', () => {
  it('has one fixed form, with non-Latin text kept as UTF-8', () => {
    expect(canonicalize({ b: 'سری', a: '机密', c: [1.0, 'СЕКРЕТНО'] })).toBe('{"a":"机密","b":"سری","c":[1,"СЕКРЕТНО"]}');
    expect(canonicalize({ z: '\u0007\n' })).toBe('{"z":"\\u0007\\n"}');
  });

  it('is idempotent for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const once = canonicalize(value);
        expect(canonicalize(JSON.parse(once))).toBe(once);
      }),
    );
  });
});

describe('manifest', () => {
  it('parses its canonical form', () => {
    const result = parseCanonicalManifest(canonicalize(manifest));
    expect(result).toEqual({ ok: true, manifest });
  });

  it('refuses a non-canonical text of the same object', () => {
    const pretty = JSON.stringify(manifest, null, 2);
    expect(parseCanonicalManifest(pretty)).toEqual({ ok: false, error: 'the manifest is not in canonical form (RFC 8785)' });
  });

  it.each([
    ['an unknown field', { ...manifest, subject: 'leaks the subject' }],
    ['a recipient that is also the sender', { ...manifest, recipients: ['RU'] }],
    ['no label for a recipient', { ...manifest, marking: { level: 'SECRET', labels: { RU: 'СОВЕРШЕННО СЕКРЕТНО' } } }],
    ['two originals', { ...manifest, parts: [manifest.parts[0], { ...manifest.parts[0], id: 'p2' }] }],
    ['an unknown level', { ...manifest, marking: { ...manifest.marking, level: 'COSMIC' } }],
    ['a bad part hash', { ...manifest, parts: [{ ...manifest.parts[0], sha256: 'xyz' }] }],
  ])('refuses %s', (_what, value) => {
    const result = parseCanonicalManifest(canonicalize(value));
    expect(result.ok).toBe(false);
  });

  it('refuses text that is not JSON', () => {
    expect(parseCanonicalManifest('{not json')).toEqual({ ok: false, error: 'the manifest is not JSON' });
  });
});

describe('clearance', () => {
  it('orders the four common levels', () => {
    expect(clearanceCovers('TOP SECRET', 'RESTRICTED')).toBe(true);
    expect(clearanceCovers('CONFIDENTIAL', 'SECRET')).toBe(false);
    expect(clearanceCovers('SECRET', 'SECRET')).toBe(true);
  });

  it('makes receivers of contacts and clerks with enough clearance, never of officers alone or revoked members', () => {
    expect(isClearedReceiver({ roles: ['contact'], clearance: 'SECRET' }, 'SECRET', new Date('2026-06-01T00:00:00Z'))).toBe(true);
    expect(isClearedReceiver({ roles: ['clerk'], clearance: 'SECRET' }, 'TOP SECRET', new Date('2026-06-01T00:00:00Z'))).toBe(false);
    expect(isClearedReceiver({ roles: ['officer'], clearance: 'TOP SECRET' }, 'RESTRICTED', new Date('2026-06-01T00:00:00Z'))).toBe(false);
    expect(isClearedReceiver({ roles: ['contact'], clearance: 'TOP SECRET', revokedAt: '2026-01-01T00:00:00Z' }, 'RESTRICTED', new Date('2026-06-01T00:00:00Z'))).toBe(false);
    // Expiry counts from the instant it is reached, on the clock given.
    const expiring = { roles: ['contact'] as const, clearance: 'SECRET' as const, validUntil: '2026-06-01T00:00:00.000Z' };
    expect(isClearedReceiver(expiring, 'SECRET', new Date('2026-05-31T23:59:59.999Z'))).toBe(true);
    expect(isClearedReceiver(expiring, 'SECRET', new Date('2026-06-01T00:00:00.000Z'))).toBe(false);
  });
});
