/**
 * Routes of urgent oral requests: record one, demand its written confirmation, confirm it with a
 * written request packet (server/oral-requests.ts).
 * A handler maps the parsed input onto one domain call and renders it; it never holds a rule
 * (who may do or see what is server/policy/'s, through the domain) and reads the raw request only
 * for what only HTTP has (an address, a multipart body, a stream).
 */
import { OralRequestListQuery, pageOf } from '../../protocol/api.ts';
import { OralConfirmBody, OralRequestBody, OralRequestView } from '../../protocol/requests.ts';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { confirmOralRequest, demandOralConfirmation, oralRequestPage, recordOralRequest } from '../oral-requests.ts';
import { RecordParams } from './params.ts';

export const oralRequestRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/oral-requests',
    operationId: 'listOralRequests',
    tag: 'oral-requests',
    summary: "One page of the oral requests the caller's party made or received, newest first",
    access: 'member',
    query: OralRequestListQuery,
    answer: { status: 200, description: 'a page', schema: pageOf(OralRequestView) },
    problems: [],
    handle: ({ hub, member, query }) => oralRequestPage(hub, member, query),
  }),
  defineRoute({
    method: 'post',
    path: '/oral-requests',
    operationId: 'recordOralRequest',
    tag: 'oral-requests',
    summary: 'Record an urgent oral request, where the agreement allows one',
    access: 'member',
    body: OralRequestBody,
    bodyLimit: '64kb',
    answer: { status: 201, description: 'the oral request', schema: OralRequestView },
    problems: ['forbidden', 'treaty-rule'],
    rules: ['workflow', 'status', 'deadlines'],
    handle: ({ hub, member, body }) => recordOralRequest(hub, member, body),
  }),
  defineRoute({
    method: 'post',
    path: '/oral-requests/:id/demand',
    paramsLabel: 'oral request id',
    operationId: 'demandOralConfirmation',
    tag: 'oral-requests',
    summary: 'The requested party demands written confirmation of an oral request',
    access: 'member',
    params: RecordParams,
    answer: { status: 200, description: 'the oral request', schema: OralRequestView },
    problems: ['forbidden', 'not-found', 'conflict'],
    rules: ['workflow'],
    handle: ({ hub, member, params }) => demandOralConfirmation(hub, member, params.id),
  }),
  defineRoute({
    method: 'post',
    path: '/oral-requests/:id/confirm',
    paramsLabel: 'oral request id',
    operationId: 'confirmOralRequest',
    tag: 'oral-requests',
    summary: 'The requesting party confirms an oral request with a written request packet',
    access: 'member',
    params: RecordParams,
    body: OralConfirmBody,
    bodyLimit: '64kb',
    answer: { status: 200, description: 'the oral request, confirmed', schema: OralRequestView },
    problems: ['forbidden', 'not-found', 'conflict', 'treaty-rule'],
    rules: ['workflow', 'deadlines'],
    handle: ({ hub, member, params, body }) => confirmOralRequest(hub, member, params.id, body),
  }),
];
