/**
 * The common classification levels shared by every agreement (RU-PK Art. 7(2) names them;
 * the other agreements map their national labels onto the same ladder), and the one reading of a
 * level as people write it: a common level in any case (`top-secret`, `TOP_SECRET`, `Top Secret`)
 * or a national label of an agreement (`СОВЕРШЕННО СЕКРЕТНО`, `خفیہ`). The clients' options
 * (client/core/levels.ts: `send --marking`, `officer enroll --clearance`) and the operator's
 * `hub enroll --clearance` (server/admin.ts) all read a level here.
 * Never ranks anything that is not one of these four.
 */
import { z } from 'zod';
import type { Agreement } from './agreement.ts';

export const LEVELS = ['RESTRICTED', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET'] as const;
export const Level = z.enum(LEVELS);
export type Level = z.infer<typeof Level>;

/** Higher is more sensitive. */
export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

/** True when a person cleared to `clearance` may handle material marked `marking`. */
export function clearanceCovers(clearance: Level, marking: Level): boolean {
  return levelRank(clearance) >= levelRank(marking);
}

/** One national label a level may be written as. */
interface LevelLabel {
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

/**
 * The clearance `value` stands for, for a member of `party`: a common level, or a national label
 * of `party` in any of `agreements` (those it is not party to add no label); else the sentence
 * that lists what it takes.
 */
export function clearanceOf(value: string, agreements: Iterable<Agreement>, party: string): { ok: true; level: Level } | { ok: false; reason: string } {
  const labels = [...agreements].filter((a) => a.parties.some((p) => p.id === party)).flatMap((a) => labelsOf(a, party));
  const level = levelOf(value, labels);
  if (level) return { ok: true, level };
  const named = [...new Set(labels.map((l) => `${l.label} (${l.level})`))];
  return { ok: false, reason: `"${value}" is not a clearance: use ${LEVELS.join(', ')}${named.length ? ` or a national label of ${party}: ${named.join(', ')}` : ''}` };
}
