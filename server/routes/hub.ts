/**
 * Routes of the hub itself, public: its key and parties, and the agreements it enforces.
 * Public by design: nothing here may depend on a session or say anything about a member.
 */
import { z } from 'zod';
import { AgreementSummary, HubInfo } from '../../protocol/api.ts';
import { AgreementView, agreementRules } from '../../protocol/agreement.ts';
import { Problem } from '../errors.ts';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { AgreementParams } from './params.ts';

export const hubRoutes: RouteSpec[] = [
  defineRoute({
    method: 'get',
    path: '/hub',
    operationId: 'getHub',
    tag: 'hub',
    summary: "The hub's signing key (receipts and checkpoints) and the parties that have members on it",
    access: 'public',
    answer: { status: 200, description: 'the hub', schema: HubInfo },
    problems: [],
    handle: async ({ hub }) => ({ fingerprint: hub.hubFingerprint, publicKey: hub.hubPublicKey.armor(), parties: await hub.store.members.parties() }),
  }),
  defineRoute({
    method: 'get',
    path: '/agreements',
    operationId: 'listAgreements',
    tag: 'agreements',
    summary: 'The agreements this hub enforces (loaded at start, never changed while it runs)',
    access: 'public',
    answer: { status: 200, description: 'every agreement, in file order', schema: z.array(AgreementSummary) },
    problems: [],
    handle: ({ hub }) => [...hub.agreements.values()].map((a) => ({ id: a.id, title: a.title, status: a.status.state, provisional: a.provisional, parties: a.parties.map((p) => p.id) })),
  }),
  defineRoute({
    method: 'get',
    path: '/agreements/:id',
    paramsLabel: 'agreement id',
    operationId: 'getAgreement',
    tag: 'agreements',
    summary: 'One agreement file and its rules in words, each with its article',
    access: 'public',
    params: AgreementParams,
    answer: { status: 200, description: 'the agreement', schema: AgreementView },
    problems: ['not-found'],
    handle: ({ hub, params }) => {
      const agreement = hub.agreements.get(params.id);
      // Agreement ids are public (GET /v1/agreements): say which ones there are.
      if (!agreement) throw new Problem('not-found', `the hub has no agreement ${params.id}; it has ${[...hub.agreements.keys()].join(', ')}`);
      return { agreement, rules: agreementRules(agreement) };
    },
  }),
];
