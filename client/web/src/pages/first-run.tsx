/**
 * Before work starts: the first run (create or import a key), unlocking the key in the worker,
 * and logging in by signing the hub's challenge there. Collects passphrases and hands them to
 * the worker; keeps none of them.
 */
import { useState } from 'preact/hooks';
import type { Status } from '../messages.ts';
import { ask } from '../rpc.ts';
import { Fingerprint, Problem, useAction, type T } from './ui.tsx';

export function FirstRun({ t, onDone }: { t: T; onDone: (s: Status) => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [pass, setPass] = useState('');
  const [pass2, setPass2] = useState('');
  const [armored, setArmored] = useState('');
  const [importPass, setImportPass] = useState('');
  const create = useAction(async () => {
    if (pass !== pass2) throw new Error(t('passphraseMismatch'));
    onDone(await ask<Status>({ op: 'createKey', name, ...(email ? { email } : {}), passphrase: pass }));
  });
  const imp = useAction(async () => onDone(await ask<Status>({ op: 'importKey', armored, passphrase: importPass })));
  return (
    <section aria-labelledby="first-run">
      <h1 id="first-run">{t('firstRunTitle')}</h1>
      <p>{t('firstRunIntro')}</p>
      <div class="columns">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void create.run();
          }}
        >
          <h2>{t('createKey')}</h2>
          <label>
            {t('name')}
            <input name="name" required autocomplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label>
            {t('email')}
            <input name="email" type="email" autocomplete="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
          <label>
            {t('passphrase')}
            <input name="passphrase" type="password" required minLength={8} autocomplete="new-password" aria-describedby="pass-hint" value={pass} onInput={(e) => setPass(e.currentTarget.value)} />
          </label>
          <label>
            {t('passphraseAgain')}
            <input name="passphrase2" type="password" required minLength={8} autocomplete="new-password" value={pass2} onInput={(e) => setPass2(e.currentTarget.value)} />
          </label>
          <p id="pass-hint" class="hint">
            {t('passphraseHint')}
          </p>
          <button type="submit" disabled={create.busy}>
            {create.busy ? t('working') : t('create')}
          </button>
          <Problem error={create.error} t={t} />
        </form>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void imp.run();
          }}
        >
          <h2>{t('importKey')}</h2>
          <label>
            {t('armoredSecretKey')}
            <textarea name="armored" rows={6} value={armored} onInput={(e) => setArmored(e.currentTarget.value)} />
          </label>
          <label>
            {t('keyFile')}
            <input
              type="file"
              name="keyfile"
              accept=".asc,.key,.txt"
              onChange={(e) => {
                const f = e.currentTarget.files?.[0];
                if (f) void f.text().then(setArmored);
              }}
            />
          </label>
          <label>
            {t('passphrase')}
            <input name="import-passphrase" type="password" required autocomplete="current-password" value={importPass} onInput={(e) => setImportPass(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={imp.busy}>
            {imp.busy ? t('working') : t('import')}
          </button>
          <Problem error={imp.error} t={t} />
        </form>
      </div>
    </section>
  );
}

export function Unlock({ t, status, lockedByIdle, onDone }: { t: T; status: Status; lockedByIdle: boolean; onDone: (s: Status) => void }) {
  const [pass, setPass] = useState('');
  const unlock = useAction(async () => onDone(await ask<Status>({ op: 'unlock', passphrase: pass })));
  return (
    <section aria-labelledby="unlock">
      <h1 id="unlock">{t('unlockTitle')}</h1>
      {lockedByIdle ? <p role="status">{t('lockedNotice', { minutes: status.idleMinutes })}</p> : null}
      <p>
        {status.name} — <Fingerprint value={status.fingerprint ?? ''} />
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void unlock.run();
        }}
      >
        <label>
          {t('passphrase')}
          <input name="passphrase" type="password" required autocomplete="current-password" value={pass} onInput={(e) => setPass(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={unlock.busy}>
          {unlock.busy ? t('working') : t('unlock')}
        </button>
        <Problem error={unlock.error} t={t} />
      </form>
    </section>
  );
}

export function Login({ t, status, ended, onDone }: { t: T; status: Status; ended: string; onDone: (s: Status) => void }) {
  const login = useAction(async () => onDone(await ask<Status>({ op: 'login' })));
  return (
    <section aria-labelledby="login">
      <h1 id="login">{t('loginTitle')}</h1>
      {ended && !login.error ? (
        <div class="problem" role="alert">
          <strong>{t('sessionEnded')}: </strong>
          {ended}
        </div>
      ) : null}
      <p>{t('loginIntro')}</p>
      <p>
        {t('yourFingerprint')}: <Fingerprint value={status.fingerprint ?? ''} />
      </p>
      <button type="button" onClick={() => void login.run()} disabled={login.busy}>
        {login.busy ? t('working') : t('login')}
      </button>
      <Problem error={login.error} t={t} />
      <p>
        <a href="#/trust">{t('trust')}</a> · <a href="#/key">{t('key')}</a>
      </p>
    </section>
  );
}
