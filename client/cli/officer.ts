/**
 * Trust and key management on the command line: pins of partner officers, an officer's work on
 * the people of their party (enroll, change clearance or roles, revoke, rotate), the contact
 * directory, and re-wrapping earlier packets for a colleague.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { fingerprintOf, inspectPublicKey, readPublicKeyBytes, unlockPrivateKey } from '../../keys/identity.ts';
import { verifyDetached } from '../../keys/signatures.ts';
import { signedInstantProblem } from '../../protocol/signing.ts';
import { parseCanonical } from '../../protocol/canonical.ts';
import type { Role } from '../../protocol/ids.ts';
import { Level } from '../../protocol/levels.ts';
import { ContactEntry, MembershipStatement } from '../../protocol/statements.ts';
import { ClientError, clearSession, homeDir, passphrase, saveKey } from '../node/home.ts';
import { signContact, signMembership, signRestatement, signRevocation, signRotation } from '../core/officer.ts';
import { rewrapFor } from '../core/packets.ts';
import { openTrustStore } from '../node/trust-file.ts';
import { context, now } from './context.ts';
import { table } from './output.ts';
import { fingerprint, isoDate, level, party, roles } from './options.ts';

function readFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new ClientError(`cannot read ${path}`);
  }
}

/** The current statement of a member of the officer's own party, as verified by the directory. */
async function currentStatement(ctx: Awaited<ReturnType<typeof context>>['ctx'], fpr: string): Promise<MembershipStatement> {
  const listed = (await ctx.api.members(ctx.me.party, true)).find((m) => m.fingerprint === fpr);
  await ctx.directory.members(ctx.me.party);
  if (!listed?.statement) throw new ClientError(`${fpr} is not a member of ${ctx.me.party} with a membership statement`);
  const parsed = parseCanonical(MembershipStatement, listed.statement, 'statement');
  if (!parsed.ok) throw new ClientError(parsed.error);
  return parsed.value;
}

export function addTrustCommands(program: Command): void {
  const trust = program.command('trust').description("pin partner parties' security officers (fingerprints exchanged out of band)");
  trust
    .command('add')
    .description('pin an officer key of a party: keys that officer vouches for become trusted')
    .requiredOption('--party <party>', 'the party, e.g. PK', party)
    .requiredOption('--officer <fingerprint>', 'the officer key fingerprint, as notified in writing', fingerprint)
    .action((opts: { party: string; officer: string }) => {
      const store = openTrustStore(homeDir());
      const added = store.add(opts.party, opts.officer, 'out-of-band', now());
      console.log(added ? `Pinned ${opts.officer} as an officer of ${opts.party}.` : `${opts.officer} was already pinned for ${opts.party}.`);
    });
  trust
    .command('remove')
    .description('remove a pin')
    .requiredOption('--party <party>', 'the party', party)
    .requiredOption('--officer <fingerprint>', 'the officer key fingerprint', fingerprint)
    .action((opts: { party: string; officer: string }) => {
      if (!openTrustStore(homeDir()).remove(opts.party, opts.officer)) throw new ClientError(`${opts.officer} is not pinned for ${opts.party}`);
      console.log(`Removed the pin of ${opts.officer} for ${opts.party}.`);
    });
  trust
    .command('list')
    .description('show pinned officers')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
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
      if (opts.json) return console.log(JSON.stringify(members.map(({ key: _key, ...m }) => m), null, 2));
      console.log(
        table([
          ['FINGERPRINT', 'NAME', 'ROLES', 'CLEARANCE', 'VALID UNTIL', 'STATUS', 'VOUCHED BY'],
          ...members.map((m) => [m.fingerprint, m.name, m.roles.join(','), m.clearance, m.validUntil?.slice(0, 10) ?? '', m.revokedAt ? `revoked ${m.revokedAt.slice(0, 10)}` : 'active', m.vouchedBy]),
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
      const officers = (await ctx.directory.members(target)).filter((m) => m.roles.includes('officer'));
      const rows = [];
      for (const c of await ctx.api.contacts(target)) {
        const entry = parseCanonical(ContactEntry, c.statement, 'contact entry');
        if (!entry.ok) throw new ClientError(`a contact entry of ${target} is invalid: ${entry.error}`);
        const officer = officers.find((o) => o.fingerprint === entry.value.officer);
        const verified = officer ? (await verifyDetached('contact', c.statement, c.signature, [officer.key], now())).valid : false;
        if (!verified) throw new ClientError(`a contact entry of ${target} is not signed by a vouched-for officer of ${target}; refusing to show it as genuine`);
        const dated = signedInstantProblem(entry.value.issuedAt, now(), `a contact entry of ${target}`);
        if (dated) throw new ClientError(`${dated}; refusing to show it as genuine`);
        rows.push({ ...entry.value, recordedAt: c.recordedAt, late: c.late });
      }
      if (opts.json) return console.log(JSON.stringify(rows, null, 2));
      if (rows.length === 0) return console.log(`No contacts notified by ${target}.`);
      console.log(
        table([
          ['AGREEMENT', 'KIND', 'NAME', 'POSITION', 'PHONE', 'EMAIL', 'EFFECTIVE', 'NOTIFIED', ''],
          ...rows.map((r) => [r.agreementId, r.kind, r.withdrawn ? `${r.name} (withdrawn)` : r.name, r.position ?? '', r.phone ?? '', r.email ?? '', r.effectiveFrom.slice(0, 10), r.recordedAt.slice(0, 10), r.late ? 'LATE' : '']),
        ]),
      );
    });

  program
    .command('rewrap')
    .description('let a colleague read earlier packets (newly cleared or a new key): re-wrap session keys, never re-encrypt')
    .requiredOption('--for <fingerprint>', "the colleague's key", fingerprint)
    .argument('[packets...]', 'packet ids (default: every packet you can read)')
    .action(async (ids: string[], opts: { for: string }) => {
      const { ctx } = await context({ quiet: true });
      const result = await rewrapFor(ctx, opts.for, ids);
      for (const id of result.done) console.log(`${id} re-wrapped for ${opts.for}`);
      for (const s of result.skipped) console.error(`  ${s.packetId} skipped: ${s.reason}`);
      if (ids.length > 0 && result.skipped.length > 0) process.exitCode = 1;
    });
}

export function addOfficerCommands(program: Command): void {
  const officer = program.command('officer').description("a security officer's work on the people of their own party");
  officer
    .command('enroll')
    .description("vouch for a member's key: sign a membership statement and enroll it on the hub")
    .requiredOption('--key <file>', "the member's public key (liaison key export --public, or gpg --export --armor)")
    .requiredOption('--roles <roles>', 'comma-separated: contact, clerk, officer', roles)
    .requiredOption('--clearance <level>', 'RESTRICTED, CONFIDENTIAL, SECRET or TOP SECRET', level)
    .option('--valid-until <date>', 'the membership ends at this instant', isoDate)
    .option('--successor-of <fingerprint>', 'this key replaces an earlier key of the same person', fingerprint)
    .action(async (opts: { key: string; roles: Role[]; clearance: Level; validUntil?: string; successorOf?: string }) => {
      const { ctx } = await context({ quiet: true });
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(opts.key));
      } catch {
        throw new ClientError(`cannot read ${opts.key}`);
      }
      const armored = (await readPublicKeyBytes(bytes).catch(() => {
        throw new ClientError(`${opts.key} is not an OpenPGP public key`);
      })).armor();
      const signed = await signMembership({ key: ctx.key, fingerprint: ctx.me.fingerprint }, armored, {
        party: ctx.me.party,
        roles: opts.roles,
        clearance: opts.clearance,
        ...(opts.validUntil ? { validUntil: opts.validUntil } : {}),
        ...(opts.successorOf ? { successorOf: opts.successorOf } : {}),
      }, now());
      const member = await ctx.api.enroll({ publicKey: armored, statement: signed.statement, signature: signed.signature });
      console.log(`Enrolled ${member.name} ${member.fingerprint} for ${member.party} as ${member.roles.join(', ')}, cleared ${member.clearance}${member.validUntil ? ` until ${member.validUntil}` : ''}.`);
    });
  officer
    .command('set-clearance')
    .description("change a member's clearance (a downgrade counts from their next request)")
    .argument('<fingerprint>', "the member's key", fingerprint)
    .argument('<level>', 'the new clearance', level)
    .action(async (fpr: string, clearance: Level) => {
      const { ctx } = await context({ quiet: true });
      const previous = await currentStatement(ctx, fpr);
      const member = await ctx.api.restate(fpr, await signRestatement({ key: ctx.key, fingerprint: ctx.me.fingerprint }, previous, { clearance }, now()));
      console.log(`${member.name} ${fpr} is now cleared ${member.clearance} (was ${previous.clearance}).`);
      if (Level.options.indexOf(clearance) > Level.options.indexOf(previous.clearance)) console.error(`  To give access to earlier packets, a colleague who can read them runs: liaison rewrap --for ${fpr}`);
    });
  officer
    .command('set-roles')
    .description("change a member's roles")
    .argument('<fingerprint>', "the member's key", fingerprint)
    .argument('<roles>', 'comma-separated: contact, clerk, officer', roles)
    .action(async (fpr: string, newRoles: Role[]) => {
      const { ctx } = await context({ quiet: true });
      const previous = await currentStatement(ctx, fpr);
      const member = await ctx.api.restate(fpr, await signRestatement({ key: ctx.key, fingerprint: ctx.me.fingerprint }, previous, { roles: newRoles }, now()));
      console.log(`${member.name} ${fpr} now has the roles ${member.roles.join(', ')}.`);
    });
  officer
    .command('revoke')
    .description('revoke a member key: from now it cannot log in, receive, download, or sign')
    .argument('<fingerprint>', 'the key to revoke', fingerprint)
    .requiredOption('--reason <text>', 'why (recorded and shown to partners)')
    .action(async (fpr: string, opts: { reason: string }) => {
      const { ctx } = await context({ quiet: true });
      const member = await ctx.api.revoke(fpr, await signRevocation({ key: ctx.key, fingerprint: ctx.me.fingerprint }, { party: ctx.me.party, fingerprint: fpr }, opts.reason, now()));
      console.log(`Revoked ${member.name} ${fpr} at ${member.revokedAt}.`);
    });
  officer
    .command('rotate')
    .description('move to a new officer key: a statement signed by both keys lets partners follow without a new pin')
    .requiredOption('--new-key <file>', 'the new private key, armored (made with liaison keygen in another LIAISON_HOME, or gpg)')
    .action(async (opts: { newKey: string }) => {
      const { ctx } = await context({ quiet: true });
      const armored = readFile(opts.newKey);
      const newKey = await unlockPrivateKey(armored, process.env.LIAISON_NEW_PASSPHRASE ?? (await passphrase('Passphrase of the new key: '))).catch((e: Error) => {
        throw new ClientError(e.message);
      });
      const info = await inspectPublicKey(newKey.toPublic(), now()).catch((e: Error) => {
        throw new ClientError(e.message);
      });
      const signed = await signRotation(ctx.me.party, { key: ctx.key, fingerprint: ctx.me.fingerprint }, { key: newKey, fingerprint: fingerprintOf(newKey) }, now());
      await ctx.api.rotateOfficer({ publicKey: info.armored, ...signed });
      const home = homeDir();
      saveKey(home, armored, info.armored);
      clearSession(home);
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
    .requiredOption('--effective <date>', 'when the appointment or change took effect', isoDate)
    .option('--withdrawn', 'this contact is no longer in post')
    .action(async (opts: { agreement: string; kind: 'contact-person' | 'competent-authority'; name: string; position?: string; phone?: string; email?: string; address?: string; effective: string; withdrawn?: boolean }) => {
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
      const { ctx } = await context({ quiet: true });
      const member = await ctx.api.revoke(ctx.me.fingerprint, await signRevocation({ key: ctx.key, fingerprint: ctx.me.fingerprint }, { party: ctx.me.party, fingerprint: ctx.me.fingerprint }, opts.reason, now()));
      clearSession(homeDir());
      console.log(`Your key ${member.fingerprint} is revoked as of ${member.revokedAt}.`);
    });
}
