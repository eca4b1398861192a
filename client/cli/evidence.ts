/**
 * The evidence commands: `receipts`, `audit verify|checkpoint|export`, `evidence` and
 * `evidence verify`. A person's commands talk to the hub they are logged in to; the operator's
 * `--data` options read the hub's store on the hub machine through functions bin/liaison.ts hands
 * in (the client never imports the server). Verification failures exit non-zero with one sentence.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { fingerprintOf, readPublicKey } from '../../keys/identity.ts';
import type { AuditEvent, SignedCheckpoint } from '../../protocol/evidence.ts';
import type { LogCheck } from '../core/evidence.ts';
import { pinHubOnFirstUse, verifiedHubKey } from '../core/hub.ts';
import { ClientError, homeDir } from '../node/home.ts';
import { loggedInHub } from '../node/session.ts';
import { readJson } from '../node/files.ts';
import { localTime, printJson, table, timeZone } from './output.ts';
import { now } from './context.ts';

/** The operator's access to a hub's store on disk (server/evidence.ts `operatorAudit`). */
interface OperatorAudit {
  log(dataDir: string): Promise<{ hubFingerprint: string; hubPublicKey: string; events: AuditEvent[]; checkpoints: SignedCheckpoint[] }>;
  /** Stream the whole log to `outPath` (which must not exist); the number of events written. */
  exportTo(dataDir: string, outPath: string, now: () => Date): Promise<{ events: number }>;
}


// The evidence checks, the kept checkpoints and the trust store are imported by the command that
// uses them when it runs: registering the commands (and `liaison --help`) loads none of them.
const evidenceCore = () => import('../core/evidence.ts');
const checkpointFiles = () => import('../node/checkpoints.ts');

/** The logged-in hub, its evidence endpoints, and its key held to the pin in LIAISON_HOME. */
async function evidenceSession() {
  const [{ EvidenceApi }, { pinnedHub }] = await Promise.all([evidenceCore(), checkpointFiles()]);
  const { api } = loggedInHub();
  return { api, evidence: new EvidenceApi(api), hubKey: await verifiedHubKey(api, pinnedHub(homeDir())) };
}

function report(check: LogCheck, okSentence: string, json?: boolean, extra: Record<string, unknown> = {}): void {
  if (json && check.ok) {
    console.log(JSON.stringify({ ok: true, summary: okSentence, checks: check.lines, ...extra }, null, 2));
    return;
  }
  for (const line of check.lines) console.log(`  ${line}`);
  if (check.ok) {
    console.log(okSentence);
    return;
  }
  throw new ClientError(check.position === undefined ? `verification FAILED: ${check.reason}` : `verification FAILED at position ${check.position}: ${check.reason}`);
}

/** The officers this person pinned (liaison trust add), by party; retired ones too, for older signatures. */
async function pinnedOfficers(): Promise<Map<string, string[]>> {
  const { openTrustStore } = await import('../node/trust-file.ts');
  const out = new Map<string, string[]>();
  for (const pin of openTrustStore(homeDir()).pins()) out.set(pin.party, [...(out.get(pin.party) ?? []), pin.fingerprint]);
  return out;
}

export function addEvidenceCommands(program: Command, operator?: OperatorAudit): void {
  program
    .command('receipts')
    .description("show a packet's receipts and verify every signature (hub and recipients)")
    .argument('<packet>', 'the packet id')
    .option('--save <dir>', 'also write each receipt and its detached signature, for gpg --verify')
    .option('--json', 'print JSON')
    .action(async (packetId: string, opts: { save?: string; json?: boolean }) => {
      const [{ checkPacketReceipts }, { TrustedDirectory }, { openTrustStore }] = await Promise.all([evidenceCore(), import('../core/trust.ts'), import('../node/trust-file.ts')]);
      const { api, hubKey } = await evidenceSession();
      const { receipts, checks, names: nameOf } = await checkPacketReceipts(api, new TrustedDirectory(api, openTrustStore(homeDir()), now), packetId, hubKey, now());
      if (opts.save) {
        mkdirSync(opts.save, { recursive: true, mode: 0o700 });
        receipts.forEach((r, i) => {
          const name = `${String(i + 1).padStart(2, '0')}-${checks[i]?.receipt?.kind ?? 'receipt'}.json`;
          writeFileSync(join(opts.save!, name), r.statement, { mode: 0o644 });
          writeFileSync(join(opts.save!, `${name}.asc`), r.signature, { mode: 0o644 });
        });
        // Said on stderr so that --json output stays one JSON document.
        console.error(`Saved ${receipts.length} receipt(s) and their signatures in ${resolve(opts.save)} (check one with: gpg --verify ${join(opts.save, '01-*.json.asc')}).`);
      }
      if (opts.json) {
        console.log(JSON.stringify(checks.map((c, i) => ({ ...c, statement: receipts[i]!.statement, signature: receipts[i]!.signature })), null, 2));
      } else if (checks.length === 0) {
        console.log('No receipts.');
      } else {
        console.log(
          table([
            ['RECEIPT', 'FOR', 'SIGNED BY', `AT (${timeZone()})`, 'SIGNATURE'],
            ...checks.map((c) => [c.receipt?.kind ?? '?', c.receipt?.party ?? '?', c.receipt ? (c.receipt.issuer.role === 'hub' ? `hub ${c.receipt.issuer.fingerprint.slice(-16)}` : nameOf.get(c.receipt.issuer.fingerprint) ?? c.receipt.issuer.fingerprint.slice(-16)) : '?', localTime(c.receipt?.at, true), c.valid ? 'valid' : `INVALID: ${c.reason}`]),
          ]),
        );
      }
      const bad = checks.filter((c) => !c.valid).length;
      if (bad > 0) throw new ClientError(`${bad} of ${checks.length} receipts do not verify`);
    });

  const audit = program.command('audit').description('check the audit log: verify it, keep signed checkpoints, export it');
  audit
    .command('verify')
    .description('recompute the audit log and report the first bad position (with no flag: the part of the log you may see, from your hub)')
    .option('--data <dir>', "operator: read the hub's store in this data directory")
    .option('--file <export>', 'anyone: an exported log (liaison audit export)')
    .option('--checkpoint <file...>', 'also hold the log against these signed checkpoints')
    .option('--hub-fingerprint <fpr>', 'the hub key to trust (default: the one pinned in LIAISON_HOME)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { data?: string; file?: string; checkpoint?: string[]; hubFingerprint?: string; json?: boolean }) => {
      if (opts.data && opts.file) throw new ClientError('verify one log at a time: --data DIR (operator) or --file EXPORT, not both');
      const [{ auditSince, verifyAuditExport, verifyStoredLog }, { keptCheckpoints, pinnedHub, readCheckpointFile }] = await Promise.all([evidenceCore(), checkpointFiles()]);
      const home = homeDir();
      const extra = (opts.checkpoint ?? []).map(readCheckpointFile);
      if (!opts.data && !opts.file) {
        // No flag: the log this person may see, fetched from the hub they are logged in to.
        const { api, evidence, hubKey } = await evidenceSession();
        const kept = [...keptCheckpoints(home, fingerprintOf(hubKey)), ...extra];
        const data = await auditSince(evidence, kept, hubKey, now());
        const check = await verifyAuditExport(data, { pinnedHub: opts.hubFingerprint ?? pinnedHub(home) ?? fingerprintOf(hubKey), kept, now: now() });
        return report(check, `Audit log verified: ${data.events.length} events${data.scope === 'all' ? '' : ` visible to ${data.scope}`}, from ${api.baseUrl}.`, opts.json, { events: data.events.length, scope: data.scope });
      }
      if (opts.data) {
        if (!operator) throw new ClientError('this build has no operator commands');
        const log = await operator.log(opts.data);
        if (opts.hubFingerprint && opts.hubFingerprint.replace(/\s+/g, '').toUpperCase() !== log.hubFingerprint) throw new ClientError(`the hub in ${opts.data} has key ${log.hubFingerprint}, not ${opts.hubFingerprint}`);
        const check = await verifyStoredLog(log.events, log.checkpoints, [...keptCheckpoints(home, log.hubFingerprint), ...extra], await readPublicKey(log.hubPublicKey), now());
        return report(check, `Audit log verified: ${log.events.length} events.`, opts.json, { events: log.events.length, scope: 'all' });
      }
      const { verifyAuditExportFile } = await import('../node/audit-file.ts');
      const { check, events, scope } = await verifyAuditExportFile(opts.file!, (hub) => ({ pinnedHub: opts.hubFingerprint ?? pinnedHub(home), kept: [...keptCheckpoints(home, hub), ...extra], now: now() }));
      report(check, `Audit log verified: ${events} events${scope === 'all' ? '' : ` visible to ${scope}`}.`, opts.json, { events, scope });
    });
  audit
    .command('checkpoint')
    .description("have the hub sign a checkpoint of its log, check it extends the ones you kept, and keep it (--save)")
    .option('--save', 'keep it in LIAISON_HOME/checkpoints (pins the hub key on first use)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { save?: boolean; json?: boolean }) => {
      const [{ auditSince, verifiedCheckpoint, verifyAuditExport }, { hubPinFile, keptCheckpoints, pinnedHub, saveCheckpoint }] = await Promise.all([evidenceCore(), checkpointFiles()]);
      const home = homeDir();
      const { evidence, hubKey } = await evidenceSession();
      const fingerprint = fingerprintOf(hubKey);
      if (opts.save) pinHubOnFirstUse(hubPinFile(home), fingerprint);
      const kept = keptCheckpoints(home, fingerprint);
      const data = await auditSince(evidence, kept, hubKey, now());
      const check = await verifyAuditExport(data, { pinnedHub: pinnedHub(home) ?? fingerprint, kept, now: now() });
      const checkpoint = await verifiedCheckpoint(data.checkpoint, hubKey, now());
      const keptIn = check.ok && opts.save ? saveCheckpoint(home, checkpoint, data.checkpoint) : undefined;
      report(check, `Checkpoint: ${checkpoint.size} events, root ${checkpoint.root}, signed by hub ${checkpoint.hub} at ${localTime(checkpoint.at, true)}.`, opts.json, { checkpoint, ...(keptIn ? { keptIn } : {}) });
      if (keptIn && !opts.json) console.log(`Kept in ${keptIn}.`);
    });
  audit
    .command('export')
    .description('write the audit log you may see (operator: all of it, with --data) with its proofs')
    .requiredOption('--out <file>', 'the file to write')
    .option('--data <dir>', "operator: the hub's data directory")
    .option('--json', 'print the result as JSON')
    .action(async (opts: { out: string; data?: string; json?: boolean }) => {
      if (opts.data) {
        if (!operator) throw new ClientError('this build has no operator commands');
        const { events } = await operator.exportTo(opts.data, opts.out, now);
        if (printJson(opts.json, { file: opts.out, events, scope: 'all' })) return;
        console.log(`Wrote ${events} events (the whole log) to ${opts.out}.`);
        return;
      }
      const [{ auditSince }, { keptCheckpoints }] = await Promise.all([evidenceCore(), checkpointFiles()]);
      const home = homeDir();
      const { evidence, hubKey } = await evidenceSession();
      const data = await auditSince(evidence, keptCheckpoints(home, fingerprintOf(hubKey)), hubKey, now());
      writeFileSync(opts.out, JSON.stringify(data, null, 2), { mode: 0o600, flag: 'wx' });
      if (printJson(opts.json, { file: opts.out, events: data.events.length, scope: data.scope })) return;
      console.log(`Wrote ${data.events.length} events (${data.scope === 'all' ? 'the whole log' : `visible to ${data.scope}`}) to ${opts.out}.`);
    });

  const evidence = program
    .command('evidence')
    .description("write a packet's evidence bundle (manifest, receipts, consents, audit events with proofs), or verify one")
    .argument('[packet]', 'the packet id')
    .option('--out <file>', 'the file to write')
    .option('--json', 'print the result as JSON')
    .action(async (packetId: string | undefined, opts: { out?: string; json?: boolean }) => {
      if (!packetId || !opts.out) throw new ClientError('usage: liaison evidence PACKET_ID --out FILE, or liaison evidence verify FILE');
      const [{ verifyEvidenceBundle }, { pinnedHub }] = await Promise.all([evidenceCore(), checkpointFiles()]);
      const { evidence: client, hubKey } = await evidenceSession();
      const bundle = await client.evidence(packetId);
      const check = await verifyEvidenceBundle(bundle, { pinnedHub: pinnedHub(homeDir()) ?? fingerprintOf(hubKey), now: now(), pinnedOfficers: await pinnedOfficers() });
      if (!check.ok) throw new ClientError(`the hub's evidence does not verify: ${check.reason}`);
      writeFileSync(opts.out, JSON.stringify(bundle, null, 2), { mode: 0o600, flag: 'wx' });
      if (printJson(opts.json, { packetId, file: opts.out, receipts: bundle.receipts.length, releases: bundle.releases.length, events: bundle.events.length })) return;
      console.log(`Wrote the evidence of ${packetId} to ${opts.out}: ${bundle.receipts.length} receipts, ${bundle.releases.length} releases, ${bundle.events.length} audit events.`);
    });
  evidence
    .command('verify')
    .description('verify an evidence bundle offline, against a pinned hub fingerprint')
    .argument('<file>', 'the bundle')
    .option('--hub-fingerprint <fpr>', 'the hub key to trust (default: the one pinned in LIAISON_HOME)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { hubFingerprint?: string; json?: boolean }) => {
      const [{ EvidenceBundle }, { UNVERIFIED, verifyEvidenceBundle }, { pinnedHub }] = await Promise.all([import('../../protocol/evidence.ts'), evidenceCore(), checkpointFiles()]);
      const parsed = EvidenceBundle.safeParse(readJson(file));
      if (!parsed.success) throw new ClientError(`${file} is not an evidence bundle`);
      const check = await verifyEvidenceBundle(parsed.data, { pinnedHub: opts.hubFingerprint ?? pinnedHub(homeDir()), now: now(), pinnedOfficers: await pinnedOfficers() });
      const unverified = check.lines.filter((l) => l.startsWith(UNVERIFIED)).length;
      report(check, unverified === 0 ? `Evidence of ${parsed.data.packetId} verified.` : `Evidence of ${parsed.data.packetId} verified, except the ${unverified} field(s) marked unverified above, which are the hub's word only.`, opts.json, { packetId: parsed.data.packetId, unverified });
    });
}
