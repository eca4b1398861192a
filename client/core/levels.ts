/**
 * Classification levels as people write them, for both clients: a common level in any case
 * (`top-secret`, `TOP_SECRET`, `Top Secret`) or a national label of an agreement
 * (`СОВЕРШЕННО СЕКРЕТНО`, `خفیہ`). ONE resolver serves every option that takes a level: the
 * marking of a packet (`send`, `request send`, `state --marking`) against its agreement's labels,
 * and a clearance (`officer enroll --clearance`, `officer set-clearance`) against the labels of
 * the officer's party in every agreement it is party to.
 * Never decides who may read what: protocol/levels.ts ranks, protocol/membership.ts rules.
 */
import { markingLevel, type Agreement } from '../../protocol/agreement.ts';
import { LEVELS, Level, levelRank } from '../../protocol/levels.ts';
import type { HubClient } from './api.ts';
import { ClientError } from './errors.ts';

/** One national label a level may be written as. */
export interface LevelLabel {
  level: Level;
  label: string;
  party: string;
}

/** Every national label of `agreement`, or only those of `party`. */
export function labelsOf(agreement: Agreement, party?: string): LevelLabel[] {
  return agreement.markings.levels.flatMap((entry) =>
    Object.entries(entry.labels)
      .filter(([p]) => party === undefined || p === party)
      .map(([p, label]) => ({ level: entry.level, label, party: p })),
  );
}

/** A common level in any case, with - or _ for the space; undefined when `value` is none. */
export function commonLevel(value: string): Level | undefined {
  const parsed = Level.safeParse(value.trim().toUpperCase().replace(/[-_\s]+/g, ' '));
  return parsed.success ? parsed.data : undefined;
}

/** `value` as a common level or one of `labels` (compared without case), or undefined. */
export function levelOf(value: string, labels: readonly LevelLabel[]): Level | undefined {
  const wanted = value.trim().toLowerCase();
  return commonLevel(value) ?? labels.find((l) => l.label.toLowerCase() === wanted)?.level;
}

/** The marking `value` stands for under `agreement`, or a sentence listing what it takes. */
export function resolveMarking(value: string, agreement: Agreement): Level {
  // A common level the agreement lacks is returned as it is: the packet rules refuse it citing the article.
  const level = levelOf(value, labelsOf(agreement));
  if (level) return level;
  const levels = LEVELS.filter((l) => markingLevel(agreement, l));
  throw new ClientError(`"${value}" is not a marking of ${agreement.id}: use one of ${levels.join(', ')} or a national label`);
}

/**
 * The clearance `value` stands for, for a member of `party`: a common level, or a national label
 * of `party` in any agreement it is party to (asked of the hub only when `value` is not a common level).
 */
export async function resolveClearance(value: string, api: Pick<HubClient, 'agreements' | 'agreement'>, party: string): Promise<Level> {
  const common = commonLevel(value);
  if (common) return common;
  const labels: LevelLabel[] = [];
  for (const summary of (await api.agreements()).filter((a) => a.parties.includes(party))) labels.push(...labelsOf(await api.agreement(summary.id), party));
  const level = levelOf(value, labels);
  if (level) return level;
  const named = [...new Set(labels.map((l) => `${l.label} (${l.level})`))];
  throw new ClientError(`"${value}" is not a clearance: use ${LEVELS.join(', ')}${named.length ? ` or a national label of ${party}: ${named.join(', ')}` : ''}`);
}

/** True when `to` is a higher level than `from` (a clearance raised: earlier packets need a re-wrap). */
export function isRaise(from: Level, to: Level): boolean {
  return levelRank(to) > levelRank(from);
}
