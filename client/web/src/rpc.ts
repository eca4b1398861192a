/**
 * The page's side of the key worker: one request, one answer; progress and lock events go to
 * listeners. The page never receives the key or the token, only what it shows.
 */
import type { ErrorWording } from '../../../protocol/error-codes.ts';
import type { Request, WorkerMessage } from './messages.ts';

/** A refusal from the worker: the English sentence, the article, and the code the page words it from. */
export class WorkerError extends Error {
  readonly article: string | undefined;
  readonly wording: ErrorWording | undefined;
  constructor(message: string, article?: string, wording?: ErrorWording) {
    super(message);
    this.article = article;
    this.wording = wording;
  }
}

/** Why the hub ended the session, to be worded in the page's language. */
export interface SessionEnd {
  message: string;
  wording: ErrorWording;
}

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'liaison-key-worker' });
let next = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
const progressListeners = new Set<(step: string, done: number, total: number) => void>();
const lockListeners = new Set<() => void>();
const sessionListeners = new Set<(end: SessionEnd) => void>();

worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
  const m = e.data;
  if ('event' in m) {
    if (m.event === 'progress') for (const l of progressListeners) l(m.step, m.done, m.total);
    else if (m.event === 'sessionEnded') for (const l of sessionListeners) l({ message: m.message, wording: m.wording });
    else for (const l of lockListeners) l();
    return;
  }
  const p = pending.get(m.id);
  if (!p) return;
  pending.delete(m.id);
  if (m.ok) p.resolve(m.result);
  else p.reject(new WorkerError(m.error, m.article, m.wording));
};

export function ask<T>(request: Request): Promise<T> {
  const id = next++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    worker.postMessage({ id, request });
  });
}

export function onProgress(listener: (step: string, done: number, total: number) => void): () => void {
  progressListeners.add(listener);
  return () => progressListeners.delete(listener);
}

export function onLocked(listener: () => void): () => void {
  lockListeners.add(listener);
  return () => lockListeners.delete(listener);
}

export function onSessionEnded(listener: (end: SessionEnd) => void): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}
