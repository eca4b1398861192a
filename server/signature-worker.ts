/**
 * The hub's signature checks and signatures, run in one worker thread (server/signature-thread.ts)
 * instead of on the event loop. A packet upload verified its manifest signature (openpgp.js, about
 * 0.4-0.9 ms of CPU) and, once submitted, the hub signed two receipts (about 0.3-0.4 ms each), all
 * on the main thread, which also parses every request and runs every SQLite statement: that
 * thread's time per upload bounded how many a second the hub could take (docs/performance.md).
 *
 * What runs in the thread is exactly keys/signatures.ts `verifyDetached` / `signDetached`: the
 * same checks (context notation, key validity at the date, exactly one signature), the same
 * library and configuration. The caller still parses and checks the statement itself
 * (keys/statements.ts `verifyStatement`, given `verifier(...)`), so nothing about what is accepted
 * changes, only which thread spends the CPU. Requests are answered in order of arrival; the
 * thread starts on first use, never keeps the process alive, and is started again if it dies (its
 * pending requests are refused with an error, never answered as valid).
 */
import { Worker } from 'node:worker_threads';
import type { Verification } from '../keys/signatures.ts';
import type { DetachedSigner, DetachedVerifier, StatementKind } from '../keys/statements.ts';

/** A request to the thread: verify `signature` over `text` against `keys` (armored), or sign `text` with the hub key. */
export type SignatureRequest =
  | { id: number; op: 'verify'; kind: StatementKind; text: string; signature: string; keys: string[]; date: number }
  | { id: number; op: 'sign'; kind: StatementKind; text: string; date: number };

export type SignatureAnswer =
  | { id: number; ok: true; verification: Verification }
  | { id: number; ok: true; signature: string }
  | { id: number; ok: false; error: string };

/** A request before it is numbered (Omit over each member of the union). */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Pending {
  resolve: (answer: SignatureAnswer & { ok: true }) => void;
  reject: (error: Error) => void;
}

export class SignatureWorker {
  private readonly armoredHubKey: string;
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  /** `armoredHubKey`: the hub's unprotected private key (it lives on the hub already, mode 0600). */
  constructor(armoredHubKey: string) {
    this.armoredHubKey = armoredHubKey;
  }

  /** A verifier over the armored public keys the caller chose, for `verifyStatement`. */
  verifier(armoredKeys: readonly string[]): DetachedVerifier {
    return async (kind, text, signature, date) => {
      const answer = await this.ask({ op: 'verify', kind, text, signature, keys: [...armoredKeys], date: date.getTime() });
      if (!('verification' in answer)) throw new Error('the signature thread answered a verification with a signature');
      return answer.verification;
    };
  }

  /** The hub key as a signer, for `signStatement`. */
  readonly signer: DetachedSigner = async (kind, text, date) => {
    const answer = await this.ask({ op: 'sign', kind, text, date: date.getTime() });
    if (!('signature' in answer)) throw new Error('the signature thread answered a signature with a verification');
    return answer.signature;
  };

  /** Stop the thread; later calls are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private ask(request: Unnumbered<SignatureRequest>): Promise<SignatureAnswer & { ok: true }> {
    if (this.closed) return Promise.reject(new Error('the hub is closing: no more signatures'));
    const id = this.nextId++;
    const worker = this.thread();
    // While an answer is awaited the thread keeps the process alive (a CLI command's last receipt); idle, it does not.
    if (this.pending.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./signature-thread.ts', import.meta.url), { workerData: { hubKey: this.armoredHubKey } });
    worker.unref();
    worker.on('message', (answer: SignatureAnswer) => {
      const pending = this.pending.get(answer.id);
      if (!pending) return;
      this.pending.delete(answer.id);
      if (this.pending.size === 0) worker.unref();
      if (answer.ok) pending.resolve(answer);
      else pending.reject(new Error(`signature thread: ${answer.error}`));
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, pending] of this.pending) {
        this.pending.delete(id);
        pending.reject(error);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the signature thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
