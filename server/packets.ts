/**
 * Packets on the hub: receive an upload (streamed to disk, hashed on the way), check it against
 * its signed manifest and the agreement, store it durably; submit drafts; list and serve them.
 * The hub sees ciphertext, signed manifests and metadata only; it can check who a part is
 * encrypted to, never what it says.
 */
import type { Readable } from 'node:stream';
import type { ReceivedFile, ReceivedUpload } from './http/upload.ts';
import { readWrapKeyIds } from '../keys/parts.ts';
import { verifyStatement } from '../keys/statements.ts';
import { PacketUploadFields, type AwaitingWrapsQuery, type PacketDetail, type PacketListQuery, type PacketSummary, type WrapsResult } from '../protocol/api.ts';
import { clearanceCovers } from '../protocol/levels.ts';
import { CursorError, type ListedPacket, type Page, type PacketListFilter } from '../storage/listings.ts';
import { describeIssues } from '../protocol/issues.ts';
import { Manifest, parseCanonicalManifest, type ManifestPart } from '../protocol/manifest.ts';
import type { MemberRecord, PacketRecord, ReleaseRecord } from '../storage/records.ts';
import { DuplicateKeyError } from '../storage/repositories.ts';
import { requireSignedNear } from './policy/clock.ts';
import { verifiedOrRefuse } from './validate.ts';
import { Problem, notFound } from './errors.ts';
import { recordSubmissionReceipts } from './evidence.ts';
import type { Hub } from './hub.ts';
import { inactiveReason } from '../protocol/membership.ts';
import { agreementOf } from './policy/agreements.ts';
import { isActive, isContact, isReader, isTranslator, requireContact } from './policy/roles.ts';
import { awaitingWrapLevels, readRelation, readableLevels, type Relation } from './policy/visibility.ts';
import {
  clearedReceivers,
  requireComplete,
  requireInForce,
  requireMarking,
  requireRequestForm,
  requireOnlyAddsParts,
  requireRecipientsInAgreement,
  requireSender,
  requireTranslator,
} from './policy/packets.ts';

/** The packet a manifest answers (references.inReplyTo), as the hub holds it. */
async function answeredPacket(hub: Hub, manifest: Manifest): Promise<PacketRecord | undefined> {
  return manifest.references.inReplyTo ? await hub.store.packets.get(manifest.references.inReplyTo) : undefined;
}


/** The key IDs every part of a packet must be encrypted to now: the cleared readers of its sending and receiving parties. */
async function expectedReaders(hub: Hub, manifest: Manifest): Promise<MemberRecord[]> {
  const parties = [manifest.sender.party, ...manifest.recipients];
  const members = await Promise.all(parties.map((party) => hub.store.members.ofParty(party)));
  return members.flatMap((ofParty) => clearedReceivers(ofParty, manifest.marking.level, hub.now()));
}

/**
 * The uploader's standing at the moment the upload commits (called inside the transaction): an
 * upload that began before a revocation, an expiry or a downgrade does not complete after it.
 */
async function requireStandingAtCommit(hub: Hub, uploader: MemberRecord, manifest: Manifest, readerKeys: ReadonlySet<string>): Promise<void> {
  const now = hub.now();
  const current = await hub.store.members.get(uploader.fingerprint);
  const allowed =
    current &&
    isActive(current, now) &&
    clearanceCovers(current.clearance, manifest.marking.level) &&
    (manifest.revision === 1 ? isContact(current) : isTranslator(current));
  if (!allowed) throw new Problem('forbidden', 'the uploader\'s key was revoked, expired or downgraded while the upload was received; nothing was stored');
  const nowReaders = new Set((await expectedReaders(hub, manifest)).map((m) => m.encryptionKeyId));
  if (nowReaders.size !== readerKeys.size || [...nowReaders].some((k) => !readerKeys.has(k))) {
    throw new Problem('conflict', 'the cleared readers of this packet changed while it was uploaded (a key was enrolled, revoked or re-cleared); encrypt it again');
  }
}

/** Check each uploaded file is exactly a new part of the manifest and is encrypted to exactly the cleared members. */
async function checkParts(hub: Hub, manifest: Manifest, newParts: ManifestPart[], files: ReceivedFile[]): Promise<Set<string>> {
  const byId = new Map(files.map((f) => [f.partId, f]));
  if (byId.size !== files.length) throw new Problem('bad-request', 'a part was uploaded twice');
  for (const f of files) {
    if (!newParts.some((p) => p.id === f.partId)) throw new Problem('bad-request', `the upload has a file "${f.partId.slice(0, 20)}" that the manifest does not list as a new part`);
  }
  const readers = await expectedReaders(hub, manifest);
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

/**
 * Accept a new packet or a new revision of a draft from an upload already streamed to temp files
 * (server/http/upload.ts). The caller discards the temp files this does not commit.
 */
export async function acceptPacket(hub: Hub, member: MemberRecord, upload: ReceivedUpload, expectedPacketId?: string): Promise<{ packetId: string; state: 'draft' | 'submitted'; revision: number }> {
  const { fields, files } = upload;
  let announced: { done(): void } | undefined;
  try {
    const parsedFields = PacketUploadFields.safeParse(fields);
    if (!parsedFields.success) throw new Problem('bad-request', `the upload fields are invalid: ${describeIssues(parsedFields.error, 'upload')}`);
    const { manifest: manifestText, signature, submit } = parsedFields.data;
    const verification = await verifyStatement('manifest', Manifest, { statement: manifestText, signature }, hub.signatures.verifier([member.publicKey]), hub.now(), { namedSigner: (m) => m.signedBy });
    const manifest = verifiedOrRefuse(verification, 'manifest', 'the manifest must be signed by the member who uploads it', 'forbidden');
    if (expectedPacketId && manifest.packetId !== expectedPacketId) throw new Problem('bad-request', 'the manifest is for another packet');

    const agreement = agreementOf(hub.agreements, manifest.agreementId);
    const existing = await hub.store.packets.get(manifest.packetId);
    let newParts: ManifestPart[];
    if (manifest.revision === 1) {
      if (expectedPacketId) throw new Problem('bad-request', 'an attachment is a later revision of the draft');
      if (existing) throw new Problem('conflict', 'a packet with this id already exists');
      requireSignedNear(hub.now(), manifest.createdAt, 'manifest date (createdAt)');
      requireInForce(agreement, manifest, await answeredPacket(hub, manifest));
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
      requireInForce(agreement, manifest, await answeredPacket(hub, manifest));
      newParts = manifest.parts.filter((p) => !previous.manifest.parts.some((q) => q.id === p.id));
    }
    const readerKeys = await checkParts(hub, manifest, newParts, files);
    const submitNow = submit === 'true';
    if (submitNow) {
      if (manifest.revision > 1 && !isContact(member)) throw new Problem('forbidden', 'submitting needs the contact role');
      requireComplete(agreement, manifest);
    }

    // Durable blobs first, then the rows and the audit event in one transaction. Announced to the
    // group commit first, so that a batch forming meanwhile waits a moment for these rows.
    announced = hub.store.announceCommit();
    const committed: string[] = [];
    for (const part of newParts) {
      const file = files.find((f) => f.partId === part.id)!;
      await file.blob.commit();
      committed.push(file.sha256);
    }
    const at = hub.now().toISOString();
    try {
      // Group commit: concurrent uploads share one transaction (one fsync), each in its own
      // savepoint; this resolves only after the COMMIT, so the reply still follows durability.
      await hub.store.groupCommit(async () => {
        await requireStandingAtCommit(hub, member, manifest, readerKeys);
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
          await hub.store.packets.insert(record, newParts, readerKeys);
        } else if (!await hub.store.packets.addRevision(manifest.packetId, manifest.revision, manifestText, signature, member.fingerprint, at, newParts, readerKeys)) {
          throw new Problem('conflict', `revision ${manifest.revision} of this packet was stored by someone else meanwhile, or the draft was submitted`);
        }
        await hub.audit({
          actor: member.fingerprint,
          party: member.party,
          action: manifest.revision === 1 ? 'packet.upload' : 'packet.attach',
          object: manifest.packetId,
          outcome: 'allow',
          detail: { revision: manifest.revision, parts: newParts.map((p) => ({ id: p.id, role: p.role, lang: p.lang, size: p.size, sha256: p.sha256 })) },
        });
        if (submitNow) {
          if (!await hub.store.packets.markSubmitted(manifest.packetId, at)) throw new Problem('conflict', 'the packet is already submitted');
          await hub.audit({ actor: member.fingerprint, party: member.party, action: 'packet.submit', object: manifest.packetId, outcome: 'allow', detail: { recipients: manifest.recipients } });
          await recordSubmissionReceipts(hub, manifest.packetId);
        }
      }, announced);
    } catch (error) {
      // The rows did not land: the blobs are unreferenced, remove them now (start-up sweeps would too).
      const referenced = await hub.store.packets.allBlobHashes();
      for (const sha of committed) if (!referenced.has(sha)) await hub.blobs.delete(sha);
      // Two uploads of the same packet id: the second one lost the race, it is a conflict, not a fault.
      if (error instanceof DuplicateKeyError) throw new Problem('conflict', 'a packet with this id already exists', {}, { cause: error });
      throw error;
    }
    return { packetId: manifest.packetId, state: submitNow ? 'submitted' : 'draft', revision: manifest.revision };
  } finally {
    announced?.done();
  }
}

/** Submit a complete draft: it becomes visible to the receiving parties. */
export async function submitPacket(hub: Hub, member: MemberRecord, packetId: string): Promise<{ packetId: string; state: 'submitted'; revision: number }> {
  const packet = await hub.store.packets.get(packetId);
  if (!packet || readRelation(member, packet, [], hub.now()) !== 'sent') throw notFound('packet');
  requireContact(member, 'submitting');
  if (packet.state === 'submitted') throw new Problem('conflict', 'the packet is already submitted');
  const parsed = parseCanonicalManifest(packet.manifest);
  if (!parsed.ok) throw new Error('stored manifest does not parse');
  const agreement = agreementOf(hub.agreements, packet.agreementId);
  requireInForce(agreement, parsed.manifest, await answeredPacket(hub, parsed.manifest));
  requireComplete(agreement, parsed.manifest);
  await hub.store.transaction(async () => {
    if (!await hub.store.packets.markSubmitted(packetId, hub.now().toISOString())) throw new Problem('conflict', 'the packet is already submitted');
    await hub.audit({ actor: member.fingerprint, party: member.party, action: 'packet.submit', object: packetId, outcome: 'allow', detail: { recipients: packet.recipients } });
    await recordSubmissionReceipts(hub, packetId);
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

/**
 * One page of the packets the member's party can see, newest first: one indexed query, whatever
 * the number of packets (storage/listings.ts). The member's own standing was checked by auth.
 */
export async function listPackets(hub: Hub, member: MemberRecord, query: PacketListQuery): Promise<Page<PacketSummary>> {
  const page = await packetPageFor(member, hub, { box: query.box, agreementId: query.agreement, kind: query.kind, state: query.state, since: query.since, limit: query.limit, cursor: query.cursor });
  return { items: page.items.map((p) => summary(p, p.relation)), nextCursor: page.nextCursor };
}

/**
 * The packets of the caller's party that a colleague's key cannot open yet (enrolled, cleared or
 * rotated after they were sent): what `liaison rewrap --for` would fix. Only packets the caller
 * may see themselves are listed, and only at levels both are cleared for; a member of another
 * party is answered as missing. Any member may ask (an officer to see who waits, a reader to
 * know what to re-wrap, the member to know why a packet does not open).
 */
export async function listAwaitingWraps(hub: Hub, caller: MemberRecord, fingerprint: string, query: AwaitingWrapsQuery): Promise<Page<PacketSummary>> {
  const target = await hub.store.members.get(fingerprint);
  const levels = target ? awaitingWrapLevels(caller, target) : null;
  if (!target || !levels) throw notFound('member');
  const inactive = inactiveReason(target, hub.now());
  if (inactive) throw new Problem('bad-request', `${fingerprint} cannot read anything (${inactive}): nothing is re-wrapped for that key`);
  if (!isReader(target)) throw new Problem('bad-request', `${fingerprint} has no receiving role (contact or clerk): nothing is re-wrapped for that key`);
  const page = await listed(() =>
    hub.store.packets.awaitingWrapsPage({
      party: caller.party,
      levels,
      keyId: target.encryptionKeyId,
      since: query.since,
      limit: query.limit,
      cursor: query.cursor,
    }),
  );
  return { items: page.items.map((p) => summary(p, p.relation)), nextCursor: page.nextCursor };
}

/**
 * A page of rows as `member` may see them: `keep` is the visibility rule of one row, `show` its
 * wire shape. The next cursor stays the position after the last row read, so a page may hold
 * fewer than `limit` items (even none) and still have a next one; paging on never skips a row.
 */
export async function visiblePage<R, T>(page: Page<R>, keep: (row: R) => boolean, show: (row: R) => T | Promise<T>): Promise<Page<T>> {
  const items: T[] = [];
  for (const row of page.items) if (keep(row)) items.push(await show(row));
  return { items, nextCursor: page.nextCursor };
}

/**
 * One page of the packets `member`'s party holds, at the levels the member may read, in a folder
 * (`all`: every one): what both the packet list and the request list page over.
 */
export function packetPageFor(member: MemberRecord, hub: Hub, filter: Omit<PacketListFilter, 'party' | 'levels' | 'folder'> & { box: PacketListQuery['box'] }): Promise<Page<ListedPacket>> {
  const { box, ...rest } = filter;
  return listed(() => hub.store.packets.page({ ...rest, party: member.party, levels: readableLevels(member), folder: box === 'all' ? undefined : box }));
}

/** A cursor that does not decode is the caller's mistake: a 400 naming it. */
export async function listed<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof CursorError) throw new Problem('bad-request', `invalid query: cursor: ${error.message}`);
    throw error;
  }
}

/** The packet and how `member` sees it, or undefined when they may not (or it does not exist): for lists, which skip it. */
export async function packetSeenBy(hub: Hub, member: MemberRecord, packetId: string): Promise<{ packet: PacketRecord; relation: Relation; releases: ReleaseRecord[] } | undefined> {
  const packet = await hub.store.packets.get(packetId);
  const releases = packet ? await hub.store.releases.ofPacket(packetId) : [];
  const relation = packet ? readRelation(member, packet, releases, hub.now()) : null;
  return packet && relation ? { packet, relation, releases } : undefined;
}

/** The packet as `member` may see it; a forbidden packet is reported exactly like a missing one. */
export async function visiblePacket(hub: Hub, member: MemberRecord, packetId: string): Promise<{ packet: PacketRecord; relation: Relation; releases: ReleaseRecord[] }> {
  const seen = await packetSeenBy(hub, member, packetId);
  if (!seen) throw notFound('packet');
  return seen;
}

export async function packetDetail(hub: Hub, member: MemberRecord, packetId: string): Promise<PacketDetail> {
  const { packet, relation } = await visiblePacket(hub, member, packetId);
  return { ...summary(packet, relation), manifest: packet.manifest, signature: packet.signature, parts: (await hub.store.packets.partsOf(packetId)).map(({ packetId: _p, ...part }) => part) };
}

/** Open a part for download: wraps for the caller's party first, then the stored ciphertext. */
export async function openPart(hub: Hub, member: MemberRecord, packetId: string, partId: string): Promise<{ wrap: Buffer; stream: Readable; size: number; sha256: string }> {
  const { packet } = await visiblePacket(hub, member, packetId);
  const part = (await hub.store.packets.partsOf(packetId)).find((p) => p.id === partId);
  // A member who may not download sees the part as if the packet did not exist (officers manage, they do not read).
  if (!isReader(member)) throw notFound('packet');
  if (!part) throw notFound('part');
  const wrap = await hub.store.packets.wrapsFor(packet.id, part.id, member.party);
  await hub.audit({ actor: member.fingerprint, party: member.party, action: 'part.download', object: `${packetId}/${partId}`, outcome: 'allow', detail: { sha256: part.sha256 } });
  return { wrap, stream: await hub.blobs.openRead(part.sha256), size: part.size, sha256: part.sha256 };
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
export async function addMemberWraps(hub: Hub, caller: MemberRecord, packetId: string, body: { fingerprint: string; wraps: Array<{ partId: string; pkesk: string }> }): Promise<WrapsResult> {
  const { packet } = await visiblePacket(hub, caller, packetId);
  // Only a reader can make a wrap that opens the real session key; anyone else's would be a decoy.
  if (!isReader(caller)) throw notFound('packet');
  const target = await hub.store.members.get(body.fingerprint);
  if (!target || target.party !== caller.party) throw new Problem('bad-request', `${body.fingerprint} is not a member of ${caller.party}`);
  const relation = readRelation(target, packet, await hub.store.releases.ofPacket(packetId), hub.now());
  if (!relation || !isReader(target)) throw new Problem('forbidden', `${body.fingerprint} is not entitled to read this packet (role, clearance or validity)`);
  const parts = await hub.store.packets.partsOf(packetId);
  const wraps = await checkWraps(parts, body.wraps, new Set([target.encryptionKeyId]), `the key of ${body.fingerprint}`);
  const at = hub.now().toISOString();
  await hub.store.transaction(async () => {
    const current = await hub.store.members.get(caller.fingerprint);
    if (!current || !isReader(current) || !readRelation(current, packet, await hub.store.releases.ofPacket(packetId), hub.now())) throw notFound('packet');
    for (const [partId, pkesk] of wraps) await hub.store.packets.insertWrap({ packetId, partId, party: target.party, pkesk, keyIds: [target.encryptionKeyId], createdAt: at });
    await hub.audit({ actor: caller.fingerprint, party: caller.party, action: 'packet.rewrap', object: packetId, outcome: 'allow', detail: { for: body.fingerprint, parts: wraps.size } });
  });
  return { packetId, fingerprint: body.fingerprint, parts: wraps.size };
}
