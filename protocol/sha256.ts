/**
 * SHA-256 for protocol/: Node's hardware-backed node:crypto when this runs in Node, and
 * @noble/hashes in a browser (which has no synchronous digest). Same bytes in, same digest out.
 * Node's is five times faster on an audit event's few hundred bytes, which decides how long
 * checking a million events takes. Found at run time through
 * `process.getBuiltinModule`, so the browser bundle imports nothing of Node.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

type NodeCrypto = typeof import('node:crypto');
type NodeBufferModule = typeof import('node:buffer');
type Hashers = { sha256: (data: Uint8Array) => Uint8Array<ArrayBuffer>; sha256HexOfText: (text: string) => string };

// Chosen on the first hash, not at load: loading node:crypto costs a command that never hashes
// (`liaison --help`) tens of milliseconds.
let hashers: Hashers | undefined;
function choose(): Hashers {
  const builtin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  const nodeCrypto = builtin?.('node:crypto') as NodeCrypto | undefined;
  const NodeBuffer = (builtin?.('node:buffer') as NodeBufferModule | undefined)?.Buffer;
  return nodeCrypto && NodeBuffer
    ? // The digest as a binary (latin1) string, turned into bytes here: node:crypto's 'buffer' output costs a
      // new backing store per call, three times the string and its copy (over a microsecond against
      // 0.4 µs for the 33 and 65 bytes of a Merkle leaf and node: two of the three hashes per audit
      // event). A Buffer is a Uint8Array.
      { sha256: (data) => NodeBuffer.from(nodeCrypto.hash('sha256', data, 'binary'), 'binary'), sha256HexOfText: (text) => nodeCrypto.hash('sha256', text, 'hex') }
    : { sha256: (data) => nobleSha256(data), sha256HexOfText: (text) => bytesToHex(nobleSha256(utf8ToBytes(text))) };
}

/** The digest of `data`. */
export function sha256(data: Uint8Array): Uint8Array<ArrayBuffer> {
  return (hashers ??= choose()).sha256(data);
}

/** The hex digest of the UTF-8 bytes of `text`. */
export function sha256HexOfText(text: string): string {
  return (hashers ??= choose()).sha256HexOfText(text);
}
