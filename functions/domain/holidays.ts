import Holidays from 'date-holidays';

const sweden = new Holidays('SE');

/** The name of the Swedish public holiday on a date (YYYY-MM-DD), if it is one. */
export function swedishPublicHoliday(date: string): string | undefined {
  const found = sweden.isHoliday(new Date(`${date}T12:00:00Z`));
  return found ? found.find((h) => h.type === 'public')?.name : undefined;
}
