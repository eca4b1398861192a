/**
 * Opening a packet, for both clients: the manifest read and its signature checked against a
 * vouched-for member of the sending party in good standing at the time of signing, the check of
 * downloaded ciphertext against the signed manifest (after any key wraps), the part signer's
 * standing after decryption, and safe names for the files. The files side is the platform's:
 * client/node/opening.ts in the CLI, the web client's worker in the browser.
 *
 * Every signature it accepts comes from the TrustedDirectory; the hub's word is only a hint.
 * Never: file, environment or process access; nothing is kept before every check passed.
 */
import { concatBytes } from '@noble/hashes/utils.js';
import { decryptPart, NotARecipientError, readWrapKeyIds } from '../../keys/parts.ts';
import { verifyStatement } from '../../keys/statements.ts';
import type { PacketDetail } from '../../protocol/api.ts';
import { Manifest, parseCanonicalManifest, type ManifestPart } from '../../protocol/manifest.ts';
import { signedInstantProblem } from '../../protocol/signing.ts';
import type { ClientContext } from './context.ts';
import { meteredDigest, nobleSha256 } from './digest.ts';
import { ClientError, reasonOf, reasonWording } from './errors.ts';
import type { PartSink } from './part-io.ts';
import type { TrustedMember } from './trust.ts';

/** Keys whose signatures count for `party`, with the instant each stops counting (revocation, expiry). */
async function signersOf(ctx: ClientContext, party: string): Promise<TrustedMember[]> {
  return ctx.directory.members(party);
}

/** A signature counts only if made while the signer was a member in good standing. */
function signatureStanding(signer: TrustedMember, signedAt: Date): string | null {
  const at = signedAt.toISOString();
  if (signer.revokedAt && at >= signer.revokedAt) return `made after the key was revoked (${signer.revokedAt})`;
  if (signer.validUntil && at >= signer.validUntil) return `made after the membership expired (${signer.validUntil})`;
  return null;
}

/**
 * Read a packet's manifest and check its signature by a vouched-for member of the sending party.
 * The sending party is read from the text first only to know whose keys to load; the manifest is
 * believed once verifyStatement has checked it against those keys and the signer it names.
 */
export async function verifiedManifest(ctx: ClientContext, detail: Pick<PacketDetail, 'packetId' | 'manifest' | 'signature'>): Promise<{ manifest: Manifest; senderKeys: TrustedMember[] }> {
  const hint = parseCanonicalManifest(detail.manifest);
  if (!hint.ok) throw new ClientError(`packet ${detail.packetId}: ${hint.error}`, 'open.bad-hint', { packet: detail.packetId, reason: hint.error });
  const party = hint.manifest.sender.party;
  const senders = await signersOf(ctx, party);
  const verification = await verifyStatement('manifest', Manifest, { statement: detail.manifest, signature: detail.signature }, senders.map((m) => m.key), ctx.now(), { namedSigner: (m) => m.signedBy });
  if (!verification.valid) {
    if (verification.failure === 'unknown-signer') throw new ClientError(`the manifest of ${detail.packetId} is signed by a key that is not a vouched-for member of ${party}`, 'open.manifest-unknown-signer', { packet: detail.packetId, party });
    throw new ClientError(`the manifest signature of ${detail.packetId} does not verify: ${verification.reason}`, 'open.manifest-invalid', { packet: detail.packetId, reason: verification.reason });
  }
  const manifest = verification.value;
  if (manifest.packetId !== detail.packetId) throw new ClientError(`the hub served the manifest of another packet for ${detail.packetId}`, 'open.manifest-of-another', { packet: detail.packetId });
  const dated = signedInstantProblem(manifest.createdAt, ctx.now(), `the manifest date of ${detail.packetId}`);
  if (dated) throw new ClientError(dated, 'open.manifest-dated', { reason: dated });
  const signer = senders.find((m) => m.fingerprint === verification.signer)!;
  const standing = signatureStanding(signer, verification.signedAt);
  if (standing) throw new ClientError(`the manifest of ${detail.packetId} is signed by ${signer.fingerprint}, but ${standing}`, 'open.manifest-signer-standing', { packet: detail.packetId, fingerprint: signer.fingerprint, reason: standing });
  return { manifest, senderKeys: senders };
}

/** A file name safe to create in the output directory, from the untrusted name inside the message. */
function safeFileName(candidate: string, fallback: string): string {
  const cleaned = (candidate.replace(/\\/g, '/').split('/').pop() ?? '')
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}<>:"/\\|?*]/gu, '_')
    .replace(/^[.\s]+/, '')
    .slice(0, 180)
    .trim();
  return cleaned.length > 0 ? cleaned : fallback;
}

/**
 * The check of a downloaded part: the first `wrapLength` bytes are extra key wraps, the rest must
 * be exactly the ciphertext the signed manifest fixes. Pipe the download through `stream`, then
 * call `verify()`: it throws, naming the part, when a byte differs or a wrap is not a key wrap.
 */
export function downloadCheck(ctx: Pick<ClientContext, 'sha256'>, packetId: string, part: ManifestPart, wrapLength: number, onBytes?: (done: number) => void) {
  const hash = (ctx.sha256 ?? nobleSha256)();
  let position = 0;
  let size = 0;
  const wrap: Uint8Array[] = [];
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      const inWrap = Math.max(0, Math.min(chunk.length, wrapLength - position));
      if (inWrap > 0) wrap.push(chunk.subarray(0, inWrap));
      const rest = chunk.subarray(inWrap);
      hash.update(rest);
      size += rest.length;
      position += chunk.length;
      onBytes?.(size);
      controller.enqueue(chunk);
    },
  });
  async function verify(): Promise<void> {
    if (size !== part.size || hash.hex() !== part.sha256) {
      throw new ClientError(`part ${part.id} of ${packetId} does not match the signed manifest: it was altered; nothing was decrypted`, 'open.part-altered', { part: part.id, packet: packetId });
    }
    if (wrapLength > 0) {
      try {
        await readWrapKeyIds(concatBytes(...wrap));
      } catch {
        throw new ClientError(`part ${part.id} of ${packetId} came with an invalid key wrap`, 'open.part-bad-wrap', { part: part.id, packet: packetId });
      }
    }
  }
  return { stream, verify };
}

/** The checks after a part decrypted: its signature by a member of the sending party in good standing. */
function partSignerStanding(part: ManifestPart, manifest: Manifest, senderKeys: TrustedMember[], verification: { valid: true; signer: string; signedAt: Date } | { valid: false; reason: string }): string {
  if (!verification.valid) throw new ClientError(`part ${part.id} is not validly signed by a member of ${manifest.sender.party}: ${verification.reason}`, 'open.part-signature-invalid', { part: part.id, party: manifest.sender.party, reason: verification.reason });
  const partSigner = senderKeys.find((m) => m.fingerprint === verification.signer)!;
  const standing = signatureStanding(partSigner, verification.signedAt);
  if (standing) throw new ClientError(`part ${part.id} is signed by ${partSigner.fingerprint}, but ${standing}`, 'open.part-signer-standing', { part: part.id, fingerprint: partSigner.fingerprint, reason: standing });
  return verification.signer;
}

/** One part as opened: where it was kept, who signed it (by name and party, as vouched for), and the plaintext's digest. */
interface OpenedPart {
  path: string;
  signer: string;
  signerName: string;
  sha256: string;
  size: number;
}

/**
 * Decrypt one part whose ciphertext already matched the signed manifest (`downloadCheck`) into
 * `sink`, and keep it only once its signature by a member of the sending party in good standing
 * verified; otherwise discard it and refuse in one sentence (a failure of the sink itself, a full
 * disk or storage quota, is the sink's own error). A part this key cannot read (sent before it was
 * enrolled, cleared or rotated) says which colleague must re-wrap it, and how.
 */
export async function openPart(ctx: ClientContext, packetId: string, part: ManifestPart, manifest: Manifest, senderKeys: TrustedMember[], ciphertext: ReadableStream<Uint8Array>, sink: PartSink): Promise<OpenedPart> {
  const decrypted = await decryptPart(ciphertext, { decryptionKey: ctx.key, senderKeys: senderKeys.map((m) => m.key), date: ctx.now() }).catch((error: unknown) => {
    if (error instanceof NotARecipientError) {
      throw new ClientError(`your key cannot open part ${part.id}: the packet was sent before your key could read it; a colleague of ${ctx.me.party} who can read it must re-wrap it for your key (Colleagues in the web client, or: liaison rewrap --for ${ctx.me.fingerprint} ${packetId})`, 'open.part-not-for-key', { part: part.id, party: ctx.me.party, fingerprint: ctx.me.fingerprint, packet: packetId });
    }
    throw new ClientError(`cannot decrypt part ${part.id}: ${reasonOf(error)}`, 'open.part-cannot-decrypt', { part: part.id, reason: reasonWording(error) });
  });
  // The plaintext's digest for the folder's label, without reading it again.
  const plaintext = meteredDigest(ctx.sha256, (written) => ctx.progress?.(`decrypting ${part.id}`, written, part.size));
  let storageFailed = false;
  try {
    try {
      await decrypted.data.pipeThrough(plaintext.stream).pipeTo(watched(sink.writable(), () => (storageFailed = true)));
    } catch (error) {
      if (storageFailed) throw error; // the disk or the browser's storage, not the data (ENOSPC, a quota): its own sentence
      // openpgp.js's own words (a modification detected, a bad packet) say nothing more to a reader.
      throw new ClientError(`part ${part.id} failed its integrity check while decrypting: it was altered or damaged; nothing of it was kept`, 'open.part-integrity', { part: part.id });
    }
    const signer = partSignerStanding(part, manifest, senderKeys, await decrypted.verification);
    const member = senderKeys.find((m) => m.fingerprint === signer)!;
    const path = await sink.keep(safeFileName(decrypted.filename, `${part.id}-${part.role}-${part.lang}.bin`));
    return { path, signer, signerName: `${member.name} (${member.party})`, ...plaintext.result() };
  } catch (error) {
    await sink.discard();
    throw error;
  }
}

/** `target`, telling `onFail` when a write to it (not the stream piped into it) failed. */
function watched(target: WritableStream<Uint8Array>, onFail: () => void): WritableStream<Uint8Array> {
  const writer = target.getWriter();
  const failing = (error: unknown) => {
    onFail();
    throw error;
  };
  return new WritableStream<Uint8Array>({
    write: (chunk) => writer.write(chunk).catch(failing),
    close: () => writer.close().catch(failing),
    abort: (reason) => writer.abort(reason).catch(() => undefined),
  });
}
