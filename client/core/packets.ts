/**
 * The packet rules by their old address: the web client's worker still imports them from here.
 * They live in client/core/sending.ts (building), opening.ts (receiving), releases.ts (release
 * decisions) and rewrap.ts (re-wraps); import from those. This file holds no rule and goes when
 * client/web/src/worker.ts imports the modules directly.
 */
export type { ClientContext, Notice } from './context.ts';
export { completeness, describeVerdict, digestMeter, languageRefusal, markingLabels, nextPartIndex, readersOf, requireOwnClearance, requireParties, signNewManifest, signNextRevision, type NewPacket } from './sending.ts';
export { downloadCheck, partSignerStanding, safeFileName, signatureStanding, verifiedManifest } from './opening.ts';
export { decideRelease, DECISION_PREVIEW_MS, describeDecision, prepareReleaseDecision, signReleaseDecision, type ConfirmedRelease, type ReleaseChoice } from './releases.ts';
export { executeRelease, rewrapFor } from './rewrap.ts';
