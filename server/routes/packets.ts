/**
 * Routes of packets: list a party's folders, upload a packet or a later revision of a draft
 * (multipart, streamed by server/http/upload.ts), read one packet's signed manifest, submit a draft.
 * A handler maps the parsed input onto one domain call and renders it; it never holds a rule
 * (who may do or see what is server/policy/'s, through the domain) and reads the raw request only
 * for what only HTTP has (an address, a multipart body, a stream).
 * The upload's bytes go to the blob store's staging only, never to memory whole.
 */
import type { Request } from 'express';
import { PacketDetail, PacketListQuery, PacketPage, PacketUploadFields, SubmitResult } from '../../protocol/api.ts';
import { Problem } from '../errors.ts';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { withUpload } from '../http/upload.ts';
import { acceptPacket, listPackets, packetDetail, submitPacket } from '../packets.ts';
import { PacketParams } from './params.ts';

function requireMultipart(req: Request): void {
  if (!req.is('multipart/form-data')) throw new Problem('unsupported-media-type', 'a packet is uploaded as multipart/form-data');
}

const UPLOAD = { fields: PacketUploadFields, files: 'one file per new part, its field named by the part id (p1, p2, ...), the OpenPGP message as the manifest declares it' };
const UPLOAD_PROBLEMS = ['forbidden', 'not-found', 'conflict', 'treaty-rule', 'too-large', 'unsupported-media-type'] as const;

export const packetRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/packets',
    operationId: 'listPackets',
    tag: 'packets',
    summary: "One page of the packets the caller's party can see, newest first",
    access: 'member',
    query: PacketListQuery,
    answer: { status: 200, description: 'a page', schema: PacketPage },
    problems: [],
    handle: ({ hub, member, query }) => listPackets(hub, member, query),
  }),
  defineRoute({
    method: 'post',
    path: '/packets',
    operationId: 'uploadPacket',
    tag: 'packets',
    summary: 'Upload a new packet (a draft, or submitted at once with submit=true)',
    access: 'member',
    multipart: UPLOAD,
    answer: { status: 201, description: 'the stored packet', schema: SubmitResult },
    problems: UPLOAD_PROBLEMS,
    rules: ['status', 'markings', 'languages', 'thirdPartyRelease', 'workflow'],
    handle: ({ hub, member, http }) => {
      requireMultipart(http.req);
      return withUpload(hub, http.req, http.res, (upload) => acceptPacket(hub, member, upload));
    },
  }),
  defineRoute({
    method: 'get',
    path: '/packets/:id',
    paramsLabel: 'packet id',
    operationId: 'getPacket',
    tag: 'packets',
    summary: 'One packet: its signed manifest, the signature and the parts (a forbidden packet answers like a missing one)',
    access: 'member',
    params: PacketParams,
    answer: { status: 200, description: 'the packet', schema: PacketDetail },
    problems: ['not-found'],
    handle: ({ hub, member, params }) => packetDetail(hub, member, params.id),
  }),
  defineRoute({
    method: 'post',
    path: '/packets/:id/revisions',
    paramsLabel: 'packet id',
    operationId: 'attachToDraft',
    tag: 'packets',
    summary: 'Upload the next revision of a draft (a clerk attaches a translation); it may only add parts',
    access: 'member',
    params: PacketParams,
    multipart: UPLOAD,
    answer: { status: 201, description: 'the stored revision', schema: SubmitResult },
    problems: UPLOAD_PROBLEMS,
    rules: ['status', 'languages'],
    handle: ({ hub, member, params, http }) => {
      requireMultipart(http.req);
      return withUpload(hub, http.req, http.res, (upload) => acceptPacket(hub, member, upload, params.id));
    },
  }),
  defineRoute({
    method: 'post',
    path: '/packets/:id/submit',
    paramsLabel: 'packet id',
    operationId: 'submitPacket',
    tag: 'packets',
    summary: 'Submit a complete draft: it becomes visible to the receiving parties',
    access: 'member',
    params: PacketParams,
    answer: { status: 200, description: 'the submitted packet', schema: SubmitResult },
    problems: ['forbidden', 'not-found', 'conflict', 'treaty-rule'],
    rules: ['status', 'languages'],
    handle: ({ hub, member, params }) => submitPacket(hub, member, params.id),
  }),
];
