/**
 * The web client's pages (Preact). Everything cryptographic happens in the key worker (rpc.ts ->
 * worker.ts, running client/core/); this module only shows what the worker answers and collects
 * what the person types. Documents are shown as text nodes (never as markup) or offered for
 * saving; nothing from a packet is ever rendered by a script or an <iframe>.
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { PacketSummary } from '../../../protocol/api.ts';
import type { Release } from '../../../protocol/release.ts';
import type { DeadlineItem, RequestView } from '../../../protocol/workflow.ts';
import { directionOf, groupsOfFour, translator, type Locale, type MessageKey } from './i18n.ts';
import type { AgreementChoice, OpenedPacket, PinView, Status } from './messages.ts';
import { ask, onLocked, onProgress, WorkerError } from './rpc.ts';

type T = (key: MessageKey, params?: Record<string, string | number>) => string;

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

function Problem({ error, t }: { error: unknown; t: T }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
  const article = error instanceof WorkerError ? error.article : undefined;
  return (
    <div class="problem" role="alert">
      <strong>{t('errorTitle')}: </strong>
      {message}
      {article ? <div>{t('article', { article })}</div> : null}
    </div>
  );
}

/** A form whose submit runs `action`, showing progress and a refusal in the person's terms. */
function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await action(...args);
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function Fingerprint({ value }: { value: string }) {
  return <code class="fingerprint">{groupsOfFour(value)}</code>;
}

function saveText(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// --- marking ------------------------------------------------------------------------------------

/** The banner every packet carries first: common level, the reader's national label, the originator's where it differs. */
function MarkingBanner({ level, labels, reader, originator, t }: { level: string; labels: Record<string, string>; reader: string; originator: string; t: T }) {
  const mine = labels[reader];
  const theirs = labels[originator];
  return (
    <div class={`marking marking-${level.toLowerCase().replace(/\s+/g, '-')}`} role="note" aria-label={t('marking')}>
      <span class="marking-level">{level}</span>
      {mine ? <span class="marking-label"> · {mine}</span> : null}
      {theirs && theirs !== mine ? <span class="marking-origin"> · {t('originatorLabel', { label: theirs })}</span> : null}
    </div>
  );
}

// --- first run, unlock, login -----------------------------------------------------------------

function FirstRun({ t, onDone }: { t: T; onDone: (s: Status) => void }) {
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

function Unlock({ t, status, lockedByIdle, onDone }: { t: T; status: Status; lockedByIdle: boolean; onDone: (s: Status) => void }) {
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

function Login({ t, status, onDone }: { t: T; status: Status; onDone: (s: Status) => void }) {
  const login = useAction(async () => onDone(await ask<Status>({ op: 'login' })));
  return (
    <section aria-labelledby="login">
      <h1 id="login">{t('loginTitle')}</h1>
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

// --- lists --------------------------------------------------------------------------------------

function Box({ t, box, status }: { t: T; box: 'inbox' | 'sent' | 'drafts'; status: Status }) {
  const [items, setItems] = useState<Array<PacketSummary & { unread?: boolean }> | null>(null);
  const load = useAction(async () => setItems(await ask<Array<PacketSummary & { unread?: boolean }>>({ op: 'list', box })));
  useEffect(() => {
    setItems(null);
    void load.run();
  }, [box]);
  const me = status.me!;
  return (
    <section aria-labelledby="box-title">
      <h1 id="box-title">{t(box)}</h1>
      <button type="button" onClick={() => void load.run()}>
        {t('refresh')}
      </button>
      <Problem error={load.error} t={t} />
      {items && items.length === 0 ? <p>{t('noPackets')}</p> : null}
      {items && items.length > 0 ? (
        <table class="packets">
          <thead>
            <tr>
              <th scope="col">{t('marking')}</th>
              <th scope="col">{t('agreement')}</th>
              <th scope="col">{t('sender')}</th>
              <th scope="col">{t('recipients')}</th>
              <th scope="col">{t('kind')}</th>
              <th scope="col">{t('state')}</th>
              <th scope="col">{t('date')}</th>
              <th scope="col">{t('open')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => (
              <tr key={p.packetId} class={p.unread ? 'unread' : ''}>
                <td>
                  <MarkingBanner level={p.level} labels={p.labels} reader={me.party} originator={p.senderParty} t={t} />
                </td>
                <td>{p.agreementId}</td>
                <td>{p.senderParty}</td>
                <td>{p.recipients.join(', ')}</td>
                <td>{p.kind}</td>
                <td>{p.state}</td>
                <td>{new Date(p.submittedAt ?? p.createdAt).toLocaleString()}</td>
                <td>
                  <a href={`#/packet/${p.packetId}`}>
                    {t('open')}
                    {p.unread ? <span class="badge"> {t('unread')}</span> : null}
                    <span class="visually-hidden"> {p.packetId}</span>
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

// --- one packet ---------------------------------------------------------------------------------

function SaveLink({ file, name, t }: { file: File; name: string; t: T }) {
  const [url, setUrl] = useState<string>('');
  useEffect(() => {
    // Offered as bytes to save, never as something the browser would render.
    const u = URL.createObjectURL(new Blob([file], { type: 'application/octet-stream' }));
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);
  return (
    <a class="button" href={url} download={name}>
      {t('saveFile', { name })}
    </a>
  );
}

function PacketView({ t, id, status }: { t: T; id: string; status: Status }) {
  const [packet, setPacket] = useState<OpenedPacket | null>(null);
  const load = useAction(async () => setPacket(await ask<OpenedPacket>({ op: 'open', packetId: id })));
  useEffect(() => {
    void load.run();
  }, [id]);
  const me = status.me!;
  return (
    <section aria-labelledby="packet-title">
      <h1 id="packet-title">
        {t('packet')} <code>{id}</code>
      </h1>
      {load.busy ? <Progress t={t} /> : null}
      <Problem error={load.error} t={t} />
      {packet ? (
        <>
          <MarkingBanner level={packet.manifest.marking.level} labels={packet.manifest.marking.labels} reader={me.party} originator={packet.manifest.sender.party} t={t} />
          <dl class="facts">
            <dt>{t('agreement')}</dt>
            <dd>{packet.manifest.agreementId}</dd>
            <dt>{t('sender')}</dt>
            <dd>
              {packet.sender.name} ({packet.manifest.sender.party}
              {packet.manifest.sender.authority ? `, ${packet.manifest.sender.authority}` : ''}) <Fingerprint value={packet.sender.fingerprint} /> —{' '}
              {packet.sender.vouchedBy === 'pinned' ? t('pinnedOfficer') : t('vouchedBy', { officer: groupsOfFour(packet.sender.vouchedBy) })}
            </dd>
            <dt>{t('recipients')}</dt>
            <dd>{packet.manifest.recipients.join(', ')}</dd>
            <dt>{t('kind')}</dt>
            <dd>{packet.manifest.kind}</dd>
            <dt>{t('state')}</dt>
            <dd>{packet.summary.state}</dd>
          </dl>
          <h2>{t('notices')}</h2>
          <ul class="notices">
            <li>{t('integrityOk')}</li>
            {packet.notices.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
          <h2>{t('parts')}</h2>
          <div class="parts">
            {packet.parts.map((part) => (
              <article key={part.id} class="part" aria-labelledby={`part-${part.id}`}>
                <h3 id={`part-${part.id}`}>
                  {t(part.role as MessageKey)} · <span lang="en">{part.lang}</span> · {part.filename}
                </h3>
                {part.text !== undefined ? (
                  <pre class="document" lang={part.lang} dir={directionOf(part.lang)} tabIndex={0}>
                    {part.text}
                  </pre>
                ) : (
                  <p>{t('notShown')}</p>
                )}
                <SaveLink file={part.file} name={part.filename} t={t} />
              </article>
            ))}
          </div>
          {packet.summary.state === 'draft' && packet.manifest.sender.party === me.party ? <AttachForm t={t} id={id} onDone={() => void load.run()} /> : null}
          <h2>{t('receipts')}</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('receiptKind')}</th>
                <th scope="col">{t('party')}</th>
                <th scope="col">{t('issuer')}</th>
                <th scope="col">{t('date')}</th>
                <th scope="col">{t('state')}</th>
              </tr>
            </thead>
            <tbody>
              {packet.receipts.map((r, i) => (
                <tr key={i}>
                  <td>{r.receipt?.kind ?? '?'}</td>
                  <td>{r.receipt?.party ?? ''}</td>
                  <td>{r.receipt ? `${r.receipt.issuer.role} ${groupsOfFour(r.receipt.issuer.fingerprint)}` : ''}</td>
                  <td>{r.receipt?.at ?? ''}</td>
                  <td class={r.valid ? 'ok' : 'bad'}>{r.valid ? t('verified') : t('notVerified', { reason: r.reason ?? '' })}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>{t('releaseHistory')}</h2>
          {packet.releases.length === 0 ? <p>{t('noReleases')}</p> : <ReleaseTable t={t} releases={packet.releases} />}
          {packet.summary.state !== 'draft' ? <RequestReleaseForm t={t} id={id} onDone={() => void load.run()} /> : null}
        </>
      ) : null}
      <p>
        <a href="#/inbox">{t('back')}</a>
      </p>
    </section>
  );
}

/** The conditions written in a release decision (the signed text the hub stores with the release). */
function conditionsOf(r: Release): string {
  if (!r.decision) return '';
  try {
    const d = JSON.parse(r.decision) as { conditions?: unknown; reason?: unknown };
    return typeof d.conditions === 'string' ? d.conditions : typeof d.reason === 'string' ? d.reason : '';
  } catch {
    return '';
  }
}

function ReleaseTable({ t, releases, onPick, onExecute }: { t: T; releases: Release[]; onPick?: (r: Release) => void; onExecute?: (r: Release) => void }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{t('packet')}</th>
          <th scope="col">{t('thirdParty')}</th>
          <th scope="col">{t('purpose')}</th>
          <th scope="col">{t('state')}</th>
          <th scope="col">{t('conditions')}</th>
          <th scope="col">{t('expiresAt')}</th>
          {onPick ? <th scope="col">{t('decide')}</th> : null}
          {onExecute ? <th scope="col">{t('execute')}</th> : null}
        </tr>
      </thead>
      <tbody>
        {releases.map((r) => (
          <tr key={r.id}>
            <td>
              <code>{r.packetId}</code>
            </td>
            <td>{r.thirdParty}</td>
            <td>{r.purpose}</td>
            <td>{r.state}</td>
            <td>{conditionsOf(r)}</td>
            <td>{r.expiresAt ?? ''}</td>
            {onPick ? (
              <td>
                {r.state === 'requested' ? (
                  <button type="button" onClick={() => onPick(r)}>
                    {t('decide')} <span class="visually-hidden">{r.id}</span>
                  </button>
                ) : null}
              </td>
            ) : null}
            {onExecute ? (
              <td>
                {r.state === 'consented' ? (
                  <button type="button" onClick={() => onExecute(r)}>
                    {t('execute')} <span class="visually-hidden">{r.id}</span>
                  </button>
                ) : null}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RequestReleaseForm({ t, id, onDone }: { t: T; id: string; onDone: () => void }) {
  const [thirdParty, setThirdParty] = useState('');
  const [purpose, setPurpose] = useState('');
  const [result, setResult] = useState('');
  const request = useAction(async () => {
    const r = await ask<Release>({ op: 'requestRelease', packetId: id, thirdParty, purpose });
    setResult(t('releaseRequested', { state: r.state }));
    onDone();
  });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void request.run();
      }}
    >
      <h2>{t('requestRelease')}</h2>
      <label>
        {t('thirdParty')}
        <input name="third-party" required value={thirdParty} onInput={(e) => setThirdParty(e.currentTarget.value)} />
      </label>
      <label>
        {t('purpose')}
        <input name="purpose" required minLength={3} value={purpose} onInput={(e) => setPurpose(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={request.busy}>
        {t('requestRelease')}
      </button>
      {result ? <p role="status">{result}</p> : null}
      <Problem error={request.error} t={t} />
    </form>
  );
}

function AttachForm({ t, id, onDone }: { t: T; id: string; onDone: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [lang, setLang] = useState('en');
  const [result, setResult] = useState('');
  const attach = useAction(async (submit: boolean) => {
    if (!file) return;
    const r = await ask<{ packetId: string; state: string }>({ op: 'attach', packetId: id, file, lang, submit });
    setResult(t('submitted', { id: r.packetId, state: r.state }));
    onDone();
  });
  const submit = useAction(async () => {
    const r = await ask<{ packetId: string; state: string }>({ op: 'submit', packetId: id });
    setResult(t('submitted', { id: r.packetId, state: r.state }));
    onDone();
  });
  return (
    <form
      class="attach"
      onSubmit={(e) => {
        e.preventDefault();
        void attach.run(false);
      }}
    >
      <h2>{t('attachTitle')}</h2>
      <label>
        {t('translationFile')}
        <input type="file" name="translation" required onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
      </label>
      <label>
        {t('translationLang')}
        <input name="lang" value={lang} required pattern="[A-Za-z]{2,3}(-[A-Za-z0-9]+)*" onInput={(e) => setLang(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={attach.busy}>
        {t('attach')}
      </button>{' '}
      <button type="button" disabled={attach.busy} onClick={() => void attach.run(true)}>
        {t('attachAndSubmit')}
      </button>{' '}
      <button type="button" disabled={submit.busy} onClick={() => void submit.run()}>
        {t('submit')}
      </button>
      {attach.busy ? <Progress t={t} /> : null}
      {result ? <p role="status">{result}</p> : null}
      <Problem error={attach.error ?? submit.error} t={t} />
    </form>
  );
}

// --- compose ------------------------------------------------------------------------------------

function Progress({ t }: { t: T }) {
  const [state, setState] = useState<{ step: string; done: number; total: number } | null>(null);
  useEffect(() => onProgress((step, done, total) => setState({ step, done, total })), []);
  if (!state) return <p role="status">{t('working')}</p>;
  return (
    <div role="status" class="progress">
      <label>
        {t('progress')}: {state.step}
        <progress max={state.total || 1} value={Math.min(state.done, state.total || 1)} />
      </label>
    </div>
  );
}

function Compose({ t, status }: { t: T; status: Status }) {
  const [agreements, setAgreements] = useState<AgreementChoice[]>([]);
  const [agreementId, setAgreementId] = useState('');
  const [to, setTo] = useState<string[]>([]);
  const [level, setLevel] = useState('');
  const [kind, setKind] = useState('information');
  const [original, setOriginal] = useState<File | null>(null);
  const [originalLang, setOriginalLang] = useState('');
  const [translations, setTranslations] = useState<Array<{ file: File | null; lang: string }>>([]);
  const [draft, setDraft] = useState(false);
  const [result, setResult] = useState('');
  const load = useAction(async () => {
    const list = await ask<AgreementChoice[]>({ op: 'agreements' });
    setAgreements(list);
    if (list[0]) {
      setAgreementId(list[0].id);
      setLevel(list[0].levels[0]?.level ?? '');
    }
  });
  useEffect(() => {
    void load.run();
  }, []);
  const agreement = agreements.find((a) => a.id === agreementId);
  const me = status.me!;
  const send = useAction(async () => {
    setResult('');
    if (!original) return;
    const r = await ask<{ packetId: string; state: string; notices: string[] }>({
      op: 'send',
      form: { agreementId, to, level, kind, original: { file: original, lang: originalLang }, translations: translations.filter((x) => x.file).map((x) => ({ file: x.file!, lang: x.lang })), draft },
    });
    setResult(`${t('sentOk', { id: r.packetId, state: r.state })} ${r.notices.join(' · ')}`);
  });
  return (
    <section aria-labelledby="compose-title">
      <h1 id="compose-title">{t('composeTitle')}</h1>
      <Problem error={load.error} t={t} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void send.run();
        }}
      >
        <label>
          {t('chooseAgreement')}
          <select name="agreement" value={agreementId} onChange={(e) => setAgreementId(e.currentTarget.value)}>
            {agreements.map((a) => (
              <option key={a.id} value={a.id}>
                {a.id} — {a.title}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>{t('recipients')}</legend>
          {agreement?.parties
            .filter((p) => p !== me.party)
            .map((p) => (
              <label key={p} class="inline">
                <input type="checkbox" name="to" value={p} checked={to.includes(p)} onChange={(e) => setTo(e.currentTarget.checked ? [...to, p] : to.filter((x) => x !== p))} /> {p}
              </label>
            ))}
        </fieldset>
        <label>
          {t('level')}
          <select name="level" value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
            {agreement?.levels.map((l) => (
              <option key={l.level} value={l.level}>
                {l.level} — {Object.entries(l.labels).map(([party, label]) => `${party}: ${label}`).join('; ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('kind')}
          <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            {(agreement?.kinds ?? ['information']).map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('originalFile')}
          <input type="file" name="original" required onChange={(e) => setOriginal(e.currentTarget.files?.[0] ?? null)} />
        </label>
        <label>
          {t('originalLang')}
          <input name="original-lang" required pattern="[A-Za-z]{2,3}(-[A-Za-z0-9]+)*" value={originalLang} onInput={(e) => setOriginalLang(e.currentTarget.value)} />
        </label>
        {translations.map((tr, i) => (
          <fieldset key={i}>
            <legend>
              {t('translation')} {i + 1}
            </legend>
            <label>
              {t('translationFile')}
              <input type="file" name={`translation-${i}`} onChange={(e) => setTranslations(translations.map((x, j) => (j === i ? { ...x, file: e.currentTarget.files?.[0] ?? null } : x)))} />
            </label>
            <label>
              {t('translationLang')}
              <input name={`translation-lang-${i}`} value={tr.lang} pattern="[A-Za-z]{2,3}(-[A-Za-z0-9]+)*" onInput={(e) => setTranslations(translations.map((x, j) => (j === i ? { ...x, lang: e.currentTarget.value } : x)))} />
            </label>
            <button type="button" onClick={() => setTranslations(translations.filter((_, j) => j !== i))}>
              {t('removeTranslation')}
            </button>
          </fieldset>
        ))}
        <button type="button" onClick={() => setTranslations([...translations, { file: null, lang: '' }])}>
          {t('addTranslation')}
        </button>
        <label class="inline">
          <input type="checkbox" name="draft" checked={draft} onChange={(e) => setDraft(e.currentTarget.checked)} /> {t('saveAsDraft')}
        </label>
        <button type="submit" disabled={send.busy || !agreement}>
          {send.busy ? t('working') : t('send')}
        </button>
        {send.busy ? <Progress t={t} /> : null}
        {result ? (
          <p role="status" class="ok">
            {result}
          </p>
        ) : null}
        <Problem error={send.error} t={t} />
      </form>
    </section>
  );
}

// --- trust, key, officer, releases ---------------------------------------------------------------

function Trust({ t }: { t: T }) {
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

function KeyPage({ t, status, onStatus }: { t: T; status: Status; onStatus: (s: Status) => void }) {
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

interface MemberView {
  fingerprint: string;
  name: string;
  roles: string[];
  clearance: string;
  vouchedBy: string;
  revokedAt?: string;
  validUntil?: string;
}

function Officer({ t, status }: { t: T; status: Status }) {
  const me = status.me!;
  const [members, setMembers] = useState<MemberView[]>([]);
  const [publicKey, setPublicKey] = useState('');
  const [roles, setRoles] = useState<string[]>(['contact']);
  const [clearance, setClearance] = useState('CONFIDENTIAL');
  const [validUntil, setValidUntil] = useState('');
  const [result, setResult] = useState('');
  const load = useAction(async () => setMembers(await ask<MemberView[]>({ op: 'members', party: me.party })));
  const enroll = useAction(async () => {
    const m = await ask<{ name: string }>({ op: 'enroll', publicKey, roles, clearance, ...(validUntil ? { validUntil: new Date(validUntil).toISOString() } : {}) });
    setResult(t('enrolled', { name: m.name }));
    setPublicKey('');
    await load.run();
  });
  const revoke = useAction(async (fingerprint: string) => {
    const reason = prompt(t('revokeReason'));
    if (!reason) return;
    await ask({ op: 'revoke', fingerprint, reason });
    await load.run();
  });
  useEffect(() => {
    void load.run();
  }, []);
  return (
    <section aria-labelledby="officer-title">
      <h1 id="officer-title">{t('officerTitle')}</h1>
      <h2>{t('members', { party: me.party })}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('name')}</th>
            <th scope="col">{t('fingerprint')}</th>
            <th scope="col">{t('roles')}</th>
            <th scope="col">{t('clearance')}</th>
            <th scope="col">{t('validUntil')}</th>
            <th scope="col">{t('revoke')}</th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.fingerprint}>
              <td>{m.name}</td>
              <td>
                <Fingerprint value={m.fingerprint} />
              </td>
              <td>{m.roles.join(', ')}</td>
              <td>{m.clearance}</td>
              <td>{m.validUntil ?? ''}</td>
              <td>
                {m.revokedAt ? (
                  t('revoked')
                ) : m.fingerprint === me.fingerprint ? null : (
                  <button type="button" onClick={() => void revoke.run(m.fingerprint)}>
                    {t('revoke')} <span class="visually-hidden">{m.name}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void enroll.run();
        }}
      >
        <h2>{t('enrollTitle')}</h2>
        <label>
          {t('memberPublicKey')}
          <textarea name="public-key" rows={6} required value={publicKey} onInput={(e) => setPublicKey(e.currentTarget.value)} />
        </label>
        <fieldset>
          <legend>{t('roles')}</legend>
          {['contact', 'clerk', 'officer'].map((r) => (
            <label key={r} class="inline">
              <input type="checkbox" name="roles" value={r} checked={roles.includes(r)} onChange={(e) => setRoles(e.currentTarget.checked ? [...roles, r] : roles.filter((x) => x !== r))} /> {r}
            </label>
          ))}
        </fieldset>
        <label>
          {t('clearance')}
          <select name="clearance" value={clearance} onChange={(e) => setClearance(e.currentTarget.value)}>
            {['RESTRICTED', 'CONFIDENTIAL', 'SECRET', 'TOP SECRET'].map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('validUntil')}
          <input name="valid-until" type="date" value={validUntil} onInput={(e) => setValidUntil(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={enroll.busy}>
          {t('enroll')}
        </button>
        {result ? <p role="status">{result}</p> : null}
        <Problem error={enroll.error ?? load.error ?? revoke.error} t={t} />
      </form>
    </section>
  );
}

function DueBadge({ due, t }: { due: string; t: T }) {
  return <span class={`due due-${due}`}>{t(`due_${due.replace(/-/g, '_')}` as MessageKey)}</span>;
}

function Requests({ t }: { t: T }) {
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

function Releases({ t }: { t: T }) {
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
    setResult(t('decided', { state: done.state }));
    await load.run();
  });
  const preview = useAction(async () => {
    const shown = await ask<{ text: string; lines: string[] }>({ op: 'previewDecision', releaseId: picked!.id, choice: choice() });
    setText(shown.text);
    setLines(shown.lines);
  });
  const sign = useAction(async () => {
    const r = await ask<Release>({ op: 'decideRelease', releaseId: picked!.id, choice: choice(), shown: text });
    setResult(t('decided', { state: r.state }));
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

// --- the frame ----------------------------------------------------------------------------------

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
      removeEventListener('keydown', touch);
      removeEventListener('pointerdown', touch);
    };
  }, []);
  const onStatus = (s: Status) => {
    setStatus(s);
    if (s.unlocked) setLockedByIdle(false);
  };
  if (!status) return <p role="status">…</p>;
  let page: ComponentChildren;
  if (!status.hasKey) page = <FirstRun t={t} onDone={onStatus} />;
  else if (!status.unlocked) page = <Unlock t={t} status={status} lockedByIdle={lockedByIdle} onDone={onStatus} />;
  else if (route === '/trust') page = <Trust t={t} />;
  else if (route === '/key') page = <KeyPage t={t} status={status} onStatus={onStatus} />;
  else if (!status.loggedIn) page = <Login t={t} status={status} onDone={onStatus} />;
  else if (route.startsWith('/packet/')) page = <PacketView t={t} id={route.slice('/packet/'.length)} status={status} />;
  else if (route === '/sent') page = <Box t={t} box="sent" status={status} />;
  else if (route === '/drafts') page = <Box t={t} box="drafts" status={status} />;
  else if (route === '/compose') page = <Compose t={t} status={status} />;
  else if (route === '/releases') page = <Releases t={t} />;
  else if (route === '/requests') page = <Requests t={t} />;
  else if (route === '/officer') page = <Officer t={t} status={status} />;
  else page = <Box t={t} box="inbox" status={status} />;
  return (
    <Shell t={t} status={status} locale={locale} setLocale={setLocale} onStatus={onStatus}>
      {page}
    </Shell>
  );
}

render(<App />, document.getElementById('app')!);
