/**
 * The agreement a record names, and the rules of an agreement's own standing: a step it does not
 * provide for, a terminated agreement. Pure decisions over the loaded agreements; no I/O.
 */
import type { Agreement } from '../../protocol/agreement.ts';
import { Problem, treatyRefusal } from '../errors.ts';

/** The agreement a packet, request or body names; one the hub does not have (never loaded, or its file removed since) is refused. */
export function agreementOf(agreements: ReadonlyMap<string, Agreement>, id: string): Agreement {
  const agreement = agreements.get(id);
  if (!agreement) throw new Problem('bad-request', `the hub has no agreement ${id}; it has ${[...agreements.keys()].join(', ')}`);
  return agreement;
}

/** A step the agreement does not provide for is refused, citing the agreement itself. */
export function ruleOrRefuse<T extends { article: string }>(agreement: Agreement, rule: T | undefined, what: string): T {
  if (!rule) throw treatyRefusal(agreement.status.article, `${agreement.id} does not provide for ${what}`);
  return rule;
}

/** A new request (oral or written) is refused under a terminated agreement (RU-PK Art. 15(4)). */
export function requireAcceptsNewRequests(agreement: Agreement): void {
  if (agreement.status.state === 'terminated') {
    throw treatyRefusal(agreement.status.article, `${agreement.id} is terminated and accepts no new requests; what was exchanged stays protected`);
  }
}

/** For the audit: a request already under way is still handled after termination (RU-PK Art. 15(3), SCO Art. 13(3)). */
export function afterTermination(agreement: Agreement): { afterTermination?: string } {
  if (agreement.status.state !== 'terminated') return {};
  return { afterTermination: agreement.workflow?.pendingAfterTermination?.article ?? agreement.confidentialitySurvivesTermination.article };
}
