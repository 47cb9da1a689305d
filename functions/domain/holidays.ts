import Holidays from 'date-holidays';
import type { Eve } from '../../hubs/schema.ts';

const sweden = new Holidays('SE');

const found = (date: string) => sweden.isHoliday(new Date(`${date}T12:00:00Z`)) || [];

/** The name of the Swedish public holiday on a date (YYYY-MM-DD), if it is one. */
export function swedishPublicHoliday(date: string): string | undefined {
  return found(date).find((h) => h.type === 'public')?.name;
}

/**
 * The eves that close a hub, by their rule in date-holidays (where Sweden has them as 'bank'
 * days; the rule, not the localized name, identifies them): julafton 24 December, nyårsafton
 * 31 December, midsommarafton the Friday between 19 and 25 June.
 */
const EVE_RULES: Record<Eve, string> = { julafton: '12-24', nyarsafton: '12-31', midsommarafton: 'friday after 06-19' };

const evesByYear = new Map<number, Map<string, Eve>>();

/** The eve a date (YYYY-MM-DD) is, if it is julafton, nyårsafton or midsommarafton. */
export function swedishEve(date: string): Eve | undefined {
  const year = Number(date.slice(0, 4));
  let eves = evesByYear.get(year);
  if (!eves) {
    eves = new Map();
    // getHolidays (unlike isHoliday) reports each day's rule.
    for (const h of sweden.getHolidays(year)) {
      if (h.type !== 'bank' && h.type !== 'observance') continue;
      const eve = (Object.keys(EVE_RULES) as Eve[]).find((e) => EVE_RULES[e] === h.rule);
      if (eve) eves.set(h.date.slice(0, 10), eve);
    }
    evesByYear.set(year, eves);
  }
  return eves.get(date);
}

/** The eve that closes this hub on a date, if any (its `bookingRules.closedOnEves`). */
export function closingEve(hub: { bookingRules: { closedOnEves: readonly Eve[] } }, date: string): Eve | undefined {
  const eve = swedishEve(date);
  return eve && hub.bookingRules.closedOnEves.includes(eve) ? eve : undefined;
}
