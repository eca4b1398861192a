/**
 * What every client operation needs as a person: the hub client, the verified directory, who I
 * am, my unlocked key, the clock and a progress callback. The CLI builds it from LIAISON_HOME
 * (client/cli/context.ts); the web client builds it inside its key worker.
 * A shape, not a place: nothing here reads files, the environment or storage.
 */
import type { PrivateKey } from '../../keys/identity.ts';
import type { Member } from '../../protocol/api.ts';
import type { HubClient } from './api.ts';
import type { TrustedDirectory } from './trust.ts';
import type { Sha256Hasher } from './digest.ts';
import type { ErrorWording } from '../../protocol/error-codes.ts';

export interface ClientContext {
  api: HubClient;
  directory: TrustedDirectory;
  me: Member;
  key: PrivateKey;
  now: () => Date;
  /** Called as bytes flow through a long step (encrypting, uploading, downloading, decrypting). */
  progress?: (step: string, done: number, total: number) => void;
  /** An incremental SHA-256; by default @noble/hashes, the CLI hands in node:crypto's (faster on 1 GiB parts). */
  sha256?: () => Sha256Hasher;
}


export interface Notice {
  partId?: string;
  /** The English sentence (what the CLI prints). */
  message: string;
  /** Its stable code and parameters (client/core/error-codes.ts NOTICE_CODES), for a shell that words it in another language. */
  wording?: ErrorWording;
}

