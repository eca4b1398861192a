/**
 * Routes of onward release to a third party: request it, the originating officer's signed
 * consent or refusal, and its execution (key wraps for the third party's cleared members).
 * A handler maps the parsed input onto one domain call and renders it; it never holds a rule
 * (who may do or see what is server/policy/'s, through the domain) and reads the raw request only
 * for what only HTTP has (an address, a multipart body, a stream).
 */
import { PlainListQuery, ReleaseDecisionBody, ReleaseExecuteBody, ReleaseListQuery, ReleaseRequestBody, pageOf } from '../../protocol/api.ts';
import { Release } from '../../protocol/release.ts';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { decideRelease, executeRelease, getRelease, listReleases, pendingReleases, requestRelease } from '../releases.ts';
import { PacketParams, ReleaseParams } from './params.ts';

export const releaseRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/packets/:id/releases',
    paramsLabel: 'packet id',
    operationId: 'listPacketReleases',
    tag: 'releases',
    summary: 'One page of the releases of one packet the caller may see',
    access: 'member',
    params: PacketParams,
    query: PlainListQuery,
    answer: { status: 200, description: 'a page of releases, oldest request first (it may be short and still have a next cursor: rows the caller may not see are left out)', schema: pageOf(Release) },
    problems: ['not-found'],
    handle: ({ hub, member, params, query }) => listReleases(hub, member, params.id, query),
  }),
  defineRoute({
    method: 'post',
    path: '/packets/:id/releases',
    paramsLabel: 'packet id',
    operationId: 'requestRelease',
    tag: 'releases',
    summary: 'Ask the originating party to consent to release a packet to a third party',
    access: 'member',
    params: PacketParams,
    body: ReleaseRequestBody,
    answer: { status: 201, description: 'the release, requested', schema: Release },
    problems: ['forbidden', 'not-found', 'conflict'],
    rules: ['thirdPartyRelease'],
    handle: ({ hub, member, params, body }) => requestRelease(hub, member, params.id, body),
  }),
  defineRoute({
    method: 'get',
    path: '/releases',
    operationId: 'listReleases',
    tag: 'releases',
    summary: "One page of the releases the caller's party is party to, newest first",
    access: 'member',
    query: ReleaseListQuery,
    answer: { status: 200, description: 'a page', schema: pageOf(Release) },
    problems: [],
    handle: ({ hub, member, query }) => pendingReleases(hub, member, query),
  }),
  defineRoute({
    method: 'get',
    path: '/releases/:id',
    paramsLabel: 'release id',
    operationId: 'getRelease',
    tag: 'releases',
    summary: 'One release (a release the caller may not see answers like a missing one)',
    access: 'member',
    params: ReleaseParams,
    answer: { status: 200, description: 'the release', schema: Release },
    problems: ['not-found'],
    handle: ({ hub, member, params }) => getRelease(hub, member, params.id),
  }),
  defineRoute({
    method: 'post',
    path: '/releases/:id/decision',
    paramsLabel: 'release id',
    operationId: 'decideRelease',
    tag: 'releases',
    summary: "The originating officer's signed consent or refusal",
    access: 'member',
    params: ReleaseParams,
    body: ReleaseDecisionBody,
    answer: { status: 200, description: 'the release, decided', schema: Release },
    problems: ['forbidden', 'not-found', 'conflict'],
    rules: ['thirdPartyRelease'],
    handle: ({ hub, member, params, body }) => decideRelease(hub, member, params.id, body),
  }),
  defineRoute({
    method: 'post',
    path: '/releases/:id/execute',
    paramsLabel: 'release id',
    operationId: 'executeRelease',
    tag: 'releases',
    summary: "Execute a consented release: key wraps for exactly the third party's cleared members",
    access: 'member',
    params: ReleaseParams,
    body: ReleaseExecuteBody,
    answer: { status: 200, description: 'the release, executed', schema: Release },
    problems: ['forbidden', 'not-found', 'conflict'],
    rules: ['thirdPartyRelease'],
    handle: ({ hub, member, params, body }) => executeRelease(hub, member, params.id, body),
  }),
];
