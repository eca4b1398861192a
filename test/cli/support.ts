/**
 * A small world for the CLI tests of what users read: a real hub (`liaison serve` on a
 * temp SQLite store), officers of RU, PK and KZ enrolled by the operator, contacts and a clerk
 * enrolled by their officers, everyone pinning the officers in one `trust add` with several
 * pairs. Every step is the real CLI as a child process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { liaison, Person, startHub, type RunningHub, type RunResult } from '../../scripts/harness.ts';

export const RU_TEXT = 'Запрос о правовой помощи. Просим установить владельцев банковских счетов и сообщить сведения о движении средств по этим счетам.\n';
export const EN_TEXT = 'Request for legal assistance. Please identify the holders of the bank accounts and report the movements of funds on those accounts.\n';
export const RU_PK_FORM = ['--requesting-authority', 'Prosecutor General', '--requested-authority', 'MOI-NC', '--purpose', 'Money laundering case', '--assistance', 'Bank records'];

export interface CliWorld {
  root: string;
  dataDir: string;
  hub: RunningHub;
  officers: Record<'RU' | 'PK' | 'KZ', Person>;
  ivan: Person;
  olga: Person;
  ayesha: Person;
  aigerim: Person;
  keyFile: (p: Person) => string;
  file: (name: string, content: string) => string;
  close: () => Promise<void>;
}

export async function ok(r: Promise<RunResult> | RunResult): Promise<RunResult> {
  const result = await r;
  if (result.code !== 0) throw new Error(`liaison ${result.args.join(' ')} failed: ${result.stderr}`);
  return result;
}

/** A refusal as a user sees it: non-zero exit, one line, no stack, no validator or system text. */
export function refusedWith(r: RunResult, pattern: RegExp): void {
  expect(r.code, r.stdout + r.stderr).not.toBe(0);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at |ZodError|Invalid UUID|Too small|expected string|\bE(EXIST|NOENT|ACCES|ISDIR|NOTDIR|PERM)\b|undefined/);
}

export async function makeWorld(name: string, members: { ivan?: string; olga?: string; ayesha?: string; aigerim?: string } = {}): Promise<CliWorld> {
  const root = mkdtempSync(join(tmpdir(), `liaison-cli-${name}-`));
  const dataDir = join(root, 'hub');
  const officers = { RU: new Person('Sergei Volkov', 'RU', root), PK: new Person('Imran Qureshi', 'PK', root), KZ: new Person('Daniyar Seitkali', 'KZ', root) };
  const ivan = new Person('Ivan Petrov', 'RU', root);
  const olga = new Person('Olga Smirnova', 'RU', root);
  const ayesha = new Person('Ayesha Khan', 'PK', root);
  const aigerim = new Person('Aigerim Nurlanovna', 'KZ', root);
  const everyone = [...Object.values(officers), ivan, olga, ayesha, aigerim];
  await Promise.all(everyone.map((p) => ok(p.run('keygen', '--name', p.name))));
  const keyFile = (p: Person) => join(root, `${p.party}-${p.name.split(' ')[0]!.toLowerCase()}.asc`);
  await Promise.all(
    everyone.map(async (p) => {
      p.fingerprint = (await ok(p.run('key', 'fingerprint'))).stdout.trim();
      await ok(p.run('key', 'export', '--public', '--out', keyFile(p)));
    }),
  );
  await ok(liaison(['hub', 'init', '--data', dataDir, ...Object.values(officers).flatMap((o) => ['--officer', `${o.party}=${keyFile(o)}`])]));
  const pairs = Object.values(officers).flatMap((o) => ['--party', o.party, '--officer', o.fingerprint]);
  await Promise.all(everyone.map((p) => ok(p.run('trust', 'add', ...pairs))));
  const hub = await startHub(dataDir, join(root, 'hub.log'));
  await Promise.all(Object.values(officers).map((o) => ok(o.run('login', '--server', hub.url))));
  const enroll: Array<[Person, string, string]> = [
    [ivan, 'contact', members.ivan ?? 'TOP SECRET'],
    [olga, 'clerk', members.olga ?? 'SECRET'],
    [ayesha, 'contact', members.ayesha ?? 'SECRET'],
    [aigerim, 'contact', members.aigerim ?? 'SECRET'],
  ];
  for (const [p, role, clearance] of enroll) await ok(officers[p.party as 'RU' | 'PK' | 'KZ'].run('officer', 'enroll', '--key', keyFile(p), '--roles', role, '--clearance', clearance));
  await Promise.all([ivan, olga, ayesha, aigerim].map((p) => ok(p.run('login', '--server', hub.url))));
  const file = (fileName: string, content: string) => {
    const path = join(root, fileName);
    writeFileSync(path, content);
    return path;
  };
  return {
    root,
    dataDir,
    hub,
    officers,
    ivan,
    olga,
    ayesha,
    aigerim,
    keyFile,
    file,
    close: async () => {
      await hub.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Ivan sends Ayesha an information packet with its English translation; returns its id. */
export async function sendInformation(w: CliWorld, marking = 'SECRET'): Promise<string> {
  const r = await ok(w.ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', marking, '--original', w.file('info-ru.txt', RU_TEXT), '--lang', 'ru', '--translation', `en:${w.file('info-en.txt', EN_TEXT)}`, '--kind', 'information', '--quiet'));
  return r.stdout.trim();
}
