/**
 * The web client's frame (Preact): header with the person, the idle lock and the language,
 * navigation, and the hash route to each page (pages/). Everything cryptographic happens in the
 * key worker (rpc.ts -> worker.ts, running client/core/); the pages only show what the worker
 * answers and collect what the person types. Documents are shown as text nodes (never as
 * markup) or offered for saving; nothing from a packet is ever rendered by a script or a frame.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { translator, type Locale, type MessageKey } from './i18n.ts';
import type { Status } from './messages.ts';
import { ask, onLocked, onSessionEnded, type SessionEnd } from './rpc.ts';
import { Box } from './pages/box.tsx';
import { Colleagues } from './pages/colleagues.tsx';
import { Compose } from './pages/compose.tsx';
import { Evidence } from './pages/evidence.tsx';
import { FirstRun, Login, Unlock } from './pages/first-run.tsx';
import { KeyPage } from './pages/key.tsx';
import { Officer } from './pages/officer.tsx';
import { PacketView } from './pages/packet.tsx';
import { Releases } from './pages/releases.tsx';
import { Requests } from './pages/requests.tsx';
import { Trust } from './pages/trust.tsx';
import type { T } from './pages/ui.tsx';


const initialLocale: Locale = navigator.language.toLowerCase().startsWith('ru') ? 'ru' : 'en';

function useHashRoute(): string {
  const [route, setRoute] = useState(location.hash.slice(1) || '/inbox');
  useEffect(() => {
    const on = () => setRoute(location.hash.slice(1) || '/inbox');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function Shell({ t, status, children, locale, setLocale, onStatus }: { t: T; status: Status; children: ComponentChildren; locale: Locale; setLocale: (l: Locale) => void; onStatus: (s: Status) => void }) {
  const me = status.me;
  const [, tick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => tick((n) => n + 1), 30_000);
    return () => clearInterval(id);
  }, []);
  const links: Array<[string, MessageKey]> = me
    ? [
        ['#/inbox', 'inbox'],
        ['#/sent', 'sent'],
        ['#/drafts', 'drafts'],
        ['#/compose', 'compose'],
        ['#/requests', 'requests'],
        ['#/releases', 'releases'],
        ['#/evidence', 'evidence'],
        ...(me.roles.some((r) => r === 'contact' || r === 'clerk') ? ([['#/colleagues', 'colleagues']] as Array<[string, MessageKey]>) : []),
        ['#/trust', 'trust'],
        ['#/key', 'key'],
        ...(me.roles.includes('officer') ? ([['#/officer', 'officer']] as Array<[string, MessageKey]>) : []),
      ]
    : [];
  return (
    <>
      <a class="skip" href="#main">
        {t('skip')}
      </a>
      <header>
        <span class="brand">{t('appName')}</span>
        {me ? (
          <span class="who">
            {me.name} · {me.party} · {me.roles.join(', ')} · {me.clearance}
          </span>
        ) : null}
        {status.locksAt ? (
          <span class="lock-info" role="timer" aria-live="off">
            {t('locksAt', { time: new Date(status.locksAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }), minutes: status.idleMinutes })}
          </span>
        ) : null}
        {status.unlocked ? (
          <button type="button" onClick={() => void ask<Status>({ op: 'lock' }).then(onStatus)}>
            {t('lockNow')}
          </button>
        ) : null}
        {me ? (
          <button type="button" onClick={() => void ask<Status>({ op: 'logout' }).then(onStatus)}>
            {t('logout')}
          </button>
        ) : null}
        <label class="inline">
          {t('language')}{' '}
          <select value={locale} onChange={(e) => setLocale(e.currentTarget.value as Locale)}>
            <option value="en">English</option>
            <option value="ru">Русский</option>
          </select>
        </label>
      </header>
      {links.length > 0 ? (
        <nav aria-label={t('mainNav')}>
          <ul>
            {links.map(([href, key]) => (
              <li key={href}>
                <a href={href} aria-current={location.hash === href ? 'page' : undefined}>
                  {t(key)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      {status.audit && !status.audit.ok ? (
        <div class="problem audit-alarm" role="alert">
          <strong>{t('auditAlarm')}: </strong>
          {status.audit.reason} <a href="#/evidence">{t('evidence')}</a>
        </div>
      ) : null}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

function App() {
  const [locale, setLocale] = useState<Locale>(initialLocale);
  const [status, setStatus] = useState<Status | null>(null);
  const [lockedByIdle, setLockedByIdle] = useState(false);
  const [ended, setEnded] = useState<SessionEnd | null>(null);
  const route = useHashRoute();
  const t = translator(locale);
  const lastTouch = useRef(0);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  useEffect(() => {
    void ask<Status>({ op: 'status' }).then(setStatus);
    const off = onLocked(() => {
      setLockedByIdle(true);
      void ask<Status>({ op: 'status' }).then(setStatus);
    });
    const offEnded = onSessionEnded((end) => {
      setEnded(end);
      void ask<Status>({ op: 'status' }).then(setStatus);
    });
    // Activity keeps the key unlocked; at most one touch every 20 s goes to the worker.
    const touch = () => {
      if (Date.now() - lastTouch.current < 20_000) return;
      lastTouch.current = Date.now();
      void ask<Status>({ op: 'touch' }).then(setStatus);
    };
    addEventListener('keydown', touch);
    addEventListener('pointerdown', touch);
    return () => {
      off();
      offEnded();
      removeEventListener('keydown', touch);
      removeEventListener('pointerdown', touch);
    };
  }, []);
  const onStatus = (s: Status) => {
    setStatus(s);
    if (s.unlocked) setLockedByIdle(false);
    if (s.loggedIn) setEnded(null);
  };
  if (!status) return <p role="status">…</p>;
  let page: ComponentChildren;
  if (!status.hasKey) page = <FirstRun t={t} onDone={onStatus} />;
  else if (!status.unlocked) page = <Unlock t={t} status={status} lockedByIdle={lockedByIdle} onDone={onStatus} />;
  else if (route === '/trust') page = <Trust t={t} />;
  else if (route === '/key') page = <KeyPage t={t} status={status} onStatus={onStatus} />;
  else if (!status.loggedIn) page = <Login t={t} status={status} ended={ended ? t.error(ended.wording, ended.message) : ''} onDone={onStatus} />;
  else if (route.startsWith('/packet/')) page = <PacketView t={t} id={route.slice('/packet/'.length)} status={status} />;
  else if (route === '/sent') page = <Box t={t} box="sent" status={status} />;
  else if (route === '/drafts') page = <Box t={t} box="drafts" status={status} />;
  else if (route === '/compose') page = <Compose t={t} status={status} />;
  else if (route === '/releases') page = <Releases t={t} />;
  else if (route === '/requests') page = <Requests t={t} party={status.me?.party ?? ''} />;
  else if (route === '/colleagues') page = <Colleagues t={t} />;
  else if (route === '/evidence') page = <Evidence t={t} status={status} onStatus={onStatus} />;
  else if (route === '/officer') page = <Officer t={t} status={status} onStatus={onStatus} />;
  else page = <Box t={t} box="inbox" status={status} />;
  return (
    <Shell t={t} status={status} locale={locale} setLocale={setLocale} onStatus={onStatus}>
      {page}
    </Shell>
  );
}

render(<App />, document.getElementById('app')!);
