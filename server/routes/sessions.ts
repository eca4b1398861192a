/**
 * Routes of login sessions: a challenge signed with the person's own key buys a short-lived
 * bearer token (server/auth.ts); logout ends it; `me` is the caller as the hub holds them.
 * A handler maps the parsed input onto one domain call and renders it; it never holds a rule
 * (who may do or see what is server/policy/'s, through the domain) and reads the raw request only
 * for what only HTTP has (an address, a multipart body, a stream).
 * A token is written only into the answer that issues it, never into a log.
 */
import { ChallengeRequest, ChallengeResponse, Member, TokenRequest, TokenResponse } from '../../protocol/api.ts';
import { exchangeChallenge, issueChallenge, logout } from '../auth.ts';
import { publicMember } from '../members.ts';
import { addressOf, defineRoute, type RouteSpec } from '../http/route.ts';

export const sessionRoutes: RouteSpec[] = [
  defineRoute({
    method: 'post',
    path: '/auth/challenge',
    operationId: 'askLoginChallenge',
    tag: 'sessions',
    summary: 'A login challenge for a key (the same answer for every key, enrolled or not)',
    access: 'login',
    body: ChallengeRequest,
    answer: { status: 200, description: 'the text to sign with the login context', schema: ChallengeResponse },
    problems: ['too-many-requests'],
    handle: ({ hub, body, http }) => issueChallenge(hub, body.fingerprint, addressOf(http.req)),
  }),
  defineRoute({
    method: 'post',
    path: '/auth/token',
    operationId: 'logIn',
    tag: 'sessions',
    summary: 'Exchange a signed challenge for a bearer token',
    access: 'login',
    body: TokenRequest,
    answer: { status: 200, description: 'the session', schema: TokenResponse },
    problems: ['unauthenticated', 'too-many-requests'],
    handle: async ({ hub, body, http }) => {
      const session = await exchangeChallenge(hub, body, addressOf(http.req));
      return { token: session.token, expiresAt: session.expiresAt, member: publicMember(session.member) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/auth/logout',
    operationId: 'logOut',
    tag: 'sessions',
    summary: 'End the current session',
    access: 'member',
    answer: { status: 204, description: 'the token no longer works' },
    problems: [],
    handle: ({ hub, http }) => logout(hub, http.res.locals.token as string),
  }),
  defineRoute({
    method: 'get',
    path: '/me',
    operationId: 'getMe',
    tag: 'sessions',
    summary: 'The caller as the hub holds them (roles, clearance, statement)',
    access: 'member',
    answer: { status: 200, description: 'the caller', schema: Member },
    problems: [],
    handle: ({ member }) => publicMember(member),
  }),
];
