/**
 * Trading days in a time zone (COUNTER_RESET_TZ): the instant local midnight started the day that
 * contains `now`, and the next one. Correct across DST changes (a day is 23 or 25 hours long then).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  return f;
}

/** Local wall-clock fields of `at` in `tz`. */
function local(at: Date, tz: string): { y: number; m: number; d: number; h: number; mi: number; s: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year!, m: parts.month!, d: parts.day!, h: parts.hour!, mi: parts.minute!, s: parts.second! };
}

/** Offset of `tz` from UTC at `at`, in ms (New York in winter: −5 h). */
function offsetMs(at: Date, tz: string): number {
  const l = local(at, tz);
  return Date.UTC(l.y, l.m - 1, l.d, l.h, l.mi, l.s) - Math.floor(at.getTime() / 1000) * 1000;
}

/** The UTC instant of local 00:00 of the given local date in `tz`. */
function midnight(y: number, m: number, d: number, tz: string): Date {
  const wall = Date.UTC(y, m - 1, d);
  let guess = wall - offsetMs(new Date(wall), tz);
  // Twice: the offset at the guess may differ from the offset at the wall time (a DST day).
  guess = wall - offsetMs(new Date(guess), tz);
  return new Date(guess);
}

/** When the trading day containing `now` began (local midnight in `tz`). */
export function dayStart(now: Date, tz: string): Date {
  const l = local(now, tz);
  const start = midnight(l.y, l.m, l.d, tz);
  return start.getTime() > now.getTime() ? midnight(l.y, l.m, l.d - 1, tz) : start;
}

/** When the next trading day begins (the next local midnight in `tz`). */
export function nextDayStart(now: Date, tz: string): Date {
  const l = local(now, tz);
  // Date.UTC normalises day overflow (31 + 1 → the 1st of the next month).
  const n = new Date(Date.UTC(l.y, l.m - 1, l.d + 1));
  return midnight(n.getUTCFullYear(), n.getUTCMonth() + 1, n.getUTCDate(), tz);
}
