/**
 * Drive the real `liaison` CLI as child processes: a hub started with `liaison serve` on a free
 * loopback port, and people each with their own LIAISON_HOME. Used by the demo and by the
 * end-to-end tests, so both exercise exactly what a user types.
 * Never calls the hub or the CLI in-process: only what a user would run, as a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LIAISON_BIN = fileURLToPath(new URL('../bin/liaison.js', import.meta.url));
export const DEMO_PASSPHRASE = 'correct horse battery staple';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The arguments the command was run with, for narration (the demo prints them before the output). */
  args: string[];
}

export function liaison(args: string[], env: Record<string, string> = {}, input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LIAISON_BIN, ...args], {
      env: { ...process.env, LIAISON_DEBUG: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr, args }));
    // A command that never reads its standard input may exit before this write lands (the bundled
    // CLI starts and finishes fast): the pipe's EPIPE is then no failure of the run, whose exit code
    // and output are what the caller checks. Any other error on the pipe still fails the run.
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') reject(error);
    });
    child.stdin.end(input ?? '');
  });
}

export class Person {
  readonly home: string;
  fingerprint = '';

  readonly name: string;
  readonly party: string;

  constructor(name: string, party: string, root: string) {
    this.name = name;
    this.party = party;
    this.home = join(root, 'people', name.toLowerCase().replace(/[^a-z0-9]+/g, '-'));
    mkdirSync(this.home, { recursive: true, mode: 0o700 });
  }

  get env(): Record<string, string> {
    return { LIAISON_HOME: this.home, LIAISON_PASSPHRASE: DEMO_PASSPHRASE };
  }

  run(...args: string[]): Promise<RunResult> {
    return liaison(args, this.env);
  }
}

export interface RunningHub {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** `liaison serve` on a free loopback port; resolves with the URL it prints. */
export function startHub(dataDir: string, logFile: string, extraArgs: string[] = []): Promise<RunningHub> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LIAISON_BIN, 'serve', '--data', dataDir, '--port', '0', '--host', '127.0.0.1', '--log-file', logFile, ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`the hub did not start: ${err}`)), 60_000);
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const match = /listening on (https?:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          process: child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the hub exited (${code}): ${err}`));
    });
  });
}
