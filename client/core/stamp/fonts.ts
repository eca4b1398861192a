/**
 * The fonts a stamp needs, asked for by script and weight from a source the caller supplies (the
 * CLI reads Debian's font packages; the web client will fetch them from its own origin). Only the
 * scripts a marking actually uses are asked for, so a Latin-and-Cyrillic banner never loads the
 * 4 MB Chinese font. Never reads a file or the network itself.
 */
import fontkit, { type Font as FontkitFont } from '@cantoo/fontkit';
import type { ErrorWording } from '../../../protocol/error-codes.ts';
import type { STAMP_ERROR_CODES } from '../error-codes.ts';

export type Script = 'latin' | 'arabic' | 'cjk';
export type Weight = 'regular' | 'bold';

/** Gives the bytes of a TrueType/OpenType font for a script and weight, or null if there is none. */
export type FontSource = (script: Script, weight: Weight) => Promise<Uint8Array | null>;

interface LoadedFace {
  script: Script;
  bytes: Uint8Array;
  fontkit: FontkitFont;
}

const ARABIC = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/u;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303F\uFF00-\uFFEF]/u;

/** The scripts `text` needs, Latin (with Cyrillic and Greek) always first. */
export function scriptsOf(text: string): Script[] {
  const scripts: Script[] = ['latin'];
  if (ARABIC.test(text)) scripts.push('arabic');
  if (CJK.test(text)) scripts.push('cjk');
  return scripts;
}

/** What to install when a script has no font, in the words of the reason a copy was not stamped. */
const FONT_HINT: Record<Script, string> = {
  latin: 'a Latin and Cyrillic font (Debian: fonts-noto-core or fonts-dejavu-core)',
  arabic: 'an Arabic-script font (Debian: fonts-noto-core)',
  cjk: 'a Chinese font (Debian: fonts-droid-fallback)',
};

/** No installed font for a script the marking uses; the message is a clause for a reason sentence. */
export class MissingFontError extends Error {
  readonly script: Script;
  /** The stable code and parameters of the clause (client/core/error-codes.ts). */
  readonly wording: ErrorWording;
  constructor(script: Script) {
    super(`no font for its ${script === 'cjk' ? 'Chinese' : script === 'arabic' ? 'Arabic-script' : 'Latin and Cyrillic'} text is installed (it needs ${FONT_HINT[script]})`);
    this.script = script;
    this.wording = { code: 'stamp.missing-font', params: { script } } satisfies { code: keyof typeof STAMP_ERROR_CODES; params: Record<(typeof STAMP_ERROR_CODES)['stamp.missing-font'][number], string> };
  }
}

/**
 * Load the faces for `scripts` in one weight (bold falls back to regular). Throws
 * MissingFontError when a script has none.
 */
export async function loadFaces(source: FontSource, scripts: Script[], weight: Weight): Promise<LoadedFace[]> {
  const faces: LoadedFace[] = [];
  for (const script of scripts) {
    const bytes = (await source(script, weight)) ?? (weight === 'bold' ? await source(script, 'regular') : null);
    if (!bytes) throw new MissingFontError(script);
    const opened = fontkit.create(bytes);
    if (!('hasGlyphForCodePoint' in opened)) throw new MissingFontError(script);
    faces.push({ script, bytes, fontkit: opened });
  }
  return faces;
}
