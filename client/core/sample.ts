/**
 * Samples of parts for the language check, without the language models: which media types are
 * text, which are office documents (their text is extracted by the platform, client/node/extract.ts
 * in the CLI), and the decoding of a text part's first bytes with markup stripped. Kept apart
 * from client/core/language.ts so that reading a sample does not load franc's models.
 */
/** Office documents whose text the platform adapter extracts (client/node/extract.ts in the CLI). */
export const DOCX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const PDF_MEDIA_TYPE = 'application/pdf';
export const DOCUMENT_MEDIA_TYPES: ReadonlySet<string> = new Set([DOCX_MEDIA_TYPE, PDF_MEDIA_TYPE]);

const TEXT_MEDIA_TYPES: ReadonlySet<string> = new Set(['text/plain', 'text/markdown', 'text/csv', 'text/html']);

/** The default sample: the first 64 KiB of a text part, or 64 Ki characters of a document's text. */
export const SAMPLE_BYTES = 64 * 1024;

/** The media type without parameters, lower-cased, and its parameters. */
export function mediaEssence(mediaType: string): { type: string; params: string[] } {
  const [essence = '', ...params] = mediaType.split(';').map((p) => p.trim());
  return { type: essence.toLowerCase(), params };
}

/**
 * The text of a sample of a text part (its first bytes), decoded and stripped of markup, for
 * language detection; null when `mediaType` is not a text type this module reads.
 *
 * Decodes UTF-8, or the `charset` parameter of the media type if TextDecoder knows it (UTF-8
 * otherwise); a BOM is dropped, a multi-byte sequence cut at the end of the sample is dropped,
 * invalid bytes become U+FFFD.
 */
export function textOfSample(bytes: Uint8Array, mediaType: string): string | null {
  const { type, params } = mediaEssence(mediaType);
  if (!TEXT_MEDIA_TYPES.has(type)) return null;
  // `stream: true` keeps an incomplete trailing sequence back instead of emitting U+FFFD; the
  // decoder is then dropped, and the cut character with it.
  const text = decoderFor(params).decode(bytes, { stream: true });
  if (type === 'text/html') return htmlToText(text);
  if (type === 'text/markdown') return markdownToText(text);
  return text;
}

function decoderFor(params: string[]): TextDecoder {
  const charset = params
    .map((p) => /^charset\s*=\s*"?([^";\s]+)"?$/i.exec(p)?.[1])
    .find((c): c is string => c !== undefined);
  if (charset) {
    try {
      return new TextDecoder(charset);
    } catch {
      // unknown label: fall through to UTF-8; a wrong guess only makes the check undetermined
    }
  }
  return new TextDecoder('utf-8');
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Visible text of (possibly truncated) HTML: no scripts, styles, comments or tags. */
function htmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
    .replace(/<(script|style|noscript|template)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
    .replace(/<[^>]*(?:>|$)/g, ' ')
    .replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (entity: string, body: string) => {
      if (body[0] !== '#') return ENTITIES[body.toLowerCase()] ?? ' ';
      const cp = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : ' ';
    });
}

/** Prose of Markdown: no code blocks, inline code, link targets or HTML tags. */
function markdownToText(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?(?:^\1[^\n]*$|(?![\s\S]))/gm, ' ')
    .replace(/`[^`\n]*`/g, ' ')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>\n]*>/g, ' ');
}
