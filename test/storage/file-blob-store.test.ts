/**
 * The file-system blob store (storage/blobs.ts): the port's contract (blob-store-contract.ts) on a
 * real temp directory, then what only this implementation promises: the content-addressed layout
 * `blobs/aa/bb/<sha256>`, private 0600 files in 0700 directories, staging under `tmp/` only,
 * and a start-up sweep of the leftovers a crash leaves on disk.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { openFileBlobStore } from '../../storage/blobs.ts';
import { filesUnder } from '../helpers/http.ts';
import { describeBlobStoreContract } from './blob-store-contract.ts';

const tempDataDir = () => mkdtempSync(join(tmpdir(), 'liaison-blobs-'));

describeBlobStoreContract('file system', async () => {
  const dir = tempDataDir();
  return { store: await openFileBlobStore(dir), close: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
});

it('stages under tmp/ only, commits to blobs/aa/bb/<sha256>, all private (0600 files, 0700 directories)', async () => {
  const dir = tempDataDir();
  try {
    const store = await openFileBlobStore(dir);
    const staged = await store.stage(Readable.from([Buffer.from('ciphertext')]));
    expect(filesUnder(join(dir, 'blobs'))).toEqual([]);
    const [temp] = filesUnder(join(dir, 'tmp'));
    expect(statSync(temp!).mode & 0o777).toBe(0o600);
    await staged.commit();
    const path = join(dir, 'blobs', staged.sha256.slice(0, 2), staged.sha256.slice(2, 4), staged.sha256);
    expect(filesUnder(join(dir, 'blobs'))).toEqual([path]);
    expect(filesUnder(join(dir, 'tmp'))).toEqual([]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    for (const d of [join(dir, 'blobs'), join(path, '..'), join(path, '..', '..'), join(dir, 'tmp')]) expect(statSync(d).mode & 0o777).toBe(0o700);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('sweeps what a crash left on disk: partial temp files and blobs whose rows never committed', async () => {
  const dir = tempDataDir();
  try {
    const first = await openFileBlobStore(dir);
    const kept = await first.stage(Readable.from([Buffer.from('referenced')]));
    await kept.commit();
    const orphan = await first.stage(Readable.from([Buffer.from('not referenced')]));
    await orphan.commit();
    writeFileSync(join(dir, 'tmp', 'upload-cut-short'), 'half a part');
    // The next start opens the store again over the same directory, then sweeps.
    const next = await openFileBlobStore(dir);
    expect(await next.sweep(new Set([kept.sha256]))).toEqual({ staged: 1, blobs: 1 });
    expect(filesUnder(dir)).toEqual([join(dir, 'blobs', kept.sha256.slice(0, 2), kept.sha256.slice(2, 4), kept.sha256)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('commits into a blob directory removed behind its back after it made it once (it makes it again)', async () => {
  const dir = tempDataDir();
  try {
    const store = await openFileBlobStore(dir);
    // The same first two hex pairs: the same blobs/aa/bb directory, made by the first commit.
    const first = await store.stage(Readable.from([Buffer.from('one')]));
    await first.commit();
    const blobDir = join(dir, 'blobs', first.sha256.slice(0, 2), first.sha256.slice(2, 4));
    rmSync(join(dir, 'blobs', first.sha256.slice(0, 2)), { recursive: true });
    const again = await store.stage(Readable.from([Buffer.from('one')]));
    await again.commit();
    expect(filesUnder(blobDir)).toEqual([join(blobDir, first.sha256)]);
    expect(await store.exists(first.sha256)).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
