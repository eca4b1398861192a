/**
 * The pinned officers of the parties this person deals with, by fingerprint in groups of four.
 * Pins are kept by the worker in IndexedDB; the page only shows and collects them.
 */
import { useEffect, useState } from 'preact/hooks';
import type { PinView } from '../messages.ts';
import { ask } from '../rpc.ts';
import { Fingerprint, Problem, useAction, type T } from './ui.tsx';

export function Trust({ t }: { t: T }) {
  const [pins, setPins] = useState<PinView[]>([]);
  const [party, setParty] = useState('');
  const [fpr, setFpr] = useState('');
  const load = useAction(async () => setPins(await ask<PinView[]>({ op: 'pins' })));
  const pin = useAction(async () => {
    setPins(await ask<PinView[]>({ op: 'pin', party, fingerprint: fpr }));
    setFpr('');
  });
  useEffect(() => {
    void load.run();
  }, []);
  return (
    <section aria-labelledby="trust-title">
      <h1 id="trust-title">{t('trust')}</h1>
      <p>{t('trustIntro')}</p>
      {pins.length === 0 ? <p>{t('noPins')}</p> : null}
      {pins.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('party')}</th>
              <th scope="col">{t('fingerprint')}</th>
              <th scope="col">{t('addedAt')}</th>
              <th scope="col">{t('source')}</th>
              <th scope="col">{t('unpin')}</th>
            </tr>
          </thead>
          <tbody>
            {pins.map((p) => (
              <tr key={`${p.party}-${p.fingerprint}`}>
                <td>{p.party}</td>
                <td>
                  <Fingerprint value={p.fingerprint} />
                </td>
                <td>{p.addedAt}</td>
                <td>{p.source}</td>
                <td>
                  <button type="button" onClick={() => void ask<PinView[]>({ op: 'unpin', party: p.party, fingerprint: p.fingerprint }).then(setPins)}>
                    {t('unpin')} <span class="visually-hidden">{p.fingerprint}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void pin.run();
        }}
      >
        <label>
          {t('party')}
          <input name="party" required value={party} onInput={(e) => setParty(e.currentTarget.value)} />
        </label>
        <label>
          {t('fingerprint')}
          <input name="fingerprint" required class="mono" value={fpr} onInput={(e) => setFpr(e.currentTarget.value)} />
        </label>
        {fpr ? (
          <p>
            <Fingerprint value={fpr.toUpperCase()} />
          </p>
        ) : null}
        <button type="submit" disabled={pin.busy}>
          {t('pin')}
        </button>
        <Problem error={pin.error ?? load.error} t={t} />
      </form>
    </section>
  );
}
