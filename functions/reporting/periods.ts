/** Report periods. */
export const PERIODS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type Period = (typeof PERIODS)[number];

const d = (s: string) => new Date(`${s}T00:00:00Z`);
const iso = (t: Date) => t.toISOString().slice(0, 10);

/** Every date from `from` to `to`, inclusive. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = d(from); iso(t) <= to; t = new Date(t.getTime() + 86_400_000)) out.push(iso(t));
  return out;
}

/** Adds days to a date. */
export function addDays(date: string, days: number): string {
  return iso(new Date(d(date).getTime() + days * 86_400_000));
}

/** The ISO 8601 week of a date, e.g. `2026-W48`. */
export function isoWeek(date: string): string {
  const t = d(date);
  const day = (t.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(t.getTime() + (3 - day) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The label of the period a date falls in: `2026-11-27`, `2026-W48`, `2026-11`, `2026-Q4`, `2026`. */
export function periodOf(date: string, period: Period): string {
  switch (period) {
    case 'day':
      return date;
    case 'week':
      return isoWeek(date);
    case 'month':
      return date.slice(0, 7);
    case 'quarter':
      return `${date.slice(0, 4)}-Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`;
    case 'year':
      return date.slice(0, 4);
  }
}

/** The dates of a range grouped by period, in order, each group clipped to the range. */
export function bucket(from: string, to: string, period: Period): { label: string; from: string; to: string; dates: string[] }[] {
  const groups: { label: string; from: string; to: string; dates: string[] }[] = [];
  for (const date of datesBetween(from, to)) {
    const label = periodOf(date, period);
    const last = groups.at(-1);
    if (last?.label === label) {
      last.dates.push(date);
      last.to = date;
    } else groups.push({ label, from: date, to: date, dates: [date] });
  }
  return groups;
}
