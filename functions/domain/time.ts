/** The hub-local calendar date (YYYY-MM-DD) of an instant, in the given IANA timezone. */
export function localDate(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** A clock, injectable for tests. */
export type Clock = () => Date;
/** The system clock. */
export const systemClock: Clock = () => new Date();
