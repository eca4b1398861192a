/**
 * The client core driven in-process, as the CLI drives it: a context on the hub at `url` with a
 * session token, the parties' officers pinned out of band, the person's unlocked key and the
 * world's shifted clock. One home, so that a change of ClientContext is one change in the tests.
 */
import { HubClient } from '../../client/core/api.ts';
import type { ClientContext } from '../../client/core/context.ts';
import { TrustedDirectory, TrustStore } from '../../client/core/trust.ts';
import type { Member } from '../../protocol/api.ts';
import type { Person, TestClock } from './world.ts';

/** A trust store that pins each of these officers for their party, as notified in writing. */
export function pinnedTrust(officers: Iterable<Person>, at: Date): TrustStore {
  const trust = new TrustStore();
  for (const officer of officers) trust.add(officer.party, officer.fingerprint, 'out-of-band', at);
  return trust;
}

export interface ContextOptions {
  url: string;
  token: string | undefined;
  clock: TestClock;
  /** Pinned for their parties; ignored when `trust` is given. */
  officers?: Iterable<Person>;
  trust?: TrustStore;
  /** The member record the client believes is its own (default: built from the person, a SECRET contact). */
  me?: Member;
}

export function clientContext(person: Person, o: ContextOptions): ClientContext {
  const api = new HubClient(o.url, o.token);
  const trust = o.trust ?? pinnedTrust(o.officers ?? [], o.clock.now());
  return {
    api,
    directory: new TrustedDirectory(api, trust, o.clock.now),
    me: o.me ?? { fingerprint: person.fingerprint, party: person.party, name: person.name, roles: ['contact'], clearance: 'SECRET', publicKey: person.armoredPublicKey, enrolledAt: o.clock.now().toISOString() },
    key: person.key,
    now: o.clock.now,
  };
}

/** The same, with the member record the hub answers for the session (GET /v1/me). */
export async function hubClientContext(person: Person, o: Omit<ContextOptions, 'me'>): Promise<ClientContext> {
  const ctx = clientContext(person, o);
  return { ...ctx, me: await ctx.api.me() };
}
