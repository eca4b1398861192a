/**
 * The schema of an agreement file (agreements/*.json). Agreements are data: every rule the hub
 * enforces comes from one of these files and carries the article it was written from, so a
 * refusal can cite it. A rule with `provisional: true` is a conservative default for parties
 * whose treaty text is not yet signed, not a treaty obligation.
 */
import { z } from 'zod';
import { AgreementId, LanguageTag, PartyId, primaryLanguage } from './ids.ts';
import { Level } from './levels.ts';
import type { ErrorWording } from './error-codes.ts';

/** Where a rule comes from, for example "RU-PK Art. 7(4)". */
const Article = z.string().min(3).max(120);

const ruleBase = { article: Article, provisional: z.boolean().default(false) };

const Authority = z.strictObject({
  id: z.string().regex(/^[A-Z0-9-]{2,40}$/),
  name: z.string().min(2),
});

const AgreementParty = z.strictObject({
  id: PartyId,
  name: z.string().min(2),
  officialLanguages: z.array(LanguageTag).min(1),
  authorities: z.array(Authority).min(1),
});

const MarkingLevel = z.strictObject({
  level: Level,
  /** Each party's national label for this level; a party absent here has no equivalent. */
  labels: z.record(PartyId, z.string().min(2)),
  /** Who handles material of this level in each party (RU-PK Art. 7(2) asks for the table). */
  handledBy: z.record(PartyId, z.string()).optional(),
});

const LanguageRule = z.strictObject({
  ...ruleBase,
  /** Every one of these languages must be present (as the original or a translation). */
  allOf: z.array(LanguageTag).default([]),
  /** At least one of these languages must be present. */
  anyOf: z.array(LanguageTag).default([]),
  /** The original must be in one of the sending party's official languages. */
  originalInSenderLanguage: z.boolean().default(false),
});

const Deadline = z.strictObject({ ...ruleBase, days: z.number().int().positive().optional(), hours: z.number().int().positive().optional() });

export const Agreement = z
  .strictObject({
    id: AgreementId,
    title: z.string().min(5),
    /** The text the rules were written from (a file name in shared/seeds). */
    source: z.string().min(3),
    provisional: z.boolean().default(false),
    status: z.strictObject({
      state: z.enum(['in-force', 'terminated', 'provisional']),
      since: z.iso.date().optional(),
      article: Article,
    }),
    parties: z.array(AgreementParty).min(2),
    markings: z.strictObject({ ...ruleBase, levels: z.array(MarkingLevel).min(1) }),
    languages: LanguageRule,
    thirdPartyRelease: z.strictObject({
      ...ruleBase,
      /** Whose written consent lifts the block: the originating party's security officer. */
      consentBy: z.literal('originator'),
    }),
    purposeLimitation: z.strictObject({ ...ruleBase }).optional(),
    deadlines: z
      .strictObject({
        execution: Deadline.optional(),
        oralConfirmation: Deadline.optional(),
        contactChangeNotice: Deadline.optional(),
      })
      .default({}),
    confidentialitySurvivesTermination: z.strictObject({ ...ruleBase }),
    refusalReasons: z.strictObject({ ...ruleBase }).optional(),
    /** How requests are made and answered; each present rule enables its step of the workflow. */
    workflow: z
      .strictObject({
        /** What a written request must contain (SCO Art. 5(4)); checked by the client inside the encrypted form. */
        requestContents: z.strictObject({ ...ruleBase, fields: z.array(z.string().min(2)).default([]) }).optional(),
        /** Urgent oral requests: confirmed in writing within `deadlines.oralConfirmation` (SCO 5(2)) or on demand (RU-PK Art. 5). */
        oralRequests: z.strictObject({ ...ruleBase, confirmation: z.enum(['within-deadline', 'on-demand']) }).optional(),
        /** A recipient in doubt may ask the sender to confirm a packet is authentic (SCO Art. 5(3)). */
        authenticity: z.strictObject({ ...ruleBase }).optional(),
        /** The requested party may ask for additional information (SCO Art. 6(4)). */
        additionalInformation: z.strictObject({ ...ruleBase }).optional(),
        /** Delays in execution are notified (SCO Art. 6(2)). */
        delayNotice: z.strictObject({ ...ruleBase }).optional(),
        /** A request may be transferred to another competent authority of the requested party (SCO Art. 6(3)). */
        transfer: z.strictObject({ ...ruleBase }).optional(),
        /** Execution may be deferred, with written reasons (SCO Art. 6(8)-(9)). */
        deferral: z.strictObject({ ...ruleBase }).optional(),
        /** After termination, requests already under way are still answered (RU-PK Art. 15(3)). */
        pendingAfterTermination: z.strictObject({ ...ruleBase }).optional(),
      })
      .optional(),
  })
  .superRefine((agreement, ctx) => {
    const partyIds = new Set(agreement.parties.map((p) => p.id));
    if (partyIds.size !== agreement.parties.length) {
      ctx.addIssue({ code: 'custom', path: ['parties'], message: 'party ids must be unique' });
    }
    const seen = new Set<string>();
    agreement.markings.levels.forEach((entry, i) => {
      if (seen.has(entry.level)) {
        ctx.addIssue({ code: 'custom', path: ['markings', 'levels', i, 'level'], message: `level ${entry.level} appears twice` });
      }
      seen.add(entry.level);
      for (const party of Object.keys(entry.labels)) {
        if (!partyIds.has(party)) {
          ctx.addIssue({ code: 'custom', path: ['markings', 'levels', i, 'labels', party], message: `${party} is not a party of this agreement` });
        }
      }
    });
  });
export type Agreement = z.infer<typeof Agreement>;

/** The agreement's marking entry for a common level, or undefined if the agreement lacks it. */
export function markingLevel(agreement: Agreement, level: Level): z.infer<typeof MarkingLevel> | undefined {
  return agreement.markings.levels.find((l) => l.level === level);
}

/** The languages a complete packet must contain, as primary subtags (RU-PK Art. 6 and the like). */
export function missingLanguages(
  agreement: Agreement,
  senderParty: string,
  parts: ReadonlyArray<{ role: string; lang: string }>,
): { missing: string[]; reason: string; wording: ErrorWording } | null {
  const present = new Set(
    parts.filter((p) => p.role === 'original' || p.role === 'translation').map((p) => primaryLanguage(p.lang)),
  );
  const rule = agreement.languages;
  const missing = rule.allOf.map(primaryLanguage).filter((l) => !present.has(l));
  if (missing.length > 0) return { missing, reason: `a translation into ${missing.join(', ')} is required`, wording: { code: 'languages.translation-required', params: { languages: missing.join(', ') } } };
  if (rule.anyOf.length > 0 && !rule.anyOf.map(primaryLanguage).some((l) => present.has(l))) {
    return { missing: rule.anyOf, reason: `the packet must be in one of ${rule.anyOf.join(', ')}`, wording: { code: 'languages.one-of', params: { languages: rule.anyOf.join(', ') } } };
  }
  if (rule.originalInSenderLanguage) {
    const sender = agreement.parties.find((p) => p.id === senderParty);
    const original = parts.find((p) => p.role === 'original');
    const official = (sender?.officialLanguages ?? []).map(primaryLanguage);
    if (original && !official.includes(primaryLanguage(original.lang))) {
      return { missing: official, reason: `the original must be in an official language of ${senderParty} (${official.join(', ')})`, wording: { code: 'languages.original-official', params: { party: senderParty, languages: official.join(', ') } } };
    }
  }
  return null;
}

/** One rule of an agreement in plain words, with the article it comes from. */
const AgreementRule = z.strictObject({ topic: z.string(), rule: z.string(), article: z.string(), provisional: z.boolean() });
type AgreementRule = z.infer<typeof AgreementRule>;

/** An agreement as the hub serves it: the file, and its rules in plain words. */
export const AgreementView = z.strictObject({ agreement: Agreement, rules: z.array(AgreementRule) });

/** The rules of an agreement, readable, each with its article (GET /v1/agreements/:id, `liaison agreements ID`). */
export function agreementRules(a: Agreement): AgreementRule[] {
  const rules: AgreementRule[] = [];
  const add = (topic: string, rule: string, source: { article: string; provisional?: boolean }) =>
    rules.push({ topic, rule, article: source.article, provisional: source.provisional ?? false });
  add('Status', a.status.state, { article: a.status.article, provisional: a.provisional });
  add(
    'Markings',
    a.markings.levels.map((l) => `${l.level} (${Object.entries(l.labels).map(([p, label]) => `${p}: ${label}`).join(', ')})`).join('; '),
    a.markings,
  );
  const languages = [
    a.languages.allOf.length ? `all of ${a.languages.allOf.join(', ')}` : '',
    a.languages.anyOf.length ? `one of ${a.languages.anyOf.join(', ')}` : '',
    a.languages.originalInSenderLanguage ? "the original in the sender's official language" : '',
  ].filter(Boolean);
  add('Languages', `every request and document carries ${languages.join('; ') || 'no required language'}`, a.languages);
  add('Third-party release', "only with the originating party's prior written consent", a.thirdPartyRelease);
  if (a.purposeLimitation) add('Use for another purpose', "only with the originating party's written consent", a.purposeLimitation);
  if (a.deadlines.execution?.days) add('Execution', `as a rule within ${a.deadlines.execution.days} days`, a.deadlines.execution);
  if (a.deadlines.oralConfirmation?.hours) add('Oral requests', `confirmed in writing within ${a.deadlines.oralConfirmation.hours} hours`, a.deadlines.oralConfirmation);
  if (a.deadlines.contactChangeNotice) {
    add('Contacts', a.deadlines.contactChangeNotice.days ? `changes notified within ${a.deadlines.contactChangeNotice.days} days` : 'changes notified to the partners', a.deadlines.contactChangeNotice);
  }
  if (a.refusalReasons) add('Refusal or deferral', 'only with written reasons', a.refusalReasons);
  const w = a.workflow;
  if (w?.requestContents) add('A request states', w.requestContents.fields.join(', '), w.requestContents);
  if (w?.oralRequests) add('Urgent oral requests', w.oralRequests.confirmation === 'on-demand' ? 'confirmed in writing at the demand of the requested party' : 'confirmed in writing within the deadline', w.oralRequests);
  if (w?.authenticity) add('Doubt about authenticity', 'the sender confirms on request', w.authenticity);
  if (w?.additionalInformation) add('Additional information', 'the requested party may ask for it', w.additionalInformation);
  if (w?.delayNotice) add('Delays', 'notified to the requesting party', w.delayNotice);
  if (w?.transfer) add('Transfer', 'to another competent authority, the requester told', w.transfer);
  if (w?.deferral) add('Deferral', 'in whole or in part, with reasons', w.deferral);
  if (w?.pendingAfterTermination) add('After termination', 'requests under way are still answered', w.pendingAfterTermination);
  add('After termination', 'confidentiality, markings and the consent gate keep applying', a.confidentialitySurvivesTermination);
  return rules;
}
