/**
 * What a client keeps between runs, and the ports it is kept through. The shapes are zod schemas
 * (the one description of each persisted record, parsed whenever it is read back); the ports are
 * what each client implements: the CLI in LIAISON_HOME (client/node/home.ts, trust-file.ts,
 * checkpoints.ts), the web client in IndexedDB. Core modules read and write only through these.
 * Never: a file, a database or the environment.
 */
import { z } from 'zod';
import { Fingerprint, PartyId } from '../../protocol/ids.ts';
import { describeIssues } from '../../protocol/issues.ts';
import { ClientError } from './errors.ts';

// --- the trust store: pins of officers and the newest statement seen per key ---------------------

export const Pin = z.strictObject({
  party: z.string(),
  fingerprint: z.string(),
  addedAt: z.string(),
  /** 'out-of-band' when typed by the person; 'rotation' when followed from a signed rotation. */
  source: z.enum(['out-of-band', 'rotation']),
  /** For a rotated-away key: statements it signed after this instant are not trusted. */
  retiredAt: z.string().optional(),
});
export type Pin = z.infer<typeof Pin>;

export const TrustData = z.strictObject({ pins: z.array(Pin), seen: z.record(z.string(), z.string()) });
export type TrustData = z.infer<typeof TrustData>;

/** Where pins live. `load` answers what was saved (undefined when nothing was); `save` may be asynchronous. */
export interface TrustStorage {
  /** Where, in the person's words, for the sentence shown when the saved data is damaged. */
  readonly where: string;
  load(): unknown;
  save(data: TrustData): void | Promise<void>;
}

// --- a file of pins handed out by an officer ----------------------------------------------------

export const PINS_FORMAT = 'liaison-pins/1';

/**
 * A file of officer pins that an officer hands out (liaison trust export), so a new colleague or
 * partner pins every party in one step. It carries no signature: it is worth exactly as much as
 * the channel it came through, like fingerprints notified in writing, and trust add shows every
 * pin it adds so the reader can compare them with the written notification.
 */
export const PinsFile = z.strictObject({
  format: z.literal(PINS_FORMAT),
  pins: z.array(z.strictObject({ party: PartyId, officer: Fingerprint, note: z.string().max(200).optional() })).min(1).max(500),
});
export type PinsFile = z.infer<typeof PinsFile>;

// --- the session with a hub ---------------------------------------------------------------------

/** A session the CLI keeps (the web client's rides on an HttpOnly cookie instead). */
export const Session = z.strictObject({
  server: z.string().url(),
  token: z.string(),
  fingerprint: z.string(),
  party: z.string(),
  expiresAt: z.string(),
});
export type Session = z.infer<typeof Session>;

export interface SessionStorage {
  /** The saved session; throws ClientError when there is none or it is damaged (saying what to do). */
  load(): Session;
  save(session: Session): void;
  clear(): void;
}

// --- the hub's key, pinned on first use -----------------------------------------------------------

export interface HubPinStorage {
  /** Where, in the person's words (named when a different hub answers). */
  readonly where: string;
  pinned(): string | undefined;
  /** Record `fingerprint` as the pinned hub (called only when none is pinned yet). */
  write(fingerprint: string): void;
}

/** The pins in the text of a pins file (`where` names it in the sentence when it is not one). */
export function parsePinsFile(text: string, where: string): PinsFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ClientError(`cannot read ${where} as a pins file (liaison trust export writes one)`, 'pins.unreadable', { where });
  }
  const parsed = PinsFile.safeParse(json);
  if (!parsed.success) throw new ClientError(`${where} is not a pins file: ${describeIssues(parsed.error, 'pins file')}`, 'pins.invalid', { where, issues: describeIssues(parsed.error, 'pins file') });
  return parsed.data;
}
