/**
 * The workflow through the real `liaison` CLI against a real hub (`liaison serve`): a request with
 * its structured form (SCO Art. 5(4)) acknowledged, asked for more information, executed; one
 * refused, first without and then with written reasons (RU-PK Art. 11); `liaison deadlines`;
 * an authenticity confirmation signed by the sender and checked by the one in doubt.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liaison, Person, startHub, type RunningHub, type RunResult } from '../../scripts/harness.ts';

let root: string;
let hub: RunningHub;
let ivan: Person, aigerim: Person, ayesha: Person;

const KZ_REQUEST = 'Запрос о помощи. Просим установить местонахождение гражданина, подозреваемого в контрабанде наркотических средств, и сообщить сведения о его связях.\n';
const RU_ASK = 'Просим уточнить дату рождения разыскиваемого лица и номер его паспорта, чтобы исполнить запрос.\n';
const KZ_INFO = 'Сообщаем дату рождения разыскиваемого лица и номер его паспорта, указанные в материалах уголовного дела.\n';
const RU_REPLY = 'Сообщаем, что разыскиваемое лицо установлено; сведения о его связях приведены ниже в настоящем ответе.\n';
const RU_PK_REQUEST = 'Запрос о правовой помощи. Просим предоставить сведения о банковских счетах подозреваемого в отмывании денег.\n';
const RU_PK_EN = 'Request for legal assistance. Please provide information on the bank accounts of the person suspected of money laundering.\n';
const PK_REASONS = 'Reasons for refusal: the bank records requested are the subject of pending domestic proceedings and cannot be disclosed now.\n';

function file(name: string, content: string): string {
  const path = join(root, name);
  writeFileSync(path, content);
  return path;
}

async function ok(r: Promise<RunResult>): Promise<RunResult> {
  const result = await r;
  if (result.code !== 0) throw new Error(`command failed: ${result.stderr}`);
  return result;
}

function refused(r: RunResult, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
}

async function exportKey(person: Person): Promise<string> {
  person.fingerprint = (await ok(person.run('key', 'fingerprint'))).stdout.trim();
  const keyFile = join(root, `${person.fingerprint}.asc`);
  await ok(person.run('key', 'export', '--public', '--out', keyFile));
  return keyFile;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'liaison-workflow-cli-'));
  const dataDir = join(root, 'hub');
  await ok(liaison(['hub', 'init', '--data', dataDir]));
  ivan = new Person('Ivan Petrov', 'RU', root);
  aigerim = new Person('Aigerim Nurlanovna', 'KZ', root);
  ayesha = new Person('Ayesha Khan', 'PK', root);
  const officers = { RU: new Person('Sergei Volkov', 'RU', root), KZ: new Person('Daniyar Seitkali', 'KZ', root), PK: new Person('Imran Qureshi', 'PK', root) };
  const everyone = [ivan, aigerim, ayesha, ...Object.values(officers)];
  await Promise.all(everyone.map((p) => ok(p.run('keygen', '--name', p.name))));
  const keys = new Map(await Promise.all(everyone.map(async (p) => [p, await exportKey(p)] as const)));
  for (const officer of Object.values(officers)) await ok(liaison(['hub', 'enroll', '--data', dataDir, '--party', officer.party, '--key', keys.get(officer)!]));
  // Each person's trust store is their own file: pin in parallel across people, in turn within one.
  await Promise.all(everyone.map(async (p) => {
    for (const o of Object.values(officers)) await ok(p.run('trust', 'add', '--party', o.party, '--officer', o.fingerprint));
  }));
  hub = await startHub(dataDir, join(root, 'hub.log'));
  await Promise.all(Object.values(officers).map((officer) => ok(officer.run('login', '--server', hub.url))));
  await Promise.all([ivan, aigerim, ayesha].map((p) => ok(officers[p.party as 'RU' | 'KZ' | 'PK'].run('officer', 'enroll', '--key', keys.get(p)!, '--roles', 'contact', '--clearance', 'SECRET'))));
  await Promise.all([ivan, aigerim, ayesha].map((p) => ok(p.run('login', '--server', hub.url))));
}, 300_000);

afterAll(async () => {
  await hub?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('liaison request / state / deadlines', () => {
  it('runs an SCO request: acknowledged, asked for more information, executed', { timeout: 300_000 }, async () => {
    const form = ['--requesting-authority', 'Ministry of Internal Affairs of Kazakhstan', '--requested-authority', 'Ministry of Internal Affairs of Russia', '--purpose', 'Locate a suspect', '--justification', 'Criminal case 1234', '--assistance', 'Establish whereabouts and contacts', '--facts', 'The suspect left Almaty in March'];
    const base = ['request', 'send', '--agreement', 'SCO', '--to', 'RU', '--marking', 'secret', '--original', file('kz-request.txt', KZ_REQUEST), '--lang', 'ru', '--quiet'];
    refused(await aigerim.run(...base, ...form), /must state confidentiality \(SCO Art\. 5\(4\)\)/);
    const id = (await ok(aigerim.run(...base, ...form, '--confidentiality', 'Not to be disclosed to the suspect'))).stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const due = (await ok(ivan.run('deadlines'))).stdout;
    expect(due).toMatch(new RegExp(`DUE\\s+\\S+ \\S+ [+-]\\d\\d:\\d\\d\\s+execution\\s+${id}\\s+SCO\\s+we\\s+received\\s+SCO Art\\. 6\\(1\\)`));

    await ok(ivan.run('state', id, 'acknowledged'));
    refused(await ivan.run('state', id, 'waiting-for-information'), /SCO Art\. 6\(4\)/);
    await ok(ivan.run('state', id, 'waiting-for-information', '--notice', file('ru-ask.txt', RU_ASK), '--lang', 'ru', '--quiet'));
    await ok(aigerim.run('send', '--agreement', 'SCO', '--to', 'RU', '--marking', 'SECRET', '--kind', 'information', '--in-reply-to', id, '--original', file('kz-info.txt', KZ_INFO), '--lang', 'ru', '--quiet'));
    await ok(ivan.run('state', id, 'in-execution'));
    await ok(ivan.run('state', id, 'executed', '--reply', file('ru-reply.txt', RU_REPLY), '--lang', 'ru', '--quiet'));

    const shown = (await ok(ivan.run('request', 'show', id, '--out', join(root, 'ivan-request')))).stdout;
    expect(shown).toMatch(/KZ -> RU: executed/);
    expect(shown).toMatch(/waiting-for-information \[packet /);
    expect(shown).toContain('Confidentiality: Not to be disclosed to the suspect');
    const history = JSON.parse((await ok(aigerim.run('request', 'show', id, '--json'))).stdout) as { states: Array<{ history: Array<{ state: string }> }> };
    expect(history.states[0]!.history.map((h) => h.state)).toEqual(['received', 'acknowledged', 'waiting-for-information', 'in-execution', 'executed']);

    // Doubt about authenticity (SCO Art. 5(3)): Kazakhstan confirms, Russia checks the signature itself.
    const ask = (await ok(ivan.run('authenticity', 'ask', id))).stdout.trim();
    refused(await ivan.run('authenticity', 'check', ask), /not confirmed: KZ has not answered yet/);
    await ok(aigerim.run('authenticity', 'confirm', ask));
    expect((await ok(ivan.run('authenticity', 'check', ask))).stdout).toMatch(/^Authentic: confirmed by .* of KZ/);
  });

  it('refuses a refusal without written reasons, then records it with them (RU-PK Art. 11)', async () => {
    const id = (await ok(ivan.run('request', 'send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', file('ru-pk.txt', RU_PK_REQUEST), '--lang', 'ru', '--translation', `en:${file('ru-pk-en.txt', RU_PK_EN)}`, '--requesting-authority', 'Prosecutor General', '--requested-authority', 'MOI-NC', '--purpose', 'Money laundering case', '--assistance', 'Bank records', '--quiet'))).stdout.trim();
    refused(await ayesha.run('state', id, 'refused'), /only with written reasons.*\(RU-PK Art\. 11\): on the command line, give the document with --reasons FILE/);
    const out = (await ok(ayesha.run('state', id, 'refused', '--reasons', file('pk-reasons.txt', PK_REASONS), '--lang', 'en', '--quiet'))).stdout;
    expect(out).toMatch(/RU -> PK: refused in whole/);
    const list = (await ok(ivan.run('request', 'list'))).stdout;
    expect(list).toContain(`${id} RU-PK RU -> PK: refused in whole`);
  });
});
