/**
 * The protocol's names shown on the pages (packet, request and release states, what a deadline is
 * for) in the page's language: the catalogue entry `prefix + name`. Every name the protocol's enums
 * define has its entry (test/http/web-serving.test.ts walks them; the page does not import the
 * schemas, which would bring zod and its eval probe into the page under a CSP without
 * 'unsafe-eval'); a name the hub sends that has no entry (a deadline's state with a delay notice,
 * say) is shown as the hub gave it.
 */
import { catalogues, type MessageKey, type Translator } from './i18n.ts';

type T = Translator;

/** A packet's state as the hub names it (draft, submitted), in the page's language; another name as it is. */
export function packetStateLabel(t: T, state: string): string {
  return labelOf(t, 'packetState_', state);
}

/** A request's state (protocol/requests.ts RequestState) in the page's language; another name as it is. */
export function requestStateLabel(t: T, state: string): string {
  return labelOf(t, 'requestState_', state);
}

/** A release's state (protocol/release.ts ReleaseState) in the page's language; another name as it is. */
export function releaseStateLabel(t: T, state: string): string {
  return labelOf(t, 'releaseState_', state);
}

/** What a deadline is for (protocol/requests.ts DeadlineItem.what) in the page's language. */
export function deadlineWhatLabel(t: T, what: string): string {
  return labelOf(t, 'deadlineWhat_', what);
}

/** `value` worded by the catalogue entry `prefix + value` when there is one, else as the hub gave it. */
function labelOf(t: T, prefix: string, value: string): string {
  const key = `${prefix}${value}`;
  return Object.hasOwn(catalogues.en, key) ? t(key as MessageKey) : value;
}
