/**
 * One packet, as the worker opened it: marking banner, the sender as vouched for, original and
 * translations side by side as text nodes (right-to-left where the language is), the request
 * form field by field, files to save, receipts with their verification, the release history.
 * Drafts of one's party get the clerk's and the contact person's steps. Never renders a
 * document as markup or in a frame.
 */
import { LANGUAGE_TAG_PATTERN } from '../../../../protocol/language-tag.ts';
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Release } from '../../../../protocol/release.ts';
import { directionOf, groupsOfFour } from '../i18n.ts';
import type { OpenedPacket, Status, TermsView } from '../messages.ts';
import { ask } from '../rpc.ts';
import { Authenticity } from './authenticity.tsx';
import { packetStateLabel, releaseStateLabel } from '../labels.ts';
import { fieldLabel, Fingerprint, MarkingBanner, Problem, Progress, roleLabel, SaveLink, saveText, useAction, type T } from './ui.tsx';

export function PacketView({ t, id, status }: { t: T; id: string; status: Status }) {
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
            {packet.revisionSigner ? (
              <>
                <dt>{t('revisionSignedBy', { revision: packet.revisionSigner.revision })}</dt>
                <dd>
                  {packet.revisionSigner.name} <Fingerprint value={packet.revisionSigner.fingerprint} />
                </dd>
              </>
            ) : null}
            <dt>{t('recipients')}</dt>
            <dd>{packet.manifest.recipients.join(', ')}</dd>
            <dt>{t('kind')}</dt>
            <dd>{packet.manifest.kind}</dd>
            <dt>{t('state')}</dt>
            <dd>{packetStateLabel(t, packet.summary.state)}</dd>
          </dl>
          <h2>{t('notices')}</h2>
          <ul class="notices">
            <li>{t('integrityOk')}</li>
            {packet.notices.map((n) => (
              <li key={n.message}>{t.error(n.wording, n.message)}</li>
            ))}
          </ul>
          <h2>{t('parts')}</h2>
          <div class="parts">
            {packet.parts.map((part) => (
              <article key={part.id} class="part" aria-labelledby={`part-${part.id}`}>
                <h3 id={`part-${part.id}`}>
                  {roleLabel(t, part.role)} · <span lang="en">{part.lang}</span> · {part.filename}
                </h3>
                {part.form ? (
                  <RequestFormView t={t} form={part.form} />
                ) : part.text !== undefined ? (
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
          {packet.summary.state === 'draft' && packet.manifest.sender.party === me.party ? <AttachForm t={t} id={id} canSubmit={me.roles.includes('contact')} onDone={() => void load.run()} /> : null}
          <h2>{t('receipts')}</h2>
          {packet.receipts.length === 0 ? <p>{t('noReceipts')}</p> : null}
          <table hidden={packet.receipts.length === 0}>
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
          {packet.receivedUnder.length > 0 ? (
            <section class="received-under" aria-labelledby="received-under-title">
              <h2 id="received-under-title">{t('receivedUnder')}</h2>
              {packet.receivedUnder.map((terms) => (
                <div key={terms.releaseId} class={terms.verified ? 'terms' : 'terms problem'} role={terms.verified ? undefined : 'alert'}>
                  <pre class="statement terms-text" tabIndex={0}>
                    {terms.lines.join('\n')}
                  </pre>
                  <p class={terms.verified ? 'ok' : 'bad'}>{terms.verified ? t('termsVerified', { officer: terms.officer, party: terms.originParty }) : t('notVerified', { reason: terms.problem ?? '' })}</p>
                </div>
              ))}
            </section>
          ) : null}
          <EvidenceButton t={t} id={id} />
          {packet.summary.state !== 'draft' ? <Authenticity t={t} id={id} mine={packet.manifest.sender.party === me.party} /> : null}
          <h2>{t('releaseHistory')}</h2>
          {packet.releases.length === 0 ? <p>{t('noReleases')}</p> : <ReleaseTable t={t} releases={packet.releases} />}
          {packet.summary.state !== 'draft' ? <RequestReleaseForm t={t} id={id} onDone={() => void load.run()} /> : null}
          {packet.summary.state !== 'draft' && packet.manifest.sender.party !== me.party ? <PurposeChangeForm t={t} id={id} onDone={() => void load.run()} /> : null}
        </>
      ) : null}
      <p>
        <a href="#/inbox">{t('back')}</a>
      </p>
    </section>
  );
}

/** The structured request form (SCO Art. 5(4)) as fields, never as markup. */
function RequestFormView({ t, form }: { t: T; form: NonNullable<OpenedPacket['parts'][number]['form']> }) {
  return (
    <>
      <dl class="fields request-form">
        {form.fields.map(([name, value]) => (
          <Fragment key={name}>
            <dt>{fieldLabel(t, name)}</dt>
            <dd class="document" dir="auto">
              {value}
            </dd>
          </Fragment>
        ))}
      </dl>
      {form.missing.length > 0 ? (
        <p class="bad">
          {t('formMissing', { fields: form.missing.map((f) => fieldLabel(t, f)).join(', '), article: form.article ?? '' })}
        </p>
      ) : null}
    </>
  );
}

type ReleaseRow = Release & { terms?: TermsView };

/** Releases with the terms read from the signed decision and verified in the worker (never the hub's summary). */
export function ReleaseTable({ t, releases, onPick, onExecute }: { t: T; releases: ReleaseRow[]; onPick?: (r: ReleaseRow) => void; onExecute?: (r: ReleaseRow) => void }) {
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
          <th scope="col">{t('decisionSignedBy')}</th>
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
            <td>{releaseStateLabel(t, r.state)}</td>
            <td>{r.terms ? (r.terms.decision === 'refuse' ? r.terms.reason ?? '' : r.terms.conditions ?? '') : ''}</td>
            <td>{r.terms?.expiresAt ? new Date(r.terms.expiresAt).toLocaleString() : ''}</td>
            <td class={r.terms ? (r.terms.verified ? 'ok' : 'bad') : ''}>{r.terms ? (r.terms.verified ? t('decisionVerified', { officer: r.terms.officer }) : t('notVerified', { reason: r.terms.problem ?? '' })) : ''}</td>
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
    setResult(t('releaseRequested', { state: releaseStateLabel(t, r.state) }));
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

/**
 * Use for another purpose (SCO Art. 7(2)): ask the originator's written consent. The hub records it
 * as a release to my own party, decided by the originating officer exactly as a release is.
 */
function PurposeChangeForm({ t, id, onDone }: { t: T; id: string; onDone: () => void }) {
  const [purpose, setPurpose] = useState('');
  const [result, setResult] = useState('');
  const request = useAction(async () => {
    const r = await ask<Release>({ op: 'requestPurposeChange', packetId: id, purpose });
    setResult(t('purposeRequested', { party: r.originParty }));
    onDone();
  });
  return (
    <form
      aria-labelledby="purpose-title"
      onSubmit={(e) => {
        e.preventDefault();
        void request.run();
      }}
    >
      <h2 id="purpose-title">{t('purposeTitle')}</h2>
      <p class="hint">{t('purposeHint')}</p>
      <label>
        {t('otherPurpose')}
        <input name="other-purpose" required minLength={3} value={purpose} onInput={(e) => setPurpose(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={request.busy}>
        {t('purposeAsk')}
      </button>
      {result ? <p role="status">{result}</p> : null}
      <Problem error={request.error} t={t} />
    </form>
  );
}

/** A clerk attaches; only a contact person submits (the hub refuses a clerk's submission, so none is offered). */
function AttachForm({ t, id, canSubmit, onDone }: { t: T; id: string; canSubmit: boolean; onDone: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [lang, setLang] = useState('en');
  const [result, setResult] = useState('');
  const attach = useAction(async (submit: boolean) => {
    if (!file) return;
    const r = await ask<{ packetId: string; state: string }>({ op: 'attach', packetId: id, file, lang, submit });
    setResult(t('submitted', { id: r.packetId, state: packetStateLabel(t, r.state) }));
    onDone();
  });
  const submit = useAction(async () => {
    const r = await ask<{ packetId: string; state: string }>({ op: 'submit', packetId: id });
    setResult(t('submitted', { id: r.packetId, state: packetStateLabel(t, r.state) }));
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
        <input name="lang" value={lang} required pattern={LANGUAGE_TAG_PATTERN} onInput={(e) => setLang(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={attach.busy}>
        {t('attach')}
      </button>
      {canSubmit ? (
        <>
          <button type="button" disabled={attach.busy} onClick={() => void attach.run(true)}>
            {t('attachAndSubmit')}
          </button>
          <button type="button" disabled={submit.busy} onClick={() => void submit.run()}>
            {t('submit')}
          </button>
        </>
      ) : null}
      {attach.busy ? <Progress t={t} /> : null}
      {result ? <p role="status">{result}</p> : null}
      <Problem error={attach.error ?? submit.error} t={t} />
    </form>
  );
}

/** The packet's evidence bundle, verified in the worker first; saved only if it verifies. */
function EvidenceButton({ t, id }: { t: T; id: string }) {
  const [lines, setLines] = useState<string[]>([]);
  const fetchIt = useAction(async () => {
    const r = await ask<{ ok: boolean; lines: string[]; reason?: string; json?: string }>({ op: 'evidence', packetId: id });
    setLines(r.lines);
    if (!r.ok || !r.json) throw new Error(t('evidenceRefused', { reason: r.reason ?? '' }));
    saveText(`evidence-${id}.json`, r.json);
  });
  return (
    <div class="evidence">
      <h2>{t('evidenceTitle')}</h2>
      <button type="button" onClick={() => void fetchIt.run()} disabled={fetchIt.busy}>
        {t('downloadEvidence')}
      </button>
      {lines.length > 0 ? (
        <ul class="evidence-lines">
          {lines.map((l, i) => (
            <li key={i}>{l}</li>
          ))}
        </ul>
      ) : null}
      <Problem error={fetchIt.error} t={t} />
    </div>
  );
}
