/**
 * Routes of evidence: a packet's receipts and a recipient's retrieval receipt, the packet's
 * evidence bundle, the caller's view of the audit log with proofs, and signed checkpoints
 * (server/evidence.ts).
 */
import { z } from 'zod';
import { AuditExport, EvidenceBundle, RetrievalReceiptBody, SignedCheckpoint, SignedReceipt } from '../../protocol/evidence.ts';
import { acceptRetrievalReceipt, checkpointNow, evidenceBundle, latestCheckpoint, partyAuditExport, receiptsFor } from '../evidence.ts';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { PacketParams } from './params.ts';

/** `from`: sizes of checkpoints the caller kept, comma-separated; the export proves it extends each. */
const AuditQuery = z.strictObject({
  from: z
    .string()
    .regex(/^\d{1,12}(,\d{1,12}){0,63}$/, 'a comma-separated list of log sizes')
    .transform((s) => s.split(',').map(Number))
    .optional(),
});

export const evidenceRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/packets/:id/receipts',
    paramsLabel: 'packet id',
    operationId: 'listReceipts',
    tag: 'evidence',
    summary: "A packet's receipts: the hub's (submission, availability, release steps) and the recipients' retrieval receipts",
    access: 'member',
    params: PacketParams,
    answer: { status: 200, description: 'the receipts, oldest first', schema: z.array(SignedReceipt) },
    problems: ['not-found'],
    handle: ({ hub, member, params }) => receiptsFor(hub, member, params.id),
  }),
  defineRoute({
    method: 'post',
    path: '/packets/:id/receipts',
    paramsLabel: 'packet id',
    operationId: 'sendRetrievalReceipt',
    tag: 'evidence',
    summary: "A recipient's signed retrieval receipt, after its client decrypted and verified the packet",
    access: 'member',
    params: PacketParams,
    body: RetrievalReceiptBody,
    bodyLimit: '128kb',
    answer: { status: 201, description: 'the stored receipt', schema: SignedReceipt },
    problems: ['forbidden', 'not-found', 'conflict'],
    handle: ({ hub, member, params, body }) => acceptRetrievalReceipt(hub, member, params.id, body),
  }),
  defineRoute({
    method: 'get',
    path: '/packets/:id/evidence',
    paramsLabel: 'packet id',
    operationId: 'getEvidenceBundle',
    tag: 'evidence',
    summary: "A packet's evidence bundle: manifest, receipts, its audit events with proofs, a signed checkpoint",
    access: 'member',
    params: PacketParams,
    answer: { status: 200, description: 'the bundle', schema: EvidenceBundle },
    problems: ['not-found'],
    handle: ({ hub, member, params }) => evidenceBundle(hub, member, params.id),
  }),
  defineRoute({
    method: 'get',
    path: '/audit',
    operationId: 'exportAudit',
    tag: 'audit',
    summary: "The audit events the caller may see, each with its inclusion proof, a signed checkpoint, and proofs that the log extends the checkpoints named in `from`",
    access: 'member',
    query: AuditQuery,
    answer: { status: 200, description: 'the export', schema: AuditExport },
    problems: [],
    handle: ({ hub, member, query }) => partyAuditExport(hub, member, query.from ?? []),
  }),
  defineRoute({
    method: 'get',
    path: '/audit/checkpoints/latest',
    operationId: 'getLatestCheckpoint',
    tag: 'audit',
    summary: "The hub's latest signed checkpoint of the audit log",
    access: 'member',
    answer: { status: 200, description: 'the checkpoint', schema: SignedCheckpoint },
    problems: [],
    handle: ({ hub }) => latestCheckpoint(hub),
  }),
  defineRoute({
    method: 'post',
    path: '/audit/checkpoints',
    operationId: 'checkpointNow',
    tag: 'audit',
    summary: 'Have the hub sign a checkpoint of the log as it is now',
    access: 'member',
    answer: { status: 201, description: 'the checkpoint', schema: SignedCheckpoint },
    problems: [],
    handle: ({ hub }) => checkpointNow(hub),
  }),
];
