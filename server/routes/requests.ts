/**
 * Routes of the treaty request workflow: requests and their state at each requested party,
 * delay notices, and the caller's deadlines (server/requests.ts).
 * A handler maps the parsed input onto one domain call and renders it; it never holds a rule
 * (who may do or see what is server/policy/'s, through the domain) and reads the raw request only
 * for what only HTTP has (an address, a multipart body, a stream).
 */
import { z } from 'zod';
import { RequestListQuery, pageOf } from '../../protocol/api.ts';
import { DeadlineItem, DeadlineListQuery, DelayNoticeBody, RequestView, StateChangeBody } from '../../protocol/requests.ts';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { changeState, deadlinePage, notifyDelay, requestPage, requestViews } from '../requests.ts';
import { PacketParams } from './params.ts';

export const requestRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/requests',
    operationId: 'listRequests',
    tag: 'requests',
    summary: "One page of the requests the caller's party sent or received, newest first (`limit` counts requests; a request to two parties is two views)",
    access: 'member',
    query: RequestListQuery,
    answer: { status: 200, description: 'a page of request views', schema: pageOf(RequestView) },
    problems: [],
    handle: ({ hub, member, query }) => requestPage(hub, member, query),
  }),
  defineRoute({
    method: 'get',
    path: '/requests/:id',
    paramsLabel: 'packet id',
    operationId: 'getRequest',
    tag: 'requests',
    summary: "A request's state: each requested party's for the requester, its own for a requested party",
    access: 'member',
    params: PacketParams,
    answer: { status: 200, description: 'the views', schema: z.array(RequestView) },
    problems: ['not-found', 'conflict'],
    handle: ({ hub, member, params }) => requestViews(hub, member, params.id),
  }),
  defineRoute({
    method: 'post',
    path: '/requests/:id/state',
    paramsLabel: 'packet id',
    operationId: 'changeRequestState',
    tag: 'requests',
    summary: "A requested party moves its request to the next state the agreement provides for",
    access: 'member',
    params: PacketParams,
    body: StateChangeBody,
    bodyLimit: '64kb',
    answer: { status: 200, description: 'the request at the new state', schema: RequestView },
    problems: ['forbidden', 'not-found', 'conflict', 'treaty-rule'],
    rules: ['workflow', 'refusalReasons', 'deadlines', 'status'],
    handle: ({ hub, member, params, body }) => changeState(hub, member, params.id, body),
  }),
  defineRoute({
    method: 'post',
    path: '/requests/:id/delay',
    paramsLabel: 'packet id',
    operationId: 'notifyDelay',
    tag: 'requests',
    summary: 'A requested party notifies that execution will be late, pointing at the packet with its reasons',
    access: 'member',
    params: PacketParams,
    body: DelayNoticeBody,
    bodyLimit: '64kb',
    answer: { status: 200, description: 'the request', schema: RequestView },
    problems: ['forbidden', 'not-found', 'conflict', 'treaty-rule'],
    rules: ['deadlines', 'workflow'],
    handle: ({ hub, member, params, body }) => notifyDelay(hub, member, params.id, body),
  }),
  defineRoute({
    method: 'get',
    path: '/deadlines',
    operationId: 'listDeadlines',
    tag: 'deadlines',
    summary: "One page of the deadlines running for the caller's party, most urgent first (filters: due, what, whose, state)",
    access: 'member',
    query: DeadlineListQuery,
    answer: { status: 200, description: 'a page of deadlines', schema: pageOf(DeadlineItem) },
    problems: [],
    rules: ['deadlines'],
    handle: ({ hub, member, query }) => deadlinePage(hub, member, query),
  }),
];
