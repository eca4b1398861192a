/**
 * Colleagues who cannot open packets they are entitled to yet (enrolled, cleared higher or rotated
 * after the packets were sent): the hub lists what waits for each key; a colleague who can read the
 * packets re-wraps their session keys here (client/core/rewrap.ts rewrapFor, the CLI's
 * `liaison rewrap --for`). The data is never re-encrypted; each packet is checked in the worker
 * against its signed manifest and the colleague's vouched-for clearance, whatever the hub listed.
 */
import { useEffect, useState } from 'preact/hooks';
import { ask } from '../rpc.ts';
import { Fingerprint, Problem, Progress, useAction, type T } from './ui.tsx';

interface Waiting {
  fingerprint: string;
  name: string;
  waiting: number;
  more: boolean;
}

export function Colleagues({ t }: { t: T }) {
  const [rows, setRows] = useState<Waiting[] | null>(null);
  const [result, setResult] = useState('');
  const load = useAction(async () => setRows(await ask<Waiting[]>({ op: 'awaiting' })));
  const rewrap = useAction(async (w: Waiting) => {
    const r = await ask<{ done: string[]; skipped: Array<{ packetId: string; reason: string }> }>({ op: 'rewrap', fingerprint: w.fingerprint });
    // The fresh counts first, so the result line never sits beside the counts from before.
    await load.run();
    setResult(t('rewrapped', { name: w.name, done: r.done.length, skipped: r.skipped.length }));
  });
  useEffect(() => {
    void load.run();
  }, []);
  return (
    <section aria-labelledby="colleagues-title">
      <h1 id="colleagues-title">{t('colleaguesTitle')}</h1>
      <p class="hint">{t('colleaguesHint')}</p>
      <Problem error={load.error ?? rewrap.error} t={t} />
      {result ? <p role="status">{result}</p> : null}
      {rows && rows.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('name')}</th>
              <th scope="col">{t('fingerprint')}</th>
              <th scope="col">{t('waitingPackets')}</th>
              <th scope="col">{t('actions')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((w) => (
              <tr key={w.fingerprint}>
                <td>{w.name}</td>
                <td>
                  <Fingerprint value={w.fingerprint} />
                </td>
                <td>{w.more ? `${w.waiting}+` : w.waiting}</td>
                <td>
                  {w.waiting > 0 ? (
                    <button type="button" disabled={rewrap.busy} onClick={() => void rewrap.run(w)}>
                      {t('rewrapFor')} <span class="visually-hidden">{w.name}</span>
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : rows ? (
        <p>{t('noColleagues')}</p>
      ) : null}
      {rewrap.busy ? <Progress t={t} /> : null}
    </section>
  );
}
