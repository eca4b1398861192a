/**
 * Oral requests (SCO Art. 5(2); RU-PK Art. 5): an urgent request made by telephone or in person is
 * recorded at once, with when it was made; the requested party may demand its written
 * confirmation (where the agreement confirms on demand), and the requesting party links the
 * written request that confirms it. The hub checks who may do each and runs the deadline; this
 * page only asks and shows (the same calls as `liaison request oral`, `demand-confirmation`,
 * `confirm-oral`, through the core's WorkflowApi in the worker).
 */
import { useEffect, useState } from 'preact/hooks';
import type { AgreementChoice, OralRow } from '../messages.ts';
import { ask } from '../rpc.ts';
import { DueBadge, Problem, useAction, type T } from './ui.tsx';

export function OralRequests({ t, party }: { t: T; party: string }) {
  const [rows, setRows] = useState<OralRow[] | null>(null);
  const [agreements, setAgreements] = useState<AgreementChoice[]>([]);
  const [form, setForm] = useState({ agreementId: '', requestingParty: '', requestedParty: '', madeAt: '' });
  const [links, setLinks] = useState<Record<string, string>>({});
  const [result, setResult] = useState('');
  const load = useAction(async () => setRows(await ask<OralRow[]>({ op: 'oralRequests' })));
  const record = useAction(async () => {
    const o = await ask<OralRow>({ op: 'recordOral', agreementId: form.agreementId, requestingParty: form.requestingParty, requestedParty: form.requestedParty, ...(form.madeAt ? { madeAt: form.madeAt } : {}) });
    // The list is read again first, so that what the status announces is already on the page.
    await load.run();
    setResult(t('oralRecorded', { id: o.id, article: o.article }));
  });
  const demand = useAction(async (id: string) => {
    await ask({ op: 'demandConfirmation', id });
    await load.run();
    setResult(t('oralDemanded', { id }));
  });
  const confirm = useAction(async (id: string) => {
    await ask({ op: 'confirmOral', id, packetId: links[id] ?? '' });
    await load.run();
    setResult(t('oralConfirmed', { id }));
  });
  useEffect(() => {
    void load.run();
    void ask<AgreementChoice[]>({ op: 'agreements' }).then((list) => {
      setAgreements(list);
      const first = list[0];
      if (first) setForm((f) => ({ ...f, agreementId: first.id, requestingParty: party, requestedParty: first.parties.find((p) => p !== party) ?? '' }));
    });
  }, []);
  const parties = agreements.find((a) => a.id === form.agreementId)?.parties ?? [];
  const stateOf = (o: OralRow) => (o.confirmedBy ? t('oralStateConfirmed') : o.demandedAt ? t('oralStateDemanded') : o.confirmation === 'on-demand' ? t('oralStateOnDemand') : t('oralStateAwaiting'));
  return (
    <section aria-labelledby="oral-title">
      <h2 id="oral-title">{t('oralTitle')}</h2>
      <Problem error={load.error ?? record.error ?? demand.error ?? confirm.error} t={t} />
      {result ? <p role="status">{result}</p> : null}
      {rows && rows.length === 0 ? <p>{t('noOral')}</p> : null}
      {rows && rows.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('oralId')}</th>
              <th scope="col">{t('agreement')}</th>
              <th scope="col">{t('oralFromTo')}</th>
              <th scope="col">{t('oralMadeAt')}</th>
              <th scope="col">{t('state')}</th>
              <th scope="col">{t('due')}</th>
              <th scope="col">{t('articleColumn')}</th>
              <th scope="col">{t('oralAction')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((o) => (
              <tr key={o.id}>
                <td>
                  <code>{o.id.slice(0, 8)}</code>
                  <span class="visually-hidden"> {o.id}</span>
                </td>
                <td>{o.agreementId}</td>
                <td>
                  {o.requestingParty} → {o.requestedParty}
                </td>
                <td>{new Date(o.madeAt).toLocaleString()}</td>
                <td>
                  {stateOf(o)}
                  {o.confirmedBy ? (
                    <>
                      {' '}
                      <a href={`#/packet/${o.confirmedBy}`}>
                        <code>{o.confirmedBy.slice(0, 8)}</code>
                      </a>
                    </>
                  ) : null}
                </td>
                <td>
                  {o.confirmedBy ? null : <DueBadge due={o.due} t={t} />} {!o.confirmedBy && o.dueAt ? new Date(o.dueAt).toLocaleString() : ''}
                </td>
                <td>{o.article}</td>
                <td>
                  {o.confirmedBy ? null : o.side === 'requested' ? (
                    o.confirmation === 'on-demand' && !o.demandedAt ? (
                      <button type="button" disabled={demand.busy} onClick={() => void demand.run(o.id)}>
                        {t('oralDemand')}
                      </button>
                    ) : null
                  ) : (
                    <form
                      onSubmit={(e) => {
                        e.preventDefault();
                        void confirm.run(o.id);
                      }}
                    >
                      <label>
                        {t('oralWrittenRequest')}
                        <input name={`confirm-${o.id}`} required pattern="[0-9a-fA-F-]{36}" value={links[o.id] ?? ''} onInput={(e) => setLinks({ ...links, [o.id]: e.currentTarget.value })} />
                      </label>
                      <button type="submit" disabled={confirm.busy}>
                        {t('oralLink')}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form
        aria-labelledby="oral-record-title"
        onSubmit={(e) => {
          e.preventDefault();
          void record.run();
        }}
      >
        <h3 id="oral-record-title">{t('oralRecord')}</h3>
        <label>
          {t('agreement')}
          <select name="oral-agreement" value={form.agreementId} onChange={(e) => setForm({ ...form, agreementId: e.currentTarget.value })}>
            {agreements.map((a) => (
              <option key={a.id} value={a.id}>
                {a.id}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('oralRequestingParty')}
          <select name="oral-from" value={form.requestingParty} onChange={(e) => setForm({ ...form, requestingParty: e.currentTarget.value })}>
            {parties.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('oralRequestedParty')}
          <select name="oral-to" value={form.requestedParty} onChange={(e) => setForm({ ...form, requestedParty: e.currentTarget.value })}>
            {parties.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('oralMadeAtField')}
          <input name="oral-made-at" type="datetime-local" value={form.madeAt} onInput={(e) => setForm({ ...form, madeAt: e.currentTarget.value })} />
        </label>
        <button type="submit" disabled={record.busy || !form.agreementId}>
          {t('oralRecordButton')}
        </button>
      </form>
    </section>
  );
}
