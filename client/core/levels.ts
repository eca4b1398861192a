/**
 * Classification levels as people write them, for both clients, over the one reading of a level
 * in protocol/levels.ts (which the operator's `hub enroll --clearance` uses too). It serves every
 * option that takes a level: the
 * marking of a packet (`send`, `request send`, `state --marking`) against its agreement's labels,
 * and a clearance (`officer enroll --clearance`, `officer set-clearance`) against the labels of
 * the officer's party in every agreement it is party to.
 * Never decides who may read what: protocol/levels.ts ranks, protocol/membership.ts rules.
 */
import { markingLevel, type Agreement } from '../../protocol/agreement.ts';
import { LEVELS, clearanceOf, commonLevel, labelsOf, levelOf, levelRank, type Level } from '../../protocol/levels.ts';
import type { HubClient } from './api.ts';
import { ClientError } from './errors.ts';

/** The marking `value` stands for under `agreement`, or a sentence listing what it takes. */
export function resolveMarking(value: string, agreement: Agreement): Level {
  // A common level the agreement lacks is returned as it is: the packet rules refuse it citing the article.
  const level = levelOf(value, labelsOf(agreement));
  if (level) return level;
  const levels = LEVELS.filter((l) => markingLevel(agreement, l));
  throw new ClientError(`"${value}" is not a marking of ${agreement.id}: use one of ${levels.join(', ')} or a national label`, 'marking.unknown', { value, agreement: agreement.id, levels: levels.join(', ') });
}

/**
 * The clearance `value` stands for, for a member of `party`: a common level, or a national label
 * of `party` in any agreement it is party to (asked of the hub only when `value` is not a common level).
 */
export async function resolveClearance(value: string, api: Pick<HubClient, 'agreements' | 'agreement'>, party: string): Promise<Level> {
  const common = commonLevel(value);
  if (common) return common;
  const agreements: Agreement[] = [];
  for (const summary of (await api.agreements()).filter((a) => a.parties.includes(party))) agreements.push(await api.agreement(summary.id));
  const resolved = clearanceOf(value, agreements, party);
  if (!resolved.ok) throw new ClientError(resolved.reason, 'clearance.unknown', { value, party, reason: resolved.reason });
  return resolved.level;
}

/** True when `to` is a higher level than `from` (a clearance raised: earlier packets need a re-wrap). */
export function isRaise(from: Level, to: Level): boolean {
  return levelRank(to) > levelRank(from);
}
