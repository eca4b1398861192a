/**
 * Language codes as the agreements write them (BCP 47 primary subtags), from the ISO 639-3 codes
 * franc and people use. Small and free of the language models, so option parsing can use it
 * without loading franc.
 * Never imports franc or its language models.
 */
import { iso6393To1 } from 'iso-639-3';
import { LanguageTag } from '../../protocol/ids.ts';

/**
 * Individual languages (as franc and ISO 639-3 name them) whose macrolanguage has an ISO 639-1
 * code, which is what BCP 47 users write: franc says `cmn`, a document is declared `zh`.
 * franc's `ckb` model is, despite its code, trained on Latin-script (Kurmanji) Kurdish.
 */
const INDIVIDUAL_TO_MACRO: Readonly<Record<string, string>> = {
  cmn: 'zho', pes: 'fas', prs: 'fas', arb: 'ara', uzn: 'uzb', uzs: 'uzb', zlm: 'msa', zsm: 'msa',
  swh: 'swa', ekk: 'est', lvs: 'lav', azj: 'aze', azb: 'aze', khk: 'mon', npi: 'nep', pbu: 'pus',
  pbt: 'pus', ydd: 'yid', als: 'sqi', plt: 'mlg', ayr: 'aym', quz: 'que', quy: 'que', qug: 'que',
  knc: 'kau', ckb: 'kur', kmr: 'kur', kng: 'kon', src: 'srd', zyb: 'zha', fuf: 'ful', fuv: 'ful',
  koi: 'kom', kpv: 'kom', gaz: 'orm', ory: 'ori', gug: 'grn', lvl: 'lav', ike: 'iku', ojg: 'oji',
};

/** A franc / ISO 639-3 code as a BCP 47 primary subtag: ISO 639-1 where one exists. */
export function toBcp47(code: string): string {
  const c = code.toLowerCase();
  const macro = INDIVIDUAL_TO_MACRO[c] ?? c;
  return iso6393To1[macro] ?? (macro !== c ? macro : c);
}

/** Deprecated ISO 639-1 codes still met in the wild. */
export const DEPRECATED_2: Readonly<Record<string, string>> = { iw: 'he', in: 'id', ji: 'yi', jw: 'jv', mo: 'ro' };

/**
 * A language as a BCP 47 tag, normalised the way the agreements write them: `EN` -> `en`,
 * `eng` -> `en`, `zh_hans` -> `zh-Hans`, so `eng:` counts as the English an agreement requires;
 * null when the value is no language tag at all.
 */
export function normaliseLanguageTag(value: string): string | null {
  const [primary = '', ...rest] = value.trim().split(/[-_]/);
  const lower = primary.toLowerCase();
  if (!/^[a-z]{2,3}$/.test(lower)) return null;
  const lang = lower.length === 3 ? toBcp47(lower) : (DEPRECATED_2[lower] ?? lower);
  const subtags = rest.map((t) => (t.length === 4 ? t[0]!.toUpperCase() + t.slice(1).toLowerCase() : t.length === 2 ? t.toUpperCase() : t));
  const tag = [lang, ...subtags].join('-');
  return LanguageTag.safeParse(tag).success ? tag : null;
}
