/**
 * Requests and deadlines: what runs (execution, oral confirmation, authenticity) with due, due
 * soon and overdue, and the requests to my party with the state changes the agreement allows.
 */
import { useEffect, useState } from 'preact/hooks';
import type { DeadlineItem, RequestView } from '../../../../protocol/workflow.ts';
import { ask } from '../rpc.ts';
import { DueBadge, Problem, useAction, type T } from './ui.tsx';

export function Requests({ t }: { t: T }) {
  const [data, setData] = useState<{ requests: Array<RequestView & { next: string[] }>; deadlines: DeadlineItem[] } | null>(null);
  const [choice, setChoice] = useState<Record<string, string>>({});
  const [result, setResult] = useState('');
  const load = useAction(async () => setData(await ask<{ requests: Array<RequestView & { next: string[] }>; deadlines: DeadlineItem[] }>({ op: 'requests' })));
  const change = useAction(async (packetId: string, state: string) => {
    const r = await ask<RequestView>({ op: 'changeState', packetId, state });
    setResult(t('stateChanged', { state: r.state }));
    setChoice(({ [packetId]: _done, ...rest }) => rest);
    await load.run();
  });
  useEffect(() => {
    void load.run();
  }, []);
  /** The chosen next state, if it is still one of the allowed ones, else the first allowed. */
  const chosen = (r: { packetId: string; next: string[] }) => (choice[r.packetId] && r.next.includes(choice[r.packetId]!) ? choice[r.packetId]! : r.next[0]!);
  return (
    <section aria-labelledby="requests-title">
      <h1 id="requests-title">{t('requestsTitle')}</h1>
      <Problem error={load.error ?? change.error} t={t} />
      {result ? <p role="status">{result}</p> : null}
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
                <td>{d.what}</td>
                <td>{d.agreementId}</td>
                <td>{d.whose === 'mine' ? t('us') : d.counterpart}</td>
                <td>{d.state}</td>
                <td>{d.article}</td>
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
                <td>{r.state}</td>
                <td>
                  <DueBadge due={r.due} t={t} /> {r.dueAt ? new Date(r.dueAt).toLocaleDateString() : ''} {r.deadlineArticle ?? ''}
                </td>
                <td>
                  {r.next.length > 0 ? (
                    <form
                      class="inline-form"
                      onSubmit={(e) => {
                        e.preventDefault();
                        void change.run(r.packetId, chosen(r));
                      }}
                    >
                      <label class="inline">
                        <span class="visually-hidden">{t('nextState')}</span>
                        <select value={chosen(r)} onChange={(e) => setChoice({ ...choice, [r.packetId]: e.currentTarget.value })}>
                          {r.next.map((s) => (
                            <option key={s} value={s}>
                              {s}
                            </option>
                          ))}
                        </select>
                      </label>
                      <button type="submit" disabled={change.busy}>
                        {t('changeState')}
                      </button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : data ? (
        <p>{t('noRequests')}</p>
      ) : null}
      <p class="hint">{t('refusalHint')}</p>
    </section>
  );
}
