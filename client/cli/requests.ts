/**
 * The commands of the treaty's request workflow: `liaison request ...` (send with the structured
 * form, list, show, oral requests, delays), `liaison state PACKET STATE` (with the written reasons
 * sent as a packet in reply), `liaison deadlines`, `liaison authenticity ...` and `liaison
 * purpose ...`. Each parses its flags, calls client/node/requests.ts or the core, and prints plain
 * sentences (or JSON).
 * Holds no workflow rule (which state may follow which, what a form must hold): those are the
 * agreements', checked by client/core/requests.ts and by the hub.
 */
import { Option, type Command } from 'commander';
import { RequestState, type OralRequestView, type RequestView, type StateChangeBody } from '../../protocol/requests.ts';
import { ApiError } from '../core/api.ts';
import { WorkflowApi, type DeadlineFilters } from '../core/workflow-api.ts';
import { ClientError } from '../node/home.ts';
import { loggedInHub } from '../node/session.ts';
import type { readRequestForm, Writing } from '../node/requests.ts';
import { context, printNotices } from './context.ts';
import { localTime, printJson, table } from './output.ts';
import { langFile, languageOf, morePages, pageOptions, parties, readPages, type PageFlags } from './options.ts';
import { outputFolder } from '../node/files.ts';
import { sinceDate } from '../core/dates.ts';
import { DELAY_NOTICE_KIND, writingRequired } from '../core/requests.ts';
import { resolveMarking } from '../core/levels.ts';

// Sending and opening the written documents (client/node/requests.ts) and the authenticity
// statements load when a command needs them, not when the commands are registered (CLI start-up).
const requestDocuments = () => import('../node/requests.ts');
const authenticityStatements = () => import('../core/authenticity.ts');

function workflowApi(): WorkflowApi {
  return new WorkflowApi(loggedInHub().api);
}






function describeRequest(v: RequestView): string {
  const scope = v.scope ? ` in ${v.scope}` : '';
  const due = v.due === 'closed' ? '' : v.dueAt ? `; due ${localTime(v.dueAt)} (${v.due}) [${v.deadlineArticle ?? ''}]` : '; no deadline';
  const delay = v.delayNotifiedAt ? '; delay notified' : '';
  return `${v.packetId} ${v.agreementId} ${v.requestingParty} -> ${v.requestedParty}: ${v.state}${scope}${due}${delay}`;
}

function describeOral(o: OralRequestView): string {
  const state = o.confirmedBy ? `confirmed by ${o.confirmedBy}` : o.dueAt ? `written confirmation due ${localTime(o.dueAt)} (${o.due})` : o.demandedAt ? 'confirmation demanded' : 'confirmation only on demand';
  return `${o.id} ${o.agreementId} oral request ${o.requestingParty} -> ${o.requestedParty} made ${localTime(o.madeAt)}: ${state} [${o.article}]`;
}

interface WritingFlags {
  reasons?: string;
  notice?: string;
  reply?: string;
  lang?: string;
  translation?: Array<{ lang: string; path: string }>;
  marking?: string;
}

async function writingOf(opts: WritingFlags): Promise<Writing | undefined> {
  const path = opts.reasons ?? opts.notice ?? opts.reply;
  if (!path) return undefined;
  return { original: { path, lang: await languageOf(path, opts.lang) }, translations: opts.translation ?? [], ...(opts.marking ? { marking: opts.marking } : {}) };
}

export function addRequestCommands(program: Command): void {
  const request = program.command('request').description('requests under an agreement: send, list, show, oral requests, delays');

  request
    .command('send')
    .description('send a request with its structured form (SCO Art. 5(4)), encrypted with the original and its translations')
    .requiredOption('--agreement <id>', 'the agreement, e.g. SCO')
    .requiredOption('--to <party...>', 'requested party or parties (repeat or comma-separate)', parties)
    .requiredOption('--marking <level>', 'TOP SECRET, SECRET, CONFIDENTIAL, RESTRICTED, or your national label')
    .requiredOption('--original <file>', 'the written request')
    .option('--lang <tag>', 'language of the original; detected when omitted')
    .option('--translation <lang:file>', 'a translation (repeatable)', langFile)
    .option('--requesting-authority <name>', 'the requesting competent authority')
    .option('--requested-authority <name>', 'the requested competent authority')
    .option('--purpose <text>', 'the purpose of the request')
    .option('--purpose-category <slug>', 'a short category, e.g. criminal-investigation')
    .option('--justification <text>', 'why the assistance is needed')
    .option('--assistance <text>', 'the assistance requested')
    .option('--facts <text>', 'the facts of the case')
    .option('--confidentiality <text>', 'the confidentiality indication')
    .option('--form-lang <tag>', 'the language of the form fields (default: that of the original)')
    .option('--confirms-oral <id>', 'this written request confirms that oral request')
    .option('--authority <id>', 'your competent authority id under the agreement')
    .option('--draft', 'keep it as a draft of your party')
    .option('--json', 'print JSON')
    .option('--quiet', 'no progress bars')
    .action(async (opts: { agreement: string; to: string[]; marking: string; original: string; lang?: string; translation?: Array<{ lang: string; path: string }>; requestingAuthority?: string; requestedAuthority?: string; purpose?: string; purposeCategory?: string; justification?: string; assistance?: string; facts?: string; confidentiality?: string; formLang?: string; confirmsOral?: string; authority?: string; draft?: boolean; json?: boolean; quiet?: boolean }) => {
      const { ctx, done } = await context(opts);
      try {
        const lang = await languageOf(opts.original, opts.lang);
        const agreement = await ctx.api.agreement(opts.agreement.toUpperCase());
        const { sendRequest } = await requestDocuments();
        const result = await sendRequest(ctx, workflowApi(), {
          agreementId: agreement.id,
          to: opts.to,
          level: resolveMarking(opts.marking, agreement),
          original: { path: opts.original, lang },
          translations: opts.translation ?? [],
          formLang: opts.formLang ?? lang,
          form: {
            ...(opts.requestingAuthority ? { requestingAuthority: opts.requestingAuthority } : {}),
            ...(opts.requestedAuthority ? { requestedAuthority: opts.requestedAuthority } : {}),
            ...(opts.purpose ? { purpose: opts.purpose } : {}),
            ...(opts.purposeCategory ? { purposeCategory: opts.purposeCategory } : {}),
            ...(opts.justification ? { justification: opts.justification } : {}),
            ...(opts.assistance ? { assistanceRequested: opts.assistance } : {}),
            ...(opts.facts ? { facts: opts.facts } : {}),
            ...(opts.confidentiality ? { confidentiality: opts.confidentiality } : {}),
            ...(opts.confirmsOral ? { confirmsOralRequest: opts.confirmsOral } : {}),
          },
          ...(opts.authority ? { authority: opts.authority } : {}),
          draft: Boolean(opts.draft),
        });
        done();
        if (opts.json) return console.log(JSON.stringify(result, null, 2));
        printNotices(result.notices);
        console.log(result.packetId);
        console.error(result.state === 'draft' ? 'Kept as a draft of your party.' : `Request sent to ${opts.to.join(', ')}${result.confirmedOral ? `; it confirms oral request ${result.confirmedOral} in writing` : ''}.`);
      } finally {
        done();
      }
    });

  request
    .command('list')
    .description('requests your party sent or received, with their state and deadline')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await workflowApi().requests();
      if (opts.json) return console.log(JSON.stringify(list, null, 2));
      if (list.length === 0) return console.log('No requests.');
      list.forEach((v) => console.log(describeRequest(v)));
    });

  request
    .command('show')
    .description('the state and history of a request; with --out, also fetch it and read its structured form')
    .argument('<packet>', 'the request packet id')
    .option('--out <dir>', 'fetch, verify and decrypt the request into this new or empty folder')
    .option('--force', 'write into a folder that already has files')
    .option('--json', 'print JSON')
    .action(async (packetId: string, opts: { out?: string; force?: boolean; json?: boolean }) => {
      if (opts.out) outputFolder(opts.out, Boolean(opts.force));
      const views = await workflowApi().request(packetId);
      let form: Awaited<ReturnType<typeof readRequestForm>> | undefined;
      if (opts.out) {
        const { ctx, done } = await context({ quiet: true });
        try {
          form = await (await requestDocuments()).readRequestForm(ctx, packetId, opts.out);
        } finally {
          done();
        }
      }
      if (opts.json) return console.log(JSON.stringify({ states: views, form }, null, 2));
      for (const v of views) {
        console.log(describeRequest(v));
        for (const h of v.history) console.log(`  ${localTime(h.at)} ${h.state}${h.scope ? ` (${h.scope})` : ''}${h.authority ? ` to ${h.authority}` : ''}${h.packetId ? ` [packet ${h.packetId}]` : ''}`);
      }
      if (form?.form) {
        const f = form.form;
        const rows: Array<[string, string | undefined]> = [
          ['Requesting authority', f.requestingAuthority],
          ['Requested authority', f.requestedAuthority],
          ['Purpose', f.purposeCategory ? `${f.purposeCategory}: ${f.purpose ?? ''}` : f.purpose],
          ['Justification', f.justification],
          ['Assistance requested', f.assistanceRequested],
          ['Facts', f.facts],
          ['Confidentiality', f.confidentiality],
          ['Confirms oral request', f.confirmsOralRequest],
        ];
        for (const [label, value] of rows) if (value) console.log(`${label}: ${value}`);
      }
      if (form && form.missing.length > 0) console.log(`warning: the request does not state ${form.missing.join(', ')} (${form.article ?? 'required contents'})`);
    });

  request
    .command('oral')
    .description('record at once an urgent request made orally (SCO Art. 5(2); RU-PK Art. 5)')
    .requiredOption('--agreement <id>', 'the agreement')
    .requiredOption('--from <party>', 'the party that made the request')
    .requiredOption('--to <party>', 'the party it was made to')
    .option('--made-at <date>', 'when it was made (ISO 8601; default now)')
    .option('--json', 'print JSON')
    .action(async (opts: { agreement: string; from: string; to: string; madeAt?: string; json?: boolean }) => {
      const o = await workflowApi().recordOralRequest({ agreementId: opts.agreement.toUpperCase(), requestingParty: opts.from.toUpperCase(), requestedParty: opts.to.toUpperCase(), ...(opts.madeAt ? { madeAt: sinceDate(opts.madeAt) } : {}) });
      if (opts.json) return console.log(JSON.stringify(o, null, 2));
      console.log(o.id);
      console.error(describeOral(o));
    });
  request
    .command('oral-list')
    .description('oral requests of your party and their written confirmation')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await workflowApi().oralRequests();
      if (opts.json) return console.log(JSON.stringify(list, null, 2));
      if (list.length === 0) return console.log('No oral requests.');
      list.forEach((o) => console.log(describeOral(o)));
    });
  request
    .command('demand-confirmation')
    .description('as the requested party, demand written confirmation of an oral request (RU-PK Art. 5)')
    .argument('<oral-request>', 'the oral request id')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const o = await workflowApi().demandConfirmation(id);
      if (printJson(opts.json, o)) return;
      console.log(describeOral(o));
    });
  request
    .command('confirm-oral')
    .description('link the written request that confirms an oral request')
    .argument('<oral-request>', 'the oral request id')
    .argument('<packet>', 'the written request packet id')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, packetId: string, opts: { json?: boolean }) => {
      const o = await workflowApi().confirmOralRequest(id, packetId);
      if (printJson(opts.json, o)) return;
      console.log(describeOral(o));
    });
  request
    .command('delay')
    .description('notify the requesting party in writing that execution is delayed (SCO Art. 6(2))')
    .argument('<packet>', 'the request packet id')
    .requiredOption('--notice <file>', 'the written notice')
    .option('--lang <tag>', 'language of the notice')
    .option('--translation <lang:file>', 'a translation (repeatable)', langFile)
    .option('--quiet', 'no progress bars')
    .option('--json', 'print the result as JSON')
    .action(async (packetId: string, opts: WritingFlags & { notice: string; quiet?: boolean; json?: boolean }) => {
      const { ctx, done } = await context(opts);
      try {
        const writing = (await writingOf(opts))!;
        const { sendInReply } = await requestDocuments();
        const sent = await sendInReply(ctx, packetId, DELAY_NOTICE_KIND, writing);
        const view = await workflowApi().notifyDelay(packetId, sent.packetId);
        done();
        if (printJson(opts.json, { view, sentPacket: sent.packetId, notices: sent.notices })) return;
        printNotices(sent.notices);
        console.log(describeRequest(view));
      } finally {
        done();
      }
    });

  program
    .command('state')
    .description('move a request addressed to your party on: acknowledged, in-execution, waiting-for-information, executed, refused, deferred, transferred')
    .argument('<packet>', 'the request packet id')
    .argument('<state>', `one of ${RequestState.options.filter((s) => s !== 'received').join(', ')}`)
    .option('--reasons <file>', 'the written reasons of a refusal or deferral (sent to the requester, encrypted)')
    .option('--notice <file>', 'the written notice: the additional information asked for, or the transfer')
    .option('--reply <file>', 'the reply that executes the request')
    .option('--lang <tag>', 'language of that document; detected when omitted')
    .option('--translation <lang:file>', 'its translation (repeatable)', langFile)
    .option('--marking <level>', 'marking of that document: a common level or a national label (default: that of the request)')
    .option('--packet <id>', 'a packet already sent in reply to the request that carries the reasons or notice')
    .addOption(new Option('--scope <scope>', 'a refusal or deferral in whole or in part').choices(['whole', 'part']))
    .option('--authority <id>', 'the competent authority the request is transferred to')
    .option('--json', 'print JSON')
    .option('--quiet', 'no progress bars')
    .action(async (packetId: string, stateName: string, opts: WritingFlags & { packet?: string; scope?: 'whole' | 'part'; authority?: string; json?: boolean; quiet?: boolean }) => {
      const state = RequestState.exclude(['received']).safeParse(stateName);
      if (!state.success) throw new ClientError(`"${stateName}" is not a state: use one of ${RequestState.options.filter((s) => s !== 'received').join(', ')}`);
      const change: StateChangeBody = {
        state: state.data,
        ...(opts.packet ? { packetId: opts.packet } : {}),
        ...(opts.scope ? { scope: opts.scope } : {}),
        ...(opts.authority ? { authority: opts.authority.toUpperCase() } : {}),
      };
      const writing = await writingOf(opts);
      if (!writing) {
        // No document to send: no key needed.
        const view = await workflowApi().changeState(packetId, change).catch((error: unknown) => {
          // The hub says which written packet the rule needs; on the command line that is a flag.
          if (error instanceof ApiError && error.code === 'treaty-rule' && !change.packetId && writingRequired(state.data)) {
            const flag = state.data === 'refused' || state.data === 'deferred' ? '--reasons FILE' : state.data === 'executed' ? '--reply FILE' : '--notice FILE';
            throw new ClientError(`${error.message}: on the command line, give the document with ${flag} and it is sent for you`);
          }
          throw error;
        });
        if (opts.json) return console.log(JSON.stringify(view, null, 2));
        return console.log(describeRequest(view));
      }
      const { ctx, done } = await context(opts);
      try {
        const { changeRequestState } = await requestDocuments();
        const result = await changeRequestState(ctx, workflowApi(), packetId, change, writing);
        done();
        if (opts.json) return console.log(JSON.stringify(result, null, 2));
        printNotices(result.notices);
        if (result.sentPacket) console.error(`Sent ${result.sentPacket} to ${result.view.requestingParty} in reply.`);
        console.log(describeRequest(result.view));
      } finally {
        done();
      }
    });

  pageOptions(
    program
      .command('deadlines')
      .description('what is due, due soon and overdue for your party (execution, oral confirmations, authenticity), most urgent first, one page at a time')
      .addOption(new Option('--due <status>', 'only deadlines in this state').choices(['overdue', 'due-soon', 'due', 'no-deadline']))
      .addOption(new Option('--what <what>', 'only this kind of deadline').choices(['execution', 'oral-confirmation', 'authenticity']))
      .addOption(new Option('--whose <whose>', 'only those your party (mine) or the other side (theirs) must meet').choices(['mine', 'theirs']))
      .addOption(new Option('--state <state>', 'only execution deadlines of requests in this state').choices(RequestState.options)),
    'deadlines',
  )
    .option('--json', 'print JSON (the deadlines as an array)')
    .action(async (opts: PageFlags & DeadlineFilters & { json?: boolean }) => {
      const { limit: _l, cursor: _c, all: _a, json: _j, ...filters } = opts;
      const { items, next } = await readPages(opts, (page) => workflowApi().deadlinePage({ ...filters, ...page }));
      if (opts.json) {
        console.log(JSON.stringify(items, null, 2));
        return morePages(next, 'deadlines');
      }
      if (items.length === 0) {
        console.log(next ? 'Nothing on this page.' : 'Nothing is due.');
        return morePages(next, 'deadlines');
      }
      console.log(
        table([
          ['DUE', 'WHEN', 'WHAT', 'ID', 'AGREEMENT', 'WHO ACTS', 'STATE', 'ARTICLE'],
          ...items.map((i) => [i.due.toUpperCase(), i.dueAt ? localTime(i.dueAt) : '-', i.what, i.id, i.agreementId, i.whose === 'mine' ? 'we' : i.counterpart, i.state, i.article]),
        ]),
      );
      morePages(next, 'deadlines');
    });

  const authenticity = program.command('authenticity').description('doubt about authenticity: ask the sender to confirm a packet (SCO Art. 5(3))');
  authenticity
    .command('ask')
    .description('ask the sending party to confirm a packet you received')
    .argument('<packet>', 'the packet id')
    .option('--json', 'print the result as JSON')
    .action(async (packetId: string, opts: { json?: boolean }) => {
      const a = await workflowApi().askAuthenticity(packetId);
      if (printJson(opts.json, a)) return;
      console.log(a.id);
      console.error(`Asked ${a.senderParty} to confirm packet ${packetId} [${a.article}].`);
    });
  pageOptions(authenticity.command('list').description('confirmation requests of a packet, oldest first, one page at a time').argument('<packet>', 'the packet id'), 'requests')
    .option('--json', 'print JSON')
    .action(async (packetId: string, opts: PageFlags & { json?: boolean }) => {
      const { items: list, next } = await readPages(opts, (page) => workflowApi().authenticityPage(packetId, page));
      if (opts.json) {
        console.log(JSON.stringify(list, null, 2));
        return morePages(next, `authenticity list ${packetId}`);
      }
      if (list.length === 0 && !next) return console.log('No confirmation requests.');
      for (const a of list) console.log(`${a.id} asked by ${a.requestingParty} ${localTime(a.requestedAt)}: ${a.confirmedAt ? `confirmed by ${a.confirmedBy}` : 'not answered'} [${a.article}]`);
      morePages(next, `authenticity list ${packetId}`);
    });
  authenticity
    .command('confirm')
    .description('as the sender, sign a confirmation that the packet is authentic')
    .argument('<request>', 'the confirmation request id')
    .option('--packet <id>', 'also require the request to be about this packet')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, opts: { packet?: string; json?: boolean }) => {
      const { confirmAuthenticity } = await authenticityStatements();
      const { ctx } = await context({ quiet: true });
      const a = await confirmAuthenticity(ctx, workflowApi(), id, opts.packet ? { packetId: opts.packet } : {}, (lines) => lines.forEach((line) => console.error(line)));
      if (printJson(opts.json, a)) return;
      console.log(`Confirmed packet ${a.packetId} for ${a.requestingParty} [${a.article}].`);
    });
  authenticity
    .command('check')
    .description('verify the sender’s signed confirmation yourself')
    .argument('<request>', 'the confirmation request id')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const { checkAuthenticity } = await authenticityStatements();
      const { ctx } = await context({ quiet: true });
      const result = await checkAuthenticity(ctx, workflowApi(), id);
      if (result.confirmed && printJson(opts.json, result)) return;
      if (!result.confirmed) throw new ClientError(`not confirmed: ${result.reason}`);
      console.log(`Authentic: ${result.reason}.`);
    });

  const purpose = program.command('purpose').description("use for another purpose: ask the originator's written consent (SCO Art. 7(2))");
  purpose
    .command('request')
    .description('ask consent to use a received packet for another purpose; the originating officer decides with "liaison release consent"')
    .argument('<packet>', 'the packet id')
    .requiredOption('--purpose <text>', 'the other purpose')
    .option('--json', 'print the result as JSON')
    .action(async (packetId: string, opts: { purpose: string; json?: boolean }) => {
      const r = await workflowApi().requestPurposeChange(packetId, opts.purpose);
      if (printJson(opts.json, r)) return;
      console.log(r.id);
      console.error(`Consent requested; until ${r.originParty}'s security officer consents (liaison release consent ${r.id}), use it only for its original purpose.`);
    });
  pageOptions(purpose.command('list').description('requests to use a packet for another purpose, and their decisions, oldest first, one page at a time').argument('<packet>', 'the packet id'), 'requests')
    .option('--json', 'print JSON')
    .action(async (packetId: string, opts: PageFlags & { json?: boolean }) => {
      const { items: list, next } = await readPages(opts, (page) => workflowApi().purposeChangePage(packetId, page));
      if (opts.json) {
        console.log(JSON.stringify(list, null, 2));
        return morePages(next, `purpose list ${packetId}`);
      }
      if (list.length === 0 && !next) return console.log('No requests for another use.');
      for (const r of list) console.log(`${r.id} ${r.state}: use by ${r.requestingParty} for "${r.purpose}" (decided by ${r.originParty})`);
      morePages(next, `purpose list ${packetId}`);
    });

}
