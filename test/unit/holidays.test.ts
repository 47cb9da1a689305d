import Holidays from 'date-holidays';
import { describe, expect, it } from 'vitest';
import { closingEve, easterSunday, swedishEve, swedishPublicHoliday } from '../../functions/domain/holidays.ts';

// The reference: date-holidays (a dev dependency only; the functions compute the dates themselves).
const sweden = new Holidays('SE');
const EVES = { julafton: '12-24', nyarsafton: '12-31', midsommarafton: 'friday after 06-19' } as const;

const daysOf = (year: number) => {
  const out: string[] = [];
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
};

describe('Swedish public holidays and eves', () => {
  it('name every public holiday on the day date-holidays does, and no other day, 2005–2099', () => {
    for (let year = 2005; year < 2100; year++) {
      const reference = new Map(sweden.getHolidays(year).filter((h) => h.type === 'public').map((h) => [h.date.slice(0, 10), h.name]));
      const ours = new Map(daysOf(year).flatMap((d) => { const n = swedishPublicHoliday(d); return n ? [[d, n] as const] : []; }));
      expect(ours, String(year)).toEqual(reference);
    }
  });

  it('find julafton, nyårsafton and midsommarafton where date-holidays has their rules, 2005–2099', () => {
    for (let year = 2005; year < 2100; year++) {
      const reference = new Map(sweden.getHolidays(year).flatMap((h) => { const eve = (Object.keys(EVES) as Array<keyof typeof EVES>).find((e) => EVES[e] === h.rule); return eve ? [[h.date.slice(0, 10), eve] as const] : []; }));
      const ours = new Map(daysOf(year).flatMap((d) => { const e = swedishEve(d); return e ? [[d, e] as const] : []; }));
      expect(ours, String(year)).toEqual(reference);
    }
  });

  it('knows the dates that test the rules', () => {
    expect(easterSunday(2026)).toEqual({ month: 4, day: 5 });
    expect(easterSunday(2038)).toEqual({ month: 4, day: 25 }); // the latest possible
    expect(easterSunday(2285)).toEqual({ month: 3, day: 22 }); // the earliest possible
    expect(swedishPublicHoliday('2026-06-20')).toBe('midsommardagen');
    expect(swedishEve('2026-06-19')).toBe('midsommarafton');
    expect(swedishPublicHoliday('2027-11-06')).toBe('alla helgons dag');
    expect(swedishPublicHoliday('2026-06-06')).toBe('nationaldagen');
    // Before 2005 Whit Monday was the holiday and 6 June was not (SFS 2004:1318).
    expect(swedishPublicHoliday('2004-05-31')).toBe('annandag pingst');
    expect(swedishPublicHoliday('2004-06-06')).toBeUndefined();
    expect(swedishPublicHoliday('2026-11-27')).toBeUndefined();
    expect(closingEve({ bookingRules: { closedOnEves: ['julafton'] } }, '2026-12-24')).toBe('julafton');
    expect(closingEve({ bookingRules: { closedOnEves: ['julafton'] } }, '2026-12-31')).toBeUndefined();
  });
});
