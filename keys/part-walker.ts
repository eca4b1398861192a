/**
 * The hub's one-pass check of a part's OpenPGP packet structure (RFC 4880 section 4), fed chunk
 * by chunk while the upload streams to disk and is hashed, so the bytes are read once. A part
 * must be exactly one message encrypted to public keys: one or more version 3 public-key
 * encrypted session key packets (PKESK, tag 1), then exactly one version 1 integrity-protected
 * data packet (SEIPD, tag 18) read to its end, and nothing after it. Anything else is refused
 * with the reason: a password-encrypted session key (tag 3), a literal or compressed packet in
 * the clear, unprotected encrypted data (tag 9), a second message or data packet, trailing bytes,
 * a packet cut short.
 *
 * What it does not guarantee: that the PKESK packets can be opened, or that the ciphertext
 * decrypts or authenticates; only a recipient's key can tell (the MDC is checked on decrypt).
 * It holds at most one small PKESK body in memory, never the data. No I/O, no openpgp.js.
 */
import { PartError } from './part-error.ts';

const TAG_PKESK = 1;
const TAG_SKESK = 3;
const TAG_SED = 9;
const TAG_COMPRESSED = 8;
const TAG_LITERAL = 11;
const TAG_MARKER = 10;
const TAG_SEIPD = 18;
const TAG_AEAD = 20;
/** A PKESK holds a key ID, an algorithm and an encrypted session key: well under this. */
const MAX_PKESK_BYTES = 2048;
/** RFC 4880 4.2.2.4: the first partial body length is at least 512 octets. */
const MIN_FIRST_PARTIAL = 512;
/** Version octet, the smallest random prefix (8-octet block + 2) and the 22-octet MDC packet. */
const MIN_SEIPD_BYTES = 1 + 10 + 22;

const REFUSED: Record<number, string> = {
  [TAG_SKESK]: "the part can also be opened with a password; only the recipients' keys may open it",
  [TAG_LITERAL]: 'the part carries literal data in the clear',
  [TAG_COMPRESSED]: 'the part carries compressed data in the clear',
  [TAG_SED]: 'the part has encrypted data without integrity protection',
  [TAG_AEAD]: 'the part uses AEAD encrypted data, which this profile (SEIPDv1, GnuPG 2.2) does not',
  [TAG_MARKER]: 'the part has a marker packet, which no sender of this profile writes',
};

type State = 'header' | 'length' | 'body' | 'done';

export class PartWalker {
  /** Key IDs (16 upper-case hex digits) named by the PKESK packets, in order. */
  readonly keyIds: string[] = [];
  private state: State = 'header';
  private error: PartError | undefined;
  private tag = 0;
  private oldLengthType = -1;
  private lengthBytes: number[] = [];
  /** Within a packet with partial body lengths, after its first chunk. */
  private continuing = false;
  private partial = false;
  private remaining = 0;
  private pkesk: number[] = [];
  private dataBytes = 0;
  private offset = 0;

  /** Feed the next bytes. After a structural error it ignores the rest; `finish` reports it. */
  push(chunk: Uint8Array): void {
    if (this.error) return;
    try {
      this.consume(chunk);
    } catch (error) {
      this.error = error instanceof PartError ? error : new PartError('the part could not be read', 'part.unreadable', {}, { cause: error });
    }
  }

  /** Call after the last byte: the key IDs, or the first thing wrong with the part. */
  finish(): string[] {
    if (this.error) throw this.error;
    if (this.state === 'done') return [...this.keyIds];
    if (this.state === 'header') throw this.offset === 0 ? new PartError('the part is empty', 'part.empty') : new PartError('the part has no integrity-protected encrypted data', 'part.no-encrypted-data');
    throw new PartError('the encrypted data is cut short', 'part.cut-short');
  }

  private fail(reason: string): never {
    throw new PartError(`${reason} (at byte ${this.offset})`, 'part.malformed', { reason, offset: this.offset });
  }

  private consume(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'done') this.fail('the part has data after its encrypted message');
      switch (this.state) {
        case 'header':
          this.startPacket(chunk[i]!);
          i++;
          this.offset++;
          break;
        case 'length':
          this.lengthBytes.push(chunk[i]!);
          i++;
          this.offset++;
          this.readLength();
          break;
        case 'body': {
          const n = Math.min(this.remaining, chunk.length - i);
          if (this.tag === TAG_PKESK) {
            for (let k = 0; k < n; k++) this.pkesk.push(chunk[i + k]!);
          } else {
            if (this.dataBytes === 0 && n > 0 && chunk[i] !== 1) this.fail(`the encrypted data is version ${chunk[i]}, not 1 (SEIPDv1)`);
            this.dataBytes += n;
          }
          i += n;
          this.offset += n;
          this.remaining -= n;
          if (this.remaining === 0) this.endChunk();
          break;
        }
      }
    }
  }

  private startPacket(octet: number): void {
    if ((octet & 0x80) === 0) this.fail(this.offset === 0 ? 'the part is not binary OpenPGP data' : 'the part has bytes that are not an OpenPGP packet');
    const newFormat = (octet & 0x40) !== 0;
    this.tag = newFormat ? octet & 0x3f : (octet >> 2) & 0x0f;
    this.oldLengthType = newFormat ? -1 : octet & 0x03;
    this.lengthBytes = [];
    this.continuing = false;
    if (this.tag === TAG_PKESK) {
      if (this.dataBytes > 0) this.fail('the part has a second message after its encrypted data');
      this.pkesk = [];
    } else if (this.tag === TAG_SEIPD) {
      if (this.keyIds.length === 0) this.fail('the part is not encrypted to any public key');
    } else {
      this.fail(REFUSED[this.tag] ?? `the part has an unexpected OpenPGP packet (tag ${this.tag})`);
    }
    this.state = 'length';
  }

  /** Decode the length once enough octets are in (RFC 4880 4.2.1 old format, 4.2.2 new format). */
  private readLength(): void {
    const b = this.lengthBytes;
    let length: number | undefined;
    let partial = false;
    if (this.oldLengthType >= 0 && !this.continuing) {
      if (this.oldLengthType === 3) this.fail('the part has a packet of indeterminate length');
      const need = [1, 2, 4][this.oldLengthType]!;
      if (b.length < need) return;
      length = b.reduce((acc, x) => acc * 256 + x, 0);
    } else {
      const first = b[0]!;
      if (first < 192) length = first;
      else if (first < 224) {
        if (b.length < 2) return;
        length = ((first - 192) << 8) + b[1]! + 192;
      } else if (first === 255) {
        if (b.length < 5) return;
        length = b.slice(1).reduce((acc, x) => acc * 256 + x, 0);
      } else {
        length = 1 << (first & 0x1f);
        partial = true;
      }
    }
    if (partial && this.tag !== TAG_SEIPD) this.fail('a session key packet may not have partial body lengths');
    if (partial && !this.continuing && length < MIN_FIRST_PARTIAL) this.fail('the first partial body length is under 512 octets');
    if (this.tag === TAG_PKESK && this.pkesk.length + length > MAX_PKESK_BYTES) this.fail('a session key packet is too long');
    this.partial = partial;
    this.remaining = length;
    this.lengthBytes = [];
    this.state = 'body';
    if (length === 0) this.endChunk();
  }

  private endChunk(): void {
    if (this.partial) {
      this.continuing = true;
      this.state = 'length';
      return;
    }
    if (this.tag === TAG_PKESK) {
      this.readPkesk();
      this.state = 'header';
    } else {
      if (this.dataBytes < MIN_SEIPD_BYTES) this.fail('the encrypted data is too short to hold a message');
      this.state = 'done';
    }
  }

  private readPkesk(): void {
    const body = this.pkesk;
    if (body[0] !== 3) this.fail(`a session key packet is version ${body[0] ?? 'none'}, not 3`);
    if (body.length < 11) this.fail('a session key packet is too short');
    this.keyIds.push(Array.from(body.slice(1, 9), (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase());
  }
}
