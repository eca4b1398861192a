/**
 * Routes of evidence: a packet's receipts and a recipient's retrieval receipt, the packet's
 * evidence bundle, the caller's view of the audit log with proofs, and signed checkpoints
 * (server/evidence.ts).
 * A handler maps the parsed input onto one domain call and renders it; it never holds a rule
 * (who may do or see what is server/policy/'s, through the domain) and reads the raw request only
 * for what only HTTP has (an address, a multipart body, a stream).
 */
import { pageOf, PlainListQuery } from '../../protocol/api.ts';
import { AuditPage, AuditPageQuery, EvidenceBundle, RetrievalReceiptBody, SignedCheckpoint, SignedReceipt } from '../../protocol/evidence.ts';
import { acceptRetrievalReceipt, checkpointNow, evidenceBundle, latestCheckpoint, partyAuditPage, receiptPage } from '../evidence.ts';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { PacketParams } from './params.ts';


export const evidenceRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/packets/:id/receipts',
    paramsLabel: 'packet id',
    operationId: 'listReceipts',
    tag: 'evidence',
    summary: "One page of a packet's receipts: the hub's (submission, availability, release steps) and the recipients' retrieval receipts",
    access: 'member',
    params: PacketParams,
    query: PlainListQuery,
    answer: { status: 200, description: 'a page of receipts, oldest first (it may be short and still have a next cursor: receipts the caller may not see are left out)', schema: pageOf(SignedReceipt) },
    problems: ['not-found'],
    handle: ({ hub, member, params, query }) => receiptPage(hub, member, params.id, query),
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
    summary: "One page of the audit events the caller may see (filters: since, action), each with its inclusion proof in a signed checkpoint of the size the first page fixed, and proofs that the log extends the checkpoints named in `from`",
    access: 'member',
    query: AuditPageQuery,
    answer: { status: 200, description: 'a page of the export (it may be short and still have a next cursor: a page reads a bounded window)', schema: AuditPage },
    problems: [],
    handle: ({ hub, member, query }) => partyAuditPage(hub, member, query),
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
