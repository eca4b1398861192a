/**
 * server/policy/packets.ts on the real RU-PK agreement file, as a table: the marking and its
 * labels, the recipients, completeness (RU-PK Art. 6) and what a later revision may change.
 * Each treaty refusal names its article.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../../protocol/manifest.ts';
import { loadAgreements } from '../../../server/agreements.ts';
import { requireComplete, requireMarking, requireOnlyAddsParts, requireRecipientsInAgreement } from '../../../server/policy/packets.ts';
import { member } from './records.ts';

const agreement = loadAgreements(fileURLToPath(new URL('../../../agreements/', import.meta.url))).get('RU-PK')!;
const part = (id: string, role: 'original' | 'translation', lang: string) => ({ id, role, lang, mediaType: 'text/plain', size: 10, sha256: '0'.repeat(64) });
const manifest = (over: Partial<Manifest> = {}): Manifest =>
  ({
    format: 'liaison-manifest/1',
    packetId: '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b',
    agreementId: 'RU-PK',
    revision: 1,
    createdAt: '2026-06-01T12:00:00.000Z',
    sender: { party: 'RU', fingerprint: 'B'.repeat(40) },
    recipients: ['PK'],
    marking: { level: 'SECRET', labels: { RU: 'СОВЕРШЕННО СЕКРЕТНО', PK: 'SECRET' } },
    kind: 'information',
    references: {},
    parts: [part('p1', 'original', 'ru'), part('p2', 'translation', 'en')],
    signedBy: 'B'.repeat(40),
    ...over,
  });
const sender = member({ party: 'RU', fingerprint: 'B'.repeat(40), clearance: 'TOP SECRET' });

/** The refusal's article, or null when the rule lets the manifest through. */
function refusal(run: () => void): { article?: string; message: string } | null {
  try {
    run();
    return null;
  } catch (error) {
    return { message: (error as Error).message, ...(error as { extra: { article?: string } }).extra };
  }
}

describe('the marking (RU-PK Art. 7(2))', () => {
  it.each<[string, Partial<Manifest>, typeof sender, RegExp | null]>([
    ['labelled as the agreement labels it', {}, sender, null],
    ['a wrong national label', { marking: { level: 'SECRET', labels: { RU: 'СЕКРЕТНО', PK: 'SECRET' } } }, sender, /must be "СОВЕРШЕННО СЕКРЕТНО"/],
    ['a label for a party that is neither sender nor recipient', { marking: { level: 'SECRET', labels: { RU: 'СОВЕРШЕННО СЕКРЕТНО', PK: 'SECRET', KZ: 'x' } } }, sender, /neither sender nor recipient/],
    ['above the sender’s clearance', { marking: { level: 'TOP SECRET', labels: { RU: 'ОСОБОЙ ВАЖНОСТИ', PK: 'TOP SECRET' } } }, member({ party: 'RU', clearance: 'SECRET' }), /does not cover TOP SECRET/],
  ])('%s', (_label, over, who, want) => {
    const r = refusal(() => requireMarking(agreement, manifest(over), who));
    if (!want) return expect(r).toBeNull();
    expect(r?.message).toMatch(want);
  });

  it('cites the article of the marking table', () => {
    expect(refusal(() => requireMarking(agreement, manifest({ marking: { level: 'SECRET', labels: { RU: 'x', PK: 'SECRET' } } }), sender))?.article).toBe('RU-PK Art. 7(2)');
  });
});

describe('recipients and completeness', () => {
  it('refuses a recipient outside the agreement, citing the third-party rule', () => {
    expect(refusal(() => requireRecipientsInAgreement(agreement, manifest({ recipients: ['KZ'] })))?.article).toBe(agreement.thirdPartyRelease.article);
    expect(refusal(() => requireRecipientsInAgreement(agreement, manifest()))).toBeNull();
  });

  it.each<[string, Manifest['parts'], boolean]>([
    ['Russian original with an English translation', [part('p1', 'original', 'ru'), part('p2', 'translation', 'en')], true],
    ['Russian original alone', [part('p1', 'original', 'ru')], false],
    ['English original alone', [part('p1', 'original', 'en')], true],
    ['a "translation" into Russian only', [part('p1', 'original', 'ru'), part('p2', 'translation', 'ru')], false],
  ])('%s', (_label, parts, complete) => {
    const r = refusal(() => requireComplete(agreement, manifest({ parts })));
    if (complete) expect(r).toBeNull();
    else expect(r?.article).toBe('RU-PK Art. 6');
  });
});

describe('a later revision', () => {
  const first = manifest({ parts: [part('p1', 'original', 'ru')] });
  it.each<[string, Partial<Manifest>, RegExp | null]>([
    ['adds a translation', { revision: 2, parts: [part('p1', 'original', 'ru'), part('p2', 'translation', 'en')] }, null],
    ['skips a revision number', { revision: 3, parts: [part('p1', 'original', 'ru'), part('p2', 'translation', 'en')] }, /next revision of this packet is 2/],
    ['adds nothing', { revision: 2 }, /must add at least one part/],
    ['changes a signed part', { revision: 2, parts: [part('p1', 'original', 'en'), part('p2', 'translation', 'en')] }, /part p1 must stay exactly as signed/],
    ['changes the recipients', { revision: 2, recipients: ['PK', 'RU'], parts: [part('p1', 'original', 'ru'), part('p2', 'translation', 'en')] }, /may only add parts/],
  ])('%s', (_label, over, want) => {
    const r = refusal(() => requireOnlyAddsParts(first, { ...first, ...over }));
    if (!want) return expect(r).toBeNull();
    expect(r?.message).toMatch(want);
  });
});
