/**
 * The hub's configuration, parsed once at start into a typed object. Every key is documented
 * here, one line each; a bad value stops the hub with a sentence naming the key.
 * Nothing else in server/ reads the environment or a configuration file.
 */
import { z } from 'zod';
import { describeIssues } from '../protocol/issues.ts';
import { join } from 'node:path';
import { MAX_LOGIN_CHALLENGE_SECONDS } from '../protocol/login.ts';

const HubConfigSchema = z.strictObject({
  /** Directory holding hub.db, blobs/, tmp/ and the hub's signing key. */
  dataDir: z.string().min(1),
  /** Directory of agreement files (agreements/*.json). */
  agreementsDir: z.string().min(1),
  /** Largest single part accepted, in bytes (default 4 GiB). */
  maxPartBytes: z.number().int().positive().default(4 * 1024 ** 3),
  /** Most parts in one upload. */
  maxParts: z.number().int().positive().max(64).default(64),
  /** Login challenge lifetime, seconds (clients refuse to sign one valid longer than protocol/login.ts allows). */
  challengeSeconds: z.number().int().positive().max(MAX_LOGIN_CHALLENGE_SECONDS).default(120),
  /** A token unused this long expires, seconds. */
  tokenIdleSeconds: z.number().int().positive().default(30 * 60),
  /** A token expires this long after login whatever its use, seconds. */
  tokenAbsoluteSeconds: z.number().int().positive().default(8 * 3600),
  /** The hub signs an audit checkpoint for every this many events (signed when next needed). */
  checkpointEvery: z.number().int().positive().default(100),
  /** Login attempts (challenge or token) naming one key, per minute, before 429. */
  authPerKeyPerMinute: z.number().int().positive().default(30),
  /** Login attempts from one address per minute, before 429. */
  authPerAddressPerMinute: z.number().int().positive().default(600),
  /** Open login challenges kept per key; asking for more drops the oldest. */
  maxChallengesPerKey: z.number().int().positive().default(3),
  /** Unauthenticated denials are audited as the first of each kind plus one count per window of this many seconds. */
  denialWindowSeconds: z.number().int().positive().default(60),
  /** Kinds (address, route, code) of unauthenticated denial tracked per window; the rest share one overflow count. */
  denialKindsPerWindow: z.number().int().positive().default(50),
  /** `liaison serve`: the whole request head must arrive within this many milliseconds. */
  headersTimeoutMs: z.number().int().positive().default(20_000),
  /** `liaison serve`: a request with a JSON body (or none) must arrive whole within this many milliseconds. */
  requestTimeoutMs: z.number().int().positive().default(30_000),
  /** `liaison serve`: a socket with no bytes moving for this long is closed (a stalled upload too), milliseconds. */
  idleTimeoutMs: z.number().int().positive().default(60_000),
  /** `liaison serve`: an idle keep-alive connection is closed after this many milliseconds. */
  keepAliveTimeoutMs: z.number().int().positive().default(5_000),
  /** `liaison serve`: open connections allowed from one address; more are closed at once. */
  maxConnectionsPerAddress: z.number().int().positive().default(32),
  /** Log level (pino). */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
  /** Log file; standard output when absent. */
  logFile: z.string().optional(),
});
export type HubConfigInput = z.input<typeof HubConfigSchema>;
export type HubSettings = z.output<typeof HubConfigSchema>;

/** The clock every decision reads. Tests shift it; nothing in the hub calls `new Date()` itself. */
export type Clock = () => Date;

export function parseHubConfig(input: HubConfigInput): HubSettings {
  const parsed = HubConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(`the hub configuration is invalid: ${describeIssues(parsed.error, 'configuration')}`);
  }
  return parsed.data;
}

export const DEFAULT_DATA_DIR = join('var', 'hub');

export function hubPaths(dataDir: string): { db: string; hubKey: string; hubPublicKey: string } {
  return { db: join(dataDir, 'hub.db'), hubKey: join(dataDir, 'hub-key.asc'), hubPublicKey: join(dataDir, 'hub-key.pub.asc') };
}
