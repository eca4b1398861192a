/**
 * Doubt about a packet's authenticity (SCO Art. 5(3)), on the packet page: a recipient asks the
 * sending party to confirm the packet; the sending party's contact confirms it, the worker signing
 * a statement it built from the manifest it verified (client/core/authenticity.ts, as
 * `liaison authenticity confirm`); an answer is shown with whether it verified in this browser,
 * against the vouched-for members of the sending party and the manifest held here.
 */
import { useEffect, useState } from 'preact/hooks';
import type { AuthenticityRow } from '../messages.ts';
import { ask } from '../rpc.ts';
import { Problem, useAction, type T } from './ui.tsx';

export function Authenticity({ t, id, mine }: { t: T; id: string; mine: boolean }) {
  const [rows, setRows] = useState<AuthenticityRow[] | null>(null);
  const [result, setResult] = useState('');
  const [signed, setSigned] = useState<string[]>([]);
  const load = useAction(async () => setRows(await ask<AuthenticityRow[]>({ op: 'authenticityOf', packetId: id })));
  const askIt = useAction(async () => {
    const a = await ask<AuthenticityRow>({ op: 'askAuthenticity', packetId: id });
    await load.run();
    setResult(t('authenticityAsked', { party: a.senderParty, article: a.article }));
  });
  const confirm = useAction(async (requestId: string) => {
    const r = await ask<{ lines: string[] }>({ op: 'confirmAuthenticity', id: requestId, packetId: id });
    await load.run();
    setSigned(r.lines);
    setResult(t('authenticityConfirmed'));
  });
  useEffect(() => {
    void load.run();
  }, [id]);
  return (
    <section aria-labelledby="authenticity-title">
      <h2 id="authenticity-title">{t('authenticityTitle')}</h2>
      <Problem error={load.error ?? askIt.error ?? confirm.error} t={t} />
      {result ? <p role="status">{result}</p> : null}
      {signed.length > 0 ? <pre class="signed-lines">{signed.join('\n')}</pre> : null}
      {rows && rows.length === 0 ? <p>{t('noAuthenticity')}</p> : null}
      {rows && rows.length > 0 ? (
        <ul class="authenticity">
          {rows.map((a) => (
            <li key={a.id}>
              {t('authenticityAskedBy', { party: a.requestingParty, at: new Date(a.requestedAt).toLocaleString(), article: a.article })}{' '}
              {a.check ? <span class={a.check.confirmed ? 'ok' : 'bad'}>{a.check.confirmed ? t('authenticityVerified', { reason: a.check.reason }) : t('authenticityNotVerified', { reason: a.check.reason })}</span> : <span>{t('authenticityAwaiting', { party: a.senderParty })}</span>}{' '}
              {a.toAnswer ? (
                <button type="button" disabled={confirm.busy} onClick={() => void confirm.run(a.id)}>
                  {t('authenticityConfirm')}
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {!mine ? (
        <button type="button" disabled={askIt.busy} onClick={() => void askIt.run()}>
          {t('authenticityAsk')}
        </button>
      ) : null}
    </section>
  );
}
