/**
 * Re-wrapping session keys, for both clients: a part's session key, opened with this person's
 * key, encrypted again to more keys (PKESK packets only: the data is never re-encrypted), for a
 * colleague who could not read earlier packets (newly enrolled, cleared or rotated) and for a
 * third party's cleared members once the originator consented to the release.
 * Never: wraps for a key the TrustedDirectory does not vouch for, or for a release not consented.
 */
import type { PublicKey } from '../../keys/identity.ts';
import { NotARecipientError, wrapSessionKeyFor } from '../../keys/parts.ts';
import { RECEIVING_ROLES } from '../../protocol/ids.ts';
import type { Manifest } from '../../protocol/manifest.ts';
import { isClearedReceiver } from '../../protocol/membership.ts';
import type { Release } from '../../protocol/release.ts';
import { collect } from './api.ts';
import type { ClientContext } from './context.ts';
import { ClientError, reasonOf, reasonWording } from './errors.ts';
import { verifiedManifest } from './opening.ts';
import { readersOf } from './sending.ts';

/** Execute a consented release: wrap each part's session key for the third party's cleared members. */
export async function executeRelease(ctx: ClientContext, releaseId: string): Promise<Release> {
  const release = await ctx.api.release(releaseId);
  const detail = await ctx.api.packet(release.packetId);
  const { manifest } = await verifiedManifest(ctx, detail);
  const keys = await readersOf(ctx, [release.thirdParty], manifest.marking.level);
  return ctx.api.executeRelease(releaseId, await wrapParts(ctx, release.packetId, manifest, keys));
}

/** New session-key wraps of every part of a packet for `keys`, made with this person's key. */
async function wrapParts(ctx: ClientContext, packetId: string, manifest: Manifest, keys: PublicKey[]): Promise<Array<{ partId: string; pkesk: string }>> {
  const wraps: Array<{ partId: string; pkesk: string }> = [];
  for (const part of manifest.parts) {
    const { body } = await ctx.api.downloadPart(packetId, part.id);
    try {
      const pkesk = await wrapSessionKeyFor(body, { decryptionKey: ctx.key, newRecipients: keys, date: ctx.now() });
      wraps.push({ partId: part.id, pkesk: base64Of(pkesk) });
    } catch (error) {
      if (error instanceof NotARecipientError) throw new ClientError(`your key cannot read part ${part.id} of ${packetId} either, so it cannot open it to others: a colleague whose key can must do it`, 'rewrap.cannot-read', { part: part.id, packet: packetId });
      throw new ClientError(`cannot re-wrap part ${part.id} of ${packetId}: ${reasonOf(error)}`, 'rewrap.failed', { part: part.id, packet: packetId, reason: reasonWording(error) });
    } finally {
      await body.cancel().catch(() => undefined);
    }
  }
  return wraps;
}

/**
 * Let a colleague read earlier packets (newly cleared, or a rotated key): wrap each packet's
 * session keys for their verified key. Which packets: the ones named; with none, the ones the hub
 * lists as waiting for that key (GET /v1/members/:fpr/awaiting-wraps), or with `every`, every
 * packet one can read (packets stored before the hub kept part readers are not listed as
 * waiting). Each is still checked here against the signed manifest and the colleague's
 * vouched-for clearance: the hub's list only saves work, it decides nothing. Returns what was
 * done and what was skipped, with the reason.
 */
export async function rewrapFor(ctx: ClientContext, fingerprint: string, packetIds: string[], every = false): Promise<{ done: string[]; skipped: Array<{ packetId: string; reason: string }> }> {
  const colleague = (await ctx.directory.activeMembers(ctx.me.party)).find((m) => m.fingerprint === fingerprint);
  if (!colleague) throw new ClientError(`${fingerprint} is not an active, vouched-for member of ${ctx.me.party}`, 'rewrap.not-a-colleague', { fingerprint, party: ctx.me.party });
  const listing = every ? ctx.api.packets({ box: 'all', limit: 500 }) : ctx.api.awaitingWraps(fingerprint);
  const ids = packetIds.length > 0 ? packetIds : (await collect(listing)).map((p) => p.packetId);
  const done: string[] = [];
  const skipped: Array<{ packetId: string; reason: string }> = [];
  for (const id of ids) {
    const detail = await ctx.api.packet(id);
    const { manifest } = await verifiedManifest(ctx, detail);
    if (!isClearedReceiver(colleague, manifest.marking.level, ctx.now())) {
      skipped.push({ packetId: id, reason: `not cleared for ${manifest.marking.level} or no receiving role` });
      continue;
    }
    try {
      await ctx.api.addWraps(id, fingerprint, await wrapParts(ctx, id, manifest, [colleague.key]));
      done.push(id);
    } catch (error) {
      skipped.push({ packetId: id, reason: reasonOf(error) });
    }
  }
  return { done, skipped };
}

/**
 * The members of this person's party (as the directory verifies them, with a role that receives
 * packets) who cannot open packets they are entitled to yet, with how many the hub lists on its
 * first page (`more`: there are further pages).
 */
export async function membersAwaitingRewrap(ctx: Pick<ClientContext, 'api' | 'directory' | 'me'>): Promise<Array<{ fingerprint: string; name: string; waiting: number; more: boolean }>> {
  const readers = (await ctx.directory.activeMembers(ctx.me.party)).filter((m) => m.roles.some((r) => RECEIVING_ROLES.includes(r)));
  const rows = [];
  for (const m of readers) {
    const page = await ctx.api.awaitingWrapPage(m.fingerprint);
    if (page.items.length > 0) rows.push({ fingerprint: m.fingerprint, name: m.name, waiting: page.items.length, more: page.nextCursor !== null });
  }
  return rows;
}

/** Standard base64 of bytes (btoa exists in Node and browsers alike). */
function base64Of(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
