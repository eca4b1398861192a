/**
 * Packets on the hub: receive an upload (streamed to disk, hashed on the way), check it against
 * its signed manifest and the agreement, store it durably; submit drafts; list and serve them.
 * The hub sees ciphertext, signed manifests and metadata only; it can check who a part is
 * encrypted to, never what it says.
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import multer from 'multer';
import { publicKeyOf } from './key-cache.ts';
import { PartWalker, readWrapKeyIds } from '../keys/parts.ts';
import { verifyDetached } from '../keys/signatures.ts';
import { PacketUploadFields, type AwaitingWrapsQuery, type PacketDetail, type PacketListQuery, type PacketSummary } from '../protocol/api.ts';
import { clearanceCovers, LEVELS, type Level } from '../protocol/levels.ts';
import { CursorError, type Page } from '../storage/listings.ts';
import type { Expected } from '../storage/group-commit.ts';
import { describeIssues } from '../protocol/issues.ts';
import { parseCanonicalManifest, type Manifest, type ManifestPart } from '../protocol/manifest.ts';
import { isUniqueViolation, type MemberRecord, type PacketRecord } from '../storage/store.ts';
import { requireSignedNear } from './signed-dates.ts';
import { Problem, notFound } from './errors.ts';
import { recordSubmissionReceipts } from './evidence.ts';
import type { Hub } from './hub.ts';
import { SENDING_ROLES, TRANSLATING_ROLES } from '../protocol/ids.ts';
import { inactiveReason } from '../protocol/membership.ts';
import {
  agreementOf,
  canDownload,
  clearedReceivers,
  readRelation,
  requireComplete,
  requireInForce,
  requireMarking,
  requireRequestForm,
  requireOnlyAddsParts,
  requireRecipientsInAgreement,
  requireSender,
  requireTranslator,
  type Relation,
} from './policy.ts';

/** Temp files of one upload; once `closed`, any part still arriving is discarded as it lands. */
interface TempFiles {
  paths: string[];
  closed: boolean;
}

interface ReceivedFile {
  partId: string;
  tempPath: string;
  size: number;
  sha256: string;
  /** The PKESK key IDs, or why the part is not one message encrypted to public keys. */
  walk: { keyIds: string[] } | { error: string };
}

/**
 * Stream a multipart upload to exclusive temp files. Each part is read once: the same chunks are
 * hashed, walked (keys/part-walker.ts: exactly PKESKs then one SEIPD, nothing after) and written.
 * Every limit is set. Returns the text fields and the files; the caller must discard `temps` it
 * does not commit.
 */
async function receiveMultipart(hub: Hub, req: Request, res: Response, temps: TempFiles): Promise<{ fields: Record<string, unknown>; files: ReceivedFile[] }> {
  const received: ReceivedFile[] = [];
  const storage: multer.StorageEngine = {
    _handleFile(_req, file, callback) {
      const { path, stream } = hub.blobs.createTemp();
      temps.paths.push(path);
      const hash = createHash('sha256');
      const walker = new PartWalker();
      let size = 0;
      const meter = new Transform({
        // Up to 1 MiB queued towards the file: the write stream then writes it in one writev.
        writableHighWaterMark: 1024 * 1024,
        readableHighWaterMark: 1024 * 1024,
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          walker.push(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      pipeline(file.stream, meter, stream).then(
        () => {
          // The request may have been refused while this part was still arriving.
          if (temps.closed) void hub.blobs.discard(path);
          let walk: ReceivedFile['walk'];
          try {
            walk = { keyIds: walker.finish() };
          } catch (error) {
            walk = { error: (error as Error).message };
          }
          received.push({ partId: file.fieldname, tempPath: path, size, sha256: hash.digest('hex'), walk });
          callback(null, { path, size });
        },
        (error: unknown) => {
          void hub.blobs.discard(path);
          callback(error);
        },
      );
    },
    _removeFile(_req, file, callback) {
      hub.blobs.discard((file as unknown as { path: string }).path).then(() => callback(null), callback);
    },
  };
  const upload = multer({
    storage,
    limits: {
      fileSize: hub.settings.maxPartBytes,
      files: hub.settings.maxParts,
      fields: 3,
      parts: hub.settings.maxParts + 3,
      fieldNameSize: 64,
      fieldSize: 256 * 1024,
      headerPairs: 20,
    },
  }).any();
  await new Promise<void>((resolve, reject) => upload(req, res, (err?: unknown) => (err ? reject(err instanceof Error ? err : new Error('the upload failed')) : resolve())));
  return { fields: { ...(req.body as Record<string, unknown> | undefined) }, files: received };
}

/** The packet a manifest answers (references.inReplyTo), as the hub holds it. */
function answeredPacket(hub: Hub, manifest: Manifest): PacketRecord | undefined {
  return manifest.references.inReplyTo ? hub.store.getPacket(manifest.references.inReplyTo) : undefined;
}


/** The key IDs every part of a packet must be encrypted to now: the cleared readers of its sending and receiving parties. */
function expectedReaders(hub: Hub, manifest: Manifest): MemberRecord[] {
  return [manifest.sender.party, ...manifest.recipients].flatMap((party) => clearedReceivers(hub.store.membersOf(party), manifest.marking.level, hub.now()));
}

/**
 * The uploader's standing at the moment the upload commits (called inside the transaction): an
 * upload that began before a revocation, an expiry or a downgrade does not complete after it.
 */
function requireStandingAtCommit(hub: Hub, uploader: MemberRecord, manifest: Manifest, readerKeys: ReadonlySet<string>): void {
  const now = hub.now();
  const current = hub.store.getMember(uploader.fingerprint);
  const allowed =
    current &&
    !inactiveReason(current, now) &&
    clearanceCovers(current.clearance, manifest.marking.level) &&
    (manifest.revision === 1 ? current.roles.some((r) => SENDING_ROLES.includes(r)) : current.roles.some((r) => TRANSLATING_ROLES.includes(r)));
  if (!allowed) throw new Problem('forbidden', 'the uploader\'s key was revoked, expired or downgraded while the upload was received; nothing was stored');
  const nowReaders = new Set(expectedReaders(hub, manifest).map((m) => m.encryptionKeyId));
  if (nowReaders.size !== readerKeys.size || [...nowReaders].some((k) => !readerKeys.has(k))) {
    throw new Problem('conflict', 'the cleared readers of this packet changed while it was uploaded (a key was enrolled, revoked or re-cleared); encrypt it again');
  }
}

/** Check each uploaded file is exactly a new part of the manifest and is encrypted to exactly the cleared members. */
function checkParts(hub: Hub, manifest: Manifest, newParts: ManifestPart[], files: ReceivedFile[]): Set<string> {
  const byId = new Map(files.map((f) => [f.partId, f]));
  if (byId.size !== files.length) throw new Problem('bad-request', 'a part was uploaded twice');
  for (const f of files) {
    if (!newParts.some((p) => p.id === f.partId)) throw new Problem('bad-request', `the upload has a file "${f.partId.slice(0, 20)}" that the manifest does not list as a new part`);
  }
  const readers = expectedReaders(hub, manifest);
  const expected = new Set(readers.map((m) => m.encryptionKeyId));
  for (const part of newParts) {
    const file = byId.get(part.id);
    if (!file) throw new Problem('bad-request', `part ${part.id} is in the manifest but was not uploaded`);
    if (file.size !== part.size || file.sha256 !== part.sha256) {
      throw new Problem('bad-request', `part ${part.id} does not match the signed manifest (size or SHA-256 differs)`);
    }
    if ('error' in file.walk) throw new Problem('bad-request', `part ${part.id} is not one message encrypted to the recipients' keys: ${file.walk.error}`);
    const keyIds = file.walk.keyIds;
    const got = new Set(keyIds);
    const missing = [...expected].filter((k) => !got.has(k));
    const extra = [...got].filter((k) => !expected.has(k));
    if (missing.length > 0 || extra.length > 0) {
      const names = (ids: string[]) => ids.map((k) => readers.find((m) => m.encryptionKeyId === k)?.fingerprint ?? k).join(', ');
      throw new Problem(
        'bad-request',
        `part ${part.id} must be encrypted to exactly the cleared members of ${[manifest.sender.party, ...manifest.recipients].join(', ')}` +
          (missing.length ? `; missing ${names(missing)}` : '') +
          (extra.length ? `; not entitled: ${extra.join(', ')}` : ''),
      );
    }
  }
  return expected;
}

/** Receive a new packet or a new revision of a draft, from a multipart upload. */
export async function receivePacket(hub: Hub, member: MemberRecord, req: Request, res: Response, expectedPacketId?: string): Promise<{ packetId: string; state: 'draft' | 'submitted'; revision: number }> {
  const temps: TempFiles = { paths: [], closed: false };
  let announced: Expected | undefined;
  try {
    const { fields, files } = await receiveMultipart(hub, req, res, temps);
    const parsedFields = PacketUploadFields.safeParse(fields);
    if (!parsedFields.success) throw new Problem('bad-request', `the upload fields are invalid: ${describeIssues(parsedFields.error, 'upload')}`);
    const { manifest: manifestText, signature, submit } = parsedFields.data;
    const parsed = parseCanonicalManifest(manifestText);
    if (!parsed.ok) throw new Problem('bad-request', parsed.error);
    const manifest = parsed.manifest;
    if (expectedPacketId && manifest.packetId !== expectedPacketId) throw new Problem('bad-request', 'the manifest is for another packet');
    if (manifest.signedBy !== member.fingerprint) throw new Problem('forbidden', 'the manifest must be signed by the member who uploads it');
    const verification = await verifyDetached('manifest', manifestText, signature, [await publicKeyOf(member.publicKey)], hub.now());
    if (!verification.valid) throw new Problem('bad-request', `the manifest signature does not verify: ${verification.reason}`);

    const agreement = agreementOf(hub.agreements, manifest.agreementId);
    const existing = hub.store.getPacket(manifest.packetId);
    let newParts: ManifestPart[];
    if (manifest.revision === 1) {
      if (expectedPacketId) throw new Problem('bad-request', 'an attachment is a later revision of the draft');
      if (existing) throw new Problem('conflict', 'a packet with this id already exists');
      requireSignedNear(hub.now(), manifest.createdAt, 'manifest date (createdAt)');
      requireInForce(agreement, manifest, answeredPacket(hub, manifest));
      requireSender(agreement, member, manifest);
      requireRecipientsInAgreement(agreement, manifest);
      requireMarking(agreement, manifest, member);
      requireRequestForm(agreement, manifest);
      newParts = manifest.parts;
    } else {
      if (!existing) throw notFound('packet');
      requireTranslator(member, existing, hub.now());
      const previous = parseCanonicalManifest(existing.manifest);
      if (!previous.ok) throw new Error('stored manifest does not parse');
      requireOnlyAddsParts(previous.manifest, manifest);
      requireInForce(agreement, manifest, answeredPacket(hub, manifest));
      newParts = manifest.parts.filter((p) => !previous.manifest.parts.some((q) => q.id === p.id));
    }
    const readerKeys = checkParts(hub, manifest, newParts, files);
    const submitNow = submit === 'true';
    if (submitNow) {
      if (manifest.revision > 1 && !member.roles.includes('contact')) throw new Problem('forbidden', 'submitting needs the contact role');
      requireComplete(agreement, manifest);
    }

    // Durable blobs first, then the rows and the audit event in one transaction. Announced to the
    // group commit first, so that a batch forming meanwhile waits a moment for these rows.
    announced = hub.store.groupCommit.expect();
    const committed: string[] = [];
    for (const part of newParts) {
      const file = files.find((f) => f.partId === part.id)!;
      await hub.blobs.commit(file.tempPath, file.sha256);
      committed.push(file.sha256);
      // Renamed away: nothing left to discard at the end.
      temps.paths = temps.paths.filter((path) => path !== file.tempPath);
    }
    const at = hub.now().toISOString();
    try {
      // Group commit: concurrent uploads share one transaction (one fsync), each in its own
      // savepoint; this resolves only after the COMMIT, so the reply still follows durability.
      await hub.store.groupCommit.run(() => {
        requireStandingAtCommit(hub, member, manifest, readerKeys);
        if (manifest.revision === 1) {
          const record: PacketRecord = {
            id: manifest.packetId,
            agreementId: manifest.agreementId,
            senderParty: manifest.sender.party,
            senderFingerprint: manifest.sender.fingerprint,
            kind: manifest.kind,
            level: manifest.marking.level,
            labels: manifest.marking.labels,
            state: 'draft',
            revision: 1,
            createdAt: at,
            recipients: manifest.recipients,
            manifest: manifestText,
            signature,
          };
          hub.store.insertPacket(record, newParts, readerKeys);
        } else if (!hub.store.addRevision(manifest.packetId, manifest.revision, manifestText, signature, member.fingerprint, at, newParts, readerKeys)) {
          throw new Problem('conflict', `revision ${manifest.revision} of this packet was stored by someone else meanwhile, or the draft was submitted`);
        }
        hub.audit({
          actor: member.fingerprint,
          party: member.party,
          action: manifest.revision === 1 ? 'packet.upload' : 'packet.attach',
          object: manifest.packetId,
          outcome: 'allow',
          detail: { revision: manifest.revision, parts: newParts.map((p) => ({ id: p.id, role: p.role, lang: p.lang, size: p.size, sha256: p.sha256 })) },
        });
        if (submitNow) {
          if (!hub.store.markSubmitted(manifest.packetId, at)) throw new Problem('conflict', 'the packet is already submitted');
          hub.audit({ actor: member.fingerprint, party: member.party, action: 'packet.submit', object: manifest.packetId, outcome: 'allow', detail: { recipients: manifest.recipients } });
          recordSubmissionReceipts(hub, manifest.packetId);
        }
      }, announced);
    } catch (error) {
      // The rows did not land: the blobs are unreferenced, remove them now (start-up sweeps would too).
      const referenced = hub.store.allBlobHashes();
      for (const sha of committed) if (!referenced.has(sha)) await hub.blobs.remove(sha);
      // Two uploads of the same packet id: the second one lost the race, it is a conflict, not a fault.
      if (isUniqueViolation(error)) throw new Problem('conflict', 'a packet with this id already exists', {}, { cause: error });
      throw error;
    }
    return { packetId: manifest.packetId, state: submitNow ? 'submitted' : 'draft', revision: manifest.revision };
  } finally {
    announced?.done();
    temps.closed = true;
    for (const path of temps.paths) await hub.blobs.discard(path);
  }
}

/** Submit a complete draft: it becomes visible to the receiving parties. */
export function submitPacket(hub: Hub, member: MemberRecord, packetId: string): { packetId: string; state: 'submitted'; revision: number } {
  const packet = hub.store.getPacket(packetId);
  if (!packet || readRelation(member, packet, [], hub.now()) !== 'sent') throw notFound('packet');
  if (!member.roles.includes('contact')) throw new Problem('forbidden', 'submitting needs the contact role');
  if (packet.state === 'submitted') throw new Problem('conflict', 'the packet is already submitted');
  const parsed = parseCanonicalManifest(packet.manifest);
  if (!parsed.ok) throw new Error('stored manifest does not parse');
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  requireInForce(agreement, parsed.manifest, answeredPacket(hub, parsed.manifest));
  requireComplete(agreement, parsed.manifest);
  hub.store.transaction(() => {
    if (!hub.store.markSubmitted(packetId, hub.now().toISOString())) throw new Problem('conflict', 'the packet is already submitted');
    hub.audit({ actor: member.fingerprint, party: member.party, action: 'packet.submit', object: packetId, outcome: 'allow', detail: { recipients: packet.recipients } });
    recordSubmissionReceipts(hub, packetId);
  });
  return { packetId, state: 'submitted', revision: packet.revision };
}

function summary(packet: Omit<PacketRecord, 'manifest' | 'signature'>, relation: Relation): PacketSummary {
  return {
    packetId: packet.id,
    agreementId: packet.agreementId,
    senderParty: packet.senderParty,
    senderFingerprint: packet.senderFingerprint,
    recipients: packet.recipients,
    kind: packet.kind,
    level: packet.level,
    labels: packet.labels,
    state: packet.state,
    revision: packet.revision,
    createdAt: packet.createdAt,
    ...(packet.submittedAt ? { submittedAt: packet.submittedAt } : {}),
    relation,
  };
}

const FOLDER_OF_BOX = { inbox: 'inbox', sent: 'sent', drafts: 'drafts', all: undefined } as const;

/** The levels a member may read: a packet marked above them is not listed at all. */
export function readableLevels(member: MemberRecord): Level[] {
  return LEVELS.filter((level) => clearanceCovers(member.clearance, level));
}

/**
 * One page of the packets the member's party can see, newest first: one indexed query, whatever
 * the number of packets (storage/listings.ts). The member's own standing was checked by auth.
 */
export function listPackets(hub: Hub, member: MemberRecord, query: PacketListQuery): Page<PacketSummary> {
  const page = listed(() =>
    hub.store.listings.packets({
      party: member.party,
      levels: readableLevels(member),
      folder: FOLDER_OF_BOX[query.box],
      agreementId: query.agreement,
      kind: query.kind,
      state: query.state,
      since: query.since,
      limit: query.limit,
      cursor: query.cursor,
    }),
  );
  return { items: page.items.map((p) => summary(p, p.relation)), nextCursor: page.nextCursor };
}

/**
 * The packets of the caller's party that a colleague's key cannot open yet (enrolled, cleared or
 * rotated after they were sent): what `liaison rewrap --for` would fix. Only packets the caller
 * may see themselves are listed, and only at levels both are cleared for; a member of another
 * party is answered as missing. Any member may ask (an officer to see who waits, a reader to
 * know what to re-wrap, the member to know why a packet does not open).
 */
export function listAwaitingWraps(hub: Hub, caller: MemberRecord, fingerprint: string, query: AwaitingWrapsQuery): Page<PacketSummary> {
  const target = hub.store.getMember(fingerprint);
  if (!target || target.party !== caller.party) throw notFound('member');
  const inactive = inactiveReason(target, hub.now());
  if (inactive) throw new Problem('bad-request', `${fingerprint} cannot read anything (${inactive}): nothing is re-wrapped for that key`);
  if (!canDownload(target)) throw new Problem('bad-request', `${fingerprint} has no receiving role (contact or clerk): nothing is re-wrapped for that key`);
  const page = listed(() =>
    hub.store.listings.awaitingWraps({
      party: caller.party,
      levels: readableLevels(caller).filter((level) => clearanceCovers(target.clearance, level)),
      keyId: target.encryptionKeyId,
      since: query.since,
      limit: query.limit,
      cursor: query.cursor,
    }),
  );
  return { items: page.items.map((p) => summary(p, p.relation)), nextCursor: page.nextCursor };
}

/** A cursor that does not decode is the caller's mistake: a 400 naming it. */
export function listed<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof CursorError) throw new Problem('bad-request', `invalid query: cursor: ${error.message}`);
    throw error;
  }
}

/** The packet as `member` may see it; a forbidden packet is reported exactly like a missing one. */
export function visiblePacket(hub: Hub, member: MemberRecord, packetId: string): { packet: PacketRecord; relation: Relation } {
  const packet = hub.store.getPacket(packetId);
  const relation = packet ? readRelation(member, packet, hub.store.releasesOf(packetId), hub.now()) : null;
  if (!packet || !relation) throw notFound('packet');
  return { packet, relation };
}

export function packetDetail(hub: Hub, member: MemberRecord, packetId: string): PacketDetail {
  const { packet, relation } = visiblePacket(hub, member, packetId);
  return { ...summary(packet, relation), manifest: packet.manifest, signature: packet.signature, parts: hub.store.partsOf(packetId).map(({ packetId: _p, ...part }) => part) };
}

/** Open a part for download: wraps for the caller's party first, then the stored ciphertext. */
export function openPart(hub: Hub, member: MemberRecord, packetId: string, partId: string): { wrap: Buffer; stream: Readable; size: number; sha256: string } {
  const { packet } = visiblePacket(hub, member, packetId);
  const part = hub.store.partsOf(packetId).find((p) => p.id === partId);
  // A member who may not download sees the part as if the packet did not exist (officers manage, they do not read).
  if (!canDownload(member)) throw notFound('packet');
  if (!part) throw notFound('part');
  const wrap = hub.store.wrapsFor(packet.id, part.id, member.party);
  hub.audit({ actor: member.fingerprint, party: member.party, action: 'part.download', object: `${packetId}/${partId}`, outcome: 'allow', detail: { sha256: part.sha256 } });
  return { wrap, stream: hub.blobs.openRead(part.sha256), size: part.size, sha256: part.sha256 };
}

/**
 * Check new session-key wraps: one per part of the packet, each naming exactly `expected` key IDs
 * (PKESK packets only). Returns them by part id.
 */
export async function checkWraps(
  parts: ReadonlyArray<{ id: string }>,
  wraps: ReadonlyArray<{ partId: string; pkesk: string }>,
  expected: ReadonlySet<string>,
  who: string,
): Promise<Map<string, Uint8Array>> {
  const checked = new Map<string, Uint8Array>();
  for (const w of wraps) {
    if (!parts.some((p) => p.id === w.partId)) throw new Problem('bad-request', `the packet has no part ${w.partId.slice(0, 20)}`);
    if (checked.has(w.partId)) throw new Problem('bad-request', `part ${w.partId} is wrapped twice`);
    const pkesk = new Uint8Array(Buffer.from(w.pkesk, 'base64'));
    let ids: string[];
    try {
      ids = await readWrapKeyIds(pkesk);
    } catch (error) {
      throw new Problem('bad-request', `the wrap for ${w.partId} is invalid: ${(error as Error).message}`);
    }
    const got = new Set(ids);
    if (got.size !== expected.size || [...got].some((k) => !expected.has(k))) {
      throw new Problem('bad-request', `the wrap for ${w.partId} must be for exactly ${who}`);
    }
    checked.set(w.partId, pkesk);
  }
  const unwrapped = parts.find((p) => !checked.has(p.id));
  if (unwrapped) throw new Problem('bad-request', `part ${unwrapped.id} has no wrap`);
  return checked;
}

/**
 * Let one more member of a party that already reads a packet read it too (a newly cleared or
 * rotated key): a member of the same party who can decrypt sends wraps for that member's key.
 */
export async function addMemberWraps(hub: Hub, caller: MemberRecord, packetId: string, body: { fingerprint: string; wraps: Array<{ partId: string; pkesk: string }> }): Promise<{ packetId: string; fingerprint: string; parts: number }> {
  const { packet } = visiblePacket(hub, caller, packetId);
  // Only a reader can make a wrap that opens the real session key; anyone else's would be a decoy.
  if (!canDownload(caller)) throw notFound('packet');
  const target = hub.store.getMember(body.fingerprint);
  if (!target || target.party !== caller.party) throw new Problem('bad-request', `${body.fingerprint} is not a member of ${caller.party}`);
  const relation = readRelation(target, packet, hub.store.releasesOf(packetId), hub.now());
  if (!relation || !canDownload(target)) throw new Problem('forbidden', `${body.fingerprint} is not entitled to read this packet (role, clearance or validity)`);
  const parts = hub.store.partsOf(packetId);
  const wraps = await checkWraps(parts, body.wraps, new Set([target.encryptionKeyId]), `the key of ${body.fingerprint}`);
  const at = hub.now().toISOString();
  hub.store.transaction(() => {
    const current = hub.store.getMember(caller.fingerprint);
    if (!current || !canDownload(current) || !readRelation(current, packet, hub.store.releasesOf(packetId), hub.now())) throw notFound('packet');
    for (const [partId, pkesk] of wraps) hub.store.insertWrap({ packetId, partId, party: target.party, pkesk, keyIds: [target.encryptionKeyId], createdAt: at });
    hub.audit({ actor: caller.fingerprint, party: caller.party, action: 'packet.rewrap', object: packetId, outcome: 'allow', detail: { for: body.fingerprint, parts: wraps.size } });
  });
  return { packetId, fingerprint: body.fingerprint, parts: wraps.size };
}
