/**
 * The web client's IndexedDB: one object store of small records (the passphrase-protected key,
 * the trust pins, settings, the pinned hub and kept checkpoints). Only the key worker opens it;
 * the page never reads the key record. Never stores a session token or an unlocked key.
 */
const DB = 'liaison';
const STORE = 'records';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB is not available'));
  });
}

let db: Promise<IDBDatabase> | undefined;

async function tx<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  db ??= open();
  const store = (await db).transaction(STORE, mode).objectStore(STORE);
  return new Promise((resolve, reject) => {
    const req = run(store);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

export const records = {
  get: <T>(key: string) => tx<T | undefined>('readonly', (s) => s.get(key) as IDBRequest<T | undefined>),
  put: (key: string, value: unknown) => tx('readwrite', (s) => s.put(value, key)).then(() => undefined),
  delete: (key: string) => tx('readwrite', (s) => s.delete(key)).then(() => undefined),
};
