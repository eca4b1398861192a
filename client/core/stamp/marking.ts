/**
 * What a stamped copy says: the marking of one packet as one reader sees it. One home for the
 * words of a banner, so PDF, DOCX and text copies, the label and MARKING.txt never disagree.
 * Pure data and string building; it must never touch files, fonts or the network.
 */
import type { Level } from '../../../protocol/levels.ts';
import { levelRank } from '../../../protocol/levels.ts';

export interface StampMarking {
  /** The common level of the agreement (SECRET, ...). */
  level: Level;
  agreementId: string;
  packetId: string;
  /** The party that sent the packet (the originator of the marking). */
  originatorParty: string;
  /** The party of the person the copy is made for; absent when the sender stamps before sending. */
  readerParty?: string;
  /** Every party's national label for `level`, by party id, exactly as the signed manifest has it. */
  labels: Record<string, string>;
  /** The person the copy was decrypted for; printed on SECRET and above (a copy that leaks names its reader). */
  readerName?: string;
}

/** The separator between the parts of a banner: a middle dot, readable in every script we print. */
const SEPARATOR = ' · ';

/** Levels at which a copy carries the name of its reader (EU 2013/488: copies of SECRET and above are accounted for). */
export function namesReader(level: Level): boolean {
  return levelRank(level) >= levelRank('SECRET');
}

/**
 * The classification words: the common level, the reader's national label and the originator's
 * national label (RU-PK Art. 7(2): each party's corresponding level), each said once.
 */
export function classificationWords(m: StampMarking): string[] {
  const words: string[] = [m.level];
  // Stamped by the sender, the copy is read by every party: it carries every party's label.
  const candidates = m.readerParty ? [m.labels[m.readerParty], m.labels[m.originatorParty]] : [m.labels[m.originatorParty], ...Object.values(m.labels)];
  for (const word of candidates) if (word && !words.includes(word)) words.push(word);
  return words;
}

/** The first banner line: the classification, in every label it must carry. */
export function classificationLine(m: StampMarking): string {
  return classificationWords(m).join(SEPARATOR);
}

/** The second banner line: where the copy comes from, the page, and whom it was made for. */
export function provenanceLine(m: StampMarking, page?: { number: number; of: number }): string {
  const parts = [m.agreementId, `packet ${m.packetId}`];
  if (page) parts.push(`page ${page.number} of ${page.of}`);
  if (m.readerName && namesReader(m.level)) parts.push(`copy for ${m.readerName}`);
  else if (!m.readerParty) parts.push(`stamped by the sender (${m.originatorParty})`);
  return parts.join(SEPARATOR);
}

/** The marking on one line, for text files and document headers. */
export function markingLine(m: StampMarking, page?: { number: number; of: number }): string {
  return `${classificationLine(m)}${SEPARATOR}${provenanceLine(m, page)}`;
}
