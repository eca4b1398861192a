/**
 * Declared-language check for document parts, run by the client before it encrypts a packet.
 *
 * Every original and translation carries a BCP 47 `lang`. Once a part is encrypted nobody on the
 * hub can look at it, so the sender's client checks here that the text really is in the declared
 * language: a "translation" declared `en` must be English, an original declared `ru` must be
 * Russian. `textOfSample` (client/core/sample.ts) decodes a bounded sample of a part (read by
 * client/core/documents.ts `sampleOf` from the bytes the platform hands it; DOCX and PDF text too), `detectLanguage` says what the sample
 * looks like, and `checkDeclaredLanguage` compares that with the declaration.
 *
 * What this does NOT guarantee:
 * - Detection is statistical (franc's trigram models, plus Unicode script counts). A `match` means
 *   "the declared language is the best fit or indistinguishable from it", not proof. Close
 *   relatives (Russian/Bulgarian, Bosnian/Croatian/Serbian, Bokmål/Danish, Malay/Indonesian) can
 *   be accepted for one another; a `mismatch` is only returned when the declared language clearly
 *   loses, so the check aims at wrong declarations and swapped files, not at fine distinctions.
 * - Short texts (under MIN_LETTERS letters after stripping digits, punctuation and URLs) are
 *   `undetermined`, never guessed. So is a text in a script franc has no model for.
 * - Only text media types are sampled (text/plain, text/markdown, text/csv, text/html); for any
 *   other type `sampleOf` gives the reason there is no text and the caller reports `not-checked`. HTML and Markdown
 *   are stripped of markup with simple rules good enough for language detection, not for display.
 * - Only the first `maxBytes` of a file (64 KiB by default) are read, and franc looks at up to
 *   MAX_WINDOWS windows of WINDOW characters spread over that sample, not at every word.
 * - Nothing here knows whether a translation is faithful, only which language it is written in.
 */
import { francAll } from 'franc';
import { data as francData } from 'franc/data.js';
import { expressions as francExpressions } from 'franc/expressions.js';
import { DEPRECATED_2, toBcp47 } from './language-codes.ts';

export { toBcp47 };


export type LanguageVerdict =
  | { status: 'match'; detected: string }
  | { status: 'mismatch'; detected: string; declared: string }
  | { status: 'undetermined'; declared: string; reason: string }
  | { status: 'not-checked'; declared: string; reason: string };

export type LanguageCandidate = { lang: string; score: number };

// ---------------------------------------------------------------------------------------------
// Thresholds. franc scores every language modelled for the text's dominant script and
// normalises so the best one is 1; the others are 1 minus their extra trigram distance. The
// numbers below were calibrated on the texts in test/unit/language.test.ts (en, ru, uk, be, kk,
// ky, ur, fa) by sliding windows of a given letter count over each text:
//   letters analysed          40     60     100    150    >=200
//   worst deficit of the true
//   language behind the top   0.19   0.08   0.06   0.02   0.00   (mostly rus behind bul/srp)
// while on paragraph-length text a *different* language of the same script trails the true one
// by 0.09 (fr behind en on a legal English text) to 0.2+ (uk behind ru, ky behind kk, ur/fa).
// ---------------------------------------------------------------------------------------------

/**
 * Fewer letters than this (digits, punctuation and URLs stripped) is "undetermined": franc's
 * trigram profile of a 3-word phrase is noise, and a guess would be worse than no answer.
 */
export const MIN_LETTERS = 40;

/**
 * The declared language is accepted when it is the top candidate or within this distance of it.
 * Alternative models of one language and near-identical relatives sit this close: franc puts
 * `sco` 0.03-0.05 behind (or ahead of) English on ordinary English paragraphs, `prs` 0.007 behind
 * `pes` on Persian, `bul` 0.01 behind `rus` on some Russian sentences.
 */
export const ACCEPT_MARGIN = 0.05;

/**
 * The declared language is refused (mismatch) only when it trails the best other candidate by
 * more than this. It shrinks with the amount of text, because franc's ranking is noisy on short
 * samples: 0.30 at 40 letters (the true language was seen 0.19 behind), 0.15 at 100 (seen 0.06),
 * 0.10 at 200, 0.075 at 400, ~0.05 for a full sample (seen 0). Between ACCEPT_MARGIN and this,
 * the verdict is "undetermined": the text does not clearly say either way.
 */
export function rejectMargin(letters: number): number {
  return 0.05 + 10 / Math.max(letters, 1);
}

/**
 * Script sanity: when more than this share of the letters are in one script that the declared
 * language is not written in, the declaration is wrong whatever franc says ("mostly Cyrillic
 * cannot be English"). A majority, not a lower share, so that an English translation quoting
 * Russian names or a Russian text citing English titles is left to franc.
 */
export const SCRIPT_MAJORITY = 0.5;

/** franc only looks at the first 2048 characters of what it is given. */
const WINDOW = 2048;
/** Windows spread over a longer sample, so a cover page in another language does not decide. */
const MAX_WINDOWS = 4;
/** Inputs longer than this (UTF-16 code units) are cut: twice the default 64 KiB sample. */
const MAX_ANALYSED_CHARS = 128 * 1024;
/** In Han-script text, at least this share of kana (of Han + kana) means Japanese, not Chinese. */
const JAPANESE_KANA_SHARE = 0.1;
/** Candidates returned by detectLanguage (franc scores every language of the script). */
const MAX_CANDIDATES = 10;

// ---------------------------------------------------------------------------------------------
// Language codes
// ---------------------------------------------------------------------------------------------


/** A declared macrolanguage (or umbrella code) that accepts these detected languages. */
const ACCEPTS: Readonly<Record<string, readonly string[]>> = {
  no: ['nb', 'nn'],
  sh: ['sr', 'hr', 'bs'],
  fil: ['tl'],
};

/**
 * franc's known confusions that are not evidence against the declared language: its Scots model
 * is close enough to English that `sco` often wins on plain English. Never used to refuse, only
 * to not count the sibling as the competitor.
 */
const FRANC_CONFUSIONS: Readonly<Record<string, readonly string[]>> = {
  en: ['sco'],
  sco: ['en'],
};

/** Codes that declare no single language: nothing to check against. */
const NO_LANGUAGE: Readonly<Record<string, string>> = {
  und: 'undetermined language',
  zxx: 'no linguistic content',
  mul: 'multiple languages',
  mis: 'uncoded language',
};

type Declared = { lang: string; scripts: readonly string[] };

/** The primary subtag of a declared BCP 47 tag, normalised like detected codes; null if invalid. */
function parseDeclared(tag: string): Declared | null {
  const subtags = tag.trim().split(/[-_]/);
  const primary = (subtags[0] ?? '').toLowerCase();
  if (!/^[a-z]{2,3}$/.test(primary)) return null;
  const lang = primary.length === 2 ? (DEPRECATED_2[primary] ?? primary) : toBcp47(primary);
  const scripts: string[] = [];
  for (const subtag of subtags.slice(1)) {
    if (subtag.length === 1) break; // extensions and private use follow a singleton
    if (/^[A-Za-z]{4}$/.test(subtag)) scripts.push(...(ISO15924[subtag.toLowerCase()] ?? []));
  }
  return { lang, scripts };
}

// ---------------------------------------------------------------------------------------------
// Scripts
// ---------------------------------------------------------------------------------------------

/** franc groups its models by script; this names each group as a Unicode script. */
const FRANC_SCRIPT: Readonly<Record<string, string>> = {
  Latin: 'Latin', Cyrillic: 'Cyrillic', Arabic: 'Arabic', Devanagari: 'Devanagari', Myanmar: 'Myanmar',
  Ethiopic: 'Ethiopic', Hebrew: 'Hebrew', cmn: 'Han', ben: 'Bengali', jpn: 'Hiragana', jav: 'Javanese',
  kor: 'Hangul', tel: 'Telugu', tam: 'Tamil', guj: 'Gujarati', kan: 'Kannada', mal: 'Malayalam',
  pan: 'Gurmukhi', tha: 'Thai', sin: 'Sinhala', ell: 'Greek', khm: 'Khmer', hye: 'Armenian',
  sat: 'Ol_Chiki', bod: 'Tibetan', kat: 'Georgian', lao: 'Lao', zgh: 'Tifinagh', iii: 'Yi', aii: 'Syriac',
};

/** Scripts counted for the sanity check; letters in any other script count as "Other". */
const SCRIPTS = [
  ...new Set([...Object.values(FRANC_SCRIPT), 'Katakana', 'Mongolian', 'Thaana']),
] as const;
const SCRIPT_RES = SCRIPTS.map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')] as const);

/** ISO 15924 script subtags of a declared tag, as Unicode script names. */
const ISO15924: Readonly<Record<string, readonly string[]>> = {
  latn: ['Latin'], cyrl: ['Cyrillic'], arab: ['Arabic'], hans: ['Han'], hant: ['Han'], hani: ['Han'],
  jpan: ['Han', 'Hiragana', 'Katakana'], hira: ['Hiragana'], kana: ['Katakana'], hrkt: ['Hiragana', 'Katakana'],
  kore: ['Hangul', 'Han'], hang: ['Hangul'], grek: ['Greek'], hebr: ['Hebrew'], deva: ['Devanagari'],
  beng: ['Bengali'], guru: ['Gurmukhi'], gujr: ['Gujarati'], taml: ['Tamil'], telu: ['Telugu'],
  knda: ['Kannada'], mlym: ['Malayalam'], sinh: ['Sinhala'], thai: ['Thai'], laoo: ['Lao'], khmr: ['Khmer'],
  mymr: ['Myanmar'], ethi: ['Ethiopic'], armn: ['Armenian'], geor: ['Georgian'], tibt: ['Tibetan'],
  mong: ['Mongolian'], syrc: ['Syriac'], tfng: ['Tifinagh'], yiii: ['Yi'], olck: ['Ol_Chiki'],
  java: ['Javanese'], thaa: ['Thaana'],
};

/**
 * Scripts a language is really written in that franc has no model for (so they are not derived
 * from franc's data below): Kazakh in Latin and, in China, Arabic script; Punjabi in Shahmukhi
 * (Pakistan); Japanese kanji and katakana; Mongolian script; and so on. Also the scripts of a few
 * languages franc does not model at all, so that at least the script is checked for them.
 */
const EXTRA_SCRIPTS: Readonly<Record<string, readonly string[]>> = {
  ja: ['Han', 'Katakana'],
  kk: ['Latin', 'Arabic'],
  ky: ['Arabic'],
  tt: ['Latin'],
  az: ['Arabic'],
  ku: ['Arabic'],
  pa: ['Arabic'],
  ug: ['Cyrillic'],
  mn: ['Mongolian'],
  sd: ['Arabic', 'Devanagari'],
  // Languages franc has no model for at all: the script is the only thing that can be checked.
  ...Object.fromEntries(['ga', 'cy', 'eu', 'is', 'mt', 'lb', 'la', 'gd', 'br', 'fo', 'oc', 'fy'].map((l) => [l, ['Latin']])),
  ...Object.fromEntries(['ba', 'cv', 'ce', 'os', 'ab'].map((l) => [l, ['Cyrillic']])),
  dv: ['Thaana'],
};

/** Languages franc can score (BCP 47) and the scripts it scores them in. */
const FRANC_SCRIPTS: ReadonlyMap<string, ReadonlySet<string>> = (() => {
  const byLang = new Map<string, Set<string>>();
  const add = (code: string, group: string) => {
    const script = FRANC_SCRIPT[group];
    if (!script) return;
    const lang = toBcp47(code);
    const set = byLang.get(lang) ?? new Set<string>();
    set.add(script);
    byLang.set(lang, set);
  };
  for (const [group, models] of Object.entries(francData)) for (const code of Object.keys(models)) add(code, group);
  // A script franc has no trigram data for is a single-language script: the key is the language.
  for (const group of Object.keys(francExpressions)) if (!(group in francData)) add(group, group);
  return byLang;
})();

/** The languages a declared language accepts as itself. */
function acceptedCodes(lang: string): readonly string[] {
  return [lang, ...(ACCEPTS[lang] ?? [])];
}

/** Scripts the declared language may be written in, or null when nothing is known about it. */
function expectedScripts(declared: Declared): Set<string> | null {
  const scripts = new Set<string>(declared.scripts);
  let known = false;
  for (const code of acceptedCodes(declared.lang)) {
    const fromFranc = FRANC_SCRIPTS.get(code);
    const extra = EXTRA_SCRIPTS[code];
    if (fromFranc) fromFranc.forEach((s) => scripts.add(s));
    if (extra) extra.forEach((s) => scripts.add(s));
    known ||= fromFranc !== undefined || extra !== undefined;
  }
  return known ? scripts : null;
}

function isFrancSupported(lang: string): boolean {
  return acceptedCodes(lang).some((code) => FRANC_SCRIPTS.has(code));
}

const scriptCache = new Map<string, string>();
function scriptOf(letter: string): string {
  let script = scriptCache.get(letter);
  if (script === undefined) {
    script = SCRIPT_RES.find(([, re]) => re.test(letter))?.[0] ?? 'Other';
    if (scriptCache.size < 65_536) scriptCache.set(letter, script);
  }
  return script;
}

// ---------------------------------------------------------------------------------------------
// Analysis
// ---------------------------------------------------------------------------------------------

type Analysis = {
  /** Letters in the (capped) text. */
  letters: number;
  /** Letters franc actually looked at (the windows). */
  analysedLetters: number;
  /** Letter counts by Unicode script name ("Other" for scripts not in SCRIPTS). */
  scripts: Map<string, number>;
  /** BCP 47 candidates, score averaged over the windows (0 where absent), best first. */
  candidates: LanguageCandidate[];
  /** Codes franc scored in at least one window (a score of 0 can still be "scored"). */
  scored: Set<string>;
};

const LETTER = /\p{L}/u;
const URL_OR_EMAIL = /\b(?:https?:\/\/|ftp:\/\/|www\.)\S+|[^\s@]+@[^\s@]+\.[^\s@]+/giu;

/** Letters and combining marks only, single-spaced: what franc should see. */
function cleanText(text: string): string {
  return text
    .slice(0, MAX_ANALYSED_CHARS)
    .replace(URL_OR_EMAIL, ' ')
    .replace(/[^\p{L}\p{M}]+/gu, ' ')
    .trim();
}

function countLetters(text: string): { letters: number; scripts: Map<string, number> } {
  const scripts = new Map<string, number>();
  let letters = 0;
  for (const ch of text) {
    if (!LETTER.test(ch)) continue;
    letters++;
    const script = scriptOf(ch);
    scripts.set(script, (scripts.get(script) ?? 0) + 1);
  }
  return { letters, scripts };
}

/** Up to MAX_WINDOWS slices of WINDOW characters, evenly spread, starting on a word. */
function windowsOf(text: string): string[] {
  if (text.length <= WINDOW) return [text];
  const count = Math.min(MAX_WINDOWS, Math.ceil(text.length / WINDOW));
  const windows: string[] = [];
  for (let i = 0; i < count; i++) {
    let start = Math.round((i * (text.length - WINDOW)) / (count - 1));
    if (i > 0) {
      const space = text.indexOf(' ', start);
      if (space !== -1 && space < start + 64) start = space + 1;
    }
    windows.push(text.slice(start, start + WINDOW));
  }
  return windows;
}

const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/gu;
const HAN = /\p{Script=Han}/gu;

/** franc on one window, as BCP 47 codes (best score per code), with the Han/kana rule applied. */
function scoreWindow(window: string): Map<string, number> {
  const scores = new Map<string, number>();
  for (const [code, score] of francAll(window, { minLength: 1 })) {
    if (code === 'und') continue;
    const lang = toBcp47(code);
    scores.set(lang, Math.max(scores.get(lang) ?? 0, score));
  }
  // franc gives Han-dominant text to Chinese outright, even Japanese written with many kanji.
  // Kana settle it: Chinese never uses them, modern Japanese cannot do without them.
  if (scores.size === 1 && (scores.has('zh') || scores.has('ja'))) {
    const kana = window.match(KANA)?.length ?? 0;
    const han = window.match(HAN)?.length ?? 0;
    const kanaShare = kana / Math.max(kana + han, 1);
    if (kanaShare >= JAPANESE_KANA_SHARE) return new Map([['ja', 1], ['zh', 0]]);
    if (kana === 0) return new Map([['zh', 1], ['ja', 0]]);
    return new Map([['zh', 1]]); // a few kana in Chinese text: Japanese is neither shown nor excluded
  }
  return scores;
}

function analyse(text: string): Analysis {
  const clean = cleanText(text);
  const { letters, scripts } = countLetters(clean);
  const candidates: LanguageCandidate[] = [];
  const scored = new Set<string>();
  let analysedLetters = 0;
  if (letters >= MIN_LETTERS) {
    const windows = windowsOf(clean);
    const sums = new Map<string, number>();
    for (const window of windows) {
      analysedLetters += window.match(/\p{L}/gu)?.length ?? 0;
      for (const [lang, score] of scoreWindow(window)) {
        scored.add(lang);
        sums.set(lang, (sums.get(lang) ?? 0) + score);
      }
    }
    for (const [lang, sum] of sums) candidates.push({ lang, score: sum / windows.length });
    candidates.sort((a, b) => b.score - a.score || a.lang.localeCompare(b.lang));
  }
  return { letters, analysedLetters, scripts, candidates, scored };
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * The most likely language of `text` as a BCP 47 primary subtag (`en`, `ru`, `zh`, `fa`, or an
 * ISO 639-3 code where no two-letter code exists), with the best candidates and their scores
 * (1 = best fit). `und` when the text has fewer than MIN_LETTERS letters or is in a script franc
 * does not model. This is franc's ranking as is: English may come out as `sco`; use
 * checkDeclaredLanguage to test a declaration.
 */
// `| 'und'` is redundant for the compiler but documents the sentinel in the signature.
// eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents
export function detectLanguage(text: string): { lang: string | 'und'; candidates: Array<{ lang: string; score: number }> } {
  const { candidates } = analyse(text);
  const top = candidates[0];
  return { lang: top && top.score > 0 ? top.lang : 'und', candidates: candidates.slice(0, MAX_CANDIDATES) };
}

/**
 * Whether `text` is in the `declared` BCP 47 language (only the primary subtag is compared:
 * `zh-Hans` is checked as `zh`; a script subtag such as `ur-Latn` only adds an allowed script).
 *
 * - `match`: the declared language is the best candidate or within ACCEPT_MARGIN of it (`detected`
 *   is the declared language as it was recognised, e.g. `nb` for a declared `no`).
 * - `mismatch`: most letters are in a script the declared language is not written in, or it
 *   trails the best other candidate by more than rejectMargin(letters). `detected` is that
 *   candidate (`und` if the script has no model).
 * - `undetermined`: too short, a script franc does not model, or too close to call.
 * - `not-checked`: the declaration names no single language (`und`, `mul`, `zxx`), is not a
 *   BCP 47 tag, or names a language franc has no model for.
 */
export function checkDeclaredLanguage(text: string, declared: string): LanguageVerdict {
  const parsed = parseDeclared(declared);
  if (!parsed) {
    return { status: 'not-checked', declared, reason: `"${declared}" is not a BCP 47 language tag` };
  }
  const noLanguage = NO_LANGUAGE[parsed.lang];
  if (noLanguage) return { status: 'not-checked', declared, reason: `"${declared}" declares ${noLanguage}` };

  const analysis = analyse(text);
  const { letters, scripts, candidates, scored } = analysis;
  if (letters < MIN_LETTERS) {
    return {
      status: 'undetermined',
      declared,
      reason: `too little text to tell the language (${letters} letters, at least ${MIN_LETTERS} needed)`,
    };
  }

  const accepted = acceptedCodes(parsed.lang);
  const confusions = new Set(accepted.flatMap((code) => FRANC_CONFUSIONS[code] ?? []));
  const rivals = candidates.filter((c) => !accepted.includes(c.lang) && !confusions.has(c.lang));
  const topDetected = candidates[0] && candidates[0].score > 0 ? candidates[0].lang : 'und';

  // Script sanity first: it needs no statistics.
  const expected = expectedScripts(parsed);
  const [dominant, dominantCount] = [...scripts].sort((a, b) => b[1] - a[1])[0] ?? ['Other', 0];
  const dominantShare = dominantCount / letters;
  if (expected && dominant !== 'Other' && dominantShare > SCRIPT_MAJORITY && !expected.has(dominant)) {
    return { status: 'mismatch', detected: rivals[0]?.lang ?? topDetected, declared };
  }

  if (!isFrancSupported(parsed.lang)) {
    return {
      status: 'not-checked',
      declared,
      reason: `the detector has no model for "${parsed.lang}"` + (expected ? '; only the script was checked' : ''),
    };
  }
  if (candidates.length === 0) {
    return { status: 'undetermined', declared, reason: `the detector has no model for text in ${dominant} script` };
  }

  const own = candidates.filter((c) => accepted.includes(c.lang) && scored.has(c.lang));
  if (own.length === 0) {
    // franc scored the text in a script it has no model of the declared language for.
    const share = [...scripts].filter(([s]) => expected?.has(s)).reduce((n, [, c]) => n + c, 0) / letters;
    if (share > SCRIPT_MAJORITY) {
      return {
        status: 'undetermined',
        declared,
        reason: `the detector has no model for "${parsed.lang}" in ${dominant} script`,
      };
    }
    return { status: 'mismatch', detected: rivals[0]?.lang ?? topDetected, declared };
  }

  const best = own[0]!; // candidates are sorted, so this is the best-scoring accepted code
  const rival = rivals[0];
  const deficit = rival ? rival.score - best.score : 0;
  if (deficit <= ACCEPT_MARGIN) return { status: 'match', detected: best.lang };
  const margin = rejectMargin(analysis.analysedLetters);
  if (deficit > margin) return { status: 'mismatch', detected: rival!.lang, declared };
  return {
    status: 'undetermined',
    declared,
    reason:
      `the text looks more like "${rival!.lang}" than "${best.lang}" (by ${deficit.toFixed(3)}), ` +
      `but not by the ${margin.toFixed(3)} needed to refuse at ${analysis.analysedLetters} letters`,
  };
}
