/**
 * The audit log as this browser holds it: at every login the worker asks the hub for its log as
 * my party may see it, proves it extends every checkpoint kept in this browser's IndexedDB, and
 * keeps the new signed checkpoint. This page shows the result and checks again on demand; a hub
 * that rewrote, truncated or restored its log is named here and in a banner on every page.
 */
import type { Status } from '../messages.ts';
import { ask } from '../rpc.ts';
import { Problem, useAction, type T } from './ui.tsx';

export function Evidence({ t, status, onStatus }: { t: T; status: Status; onStatus: (s: Status) => void }) {
  const check = useAction(async () => onStatus(await ask<Status>({ op: 'audit' })));
  const audit = status.audit;
  return (
    <section aria-labelledby="evidence-title">
      <h1 id="evidence-title">{t('auditTitle')}</h1>
      <p>{t('auditIntro')}</p>
      {audit ? (
        <>
          <p class={audit.ok ? 'ok' : 'bad'} role={audit.ok ? 'status' : 'alert'}>
            {audit.ok ? t('auditOk', { at: new Date(audit.checkedAt).toLocaleString() }) : audit.reason}
          </p>
          {audit.lines.length > 0 ? (
            <ul class="evidence-lines">
              {audit.lines.map((l, i) => (
                <li key={i}>{l}</li>
              ))}
            </ul>
          ) : null}
          <h2>{t('keptCheckpoints')}</h2>
          {audit.kept.length === 0 ? (
            <p>{t('noCheckpoints')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('events')}</th>
                  <th scope="col">{t('signedAt')}</th>
                </tr>
              </thead>
              <tbody>
                {audit.kept.map((k) => (
                  <tr key={k.size}>
                    <td>{k.size}</td>
                    <td>{new Date(k.at).toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : null}
      <button type="button" onClick={() => void check.run()} disabled={check.busy}>
        {check.busy ? t('working') : t('checkAudit')}
      </button>
      <Problem error={check.error} t={t} />
    </section>
  );
}
