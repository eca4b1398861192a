/**
 * Routes of consent to use a packet for another purpose (a release to the packet's own recipient
 * party, through the release machinery: server/purpose-changes.ts).
 * A handler maps the parsed input onto one domain call and renders it; it never holds a rule
 * (who may do or see what is server/policy/'s, through the domain) and reads the raw request only
 * for what only HTTP has (an address, a multipart body, a stream).
 */
import { pageOf, PlainListQuery } from '../../protocol/api.ts';
import { Release } from '../../protocol/release.ts';
import { PurposeChangeBody } from '../../protocol/requests.ts';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { listPurposeChanges, requestPurposeChange } from '../purpose-changes.ts';
import { PacketParams } from './params.ts';

export const purposeChangeRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/packets/:id/purpose-changes',
    paramsLabel: 'packet id',
    operationId: 'listPurposeChanges',
    tag: 'purpose-changes',
    summary: "One page of a packet's requests to use it for another purpose",
    access: 'member',
    params: PacketParams,
    query: PlainListQuery,
    answer: { status: 200, description: 'a page of requests, as releases, oldest first (it may be short and still have a next cursor)', schema: pageOf(Release) },
    problems: ['not-found'],
    handle: ({ hub, member, params, query }) => listPurposeChanges(hub, member, params.id, query),
  }),
  defineRoute({
    method: 'post',
    path: '/packets/:id/purpose-changes',
    paramsLabel: 'packet id',
    operationId: 'requestPurposeChange',
    tag: 'purpose-changes',
    summary: "A recipient asks the originator's consent to use the packet for another purpose",
    access: 'member',
    params: PacketParams,
    body: PurposeChangeBody,
    bodyLimit: '64kb',
    answer: { status: 201, description: 'the request, as a release awaiting decision', schema: Release },
    problems: ['forbidden', 'not-found', 'conflict', 'treaty-rule'],
    rules: ['purposeLimitation'],
    handle: ({ hub, member, params, body }) => requestPurposeChange(hub, member, params.id, body),
  }),
];
