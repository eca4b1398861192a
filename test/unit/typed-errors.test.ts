/**
 * Errors are typed, and only typed errors reach a person as they are: keys/ says "not
 * a recipient" as NotARecipientError and a failed signature as a typed failure with our own
 * sentence (never openpgp.js's text); ApiError keeps the hub's problem code and article; the CLI
 * shows ClientError, ApiError and keys/'s errors as they are, and anything else as one generic
 * sentence naming the command (the raw message only with LIAISON_DEBUG=1). Real openpgp.js keys,
 * a real commander program.
 */
import { Readable } from 'node:stream';
import { Command } from 'commander';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { generatePersonKey, KeyError, readPublicKey, unlockPrivateKey, type PrivateKey, type PublicKey } from '../../keys/identity.ts';
import { decryptPart, encryptPartForRecipients, NotARecipientError, PartError, wrapSessionKeyFor, type ByteStream } from '../../keys/parts.ts';
import { signDetached, verifyDetached } from '../../keys/signatures.ts';
import { problemOf } from '../../client/core/api.ts';
import { ApiError, ClientError, reasonOf } from '../../client/core/errors.ts';
import { errorReporter, userSentence } from '../../client/cli/errors.ts';

const date = new Date();
let alice: { key: PrivateKey; pub: PublicKey };
let bob: { key: PrivateKey; pub: PublicKey };

async function person(name: string) {
  const g = await generatePersonKey({ name, passphrase: 'long enough passphrase', date });
  return { key: await unlockPrivateKey(g.armoredPrivateKey, 'long enough passphrase'), pub: await readPublicKey(g.armoredPublicKey) };
}
const stream = (bytes: Uint8Array) => Readable.toWeb(Readable.from([Buffer.from(bytes)])) as ByteStream;
async function bytesOf(s: ByteStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of Readable.fromWeb(s as import('node:stream/web').ReadableStream<Uint8Array>)) chunks.push(c as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

beforeAll(async () => {
  [alice, bob] = await Promise.all([person('Алиса'), person('Bob')]);
});

describe('keys/ says what went wrong as a type', () => {
  it('a part not encrypted to the key is NotARecipientError, for decrypting and for re-wrapping', async () => {
    const part = await bytesOf(await encryptPartForRecipients(stream(new TextEncoder().encode('только для Алисы')), { filename: 'a.txt', signingKey: alice.key, recipientKeys: [alice.pub], date }));
    const refused = await decryptPart(stream(part), { decryptionKey: bob.key, senderKeys: [alice.pub], date }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NotARecipientError);
    expect(refused).toBeInstanceOf(PartError);
    expect((refused as NotARecipientError).recipients.length).toBeGreaterThan(0);
    await expect(wrapSessionKeyFor(stream(part), { decryptionKey: bob.key, newRecipients: [bob.pub], date })).rejects.toBeInstanceOf(NotARecipientError);
    // The control: the recipient herself opens it.
    const opened = await decryptPart(stream(part), { decryptionKey: alice.key, senderKeys: [alice.pub], date });
    expect(new TextDecoder().decode(await bytesOf(opened.data))).toBe('только для Алисы');
  });

  it('a signature over other bytes fails as bad-signature, in our words and not openpgp.js\'s', async () => {
    const signature = await signDetached('manifest', 'the signed text', alice.key, date);
    const v = await verifyDetached('manifest', 'another text', signature, [alice.pub], date);
    expect(v).toMatchObject({ valid: false, failure: 'bad-signature' });
    expect(v.valid === false && v.reason).not.toMatch(/digest|Signed|Error/);
    expect(await verifyDetached('manifest', 'the signed text', signature, [bob.pub], date)).toMatchObject({ valid: false, failure: 'unknown-signer' });
    expect(await verifyDetached('manifest', 'the signed text', 'not a signature', [alice.pub], date)).toMatchObject({ valid: false, failure: 'malformed' });
    expect(await verifyDetached('login', 'the signed text', signature, [alice.pub], date)).toMatchObject({ valid: false, failure: 'wrong-context' });
  });
});

describe('ApiError keeps the problem', () => {
  it('takes the code from `code`, or from the problem type the hub writes, and the article', () => {
    const fromType = problemOf(422, JSON.stringify({ type: 'https://liaison.invalid/problems/treaty-rule', title: 'Refused', status: 422, detail: 'the packet is incomplete', article: 'RU-PK Art. 6' }));
    expect(fromType).toMatchObject({ status: 422, code: 'treaty-rule', article: 'RU-PK Art. 6', detail: 'the packet is incomplete', message: 'the packet is incomplete (RU-PK Art. 6)' });
    expect(problemOf(409, JSON.stringify({ type: 'x', code: 'conflict', detail: 'lost a race' })).code).toBe('conflict');
    expect(problemOf(502, '<html>bad gateway</html>')).toMatchObject({ status: 502, code: undefined, message: 'the hub answered 502' });
  });
});

describe('what the CLI shows', () => {
  it('typed errors as they are: ClientError, ApiError, KeyError, PartError', () => {
    expect(userSentence(new ClientError('say which key: --public or --secret'), 'key export')).toBe('say which key: --public or --secret');
    expect(userSentence(new ApiError(422, 'refused', 'api.problem', { problem: 'treaty-rule', detail: 'refused', article: 'SCO Art. 7(2)' }), 'send')).toBe('refused (SCO Art. 7(2))');
    expect(userSentence(new KeyError('the passphrase does not unlock this key', 'key.wrong-passphrase'), 'login')).toBe('the passphrase does not unlock this key');
    expect(userSentence(new NotARecipientError(['ABCDEF0123456789']), 'fetch')).toBe('the part is not encrypted to this key');
  });

  it.each([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'party')")],
    ['a SyntaxError', new SyntaxError('Unexpected token } in JSON at position 7')],
    ['a library Error', new Error('Error decrypting message: Session key decryption failed.')],
    ['a thrown string', 'boom'],
  ])('an unexpected error (%s) is one generic sentence naming the command, never its raw text', (_what, error) => {
    const sentence = userSentence(error, 'release consent');
    expect(sentence).toMatch(/^"liaison release consent" stopped on an unexpected error inside liaison .*LIAISON_DEBUG=1/);
    expect(sentence).not.toContain(error instanceof Error ? error.message : error);
  });

  it('the reporter names the command that was running, from commander itself', async () => {
    const program = new Command('liaison').exitOverride();
    program.command('release').command('consent').action(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'thirdParty')");
    });
    program.command('hub').command('init').action(() => {
      throw new Error('a hub already exists in /tmp/x');
    });
    const report = errorReporter(program, ['hub']);
    const printed: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void printed.push(String(line)));
    try {
      for (const args of [['release', 'consent'], ['hub', 'init']]) await program.parseAsync(['node', 'liaison', ...args]).catch(report);
    } finally {
      spy.mockRestore();
    }
    expect(printed[0]).toMatch(/^liaison: "liaison release consent" stopped on an unexpected error/);
    expect(printed[0]).not.toContain('thirdParty');
    // The operator's commands word their own errors.
    expect(printed[1]).toBe('liaison: a hub already exists in /tmp/x');
  });

  it('reasonOf passes a typed error\'s sentence and throws anything else on', () => {
    expect(reasonOf(new ClientError('no officer of PK is pinned'))).toBe('no officer of PK is pinned');
    const fault = new RangeError('Invalid time value');
    expect(() => reasonOf(fault)).toThrow(fault);
  });
});
