/**
 * Where the CLI finds the fonts for stamped copies: Debian's font packages (installed by `.ci/run`
 * when missing), or a directory named by LIAISON_FONT_DIR holding files of the same names. Read
 * only when a stamp needs them, never at start-up, never from the network.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FontSource, Script, Weight } from '../core/stamp/fonts.ts';
import { clientEnvironment } from './env.ts';

const DEBIAN = '/usr/share/fonts/truetype';

/** Candidate files per script and weight, best first (Debian package in the comment). */
const CANDIDATES: Record<Script, Record<Weight, string[]>> = {
  latin: {
    // fonts-noto-core; fonts-dejavu-core as a fallback that most systems already have
    regular: ['noto/NotoSans-Regular.ttf', 'dejavu/DejaVuSans.ttf'],
    bold: ['noto/NotoSans-Bold.ttf', 'dejavu/DejaVuSans-Bold.ttf'],
  },
  arabic: {
    // fonts-noto-core: Naskh covers Arabic, Persian and Urdu letters; fontkit cannot lay out Nastaliq's cursive attachment
    regular: ['noto/NotoNaskhArabic-Regular.ttf', 'noto/NotoSansArabic-Regular.ttf'],
    bold: ['noto/NotoNaskhArabic-Bold.ttf', 'noto/NotoSansArabic-Bold.ttf'],
  },
  cjk: {
    // fonts-droid-fallback: one 4 MB TrueType face for Chinese (the Noto CJK package is 56 MB of collections)
    regular: ['droid/DroidSansFallbackFull.ttf'],
    bold: [],
  },
};

const cache = new Map<string, Promise<Uint8Array | null>>();

async function firstReadable(paths: string[]): Promise<Uint8Array | null> {
  for (const path of paths) {
    try {
      return new Uint8Array(await readFile(path));
    } catch {
      // not installed here; try the next candidate
    }
  }
  return null;
}

/** The font source for this machine: `fontDir` (LIAISON_FONT_DIR by default; flat file names) first, then Debian's paths. */
export function systemFonts(fontDir: string | undefined = clientEnvironment().fontDir): FontSource {
  return (script, weight) => {
    const key = `${script}/${weight}`;
    let found = cache.get(key);
    if (!found) {
      const names = CANDIDATES[script][weight];
      const paths = [
        ...(fontDir ? names.map((n) => join(fontDir, n.split('/').pop()!)) : []),
        ...names.map((n) => join(DEBIAN, n)),
      ];
      found = firstReadable(paths);
      cache.set(key, found);
    }
    return found;
  };
}
