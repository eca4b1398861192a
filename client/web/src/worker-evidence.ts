/**
 * Evidence in the browser, run inside the key worker: a packet's evidence
 * bundle verified with the core's checks before it is offered for saving, and the hub's audit log
 * held against the signed checkpoints this browser kept in IndexedDB. Each check that passes
 * keeps the hub's newest checkpoint, so a later visit refuses a hub that rewrote, truncated or
 * restored its log, and says so by name.
 *
 * Never: keeps a checkpoint that did not verify and extend those kept; trusts the hub's key
 * beyond the fingerprint pinned on first use in this browser.
 */
import { fingerprintOf, type PublicKey } from '../../../keys/identity.ts';
import { SignedCheckpoint } from '../../../protocol/evidence.ts';
import type { HubClient } from '../../core/api.ts';
import type { ClientContext } from '../../core/context.ts';
import { EvidenceApi, verifiedCheckpoint, verifyAuditExport, verifyEvidenceBundle, type LogCheck } from '../../core/evidence.ts';
import type { TrustStore } from '../../core/trust.ts';
import { records } from './idb.ts';
import type { AuditView } from './messages.ts';

/** The hub proves consistency from at most this many kept sizes per request (the CLI keeps as many). */
const KEPT = 64;

const keptKey = (hub: string) => `checkpoints:${hub}`;

async function kept(hub: string): Promise<SignedCheckpoint[]> {
  const saved = (await records.get<unknown[]>(keptKey(hub))) ?? [];
  return saved.flatMap((c) => {
    const parsed = SignedCheckpoint.safeParse(c);
    return parsed.success ? [parsed.data] : [];
  });
}

function pinnedOfficers(trust: TrustStore): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pin of trust.pins()) out.set(pin.party, [...(out.get(pin.party) ?? []), pin.fingerprint]);
  return out;
}

/** A packet's evidence bundle, verified here; the JSON to save only when it verifies. */
export async function evidenceBundle(ctx: ClientContext, hubKey: PublicKey, trust: TrustStore, packetId: string): Promise<{ check: LogCheck; json?: string }> {
  const bundle = await new EvidenceApi(ctx.api).evidence(packetId);
  const check = await verifyEvidenceBundle(bundle, { pinnedHub: fingerprintOf(hubKey), now: ctx.now(), pinnedOfficers: pinnedOfficers(trust) });
  return check.ok ? { check, json: `${JSON.stringify(bundle, null, 2)}\n` } : { check };
}

/**
 * Hold the hub's audit log, as this party may see it, against every checkpoint kept here; keep the
 * new checkpoint when it extends them. A failure is kept as it is: nothing new is stored.
 */
export async function checkAudit(api: HubClient, hubKey: PublicKey, now: () => Date): Promise<AuditView> {
  const hub = fingerprintOf(hubKey);
  const held = await kept(hub);
  const sizes: number[] = [];
  const valid: SignedCheckpoint[] = [];
  for (const k of held) {
    try {
      sizes.push((await verifiedCheckpoint(k, hubKey, now())).size);
      valid.push(k);
    } catch {
      // A kept checkpoint that no longer verifies (another hub key) proves nothing either way.
    }
  }
  const data = await new EvidenceApi(api).audit(sizes);
  const check = await verifyAuditExport(data, { pinnedHub: hub, kept: valid, now: now() });
  const keptView = async (list: SignedCheckpoint[]) => {
    const out: AuditView['kept'] = [];
    for (const c of list) {
      const cp = await verifiedCheckpoint(c, hubKey, now()).catch(() => undefined);
      if (cp) out.push({ size: cp.size, at: cp.at });
    }
    return out;
  };
  if (!check.ok) {
    const where = check.position === undefined ? '' : ` (at event ${check.position})`;
    return { ok: false, reason: `the hub's audit log does not extend what this browser kept: ${check.reason}${where}`, lines: check.lines, checkedAt: now().toISOString(), kept: await keptView(valid) };
  }
  const next = [...valid.filter((c) => c.statement !== data.checkpoint.statement), data.checkpoint].slice(-KEPT);
  await records.put(keptKey(hub), next);
  return { ok: true, lines: check.lines, checkedAt: now().toISOString(), kept: await keptView(next) };
}
