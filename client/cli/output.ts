/**
 * Terminal output for the CLI: progress bars on a terminal (nothing when piped), one-line
 * errors, and the small table printer for listings.
 * Formatting only: no command logic and no hub call; it prints only what a command hands it.
 */
import type CliProgress from 'cli-progress';

/** Progress bars on a terminal; the bar library is loaded only when there is a terminal to draw on. */
export async function progressReporter(enabled: boolean): Promise<{ progress: (step: string, done: number, total: number) => void; stop: () => void }> {
  if (!enabled) return { progress: () => undefined, stop: () => undefined };
  const { default: cliProgress } = await import('cli-progress');
  let bar: CliProgress.SingleBar | undefined;
  let current = '';
  let total = 0;
  // A step that ends (the next one starts, or the command finishes) shows 100%: the byte count of
  // a step is an estimate (decrypting counts plaintext against the ciphertext size).
  const stop = () => {
    if (bar) {
      bar.update(Math.max(total, 1), { value_mb: (total / 1e6).toFixed(1) });
      bar.stop();
    }
    bar = undefined;
  };
  return {
    progress(step, done, size) {
      if (step !== current) {
        stop();
        current = step;
        total = size;
        bar = new cliProgress.SingleBar(
          { format: `${step.padEnd(28).slice(0, 28)} {bar} {percentage}% {value_mb}/{total_mb} MB`, stream: process.stderr, hideCursor: true, clearOnComplete: false },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(size, 1), 0, { value_mb: '0.0', total_mb: (size / 1e6).toFixed(1) });
      }
      total = size;
      bar?.setTotal(Math.max(size, 1));
      bar?.update(Math.min(done, Math.max(size, 1)), { value_mb: (done / 1e6).toFixed(1), total_mb: (size / 1e6).toFixed(1) });
    },
    stop,
  };
}

export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) => r.map((cell, i) => cell + ' '.repeat(widths[i]! - [...cell].length)).join('  ').trimEnd()).join('\n');
}

/** The time zone times are shown in: the person's own (TZ), named so nobody has to guess. */
export function timeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function offsetOf(d: Date): string {
  const minutes = -d.getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** An instant in the person's time zone with its UTC offset: `2026-12-31 23:59 +05:00`. */
export function localTime(iso: string | undefined, withSeconds = false): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}${withSeconds ? `:${pad(d.getSeconds())}` : ''}`;
  return `${date} ${time} ${offsetOf(d)}`;
}

/**
 * Print a command's result: its documented JSON shape with --json (docs/cli.md), else the
 * sentence. Returns true when JSON was printed, so the caller can stop there.
 */
export function printJson(json: boolean | undefined, value: unknown): boolean {
  if (json) console.log(JSON.stringify(value, null, 2));
  return Boolean(json);
}
