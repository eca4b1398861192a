/**
 * The person's commands: keys, login, send, attach, submit, inbox, fetch, releases, agreements.
 * Each command parses its flags (commander), calls the client library, and prints plain
 * sentences (or JSON with --json). Errors are one sentence and a non-zero exit, in main.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { fingerprintOf, generatePersonKey, inspectPublicKey, readPublicKey, unlockPrivateKey } from '../../keys/identity.ts';
import { markingLevel } from '../../protocol/agreement.ts';
import { LEVELS, Level } from '../../protocol/levels.ts';
import { PacketKind } from '../../protocol/manifest.ts';
import type { Release } from '../../protocol/release.ts';
import { HubClient } from '../core/api.ts';
import { keySigner, logIn, logOut } from '../core/session.ts';
import { nodeUploader } from '../node/upload.ts';
import { pinnedHub } from '../node/checkpoints.ts';
import {
  ClientError,
  clearSession,
  hasKey,
  homeDir,
  loadSession,
  passphrase,
  readArmoredPrivateKey,
  readArmoredPublicKey,
  saveKey,
  saveSession,
  unlockKey,
} from '../node/home.ts';
import { checkDeclaredLanguage, detectLanguage } from '../core/language.ts';
import { sampleText } from '../node/extract.ts';
import { decideRelease, executeRelease } from '../core/packets.ts';
import { attachTranslation, fetchPacket, mediaTypeOf, sendPacket } from '../node/packets.ts';
import { table } from './output.ts';
import { context, now, printNotices } from './context.ts';
import { addOfficerCommands, addSelfRevokeCommand, addTrustCommands } from './officer.ts';
import { addLabelCommands } from './label.ts';
import { langFile, languageOf, parties, party } from './options.ts';




/** A marking given as a common level (any case, - or _ for space) or as a national label. */
function resolveLevel(value: string, agreement: Awaited<ReturnType<HubClient['agreement']>>): Level {
  const common = Level.safeParse(value.toUpperCase().replace(/[-_]/g, ' '));
  if (common.success) return common.data;
  for (const entry of agreement.markings.levels) {
    if (Object.values(entry.labels).some((label) => label.toLowerCase() === value.toLowerCase())) return entry.level;
  }
  throw new ClientError(`"${value}" is not a marking of ${agreement.id}: use one of ${LEVELS.filter((l) => markingLevel(agreement, l)).join(', ')} or a national label`);
}

export function addClientCommands(program: Command): void {
  program
    .command('keygen')
    .description('make your key pair (Ed25519/Curve25519, GnuPG 2.2 compatible) in LIAISON_HOME')
    .requiredOption('--name <name>', 'your name as it should appear on the key')
    .option('--email <email>', 'your e-mail address')
    .option('--force', 'replace an existing key (the old one is lost)')
    .action(async (opts: { name: string; email?: string; force?: boolean }) => {
      const home = homeDir();
      if (hasKey(home) && !opts.force) throw new ClientError(`there is already a key in ${home}; use --force to replace it`);
      const pass = await passphrase('New passphrase: ');
      const key = await generatePersonKey({ name: opts.name, ...(opts.email ? { email: opts.email } : {}), passphrase: pass, date: now() }).catch((e: Error) => {
        throw new ClientError(e.message.replace(/^Error generating keypair: /, 'cannot make the key: '));
      });
      saveKey(home, key.armoredPrivateKey, key.armoredPublicKey);
      console.log(key.fingerprint);
      console.error(`Key saved in ${home}. Give the public key (liaison key export --public) to your security officer.`);
    });

  const key = program.command('key').description('show or export your key');
  key
    .command('export')
    .description('write your key, armored, for gpg --import or your officer')
    .option('--public', 'the public key')
    .option('--secret', 'the passphrase-protected private key')
    .option('--out <file>', 'write to a file instead of standard output')
    .action((opts: { public?: boolean; secret?: boolean; out?: string }) => {
      if (Boolean(opts.public) === Boolean(opts.secret)) throw new ClientError('say which key: --public or --secret');
      const home = homeDir();
      const armored = opts.secret ? readArmoredPrivateKey(home) : readArmoredPublicKey(home);
      if (opts.out) writeFileSync(opts.out, armored, { mode: opts.secret ? 0o600 : 0o644, flag: 'wx' });
      else process.stdout.write(armored);
    });
  key
    .command('import')
    .description('use an existing key (for example one made with gpg --quick-gen-key) as your Liaison key')
    .requiredOption('--secret <file>', 'the armored private key (gpg --export-secret-keys --armor)')
    .option('--force', 'replace an existing key')
    .action(async (opts: { secret: string; force?: boolean }) => {
      const home = homeDir();
      if (hasKey(home) && !opts.force) throw new ClientError(`there is already a key in ${home}; use --force to replace it`);
      let armored: string;
      try {
        armored = readFileSync(opts.secret, 'utf8');
      } catch {
        throw new ClientError(`cannot read ${opts.secret}`);
      }
      const unlocked = await unlockPrivateKey(armored, await passphrase('Passphrase of the key: ')).catch((e: Error) => {
        throw new ClientError(e.message);
      });
      const info = await inspectPublicKey(unlocked.toPublic(), now()).catch((e: Error) => {
        throw new ClientError(e.message);
      });
      saveKey(home, armored, info.armored);
      console.log(info.fingerprint);
      console.error(`Key ${info.algorithm} imported into ${home}.`);
    });
  addSelfRevokeCommand(key);
  key
    .command('fingerprint')
    .description('print your key fingerprint')
    .action(async () => {
      console.log(fingerprintOf(await readPublicKey(readArmoredPublicKey(homeDir()))));
    });

  program
    .command('login')
    .description('log in to a hub by signing its challenge with your key')
    .requiredOption('--server <url>', 'the hub, for example http://127.0.0.1:8443')
    .action(async (opts: { server: string }) => {
      const home = homeDir();
      const privateKey = await unlockKey(home);
      const fingerprint = fingerprintOf(privateKey);
      let api: HubClient;
      try {
        api = new HubClient(new URL(opts.server).toString(), undefined, nodeUploader);
      } catch {
        throw new ClientError(`"${opts.server}" is not a URL`);
      }
      const session = await logIn(api, keySigner(privateKey, now), now, pinnedHub(home));
      saveSession(home, { server: api.baseUrl, token: session.token, fingerprint, party: session.member.party, expiresAt: session.expiresAt });
      console.log(`Logged in to ${api.baseUrl} as ${session.member.name} (${session.member.party}; ${session.member.roles.join(', ')}; cleared ${session.member.clearance}) until ${session.expiresAt}.`);
    });

  program
    .command('logout')
    .description('end your session on the hub')
    .action(async () => {
      const home = homeDir();
      const session = loadSession(home);
      await logOut(new HubClient(session.server, session.token)).catch(() => undefined);
      clearSession(home);
      console.log('Logged out.');
    });

  program
    .command('whoami')
    .description('show who you are logged in as')
    .action(async () => {
      const session = loadSession(homeDir());
      const me = await new HubClient(session.server, session.token).me();
      console.log(`${me.name} ${me.fingerprint} party ${me.party}, roles ${me.roles.join(', ')}, cleared ${me.clearance}, hub ${session.server}`);
    });

  program
    .command('agreements')
    .description('list the agreements on the hub, or show one with its rules and articles')
    .argument('[id]', 'an agreement id such as RU-PK')
    .option('--server <url>', 'the hub (default: the one you are logged in to)')
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, opts: { server?: string; json?: boolean }) => {
      const api = new HubClient(opts.server ?? loadSession(homeDir()).server);
      if (!id) {
        const list = await api.agreements();
        if (opts.json) return console.log(JSON.stringify(list, null, 2));
        console.log(table([['ID', 'STATUS', 'PARTIES', 'TITLE'], ...list.map((a) => [a.id, a.provisional && a.status !== 'provisional' ? `${a.status} (provisional)` : a.status, a.parties.join(','), a.title])]));
        return;
      }
      const { agreement: a, rules } = await api.agreementView(id);
      if (opts.json) return console.log(JSON.stringify({ agreement: a, rules }, null, 2));
      const lines = [
        `${a.id}: ${a.title}${a.provisional ? ' (PROVISIONAL: conservative defaults, no treaty text yet)' : ''}`,
        `Parties: ${a.parties.map((p) => `${p.id} ${p.name}`).join('; ')}`,
        ...rules.map((r) => `${r.topic} [${r.article}${r.provisional ? ', provisional' : ''}]: ${r.rule}`),
      ];
      console.log(lines.join('\n'));
    });

  program
    .command('send')
    .description('encrypt, sign and send a packet')
    .requiredOption('--agreement <id>', 'the agreement it is sent under, e.g. RU-PK')
    .requiredOption('--to <party...>', 'receiving party or parties (repeat or comma-separate)', parties)
    .requiredOption('--marking <level>', 'TOP SECRET, SECRET, CONFIDENTIAL, RESTRICTED, or your national label')
    .requiredOption('--original <file>', 'the document')
    .option('--lang <tag>', 'language of the original (BCP 47); detected when omitted')
    .option('--translation <lang:file>', 'a translation, e.g. en:request-en.txt (repeatable)', langFile)
    .option('--attachment <lang:file>', 'an attachment (repeatable)', langFile)
    .addOption(new Option('--kind <kind>', 'what the packet is').choices(PacketKind.options).default('information'))
    .option('--authority <id>', 'your competent authority under the agreement')
    .option('--in-reply-to <packet>', 'the packet this answers')
    .option('--draft', 'keep it as a draft of your party (for a clerk to add a translation)')
    .option('--stamp', 'stamp PDF and DOCX parts with the marking before encrypting them (the stamped bytes are signed)')
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress bars')
    .action(async (opts: { agreement: string; to: string[]; marking: string; original: string; lang?: string; translation?: Array<{ lang: string; path: string }>; attachment?: Array<{ lang: string; path: string }>; kind: string; authority?: string; inReplyTo?: string; draft?: boolean; stamp?: boolean; json?: boolean; quiet?: boolean }) => {
      const { ctx, done } = await context(opts);
      try {
        const agreement = await ctx.api.agreement(opts.agreement.toUpperCase());
        const level = resolveLevel(opts.marking, agreement);
        const lang = await languageOf(opts.original, opts.lang);
        const result = await sendPacket(ctx, {
          agreementId: agreement.id,
          to: opts.to,
          level,
          kind: PacketKind.parse(opts.kind),
          original: { path: opts.original, lang },
          translations: opts.translation ?? [],
          attachments: opts.attachment ?? [],
          ...(opts.authority ? { authority: opts.authority } : {}),
          ...(opts.inReplyTo ? { inReplyTo: opts.inReplyTo } : {}),
          draft: Boolean(opts.draft),
          stamp: Boolean(opts.stamp),
        });
        done();
        if (opts.json) return console.log(JSON.stringify(result, null, 2));
        printNotices(result.notices);
        console.log(result.packetId);
        console.error(result.state === 'draft' ? 'Kept as a draft of your party: a clerk can attach the translation, then submit it.' : `Sent to ${opts.to.join(', ')}.`);
      } finally {
        done();
      }
    });

  program
    .command('attach')
    .description('attach a translation to a draft of your party')
    .argument('<packet>', 'the packet id')
    .requiredOption('--translation <lang:file>', 'the translation, e.g. en:request-en.txt', langFile)
    .option('--submit', 'submit the packet as soon as it is complete')
    .option('--quiet', 'no progress bars')
    .action(async (packetId: string, opts: { translation: Array<{ lang: string; path: string }>; submit?: boolean; quiet?: boolean }) => {
      const { ctx, done } = await context(opts);
      try {
        for (const [i, t] of opts.translation.entries()) {
          const result = await attachTranslation(ctx, packetId, t, Boolean(opts.submit) && i === opts.translation.length - 1);
          done();
          printNotices(result.notices);
          console.log(`Attached ${t.lang} to ${packetId} (revision ${result.revision}, ${result.state}).`);
        }
      } finally {
        done();
      }
    });

  program
    .command('submit')
    .description('submit a complete draft: it is delivered to the receiving parties')
    .argument('<packet>', 'the packet id')
    .action(async (packetId: string) => {
      const session = loadSession(homeDir());
      const result = await new HubClient(session.server, session.token).submit(packetId);
      console.log(`Submitted ${result.packetId}.`);
    });

  program
    .command('inbox')
    .description('list the packets you can see')
    .addOption(new Option('--box <box>', 'which packets').choices(['inbox', 'sent', 'drafts', 'all']).default('all'))
    .option('--json', 'print JSON')
    .action(async (opts: { box: 'inbox' | 'sent' | 'drafts' | 'all'; json?: boolean }) => {
      const session = loadSession(homeDir());
      const list = await new HubClient(session.server, session.token).packets(opts.box);
      if (opts.json) return console.log(JSON.stringify(list, null, 2));
      if (list.length === 0) return console.log('No packets.');
      console.log(
        table([
          ['PACKET', 'MARKING', 'FROM', 'TO', 'KIND', 'STATE', 'DATE'],
          ...list.map((p) => [p.packetId, `${p.level} / ${p.labels[session.party] ?? p.labels[p.senderParty] ?? ''}`, p.senderParty, p.recipients.join(','), p.kind, p.relation === 'sent' ? p.state : p.relation, (p.submittedAt ?? p.createdAt).slice(0, 16).replace('T', ' ')]),
        ]),
      );
    });

  program
    .command('fetch')
    .description('download, verify and decrypt a packet (or keep the ciphertext with --raw)')
    .argument('<packet>', 'the packet id')
    .requiredOption('--out <dir>', 'where to write the files')
    .option('--raw', 'save the encrypted parts and the signed manifest as they are, for gpg')
    .option('--json', 'print JSON')
    .option('--quiet', 'no progress bars')
    .action(async (packetId: string, opts: { out: string; raw?: boolean; json?: boolean; quiet?: boolean }) => {
      const { ctx, done } = await context(opts);
      try {
        const result = await fetchPacket(ctx, packetId, opts.out, Boolean(opts.raw));
        done();
        if (opts.json) return console.log(JSON.stringify({ packetId, marking: result.manifest.marking, files: result.files, notices: result.notices }, null, 2));
        const m = result.manifest;
        console.log(`${m.marking.level} (${Object.entries(m.marking.labels).map(([p, l]) => `${p}: ${l}`).join(', ')}) ${m.kind} from ${m.sender.party} under ${m.agreementId}`);
        for (const f of result.files) {
          console.log(`  ${f.partId} ${f.role} [${f.lang}] -> ${f.path}${f.signer ? ` (signed by ${f.signer})` : ''}`);
          if (f.stampedCopy) console.log(`     stamped copy -> ${f.stampedCopy}`);
        }
        printNotices(result.notices);
      } finally {
        done();
      }
    });

  const release = program.command('release').description('onward release of a packet to a third party');
  const printRelease = (r: Release) => {
    const note = { requested: `waiting for the written consent of ${r.originParty}`, consented: `consented by ${r.originParty}`, refused: `refused by ${r.originParty}`, executed: `released to ${r.thirdParty}` }[r.state];
    console.log(`${r.id} ${r.state}: packet ${r.packetId} to ${r.thirdParty} for "${r.purpose}" (asked by ${r.requestingParty}; ${note})`);
  };
  release
    .command('request')
    .description('ask the originating party for consent to release a packet to a third party')
    .argument('<packet>', 'the packet id')
    .requiredOption('--to <party>', 'the third party')
    .requiredOption('--purpose <text>', 'why it should be released')
    .action(async (packetId: string, opts: { to: string; purpose: string }) => {
      const session = loadSession(homeDir());
      const r = await new HubClient(session.server, session.token).requestRelease(packetId, opts.to.toUpperCase(), opts.purpose);
      console.log(r.id);
      console.error(`Release requested; it stays blocked until ${r.originParty}'s security officer consents.`);
    });
  release
    .command('consent')
    .description("record your party's signed consent to a release (or --refuse it), as security officer; --to states who it is for, and nothing is signed unless the hub's record matches")
    .argument('<release>', 'the release id')
    .requiredOption('--to <party>', 'the third party you consent to (or refuse) release to; for a use for another purpose, the party asking', party)
    .option('--purpose <text>', 'also require the purpose to be exactly this')
    .option('--packet <id>', 'also require the release to be about this packet')
    .option('--refuse <reason>', 'refuse, with written reasons')
    .option('--conditions <text>', 'conditions attached to the consent')
    .option('--expires <date>', 'the consent lapses at this date/time if not used (ISO 8601)')
    .action(async (releaseId: string, opts: { to: string; purpose?: string; packet?: string; refuse?: string; conditions?: string; expires?: string }) => {
      let expiresAt: string | undefined;
      if (opts.expires) {
        const d = new Date(opts.expires);
        if (Number.isNaN(d.getTime())) throw new ClientError(`"${opts.expires}" is not a date`);
        expiresAt = d.toISOString();
      }
      const { ctx } = await context({ quiet: true });
      const r = await decideRelease(
        ctx,
        releaseId,
        { ...(opts.refuse ? { refuse: opts.refuse } : {}), ...(opts.conditions ? { conditions: opts.conditions } : {}), ...(expiresAt ? { expiresAt } : {}) },
        { thirdParty: opts.to, ...(opts.purpose !== undefined ? { purpose: opts.purpose } : {}), ...(opts.packet ? { packetId: opts.packet } : {}) },
        (lines) => lines.forEach((line) => console.error(line)),
      );
      printRelease(r);
    });
  release
    .command('execute')
    .description('release a consented packet: re-wrap its keys for the third party')
    .argument('<release>', 'the release id')
    .action(async (releaseId: string) => {
      const { ctx } = await context({ quiet: true });
      printRelease(await executeRelease(ctx, releaseId));
    });
  release
    .command('list')
    .description('releases of your party (to decide, to execute, done)')
    .argument('[packet]', 'only this packet')
    .option('--json', 'print JSON')
    .action(async (packetId: string | undefined, opts: { json?: boolean }) => {
      const session = loadSession(homeDir());
      const api = new HubClient(session.server, session.token);
      const list = packetId ? await api.releasesOf(packetId) : await api.releases();
      if (opts.json) return console.log(JSON.stringify(list, null, 2));
      if (list.length === 0) return console.log('No releases.');
      list.forEach(printRelease);
    });

  program
    .command('check-language')
    .description('tell what language a text file is in, and whether it matches a declared one')
    .argument('<file>')
    .option('--lang <tag>', 'the declared language')
    .action(async (file: string, opts: { lang?: string }) => {
      const text = await sampleText(file, mediaTypeOf(file)).catch(() => {
        throw new ClientError(`cannot read ${file}`);
      });
      if (text === null) throw new ClientError(`${file} is not a text file (${mediaTypeOf(file)})`);
      if (!opts.lang) return console.log(detectLanguage(text).lang);
      const v = checkDeclaredLanguage(text, opts.lang);
      console.log(v.status === 'match' || v.status === 'mismatch' ? `${v.status}: ${v.detected}` : `${v.status}: ${v.reason}`);
      if (v.status === 'mismatch') process.exitCode = 1;
    });

  addTrustCommands(program);
  addOfficerCommands(program);
  addLabelCommands(program);
}
