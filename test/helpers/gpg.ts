/**
 * Real GnuPG in a throwaway home directory, for interoperability tests.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class GnuPG {
  readonly home = mkdtempSync(join(tmpdir(), 'liaison-gpg-'));

  private readonly passphrase: string;
  constructor(passphrase: string) {
    this.passphrase = passphrase;
  }

  run(args: string[], input?: string | Buffer): { code: number; stdout: Buffer; stderr: string } {
    const result = spawnSync('gpg', ['--batch', '--homedir', this.home, '--pinentry-mode', 'loopback', '--passphrase', this.passphrase, ...args], { input, maxBuffer: 256 * 1024 * 1024 });
    return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr.toString('utf8') };
  }

  ok(args: string[], input?: string | Buffer): Buffer {
    const r = this.run(args, input);
    if (r.code !== 0) throw new Error(`gpg ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }

  /**
   * Make a key with --quick-gen-key; returns its fingerprint. `future-default` gives Ed25519 with
   * a Curve25519 subkey; an explicit algorithm (rsa4096) makes only the primary key, so an
   * encryption subkey is added the way a GnuPG user would.
   */
  quickGenKey(uid: string, algo: string): string {
    this.ok(['--quick-gen-key', uid, algo, 'default', 'never']);
    const listing = this.ok(['--with-colons', '--list-keys', uid]).toString('utf8');
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(listing);
    if (!fpr) throw new Error('no fingerprint in gpg output');
    if (!/^sub:/m.test(listing)) this.ok(['--quick-add-key', fpr[1]!, algo, 'encr', 'never']);
    return fpr[1]!;
  }

  cleanup(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}

export function gpgVersion(): string {
  return execFileSync('gpg', ['--version']).toString('utf8').split('\n')[0]!;
}
