/**
 * Language codes as the agreements write them (BCP 47 primary subtags), from the ISO 639-3 codes
 * franc and people use. Small and free of the language models, so option parsing can use it
 * without loading franc.
 */
import { iso6393To1 } from 'iso-639-3';

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
