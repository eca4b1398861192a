/**
 * Routes of authenticity confirmation: a receiving party asks the originator to confirm a
 * packet is authentic; the originator answers with a signed confirmation (server/authenticity.ts).
 * A handler maps the parsed input onto one domain call and renders it; it never holds a rule
 * (who may do or see what is server/policy/'s, through the domain) and reads the raw request only
 * for what only HTTP has (an address, a multipart body, a stream).
 */
import { pageOf, PlainListQuery } from '../../protocol/api.ts';
import { AuthenticityAnswerBody, AuthenticityView } from '../../protocol/requests.ts';
import { answerAuthenticity, askAuthenticity, getAuthenticity, listAuthenticity } from '../authenticity.ts';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { PacketParams, RecordParams } from './params.ts';

export const authenticityRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/packets/:id/authenticity',
    paramsLabel: 'packet id',
    operationId: 'listAuthenticityRequests',
    tag: 'authenticity',
    summary: "One page of a packet's authenticity requests and their answers",
    access: 'member',
    params: PacketParams,
    query: PlainListQuery,
    answer: { status: 200, description: 'a page of requests, oldest first (it may be short and still have a next cursor)', schema: pageOf(AuthenticityView) },
    problems: ['not-found'],
    handle: ({ hub, member, params, query }) => listAuthenticity(hub, member, params.id, query),
  }),
  defineRoute({
    method: 'post',
    path: '/packets/:id/authenticity',
    paramsLabel: 'packet id',
    operationId: 'askAuthenticity',
    tag: 'authenticity',
    summary: 'A receiving party asks the originator to confirm the packet is authentic',
    access: 'member',
    params: PacketParams,
    answer: { status: 201, description: 'the request', schema: AuthenticityView },
    problems: ['forbidden', 'not-found', 'treaty-rule'],
    rules: ['workflow'],
    handle: ({ hub, member, params }) => askAuthenticity(hub, member, params.id),
  }),
  defineRoute({
    method: 'get',
    path: '/authenticity/:id',
    paramsLabel: 'authenticity request id',
    operationId: 'getAuthenticityRequest',
    tag: 'authenticity',
    summary: 'One authenticity request',
    access: 'member',
    params: RecordParams,
    answer: { status: 200, description: 'the request', schema: AuthenticityView },
    problems: ['not-found'],
    handle: ({ hub, member, params }) => getAuthenticity(hub, member, params.id),
  }),
  defineRoute({
    method: 'post',
    path: '/authenticity/:id/confirm',
    paramsLabel: 'authenticity request id',
    operationId: 'confirmAuthenticity',
    tag: 'authenticity',
    summary: "The originator's signed confirmation (or denial) that the packet is authentic",
    access: 'member',
    params: RecordParams,
    body: AuthenticityAnswerBody,
    bodyLimit: '64kb',
    answer: { status: 200, description: 'the request, answered', schema: AuthenticityView },
    problems: ['forbidden', 'not-found', 'conflict'],
    rules: ['workflow'],
    handle: ({ hub, member, params, body }) => answerAuthenticity(hub, member, params.id, body),
  }),
];
