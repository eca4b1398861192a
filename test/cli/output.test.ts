/**
 * What a user expected and did not find (and the steps that could be fewer), through the real
 * CLI: --version, --help grouped by role, --json with its documented shape, names and parties as
 * vouched, `agreements` marking one's own, the inbox with agreement, unread and times with their
 * zone; pins in one command or from a file; the README's commands and GnuPG steps as written.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClientCommands } from '../../client/cli/commands.ts';
import { addEvidenceCommands } from '../../client/cli/evidence.ts';
import { addRequestCommands } from '../../client/cli/requests.ts';
import { addHubCommands } from '../../server/cli.ts';
import { operatorAudit } from '../../server/evidence.ts';
import { DEMO_PASSPHRASE, liaison, Person } from '../../scripts/harness.ts';
import { EN_TEXT, makeWorld, ok, refusedWith, sendInformation, type CliWorld } from './support.ts';

let w: CliWorld;
beforeAll(async () => {
  w = await makeWorld('output');
}, 600_000);
afterAll(async () => {
  await w?.close();
});

describe('item 12: what a user expects to find', () => {
  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect((await ok(liaison(['--version']))).stdout.trim()).toBe(version);
  });

  it('--help groups the commands by role', async () => {
    const help = (await ok(liaison(['--help']))).stdout;
    const order = ['Everyone', 'Contact person', 'Clerk', 'Security officer', 'Evidence', 'Hub operator'].map((h) => help.indexOf(`${h} (`));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(help.slice(help.indexOf('Clerk ('), help.indexOf('Security officer ('))).toMatch(/\n\s+attach /);
    expect(help.slice(help.indexOf('Security officer ('), help.indexOf('Evidence ('))).toMatch(/\n\s+officer\s/);
    expect(help.slice(help.indexOf('Hub operator ('))).toMatch(/\n\s+hub\s[\s\S]*\n\s+serve /);
  });

  it('--json on whoami, submit, attach and officer commands, with the documented shape', async () => {
    const me = JSON.parse((await ok(w.ivan.run('whoami', '--json'))).stdout) as Record<string, unknown>;
    expect(me).toMatchObject({ name: 'Ivan Petrov', party: 'RU', fingerprint: w.ivan.fingerprint, roles: ['contact'], clearance: 'TOP SECRET', server: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/?$/) as unknown });
    const draft = JSON.parse((await ok(w.ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', w.file('d.txt', 'Просим сообщить сведения о движении средств по банковским счетам подозреваемого лица.\n'), '--lang', 'ru', '--draft', '--quiet', '--json'))).stdout) as { packetId: string; state: string };
    expect(draft.state).toBe('draft');
    const attached = JSON.parse((await ok(w.olga.run('attach', draft.packetId, '--translation', `en:${w.file('d-en.txt', EN_TEXT)}`, '--quiet', '--json'))).stdout) as Array<{ packetId: string; revision: number; lang: string }>;
    expect(attached).toMatchObject([{ packetId: draft.packetId, revision: 2, lang: 'en' }]);
    expect(JSON.parse((await ok(w.ivan.run('submit', draft.packetId, '--json'))).stdout)).toMatchObject({ packetId: draft.packetId, state: 'submitted' });
    const restated = JSON.parse((await ok(w.officers.RU.run('officer', 'set-roles', w.olga.fingerprint, 'clerk,contact', '--json'))).stdout) as { member: { roles: string[] }; previousRoles: string[] };
    expect(restated).toMatchObject({ member: { roles: ['clerk', 'contact'] }, previousRoles: ['clerk'] });
    const verified = JSON.parse((await ok(w.ayesha.run('audit', 'verify', '--json'))).stdout) as { ok: boolean; scope: string };
    expect(verified).toMatchObject({ ok: true, scope: 'PK' });
  });

  it('members and fetch show people by name and party as their officer vouched for them', async () => {
    const members = (await ok(w.ayesha.run('members', 'RU'))).stdout;
    expect(members).toMatch(/^NAME\s+PARTY\s+FINGERPRINT/);
    expect(members).toMatch(new RegExp(`Ivan Petrov\\s+RU\\s+${w.ivan.fingerprint}.*Sergei Volkov \\(`));
    const id = await sendInformation(w);
    const fetched = (await ok(w.ayesha.run('fetch', id, '--out', join(w.root, 'names'), '--quiet'))).stdout;
    expect(fetched).toContain('(signed by Ivan Petrov (RU))');
    expect(fetched).not.toContain(`signed by ${w.ivan.fingerprint}`);
  });

  it('agreements marks the ones of your own party', async () => {
    const list = (await ok(w.aigerim.run('agreements'))).stdout;
    expect(list).toMatch(/\n\*\s+SCO\s/);
    expect(list).toMatch(/\n\s+RU-PK\s/);
    expect(list).toContain('* KZ is a party');
    const json = JSON.parse((await ok(w.aigerim.run('agreements', '--json'))).stdout) as Array<{ id: string; mine: boolean }>;
    expect(json.find((a) => a.id === 'SCO')?.mine).toBe(true);
    expect(json.find((a) => a.id === 'RU-PK')?.mine).toBe(false);
  });

  it('the inbox shows the agreement, marks unread packets, and gives times with their zone', async () => {
    const id = await sendInformation(w);
    const before = (await ok(liaison(['inbox', '--box', 'inbox'], { ...w.ayesha.env, TZ: 'Asia/Karachi' }))).stdout;
    expect(before).toContain('DATE (Asia/Karachi)');
    expect(before).toMatch(new RegExp(`\\*\\s+${id}\\s+RU-PK\\s+SECRET / SECRET\\s+RU\\s+PK\\s+information\\s+received\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d \\+05:00`));
    expect(before).toMatch(/\d+ unread \(not fetched by you yet\)\./);
    await ok(w.ayesha.run('fetch', id, '--out', join(w.root, `read-${id}`), '--quiet'));
    const after = JSON.parse((await ok(w.ayesha.run('inbox', '--json'))).stdout) as Array<{ packetId: string; unread: boolean; agreementId: string }>;
    expect(after.find((p) => p.packetId === id)).toMatchObject({ unread: false, agreementId: 'RU-PK' });
  });
});

describe('fewer steps: pins in one command, or from a file an officer hands out', () => {
  it('trust export writes a pins file; trust add --file pins every party in it; mismatched pairs are refused', async () => {
    const pins = join(w.root, 'pins.json');
    const exported = await ok(w.officers.RU.run('trust', 'export', '--out', pins));
    expect(exported.stdout).toMatch(/Wrote 3 pin\(s\)/);
    expect(JSON.parse(readFileSync(pins, 'utf8'))).toMatchObject({ format: 'liaison-pins/1', pins: expect.arrayContaining([{ party: 'PK', officer: w.officers.PK.fingerprint }]) as unknown });
    const newcomer = new Person('Nadia Rahman', 'PK', w.root);
    const added = await ok(newcomer.run('trust', 'add', '--file', pins));
    for (const o of Object.values(w.officers)) expect(added.stdout).toContain(`Pinned ${o.fingerprint} as an officer of ${o.party}.`);
    expect(added.stderr).toContain('Compare each fingerprint above');
    expect(JSON.parse((await ok(newcomer.run('trust', 'list', '--json'))).stdout)).toHaveLength(3);
    refusedWith(await newcomer.run('trust', 'add', '--party', 'RU', '--party', 'PK', '--officer', w.officers.RU.fingerprint), /give each --party its --officer: 2 parties and 1 officer fingerprint\(s\) were given/);
    writeFileSync(join(w.root, 'bad-pins.json'), JSON.stringify({ format: 'liaison-pins/1', pins: [{ party: 'RU', officer: 'abc' }] }));
    refusedWith(await newcomer.run('trust', 'add', '--file', join(w.root, 'bad-pins.json')), /bad-pins\.json is not a pins file: the officer of pin 1 /);
  });
});

describe('item 13: the README GnuPG steps', () => {
  it('export the secret key, import it into a GnuPG home with the sender key, gpg --decrypt', async () => {
    const id = await sendInformation(w);
    const raw = join(w.root, 'gpg-raw');
    await ok(w.ayesha.run('fetch', id, '--out', raw, '--raw', '--quiet'));
    const home = mkdtempSync(join(tmpdir(), 'liaison-readme-gpg-'));
    try {
      const secret = join(w.root, 'my-secret.asc');
      await ok(w.ayesha.run('key', 'export', '--secret', '--out', secret));
      const gpg = (...args: string[]) => spawnSync('gpg', ['--batch', '--homedir', home, '--pinentry-mode', 'loopback', '--passphrase', DEMO_PASSPHRASE, ...args], { encoding: 'utf8' });
      expect(gpg('--import', secret).status).toBe(0);
      expect(gpg('--import', w.keyFile(w.ivan)).status).toBe(0);
      const decrypted = gpg('--trust-model', 'always', '--decrypt', join(raw, 'p2-translation-en.pgp'));
      expect(decrypted.status).toBe(0);
      expect(decrypted.stdout).toBe(EN_TEXT);
      expect(decrypted.stderr).toMatch(/Good signature from "Ivan Petrov"/);
      expect(gpg('--trust-model', 'always', '--verify', join(raw, 'manifest.json.asc'), join(raw, 'manifest.json')).status).toBe(0);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('item 11: every command and flag the README shows exists as written', () => {
  // The command tree exactly as bin/liaison.ts builds it, walked in-process: one child process per
  // README line would cost minutes on a shared machine, and `--help` prints this same tree.
  const program = new Command('liaison');
  addClientCommands(program);
  addHubCommands(program);
  addEvidenceCommands(program, operatorAudit);
  addRequestCommands(program);

  it('each `npx liaison ...` line names a real command, and each of its flags is one that command takes', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/\\\n\s*/g, ' '));
    const lines = blocks.flatMap((b) => b.split('\n')).flatMap((l) => l.split(/\s[;|]\s/)).map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l.startsWith('npx liaison '));
    expect(lines.length).toBeGreaterThan(40);
    // Not one bare `liaison ...` command: they would not work after `npm ci` without `npm link`.
    expect(blocks.join('\n')).not.toMatch(/(^|\n)liaison /);
    for (const line of lines) {
      const words = line.slice('npx liaison '.length).match(/"[^"]*"|\S+/g) ?? [];
      let command: Command = program;
      for (const word of words) {
        const sub = command.commands.find((c) => c.name() === word);
        if (!sub) break;
        command = sub;
      }
      expect(command, line).not.toBe(program);
      const flags = new Set(['--help', ...command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)))]);
      for (const flag of words.map((x) => x.replace(/^\[/, '')).filter((x) => x.startsWith('--')).map((x) => x.replace(/[=\]].*$/, ''))) {
        expect(flags.has(flag), `${line}: ${command.name()} has no ${flag}`).toBe(true);
      }
    }
  });
});
