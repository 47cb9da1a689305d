import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { bookingsCalendar, icalText } from '../../functions/domain/calendar.ts';
import type { Booking } from '../../functions/domain/bookings.ts';
import { loadHubs } from '../../hubs/load.ts';

const hub = loadHubs().find((h) => h.id === 'umea')!;
const booking: Booking = {
  id: 'bkg_1',
  hubId: 'umea',
  resourceId: 'r1',
  resourceType: 'room',
  memberId: 'mem_1',
  organisationId: 'org_1',
  start: '2026-03-02T08:00:00.000Z',
  end: '2026-03-02T09:00:00.000Z',
  localDate: '2026-03-02',
  units: ['09:00'],
  status: 'confirmed',
  createdAt: '2026-03-01T08:00:00.000Z',
};
const injection = 'X\r\nBEGIN:VEVENT\r\nSUMMARY:INJECTED\r\nEND:VEVENT';

// ical.js knows NAME and X-WR-CALNAME as no type and hands back their raw, escaped text.
const unescapeText = (v: unknown) => String(v).replace(/\\([\\;,nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));

function parse(ics: string) {
  const cal = new ICAL.Component(ICAL.parse(ics));
  return { cal, events: cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v)) };
}

describe('calendar feeds built from hostile text', () => {
  it('keep a name that tries to inject an event inside the calendar name (the member feed puts the member name there)', () => {
    const ics = bookingsCalendar(hub, `${injection} – ${hub.name}`, [booking], () => 'Room (Umeå)');
    const { cal, events } = parse(ics);
    expect(events).toHaveLength(1);
    expect(events.map((e) => e.summary)).not.toContain('INJECTED');
    expect(ics.split('\r\n').filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(1);
    expect(unescapeText(cal.getFirstPropertyValue('x-wr-calname'))).toBe(`X\nBEGIN:VEVENT\nSUMMARY:INJECTED\nEND:VEVENT – ${hub.name}`);
    expect(String(cal.getFirstPropertyValue('name'))).toContain('SUMMARY:INJECTED');
  });

  it('keep hostile text in event summaries inside the event', () => {
    const ics = bookingsCalendar(hub, 'Feed', [booking], () => injection);
    const { events } = parse(ics);
    expect(events).toHaveLength(1);
    expect(events[0]!.summary).not.toBe('INJECTED');
  });

  it('round-trip backslash, semicolon and comma, and drop control characters', () => {
    const name = 'A\\B; C, D\u0000E\u0007F\u007fG\u0085H\u2028I\u2029J\tK';
    const { cal } = parse(bookingsCalendar(hub, name, [booking], () => `S\u0000;,\\`));
    expect(unescapeText(cal.getFirstPropertyValue('x-wr-calname'))).toBe('A\\B; C, DEFGH I J K');
    expect(unescapeText(cal.getFirstPropertyValue('name'))).toBe('A\\B; C, DEFGH I J K');
    expect(parse(bookingsCalendar(hub, 'x', [booking], () => `S\u0000;,\\`)).events[0]!.summary).toBe('S;,\\');
  });

  it('escapes text values per RFC 5545 §3.3.11', () => {
    expect(icalText('a\\b;c,d\r\ne\nf')).toBe('a\\\\b\\;c\\,d\\ne\\nf');
    expect(icalText('\ud800x\u0000')).toBe('x');
  });
});
