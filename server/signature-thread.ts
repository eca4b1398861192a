/**
 * The worker thread of server/signature-worker.ts: it runs keys/signatures.ts `verifyDetached` and
 * `signDetached` (the same functions, the same checks, the same openpgp.js configuration, in this
 * thread's own copy of the modules) for the hub's main thread. It holds the hub's private key,
 * read once from the armored text the hub gave it, and a cache of parsed public keys keyed by
 * their armored text (server/key-cache.ts). It decides nothing: it answers what it was asked.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readUnlockedPrivateKey } from '../keys/identity.ts';
import { signDetached, verifyDetached } from '../keys/signatures.ts';
import { publicKeyOf } from './key-cache.ts';
import type { SignatureRequest, SignatureAnswer } from './signature-worker.ts';

const port = parentPort!;
const hubKey = readUnlockedPrivateKey((workerData as { hubKey: string }).hubKey);

async function answer(request: SignatureRequest): Promise<SignatureAnswer> {
  try {
    if (request.op === 'verify') {
      const keys = await Promise.all(request.keys.map((armored) => publicKeyOf(armored)));
      return { id: request.id, ok: true, verification: await verifyDetached(request.kind, request.text, request.signature, keys, new Date(request.date)) };
    }
    return { id: request.id, ok: true, signature: await signDetached(request.kind, request.text, await hubKey, new Date(request.date)) };
  } catch (error) {
    return { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

port.on('message', (request: SignatureRequest) => {
  void answer(request).then((reply) => port.postMessage(reply));
});
