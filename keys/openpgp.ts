/**
 * The one door to openpgp.js. Nothing else in the project imports 'openpgp'; this module pins the
 * library's configuration once, with the reason for every value that differs from the default,
 * so every key and message the project makes is one GnuPG 2.2 (Debian's default) can read.
 */
import type * as OpenPGP from 'openpgp';

export type OpenPGPModule = typeof OpenPGP;
let loading: Promise<OpenPGPModule> | undefined;

/**
 * The library, loaded on first use and configured before anyone gets it: a command that signs
 * nothing (`liaison --help`, `inbox`) never pays for loading it (CLI start-up).
 */
export function loadOpenpgp(): Promise<OpenPGPModule> {
  loading ??= import('openpgp').then((openpgp) => {
    configure(openpgp);
    return openpgp;
  });
  return loading;
}

function configure(openpgp: OpenPGPModule): void {
  const config = openpgp.config;

  // v4 keys only: GnuPG 2.2 cannot read v6 keys (DESIGN.md, "OpenPGP profile").
  config.v6Keys = false;
  // SEIPDv1 messages only: a SEIPDv2/AEAD message is unreadable by GnuPG 2.2.
  config.aeadProtect = false;
  // Explicit even where it is the default: these choices are part of the wire format.
  config.preferredSymmetricAlgorithm = openpgp.enums.symmetric.aes256;
  config.preferredHashAlgorithm = openpgp.enums.hash.sha512;
  // Parts are encrypted documents (PDF, DOCX are already compressed); compression also invites
  // decompression bombs, so none is produced. Incoming compressed data is bounded on decrypt.
  config.preferredCompressionAlgorithm = openpgp.enums.compression.uncompressed;
  // RSA keys under 3072 bits are refused when they are read for use (GnuPG-made RSA-4096 is fine).
  config.minRSABits = 3072;
  // Never emit or trust an unauthenticated stream globally; the single place that must stream a
  // SEIPDv1 decryption sets it per call and withholds the output until integrity is confirmed.
  config.allowUnauthenticatedStream = false;
  // Do not let a comment or version line leak the software in armored output.
  config.showComment = false;
  config.showVersion = false;
}

/** Upper bound on the size of one decrypted part (bytes); a larger output is refused. */
export const MAX_DECRYPTED_PART_BYTES = 64 * 1024 ** 3;
