/**
 * Small pieces every page of the web client uses: the refusal box, the action hook (busy, error),
 * fingerprints in groups of four, the marking banner, progress, a save link for verified bytes,
 * deadline badges and the labels of part roles and request-form fields. Shows only; never decides.
 */
import { useEffect, useState } from 'preact/hooks';
import { groupsOfFour, type MessageKey, type Translator } from '../i18n.ts';
import { onProgress, WorkerError } from '../rpc.ts';

export type T = Translator;

/** A refusal in the page's language: worded from its code, else the English text in a translated frame. */
export function Problem({ error, t }: { error: unknown; t: T }) {
  if (!error) return null;
  const english = error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
  const message = t.error(error instanceof WorkerError ? error.wording : undefined, english);
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
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
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

export function Fingerprint({ value }: { value: string }) {
  return <code class="fingerprint">{groupsOfFour(value)}</code>;
}

export function saveText(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The banner every packet carries first: common level, the reader's national label, the originator's where it differs. */
export function MarkingBanner({ level, labels, reader, originator, t }: { level: string; labels: Record<string, string>; reader: string; originator: string; t: T }) {
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

export function Progress({ t }: { t: T }) {
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

export function SaveLink({ file, name, t }: { file: File; name: string; t: T }) {
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

export function DueBadge({ due, t }: { due: string; t: T }) {
  return <span class={`due due-${due}`}>{t(`due_${due.replace(/-/g, '_')}` as MessageKey)}</span>;
}

export function roleLabel(t: T, role: string): string {
  const known: Record<string, MessageKey> = { original: 'original', translation: 'translation', attachment: 'attachment', 'request-form': 'requestForm' };
  return known[role] ? t(known[role]) : role;
}

export const FORM_FIELDS = ['requestingAuthority', 'requestedAuthority', 'purposeCategory', 'purpose', 'justification', 'assistanceRequested', 'facts', 'confidentiality', 'confirmsOralRequest'] as const;

export function fieldLabel(t: T, name: string): string {
  return (FORM_FIELDS as readonly string[]).includes(name) ? t(`field_${name}` as MessageKey) : name;
}

