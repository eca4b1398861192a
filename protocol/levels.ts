/**
 * The common classification levels shared by every agreement (RU-PK Art. 7(2) names them;
 * the other agreements map their national labels onto the same ladder).
 * Never ranks anything that is not one of these four.
 */
import { z } from 'zod';

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
