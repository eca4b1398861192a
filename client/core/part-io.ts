/**
 * How documents come into the core and plaintext leaves it: two small ports each client
 * implements over its own storage (client/node/part-files.ts over files and private temp files;
 * the web client over File objects and OPFS). The core streams through them and decides; it never
 * opens a file or a database itself.
 */
import type { TextSample } from './documents.ts';

/** A document going into a packet. */
export interface PartSource {
  /** The name to carry inside the encrypted message (never in the clear). */
  readonly name: string;
  readonly mediaType: string;
  /** Size in bytes, for progress. */
  readonly size: number;
  /** Its bytes, from the start, each call a new stream. */
  stream(): ReadableStream<Uint8Array>;
  /** Up to `maxChars` of its text for the language check, or why it has none (client/core/documents.ts `sampleOf` over its bytes). */
  sample(maxChars: number): Promise<TextSample>;
}

/**
 * Where one opened part's plaintext goes. Written privately while it decrypts (SEIPDv1 streams
 * before it is authenticated), then either kept under its name once every check passed, or
 * discarded: nothing unverified is ever left where a person would take it as delivered.
 */
export interface PartSink {
  writable(): WritableStream<Uint8Array>;
  /** Keep what was written under `name` (a safe file name); returns where, in the person's terms. */
  keep(name: string): Promise<string>;
  discard(): Promise<void>;
}
