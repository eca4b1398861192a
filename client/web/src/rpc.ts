/**
 * The page's side of the key worker: one request, one answer; progress and lock events go to
 * listeners. The page never receives the key or the token, only what it shows.
 */
import type { Request, WorkerMessage } from './messages.ts';

export class WorkerError extends Error {
  readonly article: string | undefined;
  constructor(message: string, article?: string) {
    super(message);
    this.article = article;
  }
}

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'liaison-key-worker' });
let next = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
const progressListeners = new Set<(step: string, done: number, total: number) => void>();
const lockListeners = new Set<() => void>();
const sessionListeners = new Set<(message: string) => void>();

worker.onmessage = (e: MessageEvent<WorkerMessage>) => {
  const m = e.data;
  if ('event' in m) {
    if (m.event === 'progress') for (const l of progressListeners) l(m.step, m.done, m.total);
    else if (m.event === 'sessionEnded') for (const l of sessionListeners) l(m.message);
    else for (const l of lockListeners) l();
    return;
  }
  const p = pending.get(m.id);
  if (!p) return;
  pending.delete(m.id);
  if (m.ok) p.resolve(m.result);
  else p.reject(new WorkerError(m.error, m.article));
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

export function onSessionEnded(listener: (message: string) => void): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}
