/**
 * The operator's commands: create a hub, enroll a member on the operator's word, run the server.
 * With no --data they use the embedded default ./var/hub.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { DEFAULT_DATA_DIR, hubPaths } from './config.ts';

// The hub's modules (express, SQLite, the store) load only when an operator command runs, so a
// person's command never pays for them (CLI start-up).
const admin = () => import('./admin.ts');

export const DEFAULT_AGREEMENTS_DIR = fileURLToPath(new URL('../agreements/', import.meta.url));

export function addHubCommands(program: Command): void {
  const hub = program.command('hub').description('operate a hub (on the hub machine)');
  hub
    .command('init')
    .description('create the hub store, blob store and hub signing key, and load the agreements')
    .option('--data <dir>', 'data directory', DEFAULT_DATA_DIR)
    .option('--agreements <dir>', 'agreement files', DEFAULT_AGREEMENTS_DIR)
    .option('--officer <party=file...>', "record a party's first security officer (repeatable), e.g. RU=sergei.asc")
    .action(async (opts: { data: string; agreements: string; officer?: string[] }) => {
      const { AdminError, enrollMember, initHub, readKeyFile } = await admin();
      const officers = (opts.officer ?? []).map((entry) => {
        const match = /^([A-Za-z][A-Za-z0-9-]*)=(.+)$/.exec(entry);
        if (!match) throw new AdminError(`"${entry}" should be PARTY=KEYFILE, e.g. RU=sergei.asc`);
        return { party: match[1]!.toUpperCase(), key: readKeyFile(match[2]!) };
      });
      // All or nothing: build the hub in a staging folder beside the target, move it into place
      // only when every officer is recorded, and remove it on any failure.
      const target = resolve(opts.data);
      if (existsSync(target) && readdirSync(target).length > 0) {
        if (existsSync(hubPaths(target).db)) throw new AdminError(`a hub already exists in ${opts.data}`);
        throw new AdminError(`${opts.data} is not empty: give an empty or new folder with --data`);
      }
      mkdirSync(dirname(target), { recursive: true });
      const staging = `${target}.init-${process.pid}`;
      const now = new Date();
      try {
        const result = await initHub({ dataDir: staging, agreementsDir: opts.agreements, now });
        const members = [];
        for (const o of officers) members.push(await enrollMember({ dataDir: staging, agreementsDir: opts.agreements, party: o.party, publicKey: o.key, roles: ['officer'], clearance: 'TOP SECRET', now }));
        if (existsSync(target)) rmdirSync(target);
        renameSync(staging, target);
        console.log(`Hub created in ${opts.data}. Hub key ${result.fingerprint}. Agreements: ${result.agreements.join(', ')}.`);
        for (const member of members) console.log(`First security officer of ${member.party}: ${member.name} ${member.fingerprint}.`);
      } catch (error) {
        rmSync(staging, { recursive: true, force: true });
        throw error instanceof AdminError ? new AdminError(`${error.message}; nothing was created`) : error;
      }
    });
  hub
    .command('enroll')
    .description("record a party's first security officer (everyone else is enrolled by officers)")
    .option('--data <dir>', 'data directory', DEFAULT_DATA_DIR)
    .option('--agreements <dir>', 'agreement files', DEFAULT_AGREEMENTS_DIR)
    .requiredOption('--party <party>', 'the party, e.g. RU')
    .requiredOption('--key <file>', 'the public key file (armored or binary; liaison or gpg export)')
    .option('--roles <roles>', 'comma-separated; must include officer', 'officer')
    .option('--clearance <level>', 'RESTRICTED, CONFIDENTIAL, SECRET or TOP SECRET, or a national label of the party', 'TOP SECRET')
    .action(async (opts: { data: string; agreements: string; party: string; key: string; roles: string; clearance: string }) => {
      const { enrollMember, readKeyFile } = await admin();
      const member = await enrollMember({
        dataDir: opts.data,
        agreementsDir: opts.agreements,
        party: opts.party.toUpperCase(),
        publicKey: readKeyFile(opts.key),
        roles: opts.roles.split(',').map((r) => r.trim()).filter(Boolean),
        clearance: opts.clearance,
        now: new Date(),
      });
      console.log(`Enrolled ${member.name} ${member.fingerprint} for ${member.party} as ${member.roles.join(', ')}, cleared ${member.clearance}.`);
    });

  program
    .command('serve')
    .description('run the hub server')
    .option('--data <dir>', 'data directory', DEFAULT_DATA_DIR)
    .option('--agreements <dir>', 'agreement files', DEFAULT_AGREEMENTS_DIR)
    .option('--port <n>', 'TCP port (0 picks a free one)', '8443')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--log-file <file>', 'write the log here instead of standard output')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (chain); needs --tls-key')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .action(async (opts: { data: string; agreements: string; port: string; host: string; logFile?: string; tlsCert?: string; tlsKey?: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`"${opts.port}" is not a port number`);
      if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) throw new Error('--tls-cert and --tls-key go together');
      const tls = opts.tlsCert && opts.tlsKey ? { cert: opts.tlsCert, key: opts.tlsKey } : undefined;
      const { startServer } = await import('./main.ts');
      const server = await startServer({ dataDir: opts.data, agreementsDir: opts.agreements, port, host: opts.host, ...(opts.logFile ? { logFile: opts.logFile } : {}), ...(tls ? { tls } : {}) });
      const stop = () => {
        void server.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // The one line scripts wait for: the URL the hub answers on (printed once a stop is clean).
      console.log(`Liaison hub listening on ${server.url}`);
      console.log(`Web client: ${server.url}/`);
    });
}
