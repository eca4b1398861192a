/**
 * Preload for the benchmark (`node --import ./scripts/peak-rss.ts ...`): at exit, writes the
 * process's peak resident set size in KiB (`process.resourceUsage().maxRSS`) to the file named by
 * LIAISON_PEAK_RSS, so the bench can print the memory a CLI command needed. Measures only.
 */
import { writeFileSync } from 'node:fs';

const out = process.env.LIAISON_PEAK_RSS;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
