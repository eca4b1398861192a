/**
 * The client's declared-language check (client/core/language.ts): real texts in the hub's languages
 * are detected as themselves, a wrong declaration is refused only when it clearly loses, short
 * texts are undetermined rather than guessed, and sampling reads a bounded, cleanly cut prefix.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { LanguageVerdict } from '../../client/core/language.ts';
import { checkDeclaredLanguage, detectLanguage, rejectMargin, toBcp47 } from '../../client/core/language.ts';
import { fileSample } from '../../client/node/extract.ts';

/** The text the language check would read from the file (the core's sample through the CLI's file adapter), null when it has none. */
async function sampleText(path: string, mediaType: string, maxChars?: number): Promise<string | null> {
  const sample = await fileSample(path, mediaType, maxChars);
  return 'text' in sample ? sample.text : null;
}

/** The same short notice in each language (written for this test, several sentences each). */
const TEXTS = {
  en:
    'This agreement sets out the procedure for the exchange of information between the parties. Each party ' +
    'undertakes to ensure the confidentiality of the documents it receives and not to pass them on to third ' +
    'parties without the written consent of the other party. Requests are sent through the authorised contact ' +
    'points and are considered within thirty days. In the event of a disagreement, the parties shall hold ' +
    'consultations with a view to settling it.',
  ru:
    'Настоящее соглашение определяет порядок обмена информацией между сторонами. Каждая сторона обязуется ' +
    'обеспечивать конфиденциальность полученных документов и не передавать их третьим лицам без письменного ' +
    'согласия другой стороны. Запросы направляются через уполномоченные контактные пункты и рассматриваются ' +
    'в течение тридцати дней. В случае разногласий стороны проводят консультации с целью их урегулирования.',
  uk:
    "Ця угода визначає порядок обміну інформацією між сторонами. Кожна сторона зобов'язується забезпечувати " +
    'конфіденційність отриманих документів і не передавати їх третім особам без письмової згоди іншої сторони. ' +
    'Запити надсилаються через уповноважені контактні пункти та розглядаються протягом тридцяти днів. У разі ' +
    'виникнення розбіжностей сторони проводять консультації з метою їх врегулювання.',
  be:
    'Гэта пагадненне вызначае парадак абмену інфармацыяй паміж бакамі. Кожны бок абавязваецца забяспечваць ' +
    'канфідэнцыяльнасць атрыманых дакументаў і не перадаваць іх трэцім асобам без пісьмовай згоды іншага боку. ' +
    'Запыты накіроўваюцца праз упаўнаважаныя кантактныя пункты і разглядаюцца на працягу трыццаці дзён. ' +
    'У выпадку рознагалоссяў бакі праводзяць кансультацыі з мэтай іх урэгулявання.',
  kk:
    'Осы келісім тараптар арасындағы ақпарат алмасу тәртібін айқындайды. Әрбір тарап алынған құжаттардың ' +
    'құпиялылығын қамтамасыз етуге және оларды екінші тараптың жазбаша келісімінсіз үшінші тұлғаларға бермеуге ' +
    'міндеттенеді. Сұрау салулар уәкілетті байланыс пункттері арқылы жіберіледі және отыз күн ішінде қаралады. ' +
    'Келіспеушіліктер туындаған жағдайда тараптар оларды шешу мақсатында консультациялар өткізеді.',
  ky:
    'Бул келишим тараптардын ортосундагы маалымат алмашуунун тартибин аныктайт. Ар бир тарап алынган ' +
    'документтердин купуялуулугун камсыз кылууга жана аларды экинчи тараптын жазуу жүзүндөгү макулдугусуз ' +
    'үчүнчү жактарга бербөөгө милдеттенет. Суроо-талаптар ыйгарым укуктуу байланыш пункттары аркылуу ' +
    'жиберилет жана отуз күндүн ичинде каралат. Пикир келишпестиктер чыкканда тараптар аларды чечүү ' +
    'максатында кеңешмелерди өткөрүшөт.',
  tg:
    'Ин созишнома тартиби мубодилаи иттилоотро байни тарафҳо муайян мекунад. Ҳар як тараф ӯҳдадор мешавад, ки ' +
    'махфияти ҳуҷҷатҳои гирифташударо таъмин намояд ва онҳоро бе розигии хаттии тарафи дигар ба шахсони сеюм ' +
    'надиҳад. Дархостҳо тавассути нуқтаҳои тамоси ваколатдор фиристода мешаванд ва дар давоми сӣ рӯз баррасӣ ' +
    'мегарданд. Дар сурати ба миён омадани ихтилофҳо тарафҳо бо мақсади ҳалли онҳо машварат мегузаронанд.',
  uz:
    'Ushbu kelishuv tomonlar oʻrtasida axborot almashish tartibini belgilaydi. Har bir tomon olingan ' +
    'hujjatlarning maxfiyligini taʼminlash va ularni boshqa tomonning yozma roziligisiz uchinchi shaxslarga ' +
    'bermaslik majburiyatini oladi. Soʻrovlar vakolatli aloqa punktlari orqali yuboriladi va oʻttiz kun ichida ' +
    'koʻrib chiqiladi. Kelishmovchiliklar yuzaga kelgan taqdirda tomonlar ularni hal etish maqsadida ' +
    'maslahatlashuvlar oʻtkazadi.',
  ur:
    'یہ معاہدہ فریقین کے درمیان معلومات کے تبادلے کا طریقہ کار طے کرتا ہے۔ ہر فریق اس بات کا پابند ہے کہ وہ ' +
    'موصول ہونے والی دستاویزات کی رازداری کو یقینی بنائے اور دوسرے فریق کی تحریری اجازت کے بغیر انہیں کسی ' +
    'تیسرے فریق کو نہ دے۔ درخواستیں مجاز رابطہ مراکز کے ذریعے بھیجی جاتی ہیں اور ان پر تیس دن کے اندر غور کیا ' +
    'جاتا ہے۔ اختلافات کی صورت میں فریقین انہیں حل کرنے کے لیے مشاورت کرتے ہیں۔',
  fa:
    'این توافق‌نامه شیوه تبادل اطلاعات میان طرفین را تعیین می‌کند. هر یک از طرفین متعهد می‌شود که محرمانه ' +
    'بودن اسناد دریافتی را تضمین کند و آنها را بدون رضایت کتبی طرف دیگر در اختیار اشخاص ثالث قرار ندهد. ' +
    'درخواست‌ها از طریق مراکز تماس مجاز ارسال می‌شوند و ظرف سی روز بررسی می‌گردند. در صورت بروز اختلاف، ' +
    'طرفین برای حل آن با یکدیگر مشورت می‌کنند.',
  zh:
    '本协议规定了双方之间交换信息的程序。各方承诺确保所收到文件的机密性，未经另一方书面同意，不得将其转交给' +
    '任何第三方。请求应通过授权的联络点发送，并在三十天内予以审议。如发生分歧，双方应进行磋商以求解决。',
  ja:
    'この協定は、締約国間における情報交換の手続を定めるものである。各締約国は、受領した文書の機密性を確保し、' +
    '他方の締約国の書面による同意なしに第三者に提供しないことを約束する。要請は、権限のある連絡窓口を通じて' +
    '送付され、三十日以内に審査される。',
} as const;
type Lang = keyof typeof TEXTS;
const LANGS = Object.keys(TEXTS) as Lang[];

const STATUSES = ['match', 'mismatch', 'undetermined', 'not-checked'];

describe('detectLanguage', () => {
  it.each(LANGS)('detects the %s text as itself', (lang) => {
    const result = detectLanguage(TEXTS[lang]);
    expect(result.lang).toBe(lang);
    expect(result.candidates[0]).toEqual({ lang, score: 1 });
    for (let i = 1; i < result.candidates.length; i++) {
      expect(result.candidates[i]!.score).toBeLessThanOrEqual(result.candidates[i - 1]!.score);
    }
  });

  it('says und for a few words, not a guess', () => {
    expect(detectLanguage('Hello my friend')).toEqual({ lang: 'und', candidates: [] });
    expect(detectLanguage('Привет, мой друг! 12345 67890 ---- !!!! ????')).toEqual({ lang: 'und', candidates: [] });
    expect(detectLanguage('').lang).toBe('und');
  });

  it('ignores digits, punctuation and URLs when counting letters', () => {
    const noise = ' 2025-06-03, No. 1234/2025 https://example.org/a/very/long/path?with=query ';
    expect(detectLanguage(`Request${noise.repeat(10)}received.`).lang).toBe('und');
    expect(detectLanguage(noise + TEXTS.ru + noise).lang).toBe('ru');
  });

  it('maps franc codes to BCP 47 primary subtags', () => {
    const cases: Record<string, string> = {
      eng: 'en', rus: 'ru', cmn: 'zh', pes: 'fa', prs: 'fa', arb: 'ar', uzn: 'uz', zlm: 'ms', swh: 'sw', ekk: 'et',
      lvs: 'lv', azj: 'az', khk: 'mn', npi: 'ne', pbu: 'ps', ydd: 'yi', kaz: 'kk', kir: 'ky', tgk: 'tg', urd: 'ur',
      nob: 'nb', sco: 'sco', skr: 'skr',
    };
    for (const [code, tag] of Object.entries(cases)) expect(toBcp47(code), code).toBe(tag);
  });
});

describe('checkDeclaredLanguage', () => {
  it.each(LANGS)('accepts the %s text declared as itself', (lang) => {
    expect(checkDeclaredLanguage(TEXTS[lang], lang)).toEqual({ status: 'match', detected: lang });
  });

  it('accepts English declared en and en-GB, and Chinese declared zh-Hans', () => {
    expect(checkDeclaredLanguage(TEXTS.en, 'en')).toEqual({ status: 'match', detected: 'en' });
    expect(checkDeclaredLanguage(TEXTS.en, 'en-GB')).toEqual({ status: 'match', detected: 'en' });
    expect(checkDeclaredLanguage(TEXTS.zh, 'zh-Hans')).toEqual({ status: 'match', detected: 'zh' });
    expect(checkDeclaredLanguage(TEXTS.zh, 'zh_Hans_CN')).toEqual({ status: 'match', detected: 'zh' });
    expect(checkDeclaredLanguage(TEXTS.ru, 'RUS')).toEqual({ status: 'match', detected: 'ru' });
  });

  it('refuses a Russian text declared en', () => {
    expect(checkDeclaredLanguage(TEXTS.ru, 'en')).toEqual({ status: 'mismatch', detected: 'ru', declared: 'en' });
  });

  it('refuses by script: Han is not Russian, Arabic script is not English, Cyrillic is not Persian', () => {
    expect(checkDeclaredLanguage(TEXTS.zh, 'ru')).toMatchObject({ status: 'mismatch', detected: 'zh' });
    expect(checkDeclaredLanguage(TEXTS.ur, 'en')).toMatchObject({ status: 'mismatch', detected: 'ur' });
    expect(checkDeclaredLanguage(TEXTS.tg, 'fa')).toMatchObject({ status: 'mismatch', detected: 'tg' });
    expect(checkDeclaredLanguage(TEXTS.en, 'zh-Hans')).toMatchObject({ status: 'mismatch', detected: 'en' });
  });

  it('refuses a neighbour in the same script when it clearly loses', () => {
    expect(checkDeclaredLanguage(TEXTS.uk, 'ru')).toEqual({ status: 'mismatch', detected: 'uk', declared: 'ru' });
    expect(checkDeclaredLanguage(TEXTS.ru, 'uk')).toEqual({ status: 'mismatch', detected: 'ru', declared: 'uk' });
    expect(checkDeclaredLanguage(TEXTS.be, 'ru')).toEqual({ status: 'mismatch', detected: 'be', declared: 'ru' });
    expect(checkDeclaredLanguage(TEXTS.kk, 'ky')).toEqual({ status: 'mismatch', detected: 'kk', declared: 'ky' });
    expect(checkDeclaredLanguage(TEXTS.ur, 'fa')).toEqual({ status: 'mismatch', detected: 'ur', declared: 'fa' });
    expect(checkDeclaredLanguage(TEXTS.fa, 'ur')).toEqual({ status: 'mismatch', detected: 'fa', declared: 'ur' });
  });

  it('tells Japanese from Chinese by kana', () => {
    expect(checkDeclaredLanguage(TEXTS.ja, 'ja')).toEqual({ status: 'match', detected: 'ja' });
    expect(checkDeclaredLanguage(TEXTS.ja, 'zh')).toMatchObject({ status: 'mismatch', detected: 'ja' });
    expect(checkDeclaredLanguage(TEXTS.zh, 'ja')).toMatchObject({ status: 'mismatch', detected: 'zh' });
  });

  it("does not count franc's Scots against English", () => {
    const plain = 'I will go home now, it is late and my wife is waiting for me.';
    expect(detectLanguage(plain).lang).toBe('sco'); // franc's known confusion
    expect(checkDeclaredLanguage(plain, 'en')).toEqual({ status: 'match', detected: 'en' });
  });

  it('leaves a 3-word text undetermined, whatever the declaration', () => {
    for (const declared of ['en', 'ru', 'zh']) {
      const verdict = checkDeclaredLanguage('Hello my friend', declared);
      expect(verdict.status).toBe('undetermined');
      expect(verdict).toMatchObject({ declared, reason: expect.stringContaining('too little text') as unknown });
    }
    expect(checkDeclaredLanguage('本协议规定', 'zh').status).toBe('undetermined');
  });

  it('does not refuse a short sentence on a small lead of a close relative', () => {
    // 40-100 letters: franc's ranking among Cyrillic languages is noisy, so no mismatch there.
    const short = [
      'Все деньги были переведены на счёт в банке, который больше не существует.',
      'Он сказал, что никогда раньше не видел этого человека, но соседи хорошо его помнят.',
      'Просим направить нам копии судебных решений до конца текущего месяца.',
    ];
    for (const text of short) expect(checkDeclaredLanguage(text, 'ru').status).toBe('match');
    expect(rejectMargin(40)).toBeGreaterThan(0.25);
    expect(rejectMargin(8000)).toBeLessThan(0.06);
  });

  it('does not check declarations that name no single language, or invalid tags', () => {
    for (const declared of ['und', 'mul', 'zxx', 'x-klingon', '', '12', 'english']) {
      const verdict = checkDeclaredLanguage(TEXTS.en, declared);
      expect(verdict.status, declared).toBe('not-checked');
      expect(verdict).toMatchObject({ declared });
    }
  });

  it('checks only the script for a language the detector has no model of', () => {
    // Irish is written in Latin script: that much is checked, the rest is not.
    expect(checkDeclaredLanguage(TEXTS.en, 'ga')).toMatchObject({ status: 'not-checked', declared: 'ga' });
    expect(checkDeclaredLanguage(TEXTS.ru, 'ga')).toMatchObject({ status: 'mismatch', detected: 'ru' });
    // Nothing at all is known about Cherokee here.
    expect(checkDeclaredLanguage(TEXTS.ru, 'chr')).toMatchObject({
      status: 'not-checked',
      reason: 'the detector has no model for "chr"',
    });
  });

  it('is undetermined for a declared script the detector has no model for (Roman Urdu)', () => {
    const romanUrdu =
      'Yeh muahida fareeqain ke darmiyan maloomat ke tabadle ka tareeqa kaar tay karta hai. Har fareeq is baat ' +
      'ka paaband hai ke woh mausool hone wali dastavezaat ki raazdari ko yaqeeni banaye.';
    expect(checkDeclaredLanguage(romanUrdu, 'ur-Latn').status).toBe('undetermined');
    expect(checkDeclaredLanguage(romanUrdu, 'ur').status).toBe('mismatch');
  });

  it('judges a long document by its body, not only by its first page', () => {
    const coverPage = 'MINISTRY OF INTERIOR. Reference 1234/2025. ' + TEXTS.en;
    const body = Array.from({ length: 12 }, () => TEXTS.ru).join(' ');
    expect(checkDeclaredLanguage(coverPage + ' ' + body, 'ru')).toEqual({ status: 'match', detected: 'ru' });
    expect(checkDeclaredLanguage(coverPage + ' ' + body, 'en').status).toBe('mismatch');
  });

  it('never throws and always returns one of the four statuses (property)', () => {
    const declared = fc.oneof(
      fc.constantFrom('en', 'ru', 'uk', 'ur', 'fa', 'zh-Hans', 'ja', 'kk', 'no', 'sh', 'ur-Latn', 'und', 'ga', 'x-a', ''),
      fc.string({ maxLength: 12 }),
    );
    const words = fc.constantFrom(...Object.values(TEXTS).flatMap((t) => t.split(/\s+/)), '\uD800', '😀', '٣', '\u0301');
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.string({ unit: 'grapheme', maxLength: 400 }),
      fc.array(words, { maxLength: 600 }).map((w) => w.join(' ')),
    );
    fc.assert(
      fc.property(text, declared, (t, d) => {
        const verdict: LanguageVerdict = checkDeclaredLanguage(t, d);
        expect(STATUSES).toContain(verdict.status);
        if (verdict.status === 'match') expect(typeof verdict.detected).toBe('string');
        else expect(verdict.declared).toBe(d);
        const detected = detectLanguage(t);
        expect(typeof detected.lang).toBe('string');
      }),
      { numRuns: 200 },
    );
  });
});

describe('the sample of a text file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'liaison-language-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  function file(content: string | Buffer): string {
    const path = join(dir, `f${n++}`);
    writeFileSync(path, content);
    return path;
  }

  it('reads at most maxBytes and drops a 2-byte character cut at the boundary', async () => {
    const path = file('я'.repeat(100_000)); // 200 000 bytes
    const text = await sampleText(path, 'text/plain', 1001);
    expect(text).toBe('я'.repeat(500));
    expect(Buffer.byteLength(text!)).toBeLessThanOrEqual(1001);
  });

  it('drops 3- and 4-byte characters cut at the boundary, whatever byte they are cut at', async () => {
    const han = file('中'.repeat(1000));
    expect(await sampleText(han, 'text/plain', 301)).toBe('中'.repeat(100));
    expect(await sampleText(han, 'text/plain', 302)).toBe('中'.repeat(100));
    expect(await sampleText(han, 'text/plain', 303)).toBe('中'.repeat(101));
    const emoji = file('😀'.repeat(1000));
    for (const max of [401, 402, 403]) {
      const text = await sampleText(emoji, 'text/plain', max);
      expect(text).toBe('😀'.repeat(100));
      expect(text).not.toContain('\uFFFD');
    }
  });

  it('uses 64 KiB by default and returns a small file whole, without its BOM', async () => {
    const big = file('a'.repeat(200_000));
    expect((await sampleText(big, 'text/plain'))!.length).toBe(64 * 1024);
    const small = file(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXTS.ru)]));
    expect(await sampleText(small, 'text/plain')).toBe(TEXTS.ru);
  });

  it('feeds the check: a large Russian file is Russian, not English', async () => {
    const path = file(Array.from({ length: 400 }, () => TEXTS.ru).join('\n'));
    const text = await sampleText(path, 'text/plain; charset=utf-8', 10_000);
    expect(Buffer.byteLength(text!)).toBeLessThanOrEqual(10_000);
    expect(checkDeclaredLanguage(text!, 'ru')).toEqual({ status: 'match', detected: 'ru' });
    expect(checkDeclaredLanguage(text!, 'en')).toMatchObject({ status: 'mismatch', detected: 'ru' });
  });

  it('has no text for media types it cannot read, without touching the file', async () => {
    const missing = join(dir, 'does-not-exist');
    for (const type of ['image/png', 'application/octet-stream', 'text/rtf', 'application/json']) {
      expect(await sampleText(missing, type), type).toBeNull();
    }
  });

  it('accepts the four text types in any case and with parameters', async () => {
    const path = file('Hello');
    for (const type of ['text/plain', 'TEXT/PLAIN; charset=UTF-8', 'text/markdown', 'text/csv', 'text/html']) {
      expect(await sampleText(path, type), type).toBe('Hello');
    }
  });

  it('honours a charset parameter TextDecoder knows', async () => {
    const cp1251 = Buffer.from([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2]); // "Привет" in windows-1251
    const path = file(cp1251);
    expect(await sampleText(path, 'text/plain; charset=windows-1251')).toBe('Привет');
    expect(await sampleText(path, 'text/plain; charset=no-such-charset')).toContain('\uFFFD');
  });

  it('strips HTML markup, scripts and styles, even when the sample cuts a tag', async () => {
    const html =
      '<!doctype html><html><head><style>body { font-family: serif }</style>' +
      '<script>var secretlyEnglish = "lots of code";</script></head>' +
      '<body><!-- note --><p class="x">Привет &amp; мир&#33;</p><div data-long="';
    const text = await sampleText(file(html + 'x'.repeat(5000) + '">after</div>'), 'text/html', html.length + 10);
    expect(text).toContain('Привет & мир!');
    expect(text).not.toMatch(/secretly|font-family|note|class|data-long|xxx/);
  });

  it('strips Markdown code blocks, inline code and link targets', async () => {
    const md = '# Заголовок\n\nТекст [ссылка](https://example.org/path) и `code()`.\n\n```ts\nconst english = 1;\n```\nКонец';
    const text = await sampleText(file(md), 'text/markdown');
    expect(text).toContain('ссылка');
    expect(text).toContain('Конец');
    expect(text).not.toMatch(/example|code\(\)|english/);
  });

  it('refuses a nonsensical maxBytes', async () => {
    const path = file('Hello');
    await expect(sampleText(path, 'text/plain', 0)).rejects.toThrow(RangeError);
    await expect(sampleText(path, 'text/plain', 1.5)).rejects.toThrow(RangeError);
  });
});
