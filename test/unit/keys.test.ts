/**
 * keys/: the project's OpenPGP profile, signatures as values, streaming parts and re-wrapping,
 * with real openpgp.js keys and messages.
 */
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePersonKey, inspectPublicKey, readPublicKey, unlockPrivateKey, KeyError, type PrivateKey, type PublicKey } from '../../keys/identity.ts';
import { decryptPart, encryptPartForRecipients, inspectEncryptedPart, readWrapKeyIds, wrapSessionKeyFor, type ByteStream } from '../../keys/parts.ts';
import { signDetached, verifyDetached } from '../../keys/signatures.ts';

const date = new Date();
let alice: { key: PrivateKey; pub: PublicKey; fingerprint: string };
let bob: { key: PrivateKey; pub: PublicKey; fingerprint: string };
let carol: { key: PrivateKey; pub: PublicKey; fingerprint: string };
let aliceArmored: string;

async function person(name: string) {
  const g = await generatePersonKey({ name, email: `${name.toLowerCase()}@party.example`, passphrase: 'long enough passphrase', date });
  if (name === 'Алиса') aliceArmored = g.armoredPrivateKey;
  return { key: await unlockPrivateKey(g.armoredPrivateKey, 'long enough passphrase'), pub: await readPublicKey(g.armoredPublicKey), fingerprint: g.fingerprint };
}

const stream = (bytes: Buffer) => Readable.toWeb(Readable.from([bytes])) as ByteStream;
async function collect(s: ByteStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of Readable.fromWeb(s as import('node:stream/web').ReadableStream<Uint8Array>)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([person('Алиса'), person('Bob'), person('Carol')]);
});

describe('person keys', () => {
  it('are v4 Ed25519 with a Curve25519 encryption subkey and a Cyrillic user ID', async () => {
    const info = await inspectPublicKey(alice.pub, date);
    expect(alice.pub.keyPacket.version).toBe(4);
    expect(info.algorithm).toBe('eddsaLegacy/ed25519Legacy');
    expect(info.userIds[0]).toBe('Алиса <алиса@party.example>');
    expect(info.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(info.encryptionKeyId).toMatch(/^[0-9A-F]{16}$/);
    expect(aliceArmored).toContain('-----BEGIN PGP PRIVATE KEY BLOCK-----');
  });

  it('refuse a wrong passphrase with a sentence, not a stack', async () => {
    await expect(unlockPrivateKey(aliceArmored, 'wrong passphrase!')).rejects.toThrow(new KeyError('the passphrase does not unlock this key', 'key.wrong-passphrase'));
  });

  it('are not valid before they were made (a clock shifted back shows it)', async () => {
    await expect(inspectPublicKey(alice.pub, new Date(date.getTime() - 86400_000))).rejects.toThrow(KeyError);
  });

  it('refuse garbage as a key', async () => {
    await expect(readPublicKey('not a key')).rejects.toThrow(KeyError);
  });
});

describe('detached signatures', () => {
  it('verify the exact bytes and report who signed', async () => {
    const text = 'Манифест: پیام محرمانه 机密文件';
    const sig = await signDetached('manifest', text, alice.key, date);
    expect(await verifyDetached('manifest', text, sig, [bob.pub, alice.pub], date)).toMatchObject({ valid: true, signer: alice.fingerprint });
  });

  it('are a value the caller must read: altered text, wrong key, garbage all come back invalid', async () => {
    const sig = await signDetached('manifest', 'hello', alice.key, date);
    expect((await verifyDetached('manifest', 'hellO', sig, [alice.pub], date)).valid).toBe(false);
    expect((await verifyDetached('manifest', 'hello', sig, [bob.pub], date)).valid).toBe(false);
    expect((await verifyDetached('manifest', 'hello', 'garbage', [alice.pub], date)).valid).toBe(false);
    expect((await verifyDetached('manifest', 'hello', sig, [], date)).valid).toBe(false);
  });
});

describe('parts', () => {
  const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'Секретно. ');

  it('round-trip a multi-megabyte part to each recipient, with the file name inside', async () => {
    const ct = await collect(await encryptPartForRecipients(stream(big), { filename: 'досье.txt', signingKey: alice.key, recipientKeys: [alice.pub, bob.pub], date }));
    expect(ct.includes(Buffer.from('Секретно'))).toBe(false);
    const ids = await inspectEncryptedPart(stream(ct));
    expect(ids.sort()).toEqual([(await inspectPublicKey(alice.pub, date)).encryptionKeyId, (await inspectPublicKey(bob.pub, date)).encryptionKeyId].sort());
    const out = await decryptPart(stream(ct), { decryptionKey: bob.key, senderKeys: [alice.pub], date });
    expect(Buffer.compare(await collect(out.data), big)).toBe(0);
    expect(out.filename).toBe('досье.txt');
    expect(await out.verification).toMatchObject({ valid: true, signer: alice.fingerprint });
  });

  it('fail on one flipped byte, anywhere', async () => {
    const ct = await collect(await encryptPartForRecipients(stream(big), { filename: 'x', signingKey: alice.key, recipientKeys: [bob.pub], date }));
    for (const at of [ct.length - 1, Math.floor(ct.length / 2), 200]) {
      const bad = Buffer.from(ct);
      bad[at] = bad[at]! ^ 0x01;
      const attempt = (async () => {
        const out = await decryptPart(stream(bad), { decryptionKey: bob.key, senderKeys: [alice.pub], date });
        await collect(out.data);
        const v = await out.verification;
        if (!v.valid) throw new Error(v.reason);
      })();
      await expect(attempt).rejects.toThrow();
    }
  });

  it('report a signature by someone other than the expected sender as invalid', async () => {
    const ct = await collect(await encryptPartForRecipients(stream(Buffer.from('hi')), { filename: 'x', signingKey: carol.key, recipientKeys: [bob.pub], date }));
    const out = await decryptPart(stream(ct), { decryptionKey: bob.key, senderKeys: [alice.pub], date });
    await collect(out.data);
    expect((await out.verification).valid).toBe(false);
  });

  it('can be re-wrapped for a new recipient without re-encrypting the data', async () => {
    const ct = await collect(await encryptPartForRecipients(stream(big), { filename: 'x', signingKey: alice.key, recipientKeys: [bob.pub], date }));
    await expect(decryptPart(stream(ct), { decryptionKey: carol.key, senderKeys: [alice.pub], date })).rejects.toThrow();
    const wrap = await wrapSessionKeyFor(stream(ct.subarray(0, 8192)), { decryptionKey: bob.key, newRecipients: [carol.pub], date });
    expect(await readWrapKeyIds(wrap)).toEqual([(await inspectPublicKey(carol.pub, date)).encryptionKeyId]);
    const out = await decryptPart(stream(Buffer.concat([wrap, ct])), { decryptionKey: carol.key, senderKeys: [alice.pub], date });
    expect(Buffer.compare(await collect(out.data), big)).toBe(0);
    expect((await out.verification).valid).toBe(true);
  });

  it('refuse a wrap that holds anything but session-key packets', async () => {
    const ct = await collect(await encryptPartForRecipients(stream(Buffer.from('hi')), { filename: 'x', signingKey: alice.key, recipientKeys: [bob.pub], date }));
    await expect(readWrapKeyIds(ct)).rejects.toThrow(/only public-key encrypted session key packets/);
    await expect(inspectEncryptedPart(stream(Buffer.from('not openpgp at all')))).rejects.toThrow();
  });
});
