import ical, { ICalEventStatus } from 'ical-generator';

/** What an iCalendar entry of a hub event shows: public fields only. */
export interface CalendarEvent {
  id: string;
  hubId: string;
  hubName: string;
  venue: string;
  room?: string | undefined;
  title: string;
  description?: string | undefined;
  start: string;
  end: string;
  status: 'published' | 'cancelled';
  updatedAt?: string | undefined;
  /** The event's version (1 when created): each change raises SEQUENCE, so calendar apps take the new time or the cancellation. */
  version?: number | undefined;
  /** Where the event is described, built by us from ids (never user input). */
  url?: string | undefined;
}

/**
 * An iCalendar (RFC 5545) file of hub events. Only text properties that ical-generator escapes
 * carry user input (SUMMARY, DESCRIPTION, LOCATION); the UID and URL are built from our own ids,
 * and `name` (X-WR-CALNAME, which it does not escape) must be ours too (a hub name from config).
 */
export function hubEventsCalendar(name: string, events: CalendarEvent[]): string {
  const cal = ical({ name, prodId: { company: 'samverkan', product: 'hub-events', language: 'SV' }, ttl: 15 * 60 });
  for (const e of events) {
    cal.createEvent({
      id: `${e.id}.${e.hubId}@samverkan`,
      start: new Date(e.start),
      end: new Date(e.end),
      summary: e.status === 'cancelled' ? `INSTÄLLT: ${e.title}` : e.title,
      // STATUS:CANCELLED and a higher SEQUENCE make a calendar app update or cancel its copy.
      status: e.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      sequence: Math.max(0, (e.version ?? 1) - 1),
      ...(e.description ? { description: e.description } : {}),
      location: [e.room, e.venue, e.hubName].filter(Boolean).join(', '),
      ...(e.url ? { url: e.url } : {}),
      ...(e.updatedAt ? { stamp: new Date(e.updatedAt) } : {}),
    });
  }
  return cal.toString();
}
