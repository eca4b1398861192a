/**
 * Dates as people type them, for both clients. A bare date means a whole day in the person's own
 * time zone (the runtime's: TZ in the CLI, the browser's in the web client): the END of that day
 * for a limit (`--expires`, `--valid-until`, "until 31 December"), its START for a beginning
 * (`--effective`, `--made-at`, `--since`). A full instant is taken as given. Never reads a clock:
 * these only parse.
 */
import { ClientError } from './errors.ts';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The calendar day `value` names (`2026-12-31`), or undefined when it is not a bare date; refuses 2026-02-30. */
function calendarDay(value: string): { y: number; m: number; d: number } | undefined {
  const day = DAY.exec(value.trim());
  if (!day) return undefined;
  const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
  const probe = new Date(y, m - 1, d);
  if (probe.getFullYear() !== y || probe.getMonth() !== m - 1 || probe.getDate() !== d) throw new ClientError(`"${value}" is not a date of the calendar`, 'date.not-in-calendar', { value });
  return { y, m, d };
}

function instant(value: string): string {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw new ClientError(`"${value}" is not a date: write 2026-12-31 (the end of that day) or 2026-12-31T18:00+05:00`, 'date.invalid', { value });
  return at.toISOString();
}

/** A limit: a bare date is the end of that day (23:59:59.999 local); `endOfDay` says it was taken so. */
export function untilDate(value: string): { iso: string; endOfDay: boolean } {
  const day = calendarDay(value);
  if (day) return { iso: new Date(day.y, day.m - 1, day.d, 23, 59, 59, 999).toISOString(), endOfDay: true };
  return { iso: instant(value), endOfDay: false };
}

/** A beginning: a bare date is the start of that day (00:00 local). */
export function sinceDate(value: string): string {
  const day = calendarDay(value);
  if (day) return new Date(day.y, day.m - 1, day.d).toISOString();
  return instant(value);
}
