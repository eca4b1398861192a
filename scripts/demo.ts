/**
 * `npm run demo`: the whole product as a story (keys and pins, a marked packet sent,
 * fetched and stamped, an onward release, the treaty workflow, receipts) against a fresh
 * temporary hub, told step by step with the real CLI. Exits non-zero as soon as any step does not behave as the story says.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { DEMO_PASSPHRASE, liaison, Person, startHub, type RunResult, type RunningHub } from './harness.ts';
import { makeSamplePdf } from './sample-pdf.ts';

const root = mkdtempSync(join(tmpdir(), 'liaison-demo-'));
const dataDir = join(root, 'hub');
let hub: RunningHub | undefined;
let step = 0;

function say(text: string): void {
  console.log(`\n${++step}. ${text}`);
}
/** The command as a person would type it, with the demo's temporary folder shown as `.`. */
function commandLine(args: string[]): string {
  return `liaison ${args.map((a) => a.split(root).join('.')).map((a) => (/[\s"'$]/.test(a) ? `"${a}"` : a)).join(' ')}`;
}
function show(result: RunResult): void {
  for (const line of `${result.stdout}${result.stderr}`.trim().split('\n')) if (line) console.log(`   | ${line.split(root).join('.')}`);
}
function expectOk(result: RunResult, what: string, quiet = false): RunResult {
  if (!quiet) {
    console.log(`   $ ${commandLine(result.args)}`);
    show(result);
  }
  if (result.code !== 0) throw new Error(`${what} should have worked: ${result.stderr.trim()}`);
  return result;
}
/** A refusal the story expects: say what is attempted and why it must fail, then show the refusal. */
function expectRefused(result: RunResult, pattern: RegExp, what: string): void {
  console.log(`   Attempt: ${what}; this must be refused.`);
  console.log(`   $ ${commandLine(result.args)}`);
  show(result);
  if (result.code === 0 || !pattern.test(result.stderr)) throw new Error(`${what} should have been refused (${pattern})`);
  if (/\n\s+at /.test(result.stderr)) throw new Error(`${what} printed a stack trace`);
  console.log('   Refused, as it must be.');
}

const RU_ORIGINAL = `ЗАПРОС О ПРАВОВОЙ ПОМОЩИ
Генеральная прокуратура Российской Федерации просит компетентные органы Исламской Республики Пакистан
установить владельцев банковских счетов, на которые в марте поступили средства от продажи наркотических средств,
и сообщить сведения о движении денежных средств по этим счетам. Сведения необходимы для расследования уголовного дела.
`;
const EN_TRANSLATION = `REQUEST FOR LEGAL ASSISTANCE
The Prosecutor General's Office of the Russian Federation asks the competent authorities of the Islamic Republic of Pakistan
to identify the holders of the bank accounts that received, in March, the proceeds of the sale of narcotic drugs,
and to report the movements of funds on those accounts. The information is needed for the investigation of a criminal case.
`;

/** The banner lines at the top of page 1, read back from the PDF's text layer with pdf.js. */
async function topBanner(path: string): Promise<string[]> {
  const pdf = await getDocument({ data: new Uint8Array(readFileSync(path)), isEvalSupported: false, verbosity: 0 }).promise;
  try {
    const page = await pdf.getPage(1);
    const top = page.view[3]!;
    const lines = new Map<number, string>();
    for (const item of (await page.getTextContent()).items) {
      if (!('str' in item) || item.transform[5] < top - 30) continue;
      const y = Math.round(item.transform[5] as number);
      lines.set(y, (lines.get(y) ?? '') + item.str);
    }
    return [...lines.entries()].sort((a, b) => b[0] - a[0]).map(([, line]) => line);
  } finally {
    await pdf.destroy();
  }
}

async function main(): Promise<void> {
  console.log('Liaison demo: a classified request from Russia to Pakistan under the RU-PK agreement,');
  console.log('and a third party (Kazakhstan, on the hub under the SCO agreement) that may see it only with consent.');
  console.log('Each step says what is done, then shows the command (the working folder as ".") and what it printed.');
  console.log(`Working in ${root}`);

  const ivan = new Person('Ivan Petrov', 'RU', root);
  const olga = new Person('Olga Smirnova', 'RU', root);
  const sergei = new Person('Sergei Volkov', 'RU', root);
  const ayesha = new Person('Ayesha Khan', 'PK', root);
  const imran = new Person('Imran Qureshi', 'PK', root);
  const aigerim = new Person('Aigerim Nurlanovna', 'KZ', root);
  const daniyar = new Person('Daniyar Seitkali', 'KZ', root);
  const officers = [sergei, imran, daniyar];
  const members: Array<[Person, string, string]> = [
    [ivan, 'contact', 'TOP SECRET'],
    [olga, 'clerk', 'SECRET'],
    [ayesha, 'contact', 'SECRET'],
    [aigerim, 'contact', 'SECRET'],
  ];
  const everyone = [...officers, ...members.map(([p]) => p)];
  const keyFile = (p: Person) => join(root, `${p.party}-${p.fingerprint}.asc`);

  say('Each person makes their own key on their own machine (passphrase-protected, GnuPG-compatible).');
  for (const person of everyone) {
    const r = expectOk(await person.run('keygen', '--name', person.name, '--email', `${person.name.split(' ')[0]!.toLowerCase()}@${person.party.toLowerCase()}.example`), `keygen for ${person.name}`);
    person.fingerprint = r.stdout.trim();
    expectOk(await person.run('key', 'export', '--public', '--out', keyFile(person)), 'key export', true);
  }

  say("The hub operator creates a hub (SQLite store, blob store, hub signing key, agreements) and records each party's first security officer.");
  expectOk(await liaison(['hub', 'init', '--data', dataDir, ...officers.flatMap((o) => ['--officer', `${o.party}=${keyFile(o)}`])]), 'hub init');

  say("Sergei writes the three officers' fingerprints, as the parties notified them to each other in writing, into one pins file; everyone pins all three in one command. The hub is not trusted for keys.");
  const pairs = officers.flatMap((o) => ['--party', o.party, '--officer', o.fingerprint]);
  expectOk(await sergei.run('trust', 'add', ...pairs), 'trust add with several pairs');
  const pinsFile = join(root, 'pins.json');
  expectOk(await sergei.run('trust', 'export', '--out', pinsFile), 'trust export');
  for (const person of everyone.filter((p) => p !== sergei)) expectOk(await person.run('trust', 'add', '--file', pinsFile), 'trust add --file', person !== ivan);
  console.log('   | (the five others run the same: liaison trust add --file ./pins.json)');
  expectOk(await ivan.run('trust', 'list'), 'trust list');

  say('The hub starts on a loopback port, and the officers log in by signing its challenge (no passwords on the hub).');
  hub = await startHub(dataDir, join(root, 'hub.log'));
  console.log(`   | ${hub.url}`);
  say(`The same hub serves the web client: open ${hub.url}/ in a browser while the demo runs (docs/web.md; off loopback, serve HTTPS with --tls-cert and --tls-key).`);
  for (const o of officers) expectOk(await o.run('login', '--server', hub.url), `login ${o.name}`);

  say('Each officer vouches for the people of their own party with a signed membership statement.');
  for (const [person, role, clearance] of members) {
    const officer = officers.find((o) => o.party === person.party)!;
    expectOk(await officer.run('officer', 'enroll', '--key', keyFile(person), '--roles', role, '--clearance', clearance), `enroll ${person.name}`);
  }
  expectRefused(await sergei.run('officer', 'enroll', '--key', keyFile(ayesha), '--roles', 'contact', '--clearance', 'SECRET'), /already enrolled|only a security officer of PK/, 'an officer enrolling for another party');

  say('The members log in; their clients verify every colleague and partner against the pinned officers.');
  for (const [person] of members) expectOk(await person.run('login', '--server', hub.url), `login ${person.name}`);
  show(await ayesha.run('members', 'RU'));

  writeFileSync(join(root, 'zapros.txt'), RU_ORIGINAL);
  writeFileSync(join(root, 'request-en.txt'), EN_TRANSLATION);
  writeFileSync(join(root, 'wrong-en.txt'), RU_ORIGINAL);

  const rupkForm = ['--requesting-authority', 'Prosecutor General', '--requested-authority', 'MOI-NC', '--purpose', 'Drug proceeds investigation', '--assistance', 'Identify the account holders'];
  say('A request under RU-PK carries its request form (RU-PK Art. 5), so a bare "send --kind request" is pointed to "request send".');
  expectRefused(await ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', join(root, 'zapros.txt'), '--lang', 'ru', '--translation', `en:${join(root, 'request-en.txt')}`, '--kind', 'request', '--quiet'), /request send/, 'a request sent without its form');

  say('Ivan tries to send the Russian request without its English translation: the client refuses, citing Art. 6.');
  expectRefused(await ivan.run('request', 'send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', join(root, 'zapros.txt'), '--lang', 'ru', ...rupkForm, '--quiet'), /RU-PK Art\. 6/, 'a request without the English translation Art. 6 requires');

  say('A misspelt party is named as such, with the parties of the agreement.');
  expectRefused(await ivan.run('send', '--agreement', 'RU-PK', '--to', 'PAK', '--marking', 'SECRET', '--original', join(root, 'zapros.txt'), '--lang', 'ru', '--translation', `en:${join(root, 'request-en.txt')}`, '--quiet'), /PAK is not a party of RU-PK/, 'sending to "PAK"');

  say('A "translation" that is really Russian text is caught before anything is encrypted.');
  expectRefused(await ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', join(root, 'zapros.txt'), '--lang', 'ru', '--translation', `en:${join(root, 'wrong-en.txt')}`, '--quiet'), /not in en/, 'a "translation" whose text is Russian');

  say('Ivan keeps the request as a draft of his party (marked СОВЕРШЕННО СЕКРЕТНО, the Russian label for SECRET).');
  const draft = expectOk(await ivan.run('request', 'send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'СОВЕРШЕННО СЕКРЕТНО', '--original', join(root, 'zapros.txt'), '--lang', 'ru', ...rupkForm, '--draft', '--quiet'), 'sending a draft');
  const packetId = draft.stdout.trim();

  say('Pakistan cannot see a draft.');
  expectRefused(await ayesha.run('fetch', packetId, '--out', join(root, 'ayesha-early'), '--quiet'), /does not exist or is not available/, 'Ayesha fetching the draft');

  say('Olga, the clerk, attaches the English translation; Ivan submits the packet.');
  expectOk(await olga.run('attach', packetId, '--translation', `en:${join(root, 'request-en.txt')}`, '--quiet'), 'attach');
  expectOk(await ivan.run('submit', packetId), 'submit');

  say("Ayesha's inbox shows the packet with its marking in Pakistan's terms.");
  const inbox = expectOk(await ayesha.run('inbox'), 'inbox');
  if (!inbox.stdout.includes(packetId)) throw new Error('the packet is not in the inbox');

  say('Ayesha fetches it: every ciphertext hash is checked against the signed manifest, then decrypted and verified.');
  const out = join(root, 'ayesha');
  expectOk(await ayesha.run('fetch', packetId, '--out', out, '--quiet'), 'fetch');
  const files = readdirSync(out).sort();
  if (readFileSync(join(out, 'zapros.txt'), 'utf8') !== RU_ORIGINAL || readFileSync(join(out, 'request-en.txt'), 'utf8') !== EN_TRANSLATION) {
    throw new Error(`the decrypted files differ from what was sent (${files.join(', ')})`);
  }
  console.log('   | both files are byte-for-byte what Ivan and Olga encrypted');

  say('With --raw she keeps the ciphertext, and plain GnuPG decrypts it with her exported key.');
  const raw = join(root, 'ayesha-raw');
  expectOk(await ayesha.run('fetch', packetId, '--out', raw, '--raw', '--quiet'), 'fetch --raw');
  const gnupgHome = mkdtempSync(join(tmpdir(), 'liaison-demo-gpg-'));
  try {
    const secret = join(root, 'ayesha-secret.asc');
    expectOk(await ayesha.run('key', 'export', '--secret', '--out', secret), 'export secret');
    const gpg = (...args: string[]) => spawnSync('gpg', ['--batch', '--homedir', gnupgHome, '--pinentry-mode', 'loopback', '--passphrase', DEMO_PASSPHRASE, ...args], { encoding: 'utf8' });
    gpg('--import', secret);
    // The senders' public keys, as Russia's officers would hand them over.
    for (const person of [ivan, olga]) gpg('--import', join(root, `${person.party}-${person.fingerprint}.asc`));
    const part = readdirSync(raw).find((f) => /^p\d+-translation-en/.test(f))!;
    console.log(`   $ liaison key export --secret --out ayesha-secret.asc`);
    console.log(`   $ gpg --homedir ./gnupg --import ayesha-secret.asc`);
    console.log(`   $ gpg --homedir ./gnupg --import RU-*.asc      # the senders' public keys, to verify their signatures`);
    console.log(`   $ gpg --homedir ./gnupg --decrypt ./ayesha-raw/${part}`);
    const result = gpg('--trust-model', 'always', '--decrypt', join(raw, part));
    if (result.status !== 0 || result.stdout !== EN_TRANSLATION) throw new Error(`gpg could not decrypt and verify: ${result.stderr}`);
    console.log(`   | gpg --decrypt ${part}: the English translation, as sent`);
    console.log(`   | ${/Good signature from .*/.exec(result.stderr)?.[0] ?? ''}`);
  } finally {
    rmSync(gnupgHome, { recursive: true, force: true });
  }

  say('Ivan sends a PDF; beside the signed original, Ayesha\'s fetch writes a stamped copy with a banner on every page, MARKING.txt and a signed label.');
  writeFileSync(join(root, 'zapros.pdf'), await makeSamplePdf({ lines: RU_ORIGINAL.split(/(?<=[,.])\s+|\n/).filter(Boolean), pages: 2, script: 'latin', fontSize: 11 }));
  const pdfId = expectOk(await ivan.run('send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', join(root, 'zapros.pdf'), '--lang', 'ru', '--translation', `en:${join(root, 'request-en.txt')}`, '--quiet'), 'send a PDF', true).stdout.trim();
  const stampedDir = join(root, 'ayesha-pdf');
  expectOk(await ayesha.run('fetch', pdfId, '--out', stampedDir, '--quiet'), 'fetch a PDF', true);
  const banner = await topBanner(join(stampedDir, 'zapros.stamped-copy.pdf'));
  if (!banner[0]?.includes('SECRET · СОВЕРШЕННО СЕКРЕТНО') || !banner[1]?.includes('copy for Ayesha Khan')) throw new Error(`the stamped copy has no banner: ${banner.join(' / ')}`);
  // Read back from the stamped copy's text layer with pdf.js: no command of the CLI prints it.
  for (const line of banner) console.log(`   | (page 1 of zapros.stamped-copy.pdf) ${line}`);
  expectOk(await ayesha.run('label', 'verify', stampedDir), 'label verify');

  say('Kazakhstan, a third party to RU-PK, cannot read the packet.');
  expectRefused(await aigerim.run('fetch', packetId, '--out', join(root, 'aigerim-early'), '--quiet'), /does not exist or is not available/, 'Aigerim (KZ) fetching a packet of RU-PK');

  say('Ayesha asks to release it onward to Kazakhstan; the request stays blocked.');
  const req = expectOk(await ayesha.run('release', 'request', packetId, '--to', 'KZ', '--purpose', 'Kazakh part of the same trafficking network'), 'release request');
  const releaseId = req.stdout.trim();
  expectRefused(await ayesha.run('release', 'execute', releaseId), /RU-PK Art\. 7\(4\)/, 'Ayesha executing the release before Russia consented');
  expectRefused(await ayesha.run('release', 'consent', releaseId, '--to', 'KZ'), /RU-PK Art\. 7\(4\)/, 'Ayesha consenting herself, though only the originator (Russia) may');

  say("Sergei, Russia's security officer, records Russia's signed written consent, with conditions, until the end of 31 December in his time zone; he states the third party, and his client shows what it signs.");
  expectRefused(await sergei.run('release', 'consent', releaseId, '--to', 'CN'), /is for KZ, not CN as you stated; nothing was signed/, 'Sergei consenting to CN, a party the request does not name');
  expectOk(await sergei.run('release', 'consent', releaseId, '--to', 'KZ', '--conditions', 'For the investigation named in the request only', '--expires', `${new Date().getFullYear() + 1}-12-31`), 'consent');

  say('Ayesha executes the release: the session keys are re-wrapped for Kazakhstan; the data is not re-encrypted.');
  expectOk(await ayesha.run('release', 'execute', releaseId), 'execute');

  say('Aigerim can now fetch and verify the packet; she is told the conditions, which are also written beside the files.');
  const kz = join(root, 'aigerim');
  expectOk(await aigerim.run('fetch', packetId, '--out', kz, '--quiet'), 'third-party fetch after consent');
  if (readFileSync(join(kz, 'request-en.txt'), 'utf8') !== EN_TRANSLATION) throw new Error('Kazakhstan got something else');
  if (!readFileSync(join(kz, 'RELEASE-CONDITIONS.txt'), 'utf8').includes('For the investigation named in the request only')) throw new Error('the conditions did not reach Kazakhstan');
  expectOk(await aigerim.run('release', 'list'), 'release list');

  // --- the treaty workflow ---
  const scoRequest = join(root, 'kz-zapros.txt');
  writeFileSync(scoRequest, 'Запрос о помощи. Просим установить местонахождение гражданина, подозреваемого в контрабанде наркотических средств, и сообщить сведения о его связях.\n');
  writeFileSync(join(root, 'ru-utochnenie.txt'), 'Просим уточнить дату рождения разыскиваемого лица и номер его паспорта, чтобы исполнить запрос.\n');
  writeFileSync(join(root, 'kz-svedeniya.txt'), 'Сообщаем дату рождения разыскиваемого лица и номер его паспорта, указанные в материалах уголовного дела.\n');
  writeFileSync(join(root, 'ru-otvet.txt'), 'Сообщаем, что разыскиваемое лицо установлено; сведения о его связях приведены ниже в настоящем ответе.\n');
  writeFileSync(join(root, 'pk-reasons.txt'), 'Reasons for refusal: the bank records requested are the subject of pending domestic proceedings and cannot be disclosed now.\n');
  const form = ['--requesting-authority', 'Ministry of Internal Affairs of Kazakhstan', '--requested-authority', 'Ministry of Internal Affairs of Russia', '--purpose', 'Locate a suspect', '--justification', 'Criminal case 1234', '--assistance', 'Establish whereabouts and contacts', '--facts', 'The suspect left Almaty in March'];
  const scoSend = ['request', 'send', '--agreement', 'SCO', '--to', 'RU', '--marking', 'SECRET', '--original', scoRequest, '--lang', 'ru', '--quiet', ...form];

  say('Under the SCO agreement, Aigerim (Kazakhstan) sends Russia a request; its form must state all SCO Art. 5(4) asks for.');
  expectRefused(await aigerim.run(...scoSend), /SCO Art\. 5\(4\)/, 'a request whose form lacks the confidentiality indication SCO Art. 5(4) asks for');
  const scoId = expectOk(await aigerim.run(...scoSend, '--confidentiality', 'Not to be disclosed to the suspect'), 'request send').stdout.trim();

  say('Ivan sees it among his deadlines: executed, as a rule, within 30 days (SCO Art. 6(1)).');
  expectOk(await ivan.run('deadlines'), 'deadlines');

  say('Ivan acknowledges it, and asks in writing for additional information (SCO Art. 6(4)).');
  expectOk(await ivan.run('state', scoId, 'acknowledged'), 'acknowledge');
  expectRefused(await ivan.run('state', scoId, 'waiting-for-information'), /SCO Art\. 6\(4\)/, 'asking for information without a written notice');
  expectOk(await ivan.run('state', scoId, 'waiting-for-information', '--notice', join(root, 'ru-utochnenie.txt'), '--lang', 'ru', '--quiet'), 'ask for information');

  say('Aigerim answers in reply to the request; Ivan executes it and sends the reply.');
  expectOk(await aigerim.run('send', '--agreement', 'SCO', '--to', 'RU', '--marking', 'SECRET', '--kind', 'information', '--in-reply-to', scoId, '--original', join(root, 'kz-svedeniya.txt'), '--lang', 'ru', '--quiet'), 'additional information');
  expectOk(await ivan.run('state', scoId, 'in-execution'), 'in execution');
  expectOk(await ivan.run('state', scoId, 'executed', '--reply', join(root, 'ru-otvet.txt'), '--lang', 'ru', '--quiet'), 'executed');
  expectOk(await aigerim.run('request', 'show', scoId), 'request show');

  say('Under RU-PK, Ivan sends Ayesha a request; she may refuse it only with written reasons (RU-PK Art. 11).');
  const pkId = expectOk(await ivan.run('request', 'send', '--agreement', 'RU-PK', '--to', 'PK', '--marking', 'SECRET', '--original', join(root, 'zapros.txt'), '--lang', 'ru', '--translation', `en:${join(root, 'request-en.txt')}`, ...rupkForm, '--quiet'), 'RU-PK request').stdout.trim();
  expectRefused(await ayesha.run('state', pkId, 'refused'), /RU-PK Art\. 11/, 'Ayesha refusing without written reasons');
  expectOk(await ayesha.run('state', pkId, 'refused', '--reasons', join(root, 'pk-reasons.txt'), '--lang', 'en', '--quiet'), 'refusal with reasons');
  expectOk(await ivan.run('request', 'list'), 'request list');

  say("Ivan lists the packet's receipts: the hub's own and the recipients' signed retrieval receipts, every signature verified.");
  expectOk(await ivan.run('receipts', packetId), 'receipts');

  say('Ayesha keeps a checkpoint the hub signed; the operator recomputes the whole audit log and holds it against it.');
  const kept = expectOk(await ayesha.run('audit', 'checkpoint', '--save'), 'audit checkpoint');
  const keptFile = /Kept in (.+)\.$/m.exec(kept.stdout)?.[1];
  if (!keptFile) throw new Error('the checkpoint was not kept');
  expectOk(await liaison(['audit', 'verify', '--data', dataDir, '--checkpoint', keptFile]), 'audit verify');

  console.log('\nThe story held at every step.');
  console.log('To work in the browser, start a hub of your own (npx liaison hub init, then npx liaison serve --port 8443, as the README shows) and open http://127.0.0.1:8443/ (docs/web.md).');
}

main()
  .then(async () => {
    await hub?.stop();
    rmSync(root, { recursive: true, force: true });
  })
  .catch(async (error: unknown) => {
    console.error(`\nDEMO FAILED at step ${step}: ${(error as Error).message}`);
    await hub?.stop();
    console.error(`(files kept in ${root})`);
    process.exit(1);
  });
