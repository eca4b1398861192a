/**
 * Terminal output for the CLI: progress bars on a terminal (nothing when piped), one-line
 * errors, and the small table printer for listings.
 */
import type CliProgress from 'cli-progress';

/** Progress bars on a terminal; the bar library is loaded only when there is a terminal to draw on. */
export async function progressReporter(enabled: boolean): Promise<{ progress: (step: string, done: number, total: number) => void; stop: () => void }> {
  if (!enabled) return { progress: () => undefined, stop: () => undefined };
  const { default: cliProgress } = await import('cli-progress');
  let bar: CliProgress.SingleBar | undefined;
  let current = '';
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    progress(step, done, total) {
      if (step !== current) {
        stop();
        current = step;
        bar = new cliProgress.SingleBar(
          { format: `${step.padEnd(28).slice(0, 28)} {bar} {percentage}% {value_mb}/{total_mb} MB`, stream: process.stderr, hideCursor: true, clearOnComplete: false },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(total, 1), 0, { value_mb: '0.0', total_mb: (total / 1e6).toFixed(1) });
      }
      bar?.update(Math.min(done, Math.max(total, 1)), { value_mb: (done / 1e6).toFixed(1), total_mb: (total / 1e6).toFixed(1) });
    },
    stop,
  };
}

export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) => r.map((cell, i) => cell + ' '.repeat(widths[i]! - [...cell].length)).join('  ').trimEnd()).join('\n');
}
