/**
 * Dates for tests that run against the real clock: every one is computed from now, so that no
 * test starts failing on a given morning. Dates are hub-local (Europe/Stockholm), YYYY-MM-DD.
 */
const DAY_MS = 86_400_000;
const ZONE = 'Europe/Stockholm';

/** Today in Sweden. */
export const today = (now = new Date()): string => new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(now);

/** The current year in Sweden. */
export const thisYear = (now = new Date()): number => Number(today(now).slice(0, 4));

/** `date` plus `n` days (n may be negative). */
export const addDays = (date: string, n: number): string => new Date(Date.parse(`${date}T12:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** The first date after `from` (default today) that falls on month-day `MM-DD`, e.g. the next juldagen. */
export function nextMonthDay(monthDay: string, from = today()): string {
  const year = Number(from.slice(0, 4));
  const thisOne = `${year}-${monthDay}`;
  return thisOne > from ? thisOne : `${year + 1}-${monthDay}`;
}

/** The first date after `from` (default today) on a weekday, 0 = Sunday … 6 = Saturday. */
export function nextWeekday(weekday: number, from = today()): string {
  let d = addDays(from, 1);
  while (new Date(`${d}T12:00:00Z`).getUTCDay() !== weekday) d = addDays(d, 1);
  return d;
}

/** An instant `days` days from now, plus `minutes`, as ISO (UTC). */
export const fromNow = (days: number, minutes = 0): string => new Date(Date.now() + days * DAY_MS + minutes * 60_000).toISOString();
