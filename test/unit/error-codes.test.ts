/**
 * Every refusal the core can raise towards a person has a stable code, and the web client has
 * English and Russian words for every code with exactly its parameters. The codes are walked from
 * the one registry (client/core/error-codes.ts), the hub's from server/errors.ts; the error
 * classes and the places that raise them are found in the sources, so a new class or a new throw
 * without a code fails here, not in front of a Russian-speaking officer.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../client/core/error-codes.ts';
import { ApiError, ClientError, isTypedError, UNCODED } from '../../client/core/errors.ts';
import { problemOf } from '../../client/core/api.ts';
import { checkedRequestForm } from '../../client/core/requests.ts';
import { MissingFontError } from '../../client/core/stamp/fonts.ts';
import { articleIn, errorCatalogues, errorSentence, HUB_PROBLEM_CODES, hubCatalogues } from '../../client/web/src/error-catalogue.ts';
import { translator } from '../../client/web/src/i18n.ts';
import { unlockPrivateKey, KeyError } from '../../keys/identity.ts';
import { NotARecipientError, PartError } from '../../keys/part-error.ts';
import { StatementError } from '../../protocol/canonical.ts';
import { Agreement } from '../../protocol/agreement.ts';
import { STATUS } from '../../server/errors.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort();

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sources(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The sources whose errors reach a person in the web client: the core, keys/, protocol/ and the web client itself. */
const SHOWN = ['client/core', 'client/web/src', 'keys', 'protocol'].flatMap(sources);

/** The arguments of the call whose `(` is at `open`, split at top-level commas (strings and templates skipped). */
function callArguments(text: string, open: number): string[] {
  const args: string[] = [];
  const stack: string[] = [];
  let current = '';
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i]!;
    const top = stack.at(-1);
    if (top === '`' || top === "'" || top === '"') {
      current += c;
      if (c === '\\') current += text[++i];
      else if (c === top) stack.pop();
      else if (top === '`' && c === '$' && text[i + 1] === '{') {
        stack.push('{');
        current += text[++i];
      }
      continue;
    }
    if (c === ')' && stack.length === 0) {
      if (current.trim()) args.push(current.trim());
      return args;
    }
    if (c === ',' && stack.length === 0) {
      args.push(current.trim());
      current = '';
      continue;
    }
    if (c === '`' || c === "'" || c === '"' || c === '(' || c === '{' || c === '[') stack.push(c);
    else if (c === ')' || c === '}' || c === ']') stack.pop();
    current += c;
  }
  throw new Error('unclosed call');
}

describe('the registry of error codes', () => {
  it('has words in English and Russian for every code, with exactly the parameters the registry names', () => {
    const codes = Object.keys(ERROR_CODES).sort();
    expect(codes.length).toBeGreaterThan(150);
    for (const [locale, catalogue] of Object.entries(errorCatalogues)) {
      expect(Object.keys(catalogue).sort(), `${locale}: the catalogue's codes are the registry's`).toEqual(codes);
      for (const [code, params] of Object.entries(ERROR_CODES)) {
        const text = (catalogue as Record<string, string>)[code]!;
        expect(text.trim(), `${locale} ${code}`).not.toBe('');
        expect(placeholders(text), `${locale} ${code}: parameters`).toEqual([...params].sort());
      }
    }
  });

  it('frames every problem code of the hub (server/errors.ts, and its internal fault) in both languages around the hub’s detail', () => {
    expect([...HUB_PROBLEM_CODES].sort()).toEqual([...Object.keys(STATUS), 'internal'].sort());
    for (const [locale, catalogue] of Object.entries(hubCatalogues)) {
      expect(Object.keys(catalogue).sort(), locale).toEqual([...HUB_PROBLEM_CODES].sort());
      for (const [code, text] of Object.entries(catalogue)) expect(placeholders(text), `${locale} ${code}`).toEqual(['detail']);
    }
  });

  it('has no Russian entry left in English: each says something in Cyrillic', () => {
    for (const [code, text] of Object.entries(errorCatalogues.ru)) {
      const words = text.replace(/\{\w+\}/g, '').replace(/[^\p{L}]+/gu, ' ').trim();
      // A bare parameter (a quoted reason, the hub's detail) is worded by the frame around it, never alone.
      if (words === '') expect.fail(`ru ${code} is a bare parameter: "${text}"`);
      else expect(/\p{Script=Cyrillic}/u.test(text), `ru ${code}: "${text}"`).toBe(true);
    }
    for (const text of Object.values(hubCatalogues.ru)) expect(text).toMatch(/\p{Script=Cyrillic}/u);
  });
});

describe('the error classes', () => {
  it('every error class of the core, keys/ and protocol/ carries a stable code', () => {
    const classes = SHOWN.flatMap((file) => [...readFileSync(join(ROOT, file), 'utf8').matchAll(/class (\w+) extends (\w+)/g)].map((m) => ({ file, name: m[1]!, base: m[2]! })));
    const errorClasses = classes.filter((c) => /Error$/.test(c.base));
    expect(errorClasses.map((c) => c.name).sort()).toEqual(['ApiError', 'ClientError', 'KeyError', 'MissingFontError', 'NotARecipientError', 'PartError', 'StatementError', 'WorkerError']);
    for (const c of errorClasses) {
      const text = readFileSync(join(ROOT, c.file), 'utf8');
      const body = text.slice(text.indexOf(`class ${c.name} `));
      const declares = /readonly wording: ErrorWording/.test(body.slice(0, body.indexOf('\n}')));
      const inherits = errorClasses.some((other) => other.name === c.base);
      expect(declares || inherits, `${c.file}: ${c.name} has no code (a readonly wording: ErrorWording)`).toBe(true);
    }
  });

  it('every instance carries a code of the registry', async () => {
    const instances: Error[] = [
      new ClientError('the key is locked', 'web.key-locked'),
      new ApiError(0, 'the upload to the hub failed', 'api.upload-failed'),
      new NotARecipientError(['0123456789ABCDEF']),
      new MissingFontError('cjk'),
      await unlockPrivateKey('not a key', 'passphrase').then(() => new Error('unlocked'), (e: unknown) => e as Error),
    ];
    expect(instances[4]).toBeInstanceOf(KeyError);
    for (const e of instances) {
      const { wording } = e as Error & { wording: { code: string } };
      expect(Object.keys(ERROR_CODES), e.message).toContain(wording.code);
    }
    expect(isTypedError(new PartError('x', 'part.empty'))).toBe(true);
    expect(isTypedError(new StatementError('x', 'statement.not-canonical', { reason: 'x' }))).toBe(true);
  });

  it('raises no ClientError, ApiError, KeyError, PartError or StatementError without a registered code where the web client can show it', () => {
    const codes = new Set(Object.keys(ERROR_CODES));
    let sites = 0;
    for (const file of SHOWN) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/new (ClientError|ApiError|KeyError|PartError|StatementError)\(/g)) {
        const args = callArguments(text, m.index + m[0].length - 1);
        const codeArg = m[1] === 'ApiError' ? args[2] : args[1];
        const line = text.slice(0, m.index).split('\n').length;
        const named = [...(codeArg ?? '').matchAll(/'([\w.-]+)'|`api\.unreachable\.\$\{reason\}`/g)].map((c) => c[1] ?? 'api.unreachable.refused');
        expect(named.length, `${file}:${line} raises ${m[1]} without a code`).toBeGreaterThan(0);
        for (const code of named) expect(codes.has(code), `${file}:${line}: ${code} is not in the registry`).toBe(true);
        sites++;
      }
    }
    expect(sites).toBeGreaterThan(140);
  });

  it('keeps the English sentence for the CLI as it was, the code beside it', () => {
    const e = new ClientError('no officer of PK is pinned', 'trust.no-officer-pinned', { party: 'PK' });
    expect(e.message).toBe('no officer of PK is pinned');
    expect(e.wording).toEqual({ code: 'trust.no-officer-pinned', params: { party: 'PK' } });
    // A shell's own sentence (client/cli, client/node) still reads as before, framed when shown in another language.
    const shell = new ClientError('say which key: --public or --secret');
    expect(shell.wording.code).toBe(UNCODED);
    expect(errorSentence('ru', shell.wording, shell.message)).toBe('сообщение на английском: «say which key: --public or --secret»');
  });
});

describe('refusals in Russian', () => {
  const sco = Agreement.parse(JSON.parse(readFileSync(join(ROOT, 'agreements', 'SCO.json'), 'utf8')));

  it('words a real refusal of the core with its article in the Russian register', () => {
    let refusal: unknown;
    try {
      checkedRequestForm(sco, { requestingAuthority: 'MVD-RU', requestedAuthority: 'MVD-KZ', purposeCategory: 'criminal-investigation', purpose: 'Расследование' });
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(ClientError);
    const e = refusal as ClientError;
    expect(e.message).toMatch(/^a request under SCO must state .* \(SCO Art\. 5\(4\)\)$/);
    const ru = translator('ru').error(e.wording, e.message);
    expect(ru).toMatch(/^запрос по соглашению SCO должен содержать: .* \(ст\. 5\(4\) соглашения SCO\)$/);
    expect(translator('en').error(e.wording, e.message)).toBe(e.message);
  });

  it('frames a hub refusal by its problem code, quoting the hub, and an unknown code in the general frame', () => {
    const known = problemOf(422, JSON.stringify({ type: 'https://liaison.invalid/problems/treaty-rule', code: 'treaty-rule', detail: 'a translation into ru is required', article: 'RU-PK Art. 6' }));
    expect(known.code).toBe('treaty-rule');
    expect(known.article).toBe('RU-PK Art. 6');
    expect(known.message).toBe('a translation into ru is required (RU-PK Art. 6)');
    expect(translator('ru').error(known.wording, known.detail)).toBe('Отказано в соответствии с соглашением: «a translation into ru is required»');
    const unknown = problemOf(418, JSON.stringify({ code: 'teapot', detail: 'I am a teapot' }));
    expect(translator('ru').error(unknown.wording, unknown.detail)).toBe('Хаб отказал: «I am a teapot»');
    const bare = problemOf(502, '<html>bad gateway</html>');
    expect(translator('ru').error(bare.wording, bare.message)).toBe('хаб ответил кодом 502');
  });

  it('words a quoted reason in turn: the language rule inside the incomplete packet', () => {
    const wording = { code: 'send.incomplete', params: { reason: { code: 'languages.translation-required', params: { languages: 'ru' } }, article: 'RU-PK Art. 6', how: 'add the translation or save the packet as a draft for a clerk to complete' } };
    expect(errorSentence('ru', wording, '')).toBe('пакет неполон: отсутствует обязательный перевод: ru (ст. 6 соглашения RU-PK); добавьте перевод или сохраните пакет как черновик, чтобы его дополнил делопроизводитель');
    expect(errorSentence('en', wording, '')).toBe('the packet is incomplete: a translation into ru is required (RU-PK Art. 6); add the translation or save the packet as a draft for a clerk to complete');
  });

  it('cites every article form the agreements use', () => {
    expect(articleIn('ru', 'SCO Art. 5(4)')).toBe('ст. 5(4) соглашения SCO');
    expect(articleIn('ru', 'SCO Art. 6(7)-(9)')).toBe('ст. 6(7)–(9) соглашения SCO');
    expect(articleIn('ru', 'SCO Art. 6(7), 6(9)')).toBe('ст. 6(7), 6(9) соглашения SCO');
    expect(articleIn('ru', 'IR-KG Art. 4 (survival after termination not stated; conservative default)')).toBe('ст. 4 соглашения IR-KG (сохранение в силе после прекращения не оговорено; принято осторожное толкование)');
    expect(articleIn('ru', 'PK-BY (provisional; news item 003)')).toBe('соглашение PK-BY (предварительно; сообщение № 003)');
    expect(articleIn('en', 'SCO Art. 5(4)')).toBe('SCO Art. 5(4)');
    const articles = new Set<string>();
    for (const file of readdirSync(join(ROOT, 'agreements'))) for (const m of readFileSync(join(ROOT, 'agreements', file), 'utf8').matchAll(/"article": "([^"]+)"/g)) articles.add(m[1]!);
    for (const a of articles) expect(articleIn('ru', a), a).toMatch(/^(ст\. [\d(), –-]+ соглашения|соглашение) [A-Z-]+( \(\p{Script=Cyrillic}.*\))?$/u);
  });
});
