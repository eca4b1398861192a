/**
 * Compose and send: only the agreements and parties one's party belongs to; marking by common
 * level with each party's label; the original and its translations with their languages. The
 * worker checks languages and completeness with the core's rules and encrypts; this page collects.
 */
import { LANGUAGE_TAG_PATTERN } from '../../../../protocol/language-tag.ts';
import { useEffect, useState } from 'preact/hooks';
import type { AgreementChoice, ShownNotice, Status } from '../messages.ts';
import { ask } from '../rpc.ts';
import { packetStateLabel } from '../labels.ts';
import { FORM_FIELDS, fieldLabel, Problem, Progress, useAction, type T } from './ui.tsx';

export function Compose({ t, status }: { t: T; status: Status }) {
  const [agreements, setAgreements] = useState<AgreementChoice[]>([]);
  const [agreementId, setAgreementId] = useState('');
  const [to, setTo] = useState<string[]>([]);
  const [level, setLevel] = useState('');
  const [kind, setKind] = useState('information');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [formLang, setFormLang] = useState('');
  const [original, setOriginal] = useState<File | null>(null);
  const [originalLang, setOriginalLang] = useState('');
  const [translations, setTranslations] = useState<Array<{ file: File | null; lang: string }>>([]);
  const [draft, setDraft] = useState(false);
  const [result, setResult] = useState('');
  const load = useAction(async () => {
    const list = await ask<AgreementChoice[]>({ op: 'agreements' });
    setAgreements(list);
    if (list[0]) {
      setAgreementId(list[0].id);
      setLevel(list[0].levels[0]?.level ?? '');
    }
  });
  useEffect(() => {
    void load.run();
  }, []);
  const agreement = agreements.find((a) => a.id === agreementId);
  const me = status.me!;
  const send = useAction(async () => {
    setResult('');
    if (!original) return;
    const r = await ask<{ packetId: string; state: string; notices: ShownNotice[] }>({
      op: 'send',
      form: {
        agreementId,
        to,
        level,
        kind,
        original: { file: original, lang: originalLang },
        translations: translations.filter((x) => x.file).map((x) => ({ file: x.file!, lang: x.lang })),
        draft,
        ...(kind === 'request' ? { requestForm: { fields, lang: formLang || originalLang } } : {}),
      },
    });
    setResult(`${t('sentOk', { id: r.packetId, state: packetStateLabel(t, r.state) })} ${r.notices.map((n) => t.error(n.wording, n.message)).join(' · ')}`);
  });
  return (
    <section aria-labelledby="compose-title">
      <h1 id="compose-title">{t('composeTitle')}</h1>
      <Problem error={load.error} t={t} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void send.run();
        }}
      >
        <label>
          {t('chooseAgreement')}
          <select name="agreement" value={agreementId} onChange={(e) => setAgreementId(e.currentTarget.value)}>
            {agreements.map((a) => (
              <option key={a.id} value={a.id}>
                {a.id} — {a.title}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>{t('recipients')}</legend>
          {agreement?.parties
            .filter((p) => p !== me.party)
            .map((p) => (
              <label key={p} class="inline">
                <input type="checkbox" name="to" value={p} checked={to.includes(p)} onChange={(e) => setTo(e.currentTarget.checked ? [...to, p] : to.filter((x) => x !== p))} /> {p}
              </label>
            ))}
        </fieldset>
        <label>
          {t('level')}
          <select name="level" value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
            {agreement?.levels.map((l) => (
              <option key={l.level} value={l.level}>
                {l.level} — {Object.entries(l.labels).map(([party, label]) => `${party}: ${label}`).join('; ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('kind')}
          <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            {(agreement?.kinds ?? ['information']).map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        {kind === 'request' && agreement ? <RequestFormFields t={t} agreement={agreement} fields={fields} setFields={setFields} lang={formLang} setLang={setFormLang} /> : null}
        <label>
          {t('originalFile')}
          <input type="file" name="original" required onChange={(e) => setOriginal(e.currentTarget.files?.[0] ?? null)} />
        </label>
        <label>
          {t('originalLang')}
          <input name="original-lang" required pattern={LANGUAGE_TAG_PATTERN} value={originalLang} onInput={(e) => setOriginalLang(e.currentTarget.value)} />
        </label>
        {translations.map((tr, i) => (
          <fieldset key={i}>
            <legend>
              {t('translation')} {i + 1}
            </legend>
            <label>
              {t('translationFile')}
              <input type="file" name={`translation-${i}`} onChange={(e) => setTranslations(translations.map((x, j) => (j === i ? { ...x, file: e.currentTarget.files?.[0] ?? null } : x)))} />
            </label>
            <label>
              {t('translationLang')}
              <input name={`translation-lang-${i}`} value={tr.lang} pattern={LANGUAGE_TAG_PATTERN} onInput={(e) => setTranslations(translations.map((x, j) => (j === i ? { ...x, lang: e.currentTarget.value } : x)))} />
            </label>
            <button type="button" onClick={() => setTranslations(translations.filter((_, j) => j !== i))}>
              {t('removeTranslation')}
            </button>
          </fieldset>
        ))}
        <button type="button" onClick={() => setTranslations([...translations, { file: null, lang: '' }])}>
          {t('addTranslation')}
        </button>
        <label class="inline">
          <input type="checkbox" name="draft" checked={draft} onChange={(e) => setDraft(e.currentTarget.checked)} /> {t('saveAsDraft')}
        </label>
        <button type="submit" disabled={send.busy || !agreement}>
          {send.busy ? t('working') : t('send')}
        </button>
        {send.busy ? <Progress t={t} /> : null}
        {result ? (
          <p role="status" class="ok">
            {result}
          </p>
        ) : null}
        <Problem error={send.error} t={t} />
      </form>
    </section>
  );
}

/** Fields whose text is long enough to want several lines. */
const LONG_FIELDS = new Set(['purpose', 'justification', 'assistanceRequested', 'facts', 'confidentiality']);

/**
 * The agreement's request form (SCO Art. 5(4)): every field the protocol knows, those the agreement
 * requires marked with its article. Nothing is refused here: the worker checks the form with the
 * core's rule and names the article of what is missing.
 */
function RequestFormFields({ t, agreement, fields, setFields, lang, setLang }: { t: T; agreement: AgreementChoice; fields: Record<string, string>; setFields: (f: Record<string, string>) => void; lang: string; setLang: (l: string) => void }) {
  const required = new Set(agreement.requestFields);
  return (
    <fieldset class="request-form">
      <legend>{t('requestFormTitle')}</legend>
      <p class="hint">{agreement.requestArticle ? t('requestFormHint', { article: agreement.requestArticle }) : t('requestFormNoRule')}</p>
      {FORM_FIELDS.filter((f) => f !== 'confirmsOralRequest').map((name) => {
        const isRequired = required.has(name);
        const label = (
          <>
            {fieldLabel(t, name)}
            {isRequired ? <span class="required"> ({t('requiredBy', { article: agreement.requestArticle ?? '' })})</span> : null}
          </>
        );
        const value = fields[name] ?? '';
        const set = (v: string) => setFields({ ...fields, [name]: v });
        return (
          <label key={name}>
            {label}
            {LONG_FIELDS.has(name) ? (
              <textarea name={`form-${name}`} rows={2} aria-required={isRequired ? 'true' : undefined} value={value} onInput={(e) => set(e.currentTarget.value)} />
            ) : (
              <input name={`form-${name}`} aria-required={isRequired ? 'true' : undefined} value={value} onInput={(e) => set(e.currentTarget.value)} />
            )}
          </label>
        );
      })}
      <label>
        {t('formLang')}
        <input name="form-lang" pattern={LANGUAGE_TAG_PATTERN} value={lang} onInput={(e) => setLang(e.currentTarget.value)} />
      </label>
    </fieldset>
  );
}
