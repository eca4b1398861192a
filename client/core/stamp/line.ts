/**
 * One line of mixed-script text (Latin, Cyrillic, Arabic script, Chinese) cut into runs a PDF can
 * draw left to right: each run in one font, in visual order, with Arabic-script runs shaped
 * (joining forms and ligatures, by fontkit's OpenType layout) and ordered right to left.
 *
 * The order comes from the Unicode Bidirectional Algorithm (bidi-js) with a left-to-right base,
 * because a banner is a sequence of fields in a fixed order: `SECRET · سری · СОВЕРШЕННО СЕКРЕТНО`
 * reads left to right as fields, and each Persian or Urdu field reads right to left inside.
 * It never draws or touches a file; it only measures.
 */
import bidiModule, { type Bidi } from 'bidi-js';
import type { Font as FontkitFont } from '@cantoo/fontkit';

/** A font face as the layout sees it: a fontkit font for coverage and shaping. */
export interface LayoutFace<F> {
  fontkit: FontkitFont;
  /** Whatever the caller draws with (a pdf-lib PDFFont); passed through untouched. */
  handle: F;
}

export interface Run<F> {
  /** Characters in the order to hand to the drawing call: the font's shaper orders an Arabic run itself. */
  text: string;
  face: LayoutFace<F>;
  /** Width in units of the em (multiply by the font size). */
  advance: number;
}

// bidi-js is CommonJS whose module.exports is the factory; its types describe an ES default export.
const bidiFactory = bidiModule as unknown as () => Bidi;
let bidi: Bidi | undefined;

/** True for characters that take the direction and font of their neighbours (spaces, punctuation, digits). */
function isNeutral(char: string): boolean {
  return !/[\p{L}\p{M}]/u.test(char);
}

/** The first face that has a glyph for `codePoint`, preferring `preferred` (keeps a run in one font). */
function faceFor<F>(codePoint: number, faces: Array<LayoutFace<F>>, preferred?: LayoutFace<F>): LayoutFace<F> | undefined {
  if (preferred?.fontkit.hasGlyphForCodePoint(codePoint)) return preferred;
  return faces.find((f) => f.fontkit.hasGlyphForCodePoint(codePoint));
}

/** Characters no face can draw; the caller reports them rather than printing empty boxes. */
export function uncovered<F>(text: string, faces: Array<LayoutFace<F>>): string[] {
  return [...new Set(Array.from(text).filter((c) => !/\s/u.test(c) && !faceFor(c.codePointAt(0)!, faces)))];
}

/**
 * Cut `text` into runs in visual (left-to-right drawing) order. Each run has one font and one
 * bidi level; an odd-level (right-to-left) run is shaped and reversed by fontkit when its script is
 * right to left, and reversed here when it holds only neutral characters.
 */
export function layoutLine<F>(text: string, faces: Array<LayoutFace<F>>): Array<Run<F>> {
  bidi ??= bidiFactory();
  const { levels } = bidi.getEmbeddingLevels(text, 'ltr');
  type Piece = { chars: string[]; level: number; face: LayoutFace<F> };
  const pieces: Piece[] = [];
  let offset = 0;
  for (const char of Array.from(text)) {
    const level = levels[offset] ?? 0;
    offset += char.length;
    const last = pieces.at(-1);
    // A letter takes the first face that has it (faces are in script priority); a space or a
    // punctuation mark stays in the font of the run it continues, if that run has its level.
    const face = faceFor(char.codePointAt(0)!, faces, isNeutral(char) && last?.level === level ? last.face : undefined);
    if (!face) continue;
    if (last && last.level === level && last.face === face) last.chars.push(char);
    else pieces.push({ chars: [char], level, face });
  }
  // UAX #9 rule L2: from the highest level down to 1, reverse every sequence of pieces at or above it.
  const maxLevel = Math.max(0, ...pieces.map((p) => p.level));
  for (let level = maxLevel; level >= 1; level--) {
    for (let i = 0; i < pieces.length; i++) {
      if (pieces[i]!.level < level) continue;
      let j = i;
      while (j + 1 < pieces.length && pieces[j + 1]!.level >= level) j++;
      pieces.splice(i, j - i + 1, ...pieces.slice(i, j + 1).reverse());
      i = j;
    }
  }
  return pieces.map((piece) => {
    let runText = piece.chars.join('');
    let glyphs = piece.face.fontkit.layout(runText);
    if (piece.level % 2 === 1 && glyphs.direction !== 'rtl') {
      // Right-to-left neutrals in a font whose shaper keeps them in logical order: reverse them here.
      runText = [...piece.chars].reverse().join('');
      glyphs = piece.face.fontkit.layout(runText);
    }
    const advance = glyphs.glyphs.reduce((sum, g) => sum + g.advanceWidth, 0) / piece.face.fontkit.unitsPerEm;
    return { text: runText, face: piece.face, advance };
  });
}
