/**
 * The agreement files shipped with liaison (agreements/*.json), for the commands that need the
 * parties of the agreements before any hub is known (`trust add` with no session). A hub's own
 * agreements are asked of the hub.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Agreement } from '../../protocol/agreement.ts';
import { sessionIfAny, hubAtUrl } from './session.ts';

const SHIPPED = new URL('../../agreements/', import.meta.url);

/** Every shipped agreement that parses (a damaged file is skipped: the hub refuses it at start). */
function shippedAgreements(): Agreement[] {
  return readdirSync(SHIPPED)
    .filter((n) => n.endsWith('.json'))
    .flatMap((name) => {
      const parsed = Agreement.safeParse(JSON.parse(readFileSync(new URL(name, SHIPPED), 'utf8')));
      return parsed.success ? [parsed.data] : [];
    });
}

/** The parties the agreements name: the hub's (`server`, or the one logged in to), else the shipped ones; `from` says which. */
export async function knownParties(server?: string): Promise<{ parties: Set<string>; from: string }> {
  const api = server ? hubAtUrl(server) : sessionIfAny()?.api;
  if (api) return { parties: new Set((await api.agreements()).flatMap((a) => a.parties)), from: `on the hub ${api.baseUrl}` };
  return { parties: new Set(shippedAgreements().flatMap((a) => a.parties.map((p) => p.id))), from: 'shipped with liaison' };
}
