/**
 * Bounds on what an anonymous caller can make the hub do: a fixed-window rate limiter for the
 * login routes (per key and per address), and the aggregation of unauthenticated denials into a
 * bounded number of audit events per window. Both keep their state in memory and read time only
 * from the hub's injected clock. Must never hold a token, a signature or a request body.
 */
import type { AuditAction } from '../protocol/evidence.ts';
import type { AuditEventInput } from '../storage/records.ts';
import type { Clock } from './config.ts';

/** Counts attempts per name in fixed windows; `take` says whether one more is allowed now. */
export class RateLimiter {
  private window = -1;
  private counts = new Map<string, number>();
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: Clock;
  /** At most this many names are tracked per window; beyond it, new names share one count. */
  private readonly maxNames: number;

  constructor(options: { limit: number; windowMs: number; now: Clock; maxNames?: number }) {
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.now = options.now;
    this.maxNames = options.maxNames ?? 10_000;
  }

  /** Count one attempt by `name`; false when it is over the limit for this window. */
  take(name: string): boolean {
    const window = Math.floor(this.now().getTime() / this.windowMs);
    if (window !== this.window) {
      this.window = window;
      this.counts.clear();
    }
    const key = this.counts.has(name) || this.counts.size < this.maxNames ? name : '(other)';
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count <= this.limit;
  }

  /** Seconds until the current window ends (for Retry-After). */
  retryAfterSeconds(): number {
    const t = this.now().getTime();
    return Math.max(1, Math.ceil((this.windowMs - (t % this.windowMs)) / 1000));
  }
}

export interface UnauthenticatedDenial {
  /** The caller's address as the socket reports it. */
  address: string;
  /** The route pattern or login step, e.g. `auth.login`, `GET /packets/:id`. */
  action: AuditAction;
  /** Stable problem code or reason class, e.g. `unauthenticated`, `rate-limited`. */
  code: string;
  /** The key fingerprint named, or the path asked for (truncated), if any. */
  subject?: string;
  /** A short reason for the investigator (never a token, a signature or a body). */
  reason?: string;
}

interface Bucket {
  first: string;
  last: string;
  count: number;
  subjects: Set<string>;
  reasons: Map<string, number>;
  address: string;
  action: AuditAction;
  code: string;
}

/**
 * Unauthenticated denials, aggregated: the first denial of each (address, action, code) in a
 * window is appended at once, exactly as it happened; the rest of that window is counted and
 * appended as one summary event (count, first and last time, up to `maxSubjects` of the keys or
 * paths named, the reasons with their counts) when the window closes. Per window at most
 * `maxBuckets` buckets exist (later ones fold into one overflow bucket), so an anonymous flood
 * adds at most 2 x (maxBuckets + 1) events per window however many requests it sends.
 */
export class DenialAggregator {
  private window = -1;
  private buckets = new Map<string, Bucket>();
  private readonly options: { windowMs: number; maxBuckets: number; maxSubjects: number; now: Clock; append: (event: Omit<AuditEventInput, 'at'>) => void };

  constructor(options: { windowMs: number; maxBuckets: number; maxSubjects: number; now: Clock; append: (event: Omit<AuditEventInput, 'at'>) => void }) {
    this.options = options;
  }

  record(d: UnauthenticatedDenial): void {
    const at = this.options.now();
    this.rollOver(at);
    const overflow = this.buckets.size >= this.options.maxBuckets;
    const key = `${d.address}\u0000${d.action}\u0000${d.code}`;
    const bucket = this.buckets.get(key) ?? (overflow ? this.buckets.get('(overflow)') : undefined);
    if (bucket) {
      bucket.count += 1;
      bucket.last = at.toISOString();
      if (d.subject && bucket.subjects.size < this.options.maxSubjects) bucket.subjects.add(d.subject);
      if (d.reason) bucket.reasons.set(d.reason, (bucket.reasons.get(d.reason) ?? 0) + 1);
      return;
    }
    const fresh: Bucket = overflow
      ? { first: at.toISOString(), last: at.toISOString(), count: 0, subjects: new Set(), reasons: new Map(), address: '(many)', action: '(many)', code: '(many)' }
      : { first: at.toISOString(), last: at.toISOString(), count: 0, subjects: new Set(), reasons: new Map(), address: d.address, action: d.action, code: d.code };
    this.buckets.set(overflow ? '(overflow)' : key, fresh);
    if (overflow) {
      fresh.count = 1;
      if (d.subject) fresh.subjects.add(d.subject);
      if (d.reason) fresh.reasons.set(d.reason, 1);
      return;
    }
    // The first of its kind in this window is on record at once, with what it named.
    this.options.append({ actor: '-', party: '-', action: d.action, object: d.subject ?? '-', outcome: 'deny', detail: { code: d.code, address: d.address, ...(d.reason ? { reason: d.reason } : {}), aggregated: 'first of window' } });
  }

  /** Append the summaries of a window that has closed (or, with `force`, of the current one). */
  flush(force = false): void {
    this.rollOver(this.options.now(), force);
  }

  private rollOver(at: Date, force = false): void {
    const window = Math.floor(at.getTime() / this.options.windowMs);
    if (window === this.window && !force) return;
    for (const b of this.buckets.values()) {
      if (b.count === 0) continue;
      this.options.append({
        actor: '-',
        party: '-',
        action: b.action,
        object: 'unauthenticated denials',
        outcome: 'deny',
        detail: { code: b.code, address: b.address, count: b.count, first: b.first, last: b.last, subjects: [...b.subjects], reasons: Object.fromEntries(b.reasons), aggregated: 'rest of window' },
      });
    }
    this.buckets.clear();
    this.window = window;
  }
}
