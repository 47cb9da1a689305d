import ical from 'ical-generator';
import type { HubConfig } from '../../hubs/schema.ts';
import type { Booking } from './bookings.ts';

/**
 * An iCalendar (RFC 5545) feed of bookings, for Outlook and any calendar app: one event per
 * booking, UID = booking id (so updates replace, not duplicate), times in UTC.
 */
export function bookingsCalendar(hub: HubConfig, name: string, bookings: Booking[], describe: (b: Booking) => string): string {
  const cal = ical({ name, prodId: { company: 'samverkan', product: 'hub-bookings', language: 'SV' }, ttl: 15 * 60 });
  for (const b of bookings) {
    cal.createEvent({
      id: `${b.id}@samverkan`,
      start: new Date(b.start),
      end: new Date(b.end),
      summary: describe(b),
      location: `${hub.name}, ${hub.hostVenue.name}`,
      stamp: new Date(b.createdAt),
    });
  }
  return cal.toString();
}
