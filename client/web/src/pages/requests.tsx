/**
 * Requests and deadlines: what runs (execution, oral confirmation, authenticity) with due, due
 * soon and overdue, and the requests to my party with the state changes the agreement allows.
 * A change that goes with written reasons or a notice (refusal, deferral, transfer, a request for
 * more information) takes them here; the worker sends them first as the packet the workflow
 * requires, in reply to the request, then records the change pointing to it.
 */
import { LANGUAGE_TAG_PATTERN } from '../../../../protocol/language-tag.ts';
import { articleIn } from '../error-catalogue.ts';
import { useEffect, useState } from 'preact/hooks';
import type { DeadlineItem, RequestView } from '../../../../protocol/requests.ts';
import type { RequestRow } from '../messages.ts';
import { ask } from '../rpc.ts';
import { OralRequests } from './oral.tsx';
import { deadlineWhatLabel, requestStateLabel } from '../labels.ts';
import { DueBadge, Problem, Progress, useAction, type T } from './ui.tsx';

type Data = { requests: RequestRow[]; deadlines: DeadlineItem[] };

/** Not a state: the written notice of a delay in execution (SCO Art. 6(2)), sent like the writing of a state change. */
const DELAY = 'delay';

export function Requests({ t, party }: { t: T; party: string }) {
  const [data, setData] = useState<Data | null>(null);
  const [choice, setChoice] = useState<Record<string, string>>({});
  const [pending, setPending] = useState<{ row: RequestRow; state: string } | null>(null);
  const [result, setResult] = useState('');
  const load = useAction(async () => setData(await ask<Data>({ op: 'requests' })));
  const change = useAction(async (packetId: string, state: string) => {
    const r = await ask<{ view: RequestView }>({ op: 'changeState', packetId, state });
    setResult(t('stateChanged', { state: requestStateLabel(t, r.view.state) }));
    setChoice(({ [packetId]: _done, ...rest }) => rest);
    await load.run();
  });
  useEffect(() => {
    void load.run();
  }, []);
  /** The chosen next state, if it is still one of the allowed ones, else the first allowed. */
  const chosen = (r: RequestRow) => (choice[r.packetId] && r.next.some((n) => n.state === choice[r.packetId]) ? choice[r.packetId]! : r.next[0]!.state);
  const counts = data ? (['overdue', 'due-soon', 'due'] as const).map((d) => [d, data.deadlines.filter((x) => x.due === d).length] as const) : [];
  return (
    <section aria-labelledby="requests-title">
      <h1 id="requests-title">{t('requestsTitle')}</h1>
      <Problem error={load.error ?? change.error} t={t} />
      {result ? <p role="status">{result}</p> : null}
      {counts.length > 0 ? (
        <p class="due-summary">
          {counts.map(([d, n]) => (
            <span key={d}>
              <DueBadge due={d} t={t} /> {n}{' '}
            </span>
          ))}
        </p>
      ) : null}
      <h2>{t('deadlines')}</h2>
      {data && data.deadlines.length === 0 ? <p>{t('noDeadlines')}</p> : null}
      {data && data.deadlines.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('due')}</th>
              <th scope="col">{t('dueAt')}</th>
              <th scope="col">{t('kind')}</th>
              <th scope="col">{t('agreement')}</th>
              <th scope="col">{t('whoActs')}</th>
              <th scope="col">{t('state')}</th>
              <th scope="col">{t('articleColumn')}</th>
            </tr>
          </thead>
          <tbody>
            {data.deadlines.map((d) => (
              <tr key={`${d.what}-${d.id}`}>
                <td>
                  <DueBadge due={d.due} t={t} />
                </td>
                <td>{d.dueAt ? new Date(d.dueAt).toLocaleString() : ''}</td>
                <td>{deadlineWhatLabel(t, d.what)}</td>
                <td>{d.agreementId}</td>
                <td>{d.whose === 'mine' ? t('us') : d.counterpart}</td>
                <td>{requestStateLabel(t, d.state)}</td>
                <td>{articleIn(t.locale, d.article)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h2>{t('requestsReceived')}</h2>
      {data && data.requests.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('packet')}</th>
              <th scope="col">{t('agreement')}</th>
              <th scope="col">{t('requestingParty')}</th>
              <th scope="col">{t('state')}</th>
              <th scope="col">{t('due')}</th>
              <th scope="col">{t('changeState')}</th>
            </tr>
          </thead>
          <tbody>
            {data.requests.map((r) => (
              <tr key={r.packetId}>
                <td>
                  <a href={`#/packet/${r.packetId}`}>
                    <code>{r.packetId.slice(0, 8)}</code>
                    <span class="visually-hidden"> {r.packetId}</span>
                  </a>
                </td>
                <td>{r.agreementId}</td>
                <td>{r.requestingParty}</td>
                <td>
                  {requestStateLabel(t, r.state)}
                  {r.delayNotifiedAt ? ` · ${t('delayShown')}` : ''}
                </td>
                <td>
                  <DueBadge due={r.due} t={t} /> {r.dueAt ? new Date(r.dueAt).toLocaleDateString() : ''} {r.deadlineArticle ?? ''}
                </td>
                <td>
                  {r.next.length > 0 ? (
                    <form
                      class="inline-form"
                      onSubmit={(e) => {
                        e.preventDefault();
                        const state = chosen(r);
                        if (r.next.find((n) => n.state === state)?.writing === 'required') setPending({ row: r, state });
                        else void change.run(r.packetId, state);
                      }}
                    >
                      <label class="inline">
                        <span class="visually-hidden">{t('nextState')}</span>
                        <select value={chosen(r)} onChange={(e) => setChoice({ ...choice, [r.packetId]: e.currentTarget.value })}>
                          {r.next.map((n) => (
                            <option key={n.state} value={n.state}>
                              {requestStateLabel(t, n.state)}
                              {n.writing === 'required' ? ` (${t('withWriting')})` : ''}
                            </option>
                          ))}
                        </select>
                      </label>
                      <button type="submit" disabled={change.busy}>
                        {t('changeState')}
                      </button>
                    </form>
                  ) : null}
                  {r.next.length > 0 ? (
                    <button type="button" onClick={() => setPending({ row: r, state: DELAY })}>
                      {t('notifyDelay')}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : data ? (
        <p>{t('noRequests')}</p>
      ) : null}
      {pending ? (
        <WritingForm
          t={t}
          row={pending.row}
          state={pending.state}
          onCancel={() => setPending(null)}
          onDone={async (state, sentPacket) => {
            setPending(null);
            await load.run();
            setResult(state === DELAY ? t('delayNotified', { packet: sentPacket ?? '' }) : t('stateChanged', { state: requestStateLabel(t, state) }));
          }}
        />
      ) : null}
      <p class="hint">{t('refusalHint')}</p>
      <OralRequests t={t} party={party} />
    </section>
  );
}

/** The written reasons or notice of a state change, typed here, sent encrypted in reply to the request. */
function WritingForm({ t, row, state, onCancel, onDone }: { t: T; row: RequestRow; state: string; onCancel: () => void; onDone: (state: string, sentPacket?: string) => Promise<void> }) {
  const [text, setText] = useState('');
  const [lang, setLang] = useState('');
  const [translations, setTranslations] = useState<Array<{ text: string; lang: string }>>([]);
  const [scope, setScope] = useState<'whole' | 'part'>('whole');
  const [authority, setAuthority] = useState('');
  const send = useAction(async () => {
    // The recipient saves these under their names: what they are and their language.
    const base = state === 'refused' ? 'refusal' : state === 'deferred' ? 'deferral' : state === 'transferred' ? 'transfer-notice' : state === DELAY ? 'delay-notice' : 'notice';
    const file = (body: string, l: string, i: number) => new File([body], `${base}-${l}${i > 1 ? `-${i}` : ''}.txt`, { type: 'text/plain' });
    const writing = { original: { file: file(text, lang, 0), lang }, translations: translations.filter((x) => x.text.trim()).map((x, i) => ({ file: file(x.text, x.lang, i + 1), lang: x.lang })) };
    if (state === DELAY) {
      const d = await ask<{ view: RequestView; sentPacket: string }>({ op: 'notifyDelay', packetId: row.packetId, writing });
      return onDone(DELAY, d.sentPacket);
    }
    const r = await ask<{ view: RequestView; sentPacket?: string }>({
      op: 'changeState',
      packetId: row.packetId,
      state,
      ...(state === 'refused' || state === 'deferred' ? { scope } : {}),
      ...(state === 'transferred' && authority ? { authority: authority.trim().toUpperCase() } : {}),
      writing,
    });
    await onDone(r.view.state, r.sentPacket);
  });
  const what = state === 'refused' || state === 'deferred' ? t('writtenReasons') : t('writtenNotice');
  return (
    <form
      class="writing"
      aria-labelledby="writing-title"
      onSubmit={(e) => {
        e.preventDefault();
        void send.run();
      }}
    >
      <h2 id="writing-title">{t('writingTitle', { state: state === DELAY ? t('delayState') : state, packet: row.packetId.slice(0, 8), party: row.requestingParty })}</h2>
      <p class="hint">{t('writingHint', { party: row.requestingParty })}</p>
      {state === 'refused' || state === 'deferred' ? (
        <label>
          {t('scope')}
          <select name="scope" value={scope} onChange={(e) => setScope(e.currentTarget.value as 'whole' | 'part')}>
            <option value="whole">{t('scopeWhole')}</option>
            <option value="part">{t('scopePart')}</option>
          </select>
        </label>
      ) : null}
      {state === 'transferred' ? (
        <label>
          {t('transferAuthority')}
          <input name="authority" required value={authority} onInput={(e) => setAuthority(e.currentTarget.value)} />
        </label>
      ) : null}
      <label>
        {what}
        <textarea name="reasons" rows={5} required value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <label>
        {t('writingLang')}
        <input name="reasons-lang" required pattern={LANGUAGE_TAG_PATTERN} value={lang} onInput={(e) => setLang(e.currentTarget.value)} />
      </label>
      {translations.map((tr, i) => (
        <fieldset key={i}>
          <legend>
            {t('translation')} {i + 1}
          </legend>
          <label>
            {t('translationText')}
            <textarea name={`reasons-translation-${i}`} rows={4} value={tr.text} onInput={(e) => setTranslations(translations.map((x, j) => (j === i ? { ...x, text: e.currentTarget.value } : x)))} />
          </label>
          <label>
            {t('translationLang')}
            <input name={`reasons-translation-lang-${i}`} pattern={LANGUAGE_TAG_PATTERN} value={tr.lang} onInput={(e) => setTranslations(translations.map((x, j) => (j === i ? { ...x, lang: e.currentTarget.value } : x)))} />
          </label>
        </fieldset>
      ))}
      <button type="button" onClick={() => setTranslations([...translations, { text: '', lang: '' }])}>
        {t('addTranslation')}
      </button>
      <p>
        <button type="submit" disabled={send.busy}>
          {state === DELAY ? t('sendDelayNotice') : t('sendWriting')}
        </button>{' '}
        <button type="button" onClick={onCancel}>
          {t('cancel')}
        </button>
      </p>
      {send.busy ? <Progress t={t} /> : null}
      <Problem error={send.error} t={t} />
    </form>
  );
}
