import type { Eve } from '../../hubs/schema.ts';

/**
 * Sweden's public holidays (*allmänna helgdagar*, Lag (1989:253) om allmänna helgdagar) and the
 * three eves that may close a hub, computed here rather than taken from a holiday library: the
 * library carried every country's rules and a time-zone database into each function's bundle
 * (about 1.1 MB of 2.4 MB) for thirteen dates a year. `test/unit/holidays.test.ts` checks every
 * date and name against date-holidays (a dev dependency) for 2005–2099.
 */

/** Easter Sunday of a year (Gregorian; the anonymous algorithm of Meeus/Jones/Butcher), as month and day. */
export function easterSunday(year: number): { month: number; day: number } {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { month, day };
}

const iso = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
const plusDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
/** The first date on or after `from` (YYYY-MM-DD) that falls on `weekday` (0 Sunday … 6 Saturday). */
const firstOnOrAfter = (from: string, weekday: number) => plusDays(from, (weekday - new Date(`${from}T00:00:00Z`).getUTCDay() + 7) % 7);

interface YearCalendar {
  /** Public holiday name by date. */
  holidays: Map<string, string>;
  /** The eves by date. */
  eves: Map<string, Eve>;
}

const years = new Map<number, YearCalendar>();

function calendarOf(year: number): YearCalendar {
  let cal = years.get(year);
  if (cal) return cal;
  const e = easterSunday(year);
  const easter = iso(year, e.month, e.day);
  const midsummerDay = firstOnOrAfter(iso(year, 6, 20), 6); // the Saturday 20–26 June
  const holidays = new Map<string, string>([
    [iso(year, 1, 1), 'nyårsdagen'],
    [iso(year, 1, 6), 'trettondedag jul'],
    [plusDays(easter, -2), 'långfredagen'],
    [easter, 'påskdagen'],
    [plusDays(easter, 1), 'annandag påsk'],
    [iso(year, 5, 1), 'första maj'],
    [plusDays(easter, 39), 'Kristi himmelsfärdsdag'],
    [plusDays(easter, 49), 'pingstdagen'],
    // Since 2005 the national day is a public holiday and Whit Monday is not (SFS 2004:1318).
    ...(year >= 2005 ? ([[iso(year, 6, 6), 'nationaldagen']] as const) : ([[plusDays(easter, 50), 'annandag pingst']] as const)),
    [midsummerDay, 'midsommardagen'],
    [firstOnOrAfter(iso(year, 10, 31), 6), 'alla helgons dag'], // the Saturday 31 October – 6 November
    [iso(year, 12, 25), 'juldagen'],
    [iso(year, 12, 26), 'annandag jul'],
  ]);
  const eves = new Map<string, Eve>([
    [iso(year, 12, 24), 'julafton'],
    [iso(year, 12, 31), 'nyarsafton'],
    [plusDays(midsummerDay, -1), 'midsommarafton'], // the Friday 19–25 June
  ]);
  cal = { holidays, eves };
  years.set(year, cal);
  return cal;
}

/** The name of the Swedish public holiday on a date (YYYY-MM-DD), if it is one. */
export function swedishPublicHoliday(date: string): string | undefined {
  return calendarOf(Number(date.slice(0, 4))).holidays.get(date);
}

/** The eve a date (YYYY-MM-DD) is, if it is julafton, nyårsafton or midsommarafton. */
export function swedishEve(date: string): Eve | undefined {
  return calendarOf(Number(date.slice(0, 4))).eves.get(date);
}

/** The eve that closes this hub on a date, if any (its `bookingRules.closedOnEves`). */
export function closingEve(hub: { bookingRules: { closedOnEves: readonly Eve[] } }, date: string): Eve | undefined {
  const eve = swedishEve(date);
  return eve && hub.bookingRules.closedOnEves.includes(eve) ? eve : undefined;
}
