/**
 * My key: export the public key for one's officer, back up the secret key (still protected by
 * its passphrase), and set the idle lock. The secret key is saved exactly as stored; never unlocked here.
 */
import { useState } from 'preact/hooks';
import type { Status } from '../messages.ts';
import { ask } from '../rpc.ts';
import { Fingerprint, Problem, saveText, useAction, type T } from './ui.tsx';

export function KeyPage({ t, status, onStatus }: { t: T; status: Status; onStatus: (s: Status) => void }) {
  const [minutes, setMinutes] = useState(String(status.idleMinutes));
  const exportKey = useAction(async (secret: boolean) => {
    const k = await ask<{ armored: string; fingerprint: string }>({ op: secret ? 'exportSecretKey' : 'exportPublicKey' });
    saveText(`${k.fingerprint}${secret ? '-secret' : ''}.asc`, k.armored);
  });
  const idle = useAction(async () => onStatus(await ask<Status>({ op: 'setIdle', minutes: Number(minutes) })));
  return (
    <section aria-labelledby="key-title">
      <h1 id="key-title">{t('keyTitle')}</h1>
      <p>
        {status.name} — <Fingerprint value={status.fingerprint ?? ''} />
      </p>
      <p>
        <button type="button" onClick={() => void exportKey.run(false)}>
          {t('exportPublic')}
        </button>
      </p>
      <p>
        <button type="button" onClick={() => void exportKey.run(true)}>
          {t('exportSecret')}
        </button>
      </p>
      <p class="hint">{t('backupHint')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void idle.run();
        }}
      >
        <label>
          {t('idleMinutes')}
          <input name="idle" type="number" min={1} max={240} value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
        </label>
        <button type="submit">{t('save')}</button>
      </form>
      <Problem error={exportKey.error ?? idle.error} t={t} />
    </section>
  );
}
