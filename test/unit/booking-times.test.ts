import { describe, expect, it } from 'vitest';
import { BookingService, isoWithOffset, type Booking, type BookingStore } from '../../functions/domain/bookings.ts';
import { swedishEve, swedishPublicHoliday } from '../../functions/domain/holidays.ts';
import { loadHubs } from '../../hubs/load.ts';

// A hub open every day, so that the Sundays of the clock changes can be booked.
const umea = loadHubs().find((h) => h.id === 'umea')!;
const open = { opens: '08:00', closes: '17:00' };
// 2027-03-28 is also Easter Sunday: holidays are not closed here.
const hub = { ...umea, openingHours: { ...umea.openingHours, saturday: open, sunday: open }, closedDays: [], bookingRules: { ...umea.bookingRules, closedOnPublicHolidays: false } };

/** Only what availability and validation read; the booking writes are tested against DynamoDB Local. */
const noBookings: BookingStore = {
  unitsOf: async () => new Map(),
  activeBookingsOf: async () => [],
  createBooking: async () => {},
  getBooking: async () => undefined,
  cancelBooking: async () => true,
  bookingsOn: async () => [],
  idempotencyRecord: async () => undefined,
  markCheckedIn: async () => true,
  bookingsOfResource: async () => [],
  saveAgencyPresence: async () => {},
  agencyPresence: async () => [],
  bookingsNaming: async () => [],
  cancelForErasure: async () => {},
  anonymiseBookings: async () => {},
  forgetIdempotencyKeys: async () => {},
};
const member = { getMember: async (id: string) => ({ id, hubId: 'umea', memberCode: 'X', name: 'M', organisationId: 'org_x', membership: 'member' as const, language: 'sv' as const, createdAt: '' }) };

describe('booking times across the clock changes', () => {
  it('gives slots with the right offset on the last Sunday of March and of October', async () => {
    const service = new BookingService(hub, noBookings, member, () => new Date('2026-10-01T00:00:00Z'), swedishPublicHoliday);
    const october = await service.availability('2026-10-25', 'desk-pool');
    expect(october.resources[0]!.slots.map((s) => [s.start, s.end])).toEqual([
      ['2026-10-25T08:00:00+01:00', '2026-10-25T12:00:00+01:00'],
      ['2026-10-25T12:00:00+01:00', '2026-10-25T17:00:00+01:00'],
    ]);
    expect((await service.availability('2026-10-24', 'desk-pool')).resources[0]!.slots[0]!.start).toBe('2026-10-24T08:00:00+02:00');

    const spring = new BookingService(hub, noBookings, member, () => new Date('2027-03-01T00:00:00Z'), swedishPublicHoliday);
    expect((await spring.availability('2027-03-27', 'room')).resources[0]!.slots[0]!.start).toBe('2027-03-27T08:00:00+01:00');
    expect((await spring.availability('2027-03-28', 'room')).resources[0]!.slots[0]!.start).toBe('2027-03-28T08:00:00+02:00');
  });

  it('books by hub time whatever offset the client sends, on both Sundays', async () => {
    const service = new BookingService(hub, noBookings, member, () => new Date('2026-10-01T00:00:00Z'), swedishPublicHoliday);
    const { booking } = await service.book({ resourceId: 'oppna-ytan', memberId: 'mem_1', start: '2026-10-25T07:00:00Z', end: '2026-10-25T11:00:00Z' }, 'c');
    expect(booking).toMatchObject<Partial<Booking>>({ start: '2026-10-25T08:00:00+01:00', end: '2026-10-25T12:00:00+01:00', units: ['AM'], localDate: '2026-10-25' });
    const spring = new BookingService(hub, noBookings, member, () => new Date('2027-03-01T00:00:00Z'), swedishPublicHoliday);
    const room = await spring.book({ resourceId: 'rum-kajen', memberId: 'mem_1', start: '2027-03-28T06:00:00Z', end: '2027-03-28T06:30:00Z' }, 'c');
    expect(room.booking).toMatchObject({ start: '2027-03-28T08:00:00+02:00', end: '2027-03-28T08:30:00+02:00', units: ['08:00', '08:15'] });
    // 08:00 in winter time is 07:00 UTC; on the spring Sunday that is 09:00 local, still on the grid, but 07:00+01:00 is not 08:00.
    await expect(spring.book({ resourceId: 'rum-kajen', memberId: 'mem_1', start: '2027-03-28T08:00:00+01:00', end: '2027-03-28T08:30:00+01:00' }, 'c')).resolves.toMatchObject({ booking: { start: '2027-03-28T09:00:00+02:00' } });
  });

  it('writes times with the hub’s offset', () => {
    expect(isoWithOffset(new Date('2026-11-26T08:00:00Z'), 'Europe/Stockholm')).toBe('2026-11-26T09:00:00+01:00');
    expect(isoWithOffset(new Date('2026-07-01T08:00:00Z'), 'Europe/Stockholm')).toBe('2026-07-01T10:00:00+02:00');
  });

  it('knows the Swedish public holidays', () => {
    expect(swedishPublicHoliday('2026-06-19')).toBeUndefined(); // midsommarafton is not a public holiday
    expect(swedishPublicHoliday('2026-06-20')).toBe('midsommardagen');
    expect(swedishPublicHoliday('2027-03-26')).toBe('långfredagen');
    expect(swedishPublicHoliday('2026-11-26')).toBeUndefined();
  });
});

describe('availability over time', () => {
  it('offers no slot that has already ended', async () => {
    const service = new BookingService(hub, noBookings, member, () => new Date('2026-11-26T11:05:00Z'), swedishPublicHoliday); // 12:05 in Umeå
    const a = await service.availability('2026-11-26', 'room');
    const slots = a.resources[0]!.slots;
    expect(slots.filter((s) => s.available === 0).map((s) => s.start.slice(11, 16)).at(-1)).toBe('11:45');
    expect(slots.find((s) => s.start.slice(11, 16) === '12:00')!.available).toBe(1); // under way: still bookable until it ends
    const desks = (await service.availability('2026-11-26', 'desk-pool')).resources[0]!.slots;
    expect(desks.map((s) => s.available)).toEqual([0, 24]);
  });
});

describe('eves closed by rule, not by a list that runs out', () => {
  // Umeå as shipped: Monday–Friday, public holidays closed, no eve in its closedDays.
  const shipped = (closedOnEves?: string[]) => {
    const h = { ...umea, bookingRules: { ...umea.bookingRules, ...(closedOnEves ? { closedOnEves } : {}) } } as typeof umea;
    return new BookingService(h, noBookings, member, () => new Date('2031-01-01T00:00:00Z'), swedishPublicHoliday);
  };

  it('closes on julafton, nyårsafton and midsommarafton of any year, with no closedDays entry', () => {
    for (const hub of loadHubs()) expect(hub.closedDays.filter((d) => /-(12-24|12-31|06-(19|2[0-5]))$/.test(d)), hub.id).toEqual([]);
    const service = shipped();
    // 2031: julafton and nyårsafton are Wednesdays, midsommarafton is Friday 20 June.
    expect(service.day('2031-12-24')).toEqual({ open: null, closedReason: 'eve: julafton' });
    expect(service.day('2031-12-31')).toEqual({ open: null, closedReason: 'eve: nyarsafton' });
    expect(service.day('2031-06-20')).toEqual({ open: null, closedReason: 'eve: midsommarafton' });
    expect(service.day('2031-06-19').open).toEqual({ opens: '08:00', closes: '17:00' });
    expect(service.day('2031-12-23').open).toEqual({ opens: '08:00', closes: '17:00' });
    // 2036: midsommarafton is Friday 20 June, and 19 June (a Thursday) is open.
    expect(service.day('2036-06-20')).toEqual({ open: null, closedReason: 'eve: midsommarafton' });
  });

  it('opens on the eves a hub does not list in bookingRules.closedOnEves', () => {
    const onlyChristmas = shipped(['julafton']);
    expect(onlyChristmas.day('2031-12-24').open).toBeNull();
    expect(onlyChristmas.day('2031-12-31').open).toEqual({ opens: '08:00', closes: '17:00' });
    expect(shipped([]).day('2031-12-24').open).toEqual({ opens: '08:00', closes: '17:00' });
  });

  it('finds the eves by their rules', () => {
    expect(swedishEve('2031-12-24')).toBe('julafton');
    expect(swedishEve('2031-12-31')).toBe('nyarsafton');
    expect(swedishEve('2027-06-25')).toBe('midsommarafton');
    expect(swedishEve('2031-04-12')).toBeUndefined(); // påskafton is not one of them
    expect(swedishEve('2031-12-25')).toBeUndefined();
  });
});
