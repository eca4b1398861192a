/**
 * The rules of onward release (RU-PK Art. 7(4), SCO Art. 7(3), IR-KG Art. 4): who is a third
 * party, who decides, who executes, and whether a consent still stands at the moment of
 * release. Pure decisions over records the caller read inside its transaction; no I/O.
 */
import type { PacketRecord, ReleaseRecord } from '../../storage/records.ts';
import { Problem, treatyRefusal } from '../errors.ts';

/** The originator or a direct recipient: not a third party to the packet. */
export function isDirectParty(packet: PacketRecord, party: string): boolean {
  return party === packet.senderParty || packet.recipients.includes(party);
}

/**
 * A consent that still stands at `now`: decided as consent, not refused, not executed already, not
 * expired. Throws the refusal (citing `article`) otherwise. Call on the record re-read in the
 * transaction that executes the release.
 */
export function requireStandingConsent(release: ReleaseRecord, packet: PacketRecord, now: string, article: string): void {
  if (release.state === 'requested') throw treatyRefusal(article, `the release to ${release.thirdParty} is blocked until ${packet.senderParty} records its written consent`, 'forbidden');
  if (release.state === 'refused') throw treatyRefusal(article, `${packet.senderParty} refused this release`, 'forbidden');
  if (release.state === 'executed') throw new Problem('conflict', 'this release was already executed');
  if (release.expiresAt && release.expiresAt <= now) throw treatyRefusal(article, `the consent expired at ${release.expiresAt}`, 'forbidden');
}
