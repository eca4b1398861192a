/**
 * The hub's running context: its store, blob store, agreements, signing key, clock and logger,
 * opened once at start. Opening sweeps temp files and unreferenced blobs left by a crash.
 * It holds no rule and answers no request: the domain and the routes use it.
 */
import { existsSync, readFileSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import type { AuditEventInput } from '../storage/records.ts';
import type { Storage } from '../storage/repositories.ts';
import { openStorage } from '../storage/sqlite/index.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { openFileBlobStore } from '../storage/blobs.ts';
import { readUnlockedPrivateKey, readPublicKey, fingerprintOf, type PrivateKey, type PublicKey } from '../keys/identity.ts';
import type { Agreement } from '../protocol/agreement.ts';
import { loadAgreements } from './agreements.ts';
import { hubPaths, type Clock, type HubSettings } from './config.ts';
import { DenialAggregator, RateLimiter, type UnauthenticatedDenial } from './limits.ts';
import { SignatureWorker } from './signature-worker.ts';

export interface Hub {
  settings: HubSettings;
  /** Every repository, behind the interfaces of storage/repositories.ts (SQLite today). */
  store: Storage;
  /** Part ciphertext, behind the port of storage/blob-store.ts (the local disk today). */
  blobs: BlobStore;
  agreements: Map<string, Agreement>;
  hubKey: PrivateKey;
  hubPublicKey: PublicKey;
  hubFingerprint: string;
  /** Signature checks and the hub key's signatures off the event loop (server/signature-worker.ts). */
  signatures: SignatureWorker;
  now: Clock;
  logger: Logger;
  /**
   * Append an audit event stamped with the hub clock, or with `at` when the record it logs carries
   * that instant (a release's requestedAt, decidedAt, executedAt), so the signed log proves the
   * record's time exactly. Await it inside the transaction of the decision it records.
   */
  audit(event: Omit<AuditEventInput, 'at'> & { at?: string }): Promise<void>;
  /** How many events this process has appended (rolled-back ones too): evidence is settled only when it moves. */
  auditsAppended(): number;
  /** Record a denial to someone not logged in: aggregated, so it cannot grow the log without bound. */
  auditUnauthenticated(denial: UnauthenticatedDenial): void;
  /** Login attempts per key and per address. */
  authLimits: { byKey: RateLimiter; byAddress: RateLimiter };
  close(): Promise<void>;
}

class HubNotInitialised extends Error {
  override name = 'HubNotInitialised';
}

function makeLogger(settings: HubSettings): { logger: Logger; close: () => Promise<void> } {
  const options = {
    level: settings.logLevel,
    base: undefined,
    // Belt and braces: these never reach a log call, and are redacted if one ever does.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'token', 'signature', 'publicKey', 'body'],
  };
  if (!settings.logFile) {
    const logger = pino(options);
    return { logger, close: () => new Promise<void>((resolve) => logger.flush(() => resolve())) };
  }
  // pino's own destination (sonic-boom), asynchronous: lines written while a write is in flight
  // are joined into the next one, so under load the log costs a write per batch, not per request
  // (one fs write per request line was 16 % of an authenticated GET). Nothing is held
  // back when idle (no minimum length), and close() waits until every line is written.
  const stream = pino.destination({ dest: settings.logFile, append: true, mode: 0o600, sync: false });
  const logger = pino(options, stream);
  const opened = new Promise<void>((resolve, reject) => stream.once('ready', () => resolve()).once('error', reject));
  opened.catch(() => undefined);
  return {
    logger,
    close: async () => {
      await opened.catch(() => undefined);
      await new Promise<void>((resolve) => {
        stream.once('close', () => resolve());
        stream.end();
      });
    },
  };
}

export async function openHub(settings: HubSettings, now: Clock): Promise<Hub> {
  const paths = hubPaths(settings.dataDir);
  if (!existsSync(paths.db) || !existsSync(paths.hubKey)) {
    throw new HubNotInitialised(`no hub in ${settings.dataDir}: run "liaison hub init --data ${settings.dataDir}" first`);
  }
  const agreements = loadAgreements(settings.agreementsDir);
  const store = openStorage(paths.db);
  const blobs = await openFileBlobStore(settings.dataDir);
  const swept = await blobs.sweep(await store.packets.allBlobHashes());
  const armoredHubKey = readFileSync(paths.hubKey, 'utf8');
  const hubKey = await readUnlockedPrivateKey(armoredHubKey);
  const hubPublicKey = await readPublicKey(hubKey.toPublic().armor());
  const signatures = new SignatureWorker(armoredHubKey);
  const { logger, close: closeLog } = makeLogger(settings);
  if (swept.staged + swept.blobs > 0) logger.info({ staged: swept.staged, blobs: swept.blobs }, 'removed leftovers of interrupted uploads');
  // A party's view of the log pages over an index of it (migration 011): events it does not hold
  // yet (stored before the migration, or by direct SQL) are indexed before anything is served.
  const indexed = await store.audit.indexBacklog();
  if (indexed > 0) logger.info({ events: indexed }, 'indexed audit events for the parties\' views');
  let appended = 0;
  const audit = async (event: Omit<AuditEventInput, 'at'> & { at?: string }) => {
    await store.audit.append({ ...event, at: event.at ?? now().toISOString() });
    appended++;
  };
  // The aggregator appends outside any request: a failure is logged, never thrown at a caller.
  const appendDenial = (event: Omit<AuditEventInput, 'at'>) => {
    audit(event).catch((error: unknown) => logger.error({ err: (error as Error).message }, 'could not audit unauthenticated denials'));
  };
  const windowMs = settings.denialWindowSeconds * 1000;
  const denials = new DenialAggregator({ windowMs, maxBuckets: settings.denialKindsPerWindow, maxSubjects: 10, now, append: appendDenial });
  const flushDenials = () => {
    try {
      denials.flush();
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'could not audit unauthenticated denials');
    }
  };
  // Summaries of a closed window land even when no further denial comes to roll it over.
  const timer = setInterval(flushDenials, windowMs);
  timer.unref();
  return {
    settings,
    store,
    blobs,
    agreements,
    hubKey,
    hubPublicKey,
    hubFingerprint: fingerprintOf(hubKey),
    signatures,
    now,
    logger,
    audit,
    auditsAppended: () => appended,
    auditUnauthenticated(denial) {
      try {
        denials.record(denial);
      } catch (error) {
        logger.error({ err: (error as Error).message }, 'could not audit an unauthenticated denial');
      }
    },
    authLimits: {
      byKey: new RateLimiter({ limit: settings.authPerKeyPerMinute, windowMs: 60_000, now }),
      byAddress: new RateLimiter({ limit: settings.authPerAddressPerMinute, windowMs: 60_000, now }),
    },
    async close() {
      clearInterval(timer);
      try {
        denials.flush(true);
      } catch (error) {
        logger.error({ err: (error as Error).message }, 'could not audit unauthenticated denials');
      }
      await store.close();
      await signatures.close();
      await closeLog();
    },
  };
}
