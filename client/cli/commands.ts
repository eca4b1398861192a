/**
 * The person's commands: keys, login, send, attach, submit, inbox, fetch, releases, agreements.
 * Each command parses its flags (commander), calls the client library, and prints plain
 * sentences (or JSON with --json). Errors are one sentence and a non-zero exit, in main.ts.
 * Holds no rule of its own: whatever decides (who is cleared, what a level means, whether a
 * signature holds) is in client/core/, reached directly or through client/node/.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { fingerprintOf, generatePersonKey, inspectPublicKey, readPublicKey, unlockPrivateKey } from '../../keys/identity.ts';
import { PacketKind } from '../../protocol/manifest.ts';
import type { Release } from '../../protocol/release.ts';
import { hubAtUrl, loggedInHub, sessionIfAny } from '../node/session.ts';
import {
  ClientError,
  hasKey,
  homeDir,
  markRead,
  passphrase,
  readPackets,
  readArmoredPrivateKey,
  readArmoredPublicKey,
  saveKey,
  sessionFile,
  unlockKey,
} from '../node/home.ts';
import type { ClientContext } from '../core/context.ts';
import { isTypedError } from '../core/errors.ts';
import { localTime, printJson, table, timeZone } from './output.ts';
import { context, now, printNotices } from './context.ts';
import { addOfficerCommands, addSelfRevokeCommand, addTrustCommands } from './officer.ts';
import { addLabelCommands } from './label.ts';
import { langFile, languageOf, morePages, pageOptions, parties, party, readPages, type PageFlags } from './options.ts';
import { outputFolder, readText } from '../node/files.ts';
import { sinceDate, untilDate } from '../core/dates.ts';
import { resolveMarking } from '../core/levels.ts';
import type { ReleaseTerms } from '../core/releases.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type PacketBox, type PacketSummary } from '../../protocol/api.ts';

// Registering the commands (and `--help`) loads only what their flags need; what a command runs
// (sending, opening, releases, sessions) is imported by its action when it runs (CLI start-up).

/** The directory for verifying decisions, when this person can unlock a key; listings work without one. */
async function verifier(): Promise<{ ctx?: ClientContext }> {
  try {
    return { ctx: (await context({ quiet: true })).ctx };
  } catch (error) {
    if (isTypedError(error)) return {}; // no key, no passphrase, no pins: list without the terms
    throw error;
  }
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
      const key = await generatePersonKey({ name: opts.name, ...(opts.email ? { email: opts.email } : {}), passphrase: pass, date: now() });
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
      const armored = readText(opts.secret);
      // KeyError (in words) when the passphrase does not open it or the key is not one Liaison uses.
      const unlocked = await unlockPrivateKey(armored, await passphrase('Passphrase of the key: '));
      const info = await inspectPublicKey(unlocked.toPublic(), now());
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
    .option('--json', 'print the result as JSON')
    .action(async (opts: { server: string; json?: boolean }) => {
      const [{ keySigner, startSession }, { hubPinFile }] = await Promise.all([import('../core/session.ts'), import('../node/checkpoints.ts')]);
      const home = homeDir();
      const api = hubAtUrl(opts.server);
      const session = await startSession(api, keySigner(await unlockKey(home), now), now, { sessions: sessionFile(home), hubPin: hubPinFile(home) });
      if (printJson(opts.json, { server: api.baseUrl, member: session.member, expiresAt: session.expiresAt })) return;
      console.log(`Logged in to ${api.baseUrl} as ${session.member.name} (${session.member.party}; ${session.member.roles.join(', ')}; cleared ${session.member.clearance}) until ${localTime(session.expiresAt)}.`);
    });

  program
    .command('logout')
    .description('end your session on the hub')
    .action(async () => {
      const { endSession } = await import('../core/session.ts');
      const home = homeDir();
      await endSession(loggedInHub(home).api, sessionFile(home));
      console.log('Logged out.');
    });

  program
    .command('whoami')
    .description('show who you are logged in as')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { session, api } = loggedInHub();
      const me = await api.me();
      if (printJson(opts.json, { ...me, server: session.server, sessionExpiresAt: session.expiresAt })) return;
      console.log(`${me.name} ${me.fingerprint} party ${me.party}, roles ${me.roles.join(', ')}, cleared ${me.clearance}, hub ${session.server}, session until ${localTime(session.expiresAt)}`);
    });

  program
    .command('agreements')
    .description('list the agreements on the hub, or show one with its rules and articles')
    .argument('[id]', 'an agreement id such as RU-PK')
    .option('--server <url>', 'the hub (default: the one you are logged in to)')
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, opts: { server?: string; json?: boolean }) => {
      const saved = sessionIfAny();
      if (!saved && !opts.server) throw new ClientError('say which hub: log in first (liaison login --server URL) or give --server URL');
      const mine = saved?.session.party;
      const api = opts.server ? hubAtUrl(opts.server) : saved!.api;
      if (!id) {
        const list = await api.agreements();
        if (opts.json) return console.log(JSON.stringify(list.map((a) => ({ ...a, mine: mine !== undefined && a.parties.includes(mine) })), null, 2));
        console.log(table([['', 'ID', 'STATUS', 'PARTIES', 'TITLE'], ...list.map((a) => [mine && a.parties.includes(mine) ? '*' : '', a.id, a.provisional && a.status !== 'provisional' ? `${a.status} (provisional)` : a.status, a.parties.join(','), a.title])]));
        if (mine) console.log(`* ${mine} is a party (liaison agreements ID shows the rules).`);
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
        const { sendPacket } = await import('../node/sending.ts');
        const agreement = await ctx.api.agreement(opts.agreement.toUpperCase());
        const level = resolveMarking(opts.marking, agreement);
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
    .option('--json', 'print the result as JSON')
    .action(async (packetId: string, opts: { translation: Array<{ lang: string; path: string }>; submit?: boolean; quiet?: boolean; json?: boolean }) => {
      const { attachTranslation } = await import('../node/sending.ts');
      const { ctx, done } = await context(opts);
      try {
        const results = [];
        for (const [i, t] of opts.translation.entries()) {
          const result = await attachTranslation(ctx, packetId, t, Boolean(opts.submit) && i === opts.translation.length - 1);
          done();
          results.push({ ...result, lang: t.lang });
          if (opts.json) continue;
          printNotices(result.notices);
          console.log(`Attached ${t.lang} to ${packetId} (revision ${result.revision}, ${result.state}).`);
        }
        printJson(opts.json, results);
      } finally {
        done();
      }
    });

  program
    .command('submit')
    .description('submit a complete draft: it is delivered to the receiving parties')
    .argument('<packet>', 'the packet id')
    .option('--json', 'print the result as JSON')
    .action(async (packetId: string, opts: { json?: boolean }) => {
      const result = await loggedInHub().api.submit(packetId);
      if (printJson(opts.json, result)) return;
      console.log(`Submitted ${result.packetId}: it is delivered to the receiving parties.`);
    });

  program
    .command('inbox')
    .description('list the packets you can see, newest first, one page at a time: * marks one you have not fetched yet; released ones show their conditions')
    .addOption(new Option('--box <box>', 'which packets').choices(['inbox', 'sent', 'drafts', 'all']).default('all'))
    .option('--agreement <id>', 'only packets under this agreement')
    .addOption(new Option('--kind <kind>', 'only packets of this kind').choices(PacketKind.options))
    .addOption(new Option('--state <state>', 'only drafts or only submitted packets').choices(['draft', 'submitted']))
    .option('--since <date>', 'only packets created at or after this date (a date means the start of that day in your time zone, or an ISO 8601 instant)', sinceDate)
    .option('--limit <n>', `packets per page (1-${MAX_PAGE_SIZE})`, String(DEFAULT_PAGE_SIZE))
    .option('--cursor <cursor>', 'continue where the previous page ended')
    .option('--all', 'page through everything instead of printing one page')
    .option('--json', 'print JSON (the packets as an array)')
    .action(async (opts: { box: PacketBox; agreement?: string; kind?: string; state?: 'draft' | 'submitted'; since?: string; limit: string; cursor?: string; all?: boolean; json?: boolean }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new ClientError(`--limit takes a whole number from 1 to ${MAX_PAGE_SIZE}`);
      const home = homeDir();
      const { session, api } = loggedInHub(home);
      const query = { box: opts.box, agreement: opts.agreement, kind: opts.kind, state: opts.state, since: opts.since, limit };
      const list: PacketSummary[] = [];
      let next: string | null = null;
      if (opts.all) {
        for await (const p of api.packets(query)) list.push(p);
      } else {
        const page = await api.packetPage({ ...query, ...(opts.cursor ? { cursor: opts.cursor } : {}) });
        list.push(...page.items);
        next = page.nextCursor;
      }
      const seen = readPackets(home);
      const unread = (p: { packetId: string; relation: string }) => p.relation !== 'sent' && !seen.has(p.packetId);
      // Conditions travel with a released packet: read them from the originator's signed decisions.
      const releases = list.some((p) => p.relation === 'released') ? await import('../core/releases.ts') : undefined;
      const terms = releases ? await releases.termsOfReleasedPackets((await verifier()).ctx, api.releases({ limit: MAX_PAGE_SIZE }), session.party) : new Map<string, ReleaseTerms[]>();
      if (opts.json) {
        console.log(JSON.stringify(list.map((p) => ({ ...p, unread: unread(p), ...(terms.has(p.packetId) ? { releaseTerms: terms.get(p.packetId) } : {}) })), null, 2));
      } else if (list.length === 0) {
        console.log('No packets.');
      } else {
        console.log(
          table([
            ['', 'PACKET', 'AGREEMENT', 'MARKING', 'FROM', 'TO', 'KIND', 'STATE', `DATE (${timeZone()})`],
            ...list.map((p) => [unread(p) ? '*' : '', p.packetId, p.agreementId, `${p.level} / ${p.labels[session.party] ?? p.labels[p.senderParty] ?? ''}`, p.senderParty, p.recipients.join(','), p.kind, p.relation === 'sent' ? p.state : p.relation, localTime(p.submittedAt ?? p.createdAt)]),
          ]),
        );
        const count = list.filter(unread).length;
        if (count > 0) console.log(`${count} unread (not fetched by you yet).`);
        for (const [packetId, received] of terms) {
          console.log(`${packetId} reached ${session.party} through a release:`);
          for (const t of received) for (const line of releases!.describeTerms(t, (iso) => localTime(iso))) console.log(`  ${line}`);
        }
      }
      if (next) console.error(`More packets: liaison inbox --cursor ${next} (same options), or --all.`);
    });

  program
    .command('fetch')
    .description('download, verify and decrypt a packet into an empty folder (or keep the ciphertext with --raw)')
    .argument('<packet>', 'the packet id')
    .requiredOption('--out <dir>', 'an empty or new folder to write the files into')
    .option('--force', 'write into a folder that already has files (existing names are never overwritten)')
    .option('--raw', 'save the encrypted parts and the signed manifest as they are, for gpg')
    .option('--json', 'print JSON')
    .option('--quiet', 'no progress bars')
    .action(async (packetId: string, opts: { out: string; force?: boolean; raw?: boolean; json?: boolean; quiet?: boolean }) => {
      outputFolder(opts.out, Boolean(opts.force));
      const [{ fetchPacket }, { conditionsNotice, describeTerms, termsReceivedUnder }] = await Promise.all([import('../node/opening.ts'), import('../core/releases.ts')]);
      const { ctx, done } = await context(opts);
      try {
        const result = await fetchPacket(ctx, packetId, opts.out, Boolean(opts.raw));
        done();
        const terms = await termsReceivedUnder(ctx, packetId);
        let conditionsFile: string | undefined;
        if (terms.length > 0) {
          conditionsFile = join(opts.out, 'RELEASE-CONDITIONS.txt');
          writeFileSync(conditionsFile, conditionsNotice(packetId, result.manifest.marking.level, ctx.me.party, terms, (iso) => localTime(iso, true)), { mode: 0o600, flag: opts.force ? 'w' : 'wx' });
        }
        markRead(homeDir(), packetId);
        if (opts.json) return console.log(JSON.stringify({ packetId, marking: result.manifest.marking, files: result.files, notices: result.notices, releaseTerms: terms, ...(conditionsFile ? { conditionsFile } : {}) }, null, 2));
        const m = result.manifest;
        console.log(`${m.marking.level} (${Object.entries(m.marking.labels).map(([p, l]) => `${p}: ${l}`).join(', ')}) ${m.kind} from ${m.sender.party} under ${m.agreementId}`);
        for (const f of result.files) {
          console.log(`  ${f.partId} ${f.role} [${f.lang}] -> ${f.path}${f.signer ? ` (signed by ${f.signerName ?? f.signer})` : ''}`);
          if (f.stampedCopy) console.log(`     stamped copy -> ${f.stampedCopy}`);
        }
        for (const t of terms) for (const line of describeTerms(t, (iso) => localTime(iso))) console.log(`  ${line}`);
        if (conditionsFile) console.log(`  The terms are also written to ${conditionsFile}.`);
        printNotices(result.notices);
      } finally {
        done();
      }
    });

  const release = program.command('release').description('onward release of a packet to a third party');
  /** A release in one line, then its signed terms (conditions, expiry, refusal reasons) as verified. */
  const showRelease = async (r: Release, ctx?: Pick<ClientContext, 'directory' | 'now'>): Promise<ReleaseTerms | undefined> => {
    const note = { requested: `waiting for the written consent of ${r.originParty}`, consented: `consented by ${r.originParty}`, refused: `refused by ${r.originParty}`, executed: `released to ${r.thirdParty}` }[r.state];
    console.log(`${r.id} ${r.state}: packet ${r.packetId} to ${r.thirdParty} for "${r.purpose}" (asked by ${r.requestingParty}; ${note})`);
    const { describeTerms, releaseTerms } = await import('../core/releases.ts');
    const terms = ctx ? await releaseTerms(ctx, r) : undefined;
    if (terms) for (const line of describeTerms(terms, (iso) => localTime(iso))) console.log(`  ${line}`);
    return terms;
  };
  release
    .command('request')
    .description('ask the originating party for consent to release a packet to a third party')
    .argument('<packet>', 'the packet id')
    .requiredOption('--to <party>', 'the third party', party)
    .requiredOption('--purpose <text>', 'why it should be released')
    .option('--json', 'print the release as JSON')
    .action(async (packetId: string, opts: { to: string; purpose: string; json?: boolean }) => {
      const r = await loggedInHub().api.requestRelease(packetId, opts.to, opts.purpose);
      if (opts.json) return console.log(JSON.stringify(r, null, 2));
      console.log(r.id);
      console.error(`Release requested; it stays blocked until ${r.originParty}'s security officer consents (liaison release consent ${r.id}).`);
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
    .option('--expires <date>', 'the consent lapses then if not used: a date (2026-12-31) means the end of that day in your time zone')
    .option('--json', 'print the release and its signed terms as JSON')
    .action(async (releaseId: string, opts: { to: string; purpose?: string; packet?: string; refuse?: string; conditions?: string; expires?: string; json?: boolean }) => {
      if (opts.refuse && (opts.conditions || opts.expires)) throw new ClientError('a refusal has written reasons only: drop --conditions and --expires, or drop --refuse to consent');
      const expires = opts.expires ? untilDate(opts.expires) : undefined;
      const { decideRelease, releaseTerms } = await import('../core/releases.ts');
      const { ctx } = await context({ quiet: true });
      const r = await decideRelease(
        ctx,
        releaseId,
        { ...(opts.refuse ? { refuse: opts.refuse } : {}), ...(opts.conditions ? { conditions: opts.conditions } : {}), ...(expires ? { expiresAt: expires.iso } : {}) },
        { thirdParty: opts.to, ...(opts.purpose !== undefined ? { purpose: opts.purpose } : {}), ...(opts.packet ? { packetId: opts.packet } : {}) },
        (lines) => lines.forEach((line) => console.error(line)),
      );
      if (opts.json) return console.log(JSON.stringify({ release: r, terms: await releaseTerms(ctx, r) }, null, 2));
      await showRelease(r, ctx);
      if (expires?.endOfDay) console.error(`  ${opts.expires} was taken as the end of that day in your time zone (${timeZone()}): ${localTime(expires.iso, true)}.`);
    });
  release
    .command('execute')
    .description('release a consented packet: re-wrap its keys for the third party')
    .argument('<release>', 'the release id')
    .option('--json', 'print the release and its signed terms as JSON')
    .action(async (releaseId: string, opts: { json?: boolean }) => {
      const [{ executeRelease }, { releaseTerms }] = await Promise.all([import('../core/rewrap.ts'), import('../core/releases.ts')]);
      const { ctx } = await context({ quiet: true });
      const r = await executeRelease(ctx, releaseId);
      if (opts.json) return console.log(JSON.stringify({ release: r, terms: await releaseTerms(ctx, r) }, null, 2));
      await showRelease(r, ctx);
      console.error(`  ${r.thirdParty} receives these conditions with the packet: in its inbox, on fetch, and in RELEASE-CONDITIONS.txt beside the files.`);
    });
  pageOptions(
    release.command('list').description('releases your party asked for, decides, or received, with their conditions, expiry or reasons, one page at a time (newest first; of one packet: oldest first)').argument('[packet]', 'only this packet'),
    'releases',
  )
    .option('--json', 'print JSON')
    .action(async (packetId: string | undefined, opts: PageFlags & { json?: boolean }) => {
      const { api } = loggedInHub();
      const { items: list, next } = await readPages(opts, (page) => (packetId ? api.releasesOfPage(packetId, page) : api.releasePage(page)));
      const { ctx } = await verifier();
      if (opts.json) {
        const { releaseTerms } = await import('../core/releases.ts');
        const out = [];
        for (const r of list) out.push({ ...r, terms: ctx ? await releaseTerms(ctx, r) : undefined });
        console.log(JSON.stringify(out, null, 2));
        return morePages(next, packetId ? `release list ${packetId}` : 'release list');
      }
      if (list.length === 0 && !next) return console.log(packetId ? `No releases of ${packetId} that your party may see.` : 'No releases.');
      for (const r of list) await showRelease(r, ctx);
      if (!ctx && list.some((r) => r.decision)) console.error('  (conditions and reasons are shown once your key can be unlocked: set LIAISON_PASSPHRASE)');
      morePages(next, packetId ? `release list ${packetId}` : 'release list');
    });

  program
    .command('check-language')
    .description('tell what language a text file is in, and whether it matches a declared one')
    .argument('<file>')
    .option('--lang <tag>', 'the declared language')
    .action(async (file: string, opts: { lang?: string }) => {
      const [{ checkDeclaredLanguage, detectLanguage }, { fileSample }, { mediaTypeOf }] = await Promise.all([import('../core/language.ts'), import('../node/extract.ts'), import('../node/part-files.ts')]);
      const sample = await fileSample(file, mediaTypeOf(file)).catch(() => {
        throw new ClientError(`cannot read ${file}`);
      });
      if ('unread' in sample) throw new ClientError(`the language of ${file} cannot be told: ${sample.unread}`);
      const { text } = sample;
      if (!opts.lang) return console.log(detectLanguage(text).lang);
      const v = checkDeclaredLanguage(text, opts.lang);
      console.log(v.status === 'match' || v.status === 'mismatch' ? `${v.status}: ${v.detected}` : `${v.status}: ${v.reason}`);
      if (v.status === 'mismatch') process.exitCode = 1;
    });

  addTrustCommands(program);
  addOfficerCommands(program);
  addLabelCommands(program);
}
