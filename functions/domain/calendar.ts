import ical from 'ical-generator';
import type { HubConfig } from '../../hubs/schema.ts';
import type { Booking } from './bookings.ts';

// C0 controls except LF and CR (newlines are escaped, not dropped), DEL, C1, and lone surrogates.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the pattern exists to drop control characters
const CONTROL = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text fit for an iCalendar value: tabs and line/paragraph separators become spaces, other control characters and lone surrogates go. */
export function icalClean(value: string): string {
  return value.replace(/[\t\u2028\u2029]/g, ' ').replace(CONTROL, '');
}

/**
 * A TEXT value escaped per RFC 5545 §3.3.11 (`\\`, `\;`, `\,`, newline as `\n`), cleaned first:
 * for the values ical-generator writes as given (the calendar's NAME and X-WR-CALNAME).
 */
export function icalText(value: string): string {
  return icalClean(value)
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * An iCalendar (RFC 5545) feed of bookings, for Outlook and any calendar app: one event per
 * booking, UID = booking id (so updates replace, not duplicate), times in UTC. Every text we
 * pass is cleaned of control characters; the calendar name (a member's name, in the member's
 * feed) is escaped here because the library writes it unescaped.
 */
export function bookingsCalendar(hub: HubConfig, name: string, bookings: Booking[], describe: (b: Booking) => string): string {
  const cal = ical({ name: icalText(name), prodId: { company: 'samverkan', product: 'hub-bookings', language: 'SV' }, ttl: 15 * 60 });
  for (const b of bookings) {
    cal.createEvent({
      id: `${b.id}@samverkan`,
      start: new Date(b.start),
      end: new Date(b.end),
      summary: icalClean(describe(b)),
      location: icalClean(`${hub.name}, ${hub.hostVenue.name}`),
      stamp: new Date(b.createdAt),
    });
  }
  return cal.toString();
}
