/**
 * Onward releases of my party: the originating officer reviews exactly what they sign before a
 * consent or refusal; the requesting party executes a consented release (the worker re-wraps).
 */
import { useEffect, useState } from 'preact/hooks';
import type { Release } from '../../../../protocol/release.ts';
import { ask } from '../rpc.ts';
import { ReleaseTable } from './packet.tsx';
import { releaseStateLabel } from '../labels.ts';
import { Problem, Progress, useAction, type T } from './ui.tsx';

export function Releases({ t }: { t: T }) {
  const [releases, setReleases] = useState<Release[]>([]);
  const [picked, setPicked] = useState<Release | null>(null);
  const [refuse, setRefuse] = useState('');
  const [conditions, setConditions] = useState('');
  const [expires, setExpires] = useState('');
  const [statedParty, setStatedParty] = useState('');
  const [text, setText] = useState('');
  const [lines, setLines] = useState<string[]>([]);
  const [result, setResult] = useState('');
  const choice = () => ({ thirdParty: statedParty, ...(refuse ? { refuse } : {}), ...(conditions ? { conditions } : {}), ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}) });
  const load = useAction(async () => setReleases(await ask<Release[]>({ op: 'releases' })));
  const execute = useAction(async (r: Release) => {
    const done = await ask<Release>({ op: 'executeRelease', releaseId: r.id });
    setResult(t('decided', { state: releaseStateLabel(t, done.state) }));
    await load.run();
  });
  const preview = useAction(async () => {
    const shown = await ask<{ text: string; lines: string[] }>({ op: 'previewDecision', releaseId: picked!.id, choice: choice() });
    setText(shown.text);
    setLines(shown.lines);
  });
  const sign = useAction(async () => {
    const r = await ask<Release>({ op: 'decideRelease', releaseId: picked!.id, choice: choice(), shown: text });
    setResult(t('decided', { state: releaseStateLabel(t, r.state) }));
    setText('');
    await load.run();
  });
  useEffect(() => {
    void load.run();
  }, []);
  return (
    <section aria-labelledby="releases-title">
      <h1 id="releases-title">{t('releasesTitle')}</h1>
      {releases.length === 0 ? <p>{t('noReleasesPending')}</p> : <ReleaseTable t={t} releases={releases} onPick={(r) => { setPicked(r); setText(''); }} onExecute={(r) => void execute.run(r)} />}
      {execute.busy ? <Progress t={t} /> : null}
      {!picked && result ? <p role="status">{result}</p> : null}
      <Problem error={execute.error} t={t} />
      {picked ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void preview.run();
          }}
        >
          <h2>
            {t('decide')}: {picked.thirdParty} — {picked.purpose}
          </h2>
          <label>
            {t('statedThirdParty')}
            <input name="stated-third-party" required value={statedParty} onInput={(e) => { setStatedParty(e.currentTarget.value); setText(''); }} />
          </label>
          <label>
            {t('refuseReason')}
            <input name="refuse" value={refuse} onInput={(e) => { setRefuse(e.currentTarget.value); setText(''); }} />
          </label>
          <label>
            {t('conditions')}
            <input name="conditions" value={conditions} onInput={(e) => { setConditions(e.currentTarget.value); setText(''); }} />
          </label>
          <label>
            {t('expiresAt')}
            <input name="expires" type="date" value={expires} onInput={(e) => { setExpires(e.currentTarget.value); setText(''); }} />
          </label>
          <button type="submit">{t('preview')}</button>
          {text ? (
            <>
              <p>{t('willSign')}</p>
              <pre class="statement" tabIndex={0}>
                {lines.join('\n')}
              </pre>
              <details>
                <summary>{t('exactText')}</summary>
                <pre class="statement canonical" tabIndex={0}>
                  {text}
                </pre>
              </details>
              <button type="button" onClick={() => void sign.run()} disabled={sign.busy}>
                {t('signDecision')}
              </button>
            </>
          ) : null}
          {result ? <p role="status">{result}</p> : null}
          <Problem error={preview.error ?? sign.error} t={t} />
        </form>
      ) : null}
      <Problem error={load.error} t={t} />
    </section>
  );
}
