/**
 * The CLI's side of the language check's sample: a file on disk handed to the core as a Blob
 * (`openAsBlob`: read lazily, only the range the core asks for). What is read and how (the first
 * bytes of a text part, DOCX and PDF text, the size limit, the reasons) is the core's,
 * client/core/documents.ts, the same code the web client's worker runs.
 */
import { openAsBlob } from 'node:fs';

import { sampleOf, type TextSample } from '../core/documents.ts';
import { SAMPLE_BYTES } from '../core/sample.ts';

/** Up to `maxChars` of the text of the file at `path` (of `mediaType`), or why there is none to check. */
export function fileSample(path: string, mediaType: string, maxChars = SAMPLE_BYTES): Promise<TextSample> {
  return sampleOf(() => openAsBlob(path), mediaType, maxChars);
}
