/**
 * Trust and key management on the command line: pins of partner officers, an officer's work on
 * the people of their party (enroll, change clearance or roles, revoke, rotate), the contact
 * directory, and re-wrapping earlier packets for a colleague.
 * It never builds or signs a statement itself: client/core/officer.ts does; it never trusts a key
 * the pins do not vouch for (client/core/trust.ts).
 */
import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { fingerprintOf, holdsSecretKey, inspectPublicKey, readPublicKey, readPublicKeyBytes, unlockPrivateKey } from '../../keys/identity.ts';
import { collect as collectAll } from '../core/api.ts';
import type { Role } from '../../protocol/ids.ts';
import { ClientError, homeDir, passphrase, readArmoredPublicKey, saveKey, sessionFile } from '../node/home.ts';
import { parsePinsFile, PINS_FORMAT, type PinsFile } from '../core/storage.ts';
import { context, now } from './context.ts';
import { localTime, printJson, table } from './output.ts';
import { fingerprint, isoDate, party, roles } from './options.ts';
import { readBytes, readText } from '../node/files.ts';
import { sinceDate } from '../core/dates.ts';
import { isRaise, resolveClearance } from '../core/levels.ts';

// What the commands run (statements, re-wrapping, the trust store) is imported by each action
// when it runs: registering them, and `liaison --help`, loads none of it (CLI start-up).
const trustFile = () => import('../node/trust-file.ts');
const officerWork = () => import('../core/officer.ts');

/** A repeatable option collected in order, each value parsed. */
function collect(parse: (value: string) => string) {
  return (value: string, previous: string[] = []) => [...previous, parse(value)];
}

export function addTrustCommands(program: Command): void {
  const trust = program.command('trust').description("pin partner parties' security officers (fingerprints exchanged out of band)");
  trust
    .command('add')
    .description('pin officer keys of parties (one or several --party P --officer FPR pairs, or --file): keys those officers vouch for become trusted')
    .option('--party <party>', 'a party, e.g. PK (repeat, each followed by its --officer)', collect(party), [])
    .option('--officer <fingerprint>', 'the officer key fingerprint, as notified in writing', collect(fingerprint), [])
    .option('--file <pins>', 'a file of pins an officer handed out (liaison trust export)')
    .option('--server <url>', 'the hub whose agreements name the parties (default: the one you are logged in to)')
    .option('--json', 'print what was pinned as JSON')
    .action(async (opts: { party: string[]; officer: string[]; file?: string; server?: string; json?: boolean }) => {
      if (opts.party.length !== opts.officer.length) {
        throw new ClientError(`give each --party its --officer: ${opts.party.length} part${opts.party.length === 1 ? 'y' : 'ies'} and ${opts.officer.length} officer fingerprint(s) were given`);
      }
      const wanted = opts.party.map((p, i) => ({ party: p, officer: opts.officer[i]! }));
      if (opts.file) wanted.push(...parsePinsFile(readText(opts.file), opts.file).pins);
      if (wanted.length === 0) throw new ClientError('say what to pin: --party P --officer FINGERPRINT (repeatable), or --file PINS');
      const [{ knownParties }, { requireKnownParties }, { openTrustStore }] = await Promise.all([import('../node/agreements.ts'), import('../core/trust.ts'), trustFile()]);
      const known = await knownParties(opts.server);
      requireKnownParties(wanted.map((w) => w.party), known.parties, known.from);
      const store = openTrustStore(homeDir());
      const results = wanted.map((w) => ({ ...w, added: store.add(w.party, w.officer, 'out-of-band', now()) }));
      if (opts.json) return console.log(JSON.stringify(results, null, 2));
      for (const r of results) console.log(r.added ? `Pinned ${r.officer} as an officer of ${r.party}.` : `${r.officer} was already pinned for ${r.party}.`);
      if (opts.file) console.error(`  Compare each fingerprint above with the one ${[...new Set(results.map((r) => r.party))].join(', ')} notified in writing: ${opts.file} is only as trustworthy as the way it reached you.`);
    });
  trust
    .command('export')
    .description('write your pins (and, with --with-my-key, your own key) to a file colleagues and partners can pin from with trust add --file')
    .requiredOption('--out <file>', 'the file to write')
    .option('--party <party...>', 'only these parties', (v: string, prev: string[] = []) => [...prev, party(v)])
    .option('--with-my-key', 'add your own key for your party (an officer handing out their fingerprint)')
    .action(async (opts: { out: string; party?: string[]; withMyKey?: boolean }) => {
      const { openTrustStore } = await trustFile();
      const home = homeDir();
      const pins = openTrustStore(home).pins().filter((p) => !p.retiredAt && (!opts.party || opts.party.includes(p.party))).map((p) => ({ party: p.party, officer: p.fingerprint }));
      if (opts.withMyKey) {
        const session = sessionFile(home).load();
        const mine = fingerprintOf(await readPublicKey(readArmoredPublicKey(home)));
        if (!pins.some((p) => p.party === session.party && p.officer === mine)) pins.unshift({ party: session.party, officer: mine });
      }
      if (pins.length === 0) throw new ClientError('there is nothing to export: pin officers first (liaison trust add), or add --with-my-key');
      const file: PinsFile = { format: PINS_FORMAT, pins };
      writeFileSync(opts.out, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o644, flag: 'wx' });
      console.log(`Wrote ${pins.length} pin(s) to ${opts.out}: ${pins.map((p) => `${p.party} ${p.officer}`).join('; ')}.`);
      console.error('  Hand it over the way the agreements notify contacts (in writing); whoever pins from it trusts exactly these keys.');
    });
  trust
    .command('remove')
    .description('remove a pin')
    .requiredOption('--party <party>', 'the party', party)
    .requiredOption('--officer <fingerprint>', 'the officer key fingerprint', fingerprint)
    .option('--json', 'print the result as JSON')
    .action(async (opts: { party: string; officer: string; json?: boolean }) => {
      const { openTrustStore } = await trustFile();
      if (!openTrustStore(homeDir()).remove(opts.party, opts.officer)) throw new ClientError(`${opts.officer} is not pinned for ${opts.party}`);
      if (printJson(opts.json, { party: opts.party, officer: opts.officer, removed: true })) return;
      console.log(`Removed the pin of ${opts.officer} for ${opts.party}.`);
    });
  trust
    .command('list')
    .description('show pinned officers')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { openTrustStore } = await trustFile();
      const pins = openTrustStore(homeDir()).pins();
      if (opts.json) return console.log(JSON.stringify(pins, null, 2));
      if (pins.length === 0) return console.log('No officers pinned.');
      console.log(table([['PARTY', 'OFFICER', 'SOURCE', 'SINCE', 'RETIRED'], ...pins.map((p) => [p.party, p.fingerprint, p.source, p.addedAt.slice(0, 10), p.retiredAt?.slice(0, 10) ?? ''])]));
    });

  program
    .command('members')
    .description("a party's members as this client verifies them against its pins")
    .argument('[party]', 'the party (default: yours)')
    .option('--json', 'print JSON')
    .action(async (p: string | undefined, opts: { json?: boolean }) => {
      const { ctx } = await context({ quiet: true });
      const members = await ctx.directory.members(p ? party(p) : ctx.me.party);
      const byFingerprint = new Map(members.map((m) => [m.fingerprint, m]));
      const voucher = (fpr: string) => (fpr === 'pinned' ? 'pinned by you' : byFingerprint.has(fpr) ? `${byFingerprint.get(fpr)!.name} (${fpr.slice(-16)})` : fpr);
      if (opts.json) return console.log(JSON.stringify(members.map(({ key: _key, ...m }) => ({ ...m, vouchedByName: m.vouchedBy === 'pinned' ? undefined : byFingerprint.get(m.vouchedBy)?.name })), null, 2));
      console.log(
        table([
          ['NAME', 'PARTY', 'FINGERPRINT', 'ROLES', 'CLEARANCE', 'VALID UNTIL', 'STATUS', 'VOUCHED FOR BY'],
          ...members.map((m) => [m.name, m.party, m.fingerprint, m.roles.join(','), m.clearance, localTime(m.validUntil), m.revokedAt ? `revoked ${localTime(m.revokedAt)}` : 'active', voucher(m.vouchedBy)]),
        ]),
      );
    });

  program
    .command('contacts')
    .description("contact persons and competent authorities notified by a party, with late notices flagged")
    .argument('[party]', 'the party (default: yours)')
    .option('--json', 'print JSON')
    .action(async (p: string | undefined, opts: { json?: boolean }) => {
      const { ctx } = await context({ quiet: true });
      const target = p ? party(p) : ctx.me.party;
      const { verifiedContacts } = await officerWork();
      const rows = await verifiedContacts(ctx, target);
      if (opts.json) return console.log(JSON.stringify(rows, null, 2));
      if (rows.length === 0) return console.log(`No contacts notified by ${target}.`);
      console.log(
        table([
          ['AGREEMENT', 'KIND', 'NAME', 'POSITION', 'PHONE', 'EMAIL', 'EFFECTIVE', 'NOTIFIED', ''],
          ...rows.map((r) => [r.agreementId, r.kind, r.withdrawn ? `${r.name} (withdrawn)` : r.name, r.position ?? '', r.phone ?? '', r.email ?? '', r.effectiveFrom.slice(0, 10), localTime(r.recordedAt), r.late ? 'LATE' : '']),
        ]),
      );
    });

  program
    .command('rewrap')
    .description('let a colleague read earlier packets (newly cleared or a new key): re-wrap session keys, never re-encrypt')
    .requiredOption('--for <fingerprint>', "the colleague's key", fingerprint)
    .argument('[packets...]', 'packet ids (default: the packets the hub lists as waiting for that key)')
    .option('--all', 'try every packet you can read (packets stored before the hub kept track of who can open them)')
    .option('--json', 'print the result as JSON')
    .action(async (ids: string[], opts: { for: string; all?: boolean; json?: boolean }) => {
      const { rewrapFor } = await import('../core/rewrap.ts');
      const { ctx } = await context({ quiet: true });
      const result = await rewrapFor(ctx, opts.for, ids, opts.all === true);
      if (result.done.length === 0 && result.skipped.length === 0 && !opts.json) console.log(`Nothing waits for ${opts.for}: every packet you can read already opens for that key.`);
      if (ids.length > 0 && result.skipped.length > 0) process.exitCode = 1; // a packet named and not done
      if (printJson(opts.json, result)) return;
      for (const id of result.done) console.log(`${id} re-wrapped for ${opts.for}`);
      for (const s of result.skipped) console.error(`  ${s.packetId} skipped: ${s.reason}`);
    });
}

export function addOfficerCommands(program: Command): void {
  const officer = program.command('officer').description("a security officer's work on the people of their own party");
  officer
    .command('enroll')
    .description("vouch for a member's key: sign a membership statement and enroll it on the hub")
    .requiredOption('--key <file>', "the member's public key (liaison key export --public, or gpg --export --armor)")
    .requiredOption('--roles <roles>', 'comma-separated: contact, clerk, officer', roles)
    .requiredOption('--clearance <level>', 'RESTRICTED, CONFIDENTIAL, SECRET or TOP SECRET, or your national label')
    .option('--valid-until <date>', 'the membership ends then (a date means the end of that day in your time zone)', isoDate)
    .option('--successor-of <fingerprint>', 'this key replaces an earlier key of the same person', fingerprint)
    .option('--json', 'print the result as JSON')
    .action(async (opts: { key: string; roles: Role[]; clearance: string; validUntil?: string; successorOf?: string; json?: boolean }) => {
      const bytes = readBytes(opts.key);
      const { signMembership } = await officerWork();
      const { ctx } = await context({ quiet: true });
      const clearance = await resolveClearance(opts.clearance, ctx.api, ctx.me.party);
      if (opts.validUntil && opts.validUntil <= now().toISOString()) throw new ClientError(`--valid-until ${localTime(opts.validUntil)} is already past: give a later date`);
      if (await holdsSecretKey(bytes)) {
        throw new ClientError(`${opts.key} holds a SECRET key, which must never leave its owner's machine: ask for the public key (liaison key export --public, or gpg --export --armor), and tell the owner the secret one was passed around`);
      }
      const armored = (await readPublicKeyBytes(bytes).catch(() => {
        throw new ClientError(`${opts.key} is not an OpenPGP public key`);
      })).armor();
      const signed = await signMembership({ key: ctx.key, fingerprint: ctx.me.fingerprint }, armored, {
        party: ctx.me.party,
        roles: opts.roles,
        clearance,
        ...(opts.validUntil ? { validUntil: opts.validUntil } : {}),
        ...(opts.successorOf ? { successorOf: opts.successorOf } : {}),
      }, now());
      const member = await ctx.api.enroll({ publicKey: armored, statement: signed.statement, signature: signed.signature });
      if (printJson(opts.json, member)) return;
      console.log(`Enrolled ${member.name} ${member.fingerprint} for ${member.party} as ${member.roles.join(', ')}, cleared ${member.clearance}${member.validUntil ? ` until ${localTime(member.validUntil)}` : ''}.`);
    });
  officer
    .command('awaiting-rewrap')
    .description('the members of your party who cannot open packets they are entitled to yet (enrolled, cleared or rotated after the packets were sent)')
    .option('--member <fingerprint>', "list that member's waiting packets", fingerprint)
    .option('--json', 'print JSON')
    .action(async (opts: { member?: string; json?: boolean }) => {
      const { ctx } = await context({ quiet: true });
      if (opts.member) {
        const packets = await collectAll(ctx.api.awaitingWraps(opts.member));
        if (printJson(opts.json, packets)) return;
        if (packets.length === 0) return console.log(`Nothing waits for ${opts.member}.`);
        console.log(table([['PACKET', 'AGREEMENT', 'FROM', 'KIND', 'MARKING', 'SENT'], ...packets.map((p) => [p.packetId, p.agreementId, p.senderParty, p.kind, p.level, localTime(p.createdAt)])]));
        return console.log(`A colleague who can read them runs: liaison rewrap --for ${opts.member}`);
      }
      const { membersAwaitingRewrap } = await import('../core/rewrap.ts');
      const rows = await membersAwaitingRewrap(ctx);
      if (printJson(opts.json, rows)) return;
      if (rows.length === 0) return console.log(`Every member of ${ctx.me.party} opens every packet you can see that they are entitled to.`);
      console.log(table([['NAME', 'FINGERPRINT', 'WAITING'], ...rows.map((r) => [r.name, r.fingerprint, r.more ? `${r.waiting}+` : String(r.waiting)])]));
      console.log('A colleague who can read the packets runs: liaison rewrap --for FINGERPRINT (liaison officer awaiting-rewrap --member FINGERPRINT lists them)');
    });

  officer
    .command('set-clearance')
    .description("change a member's clearance (a downgrade counts from their next request)")
    .argument('<fingerprint>', "the member's key", fingerprint)
    .argument('<level>', 'the new clearance: a common level or your national label')
    .option('--json', 'print the result as JSON')
    .action(async (fpr: string, given: string, opts: { json?: boolean }) => {
      const { currentStatement, signRestatement } = await officerWork();
      const { ctx } = await context({ quiet: true });
      const clearance = await resolveClearance(given, ctx.api, ctx.me.party);
      const previous = await currentStatement(ctx, fpr);
      const member = await ctx.api.restate(fpr, await signRestatement({ key: ctx.key, fingerprint: ctx.me.fingerprint }, previous, { clearance }, now()));
      if (printJson(opts.json, { member, previousClearance: previous.clearance })) return;
      console.log(`${member.name} ${fpr} is now cleared ${member.clearance} (was ${previous.clearance}).`);
      if (isRaise(previous.clearance, clearance)) console.error(`  To give access to earlier packets, a colleague who can read them runs: liaison rewrap --for ${fpr}`);
    });
  officer
    .command('set-roles')
    .description("change a member's roles")
    .argument('<fingerprint>', "the member's key", fingerprint)
    .argument('<roles>', 'comma-separated: contact, clerk, officer', roles)
    .option('--json', 'print the result as JSON')
    .action(async (fpr: string, newRoles: Role[], opts: { json?: boolean }) => {
      const { currentStatement, signRestatement } = await officerWork();
      const { ctx } = await context({ quiet: true });
      const previous = await currentStatement(ctx, fpr);
      const member = await ctx.api.restate(fpr, await signRestatement({ key: ctx.key, fingerprint: ctx.me.fingerprint }, previous, { roles: newRoles }, now()));
      if (printJson(opts.json, { member, previousRoles: previous.roles })) return;
      console.log(`${member.name} ${fpr} now has the roles ${member.roles.join(', ')}.`);
    });
  officer
    .command('revoke')
    .description('revoke a member key: from now it cannot log in, receive, download, or sign')
    .argument('<fingerprint>', 'the key to revoke', fingerprint)
    .requiredOption('--reason <text>', 'why (recorded and shown to partners)')
    .option('--json', 'print the result as JSON')
    .action(async (fpr: string, opts: { reason: string; json?: boolean }) => {
      const { signRevocation } = await officerWork();
      const { ctx } = await context({ quiet: true });
      const member = await ctx.api.revoke(fpr, await signRevocation({ key: ctx.key, fingerprint: ctx.me.fingerprint }, { party: ctx.me.party, fingerprint: fpr }, opts.reason, now()));
      if (printJson(opts.json, member)) return;
      console.log(`Revoked ${member.name} ${fpr} at ${localTime(member.revokedAt, true)}.`);
    });
  officer
    .command('rotate')
    .description('move to a new officer key: a statement signed by both keys lets partners follow without a new pin')
    .requiredOption('--new-key <file>', 'the new private key, armored (made with liaison keygen in another LIAISON_HOME, or gpg)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { newKey: string; json?: boolean }) => {
      const { signRotation } = await officerWork();
      const { ctx } = await context({ quiet: true });
      const armored = readText(opts.newKey);
      const newKey = await unlockPrivateKey(armored, await passphrase('Passphrase of the new key: ', 'new key'));
      const info = await inspectPublicKey(newKey.toPublic(), now());
      const signed = await signRotation(ctx.me.party, { key: ctx.key, fingerprint: ctx.me.fingerprint }, { key: newKey, fingerprint: fingerprintOf(newKey) }, now());
      await ctx.api.rotateOfficer({ publicKey: info.armored, ...signed });
      const home = homeDir();
      saveKey(home, armored, info.armored);
      sessionFile(home).clear();
      if (printJson(opts.json, { party: ctx.me.party, from: ctx.me.fingerprint, to: info.fingerprint })) return;
      console.log(`Rotated to ${info.fingerprint}; the old key ${ctx.me.fingerprint} is retired. Log in again with the new key.`);
    });
  officer
    .command('contact')
    .description('notify a contact person or competent authority (or a change) to the partner parties')
    .requiredOption('--agreement <id>', 'the agreement, e.g. RU-PK', (v: string) => v.toUpperCase())
    .addOption(new Option('--kind <kind>', 'what is notified').choices(['contact-person', 'competent-authority']).default('contact-person'))
    .requiredOption('--name <name>', 'name of the person or authority')
    .option('--position <text>', 'position or unit')
    .option('--phone <text>', 'telephone')
    .option('--email <text>', 'e-mail')
    .option('--address <text>', 'postal address')
    .requiredOption('--effective <date>', 'when the appointment or change took effect (a date means the start of that day in your time zone)', sinceDate)
    .option('--withdrawn', 'this contact is no longer in post')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { agreement: string; kind: 'contact-person' | 'competent-authority'; name: string; position?: string; phone?: string; email?: string; address?: string; effective: string; withdrawn?: boolean; json?: boolean }) => {
      const { signContact } = await officerWork();
      const { ctx } = await context({ quiet: true });
      const signed = await signContact({ key: ctx.key, fingerprint: ctx.me.fingerprint }, {
        party: ctx.me.party,
        agreementId: opts.agreement,
        kind: opts.kind,
        name: opts.name,
        ...(opts.position ? { position: opts.position } : {}),
        ...(opts.phone ? { phone: opts.phone } : {}),
        ...(opts.email ? { email: opts.email } : {}),
        ...(opts.address ? { address: opts.address } : {}),
        effectiveFrom: opts.effective,
        withdrawn: Boolean(opts.withdrawn),
      }, now());
      const recorded = await ctx.api.recordContact(ctx.me.party, signed);
      if (printJson(opts.json, recorded)) return;
      console.log(`Notified under ${opts.agreement}: ${opts.name}${recorded.late ? ' (LATE: past the notification deadline of the agreement)' : ''}.`);
    });
}

/** The holder revokes their own key (lost or compromised device). */
export function addSelfRevokeCommand(key: Command): void {
  key
    .command('revoke')
    .description('revoke your own key on the hub (for example a lost device); tell your officer')
    .requiredOption('--reason <text>', 'why')
    .action(async (opts: { reason: string }) => {
      const { signRevocation } = await officerWork();
      const { ctx } = await context({ quiet: true });
      const member = await ctx.api.revoke(ctx.me.fingerprint, await signRevocation({ key: ctx.key, fingerprint: ctx.me.fingerprint }, { party: ctx.me.party, fingerprint: ctx.me.fingerprint }, opts.reason, now()));
      sessionFile(homeDir()).clear();
      console.log(`Your key ${member.fingerprint} is revoked as of ${member.revokedAt}.`);
    });
}
