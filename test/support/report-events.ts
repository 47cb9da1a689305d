import { randomUUID } from 'node:crypto';
import { catalog, type DetailType } from '../../events/catalog.ts';
import { loadAllHubs } from '../../functions/shared/hub-config.ts';
import { openInterval } from '../../functions/reporting/measures.ts';
import { addDays } from '../../functions/reporting/periods.ts';
import { zonedInstant } from '../../functions/domain/time.ts';
import type { HubConfig } from '../../hubs/schema.ts';

/** An event as a consumer gets it: detail-type and detail. */
export interface CraftedEvent {
  type: DetailType;
  detail: { metadata: { eventId: string; eventType: string; schemaVersion: number; occurredAt: string; hubId: string; correlationId: string }; data: Record<string, unknown> };
}

/** The shipped hubs. */
export const HUBS: HubConfig[] = loadAllHubs('hubs');
export const hub = (id: string) => HUBS.find((h) => h.id === id)!;

/** Today in Stockholm. */
export const todayLocal = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(new Date());

/** The latest date at least `daysAgo` days back on which every shipped hub is open on a weekday (no holiday). */
export function openDay(daysAgo = 7): string {
  for (let date = addDays(todayLocal(), -daysAgo); ; date = addDays(date, -1)) if (HUBS.every((h) => openInterval(h, date))) return date;
}

/** An instant on a hub-local date and time, as ISO 8601 UTC. */
export const at = (date: string, time: string) => zonedInstant(date, time, 'Europe/Stockholm').toISOString();

/** Builds a catalog event with fresh metadata. */
export function event(type: DetailType, hubId: string, data: Record<string, unknown>, occurredAt = new Date().toISOString()): CraftedEvent {
  return { type, detail: { metadata: { eventId: randomUUID(), eventType: type, schemaVersion: catalog[type].version, occurredAt, hubId, correlationId: `c-${randomUUID()}` }, data } };
}

/** A visit: CheckedIn and, when `to` is given, CheckedOut. */
export function visit(o: { hubId: string; date: string; from: string; to?: string; memberId: string; org: string; type?: string; membership?: string; employerMunicipality?: string; visitId?: string }): CraftedEvent[] {
  const visitId = o.visitId ?? `vis_${randomUUID()}`;
  const checkedInAt = at(o.date, o.from);
  const out: CraftedEvent[] = [
    event('CheckedIn', o.hubId, {
      visitId,
      memberId: o.memberId,
      organisationId: o.org,
      organisationType: o.type ?? 'state-agency',
      membership: o.membership ?? 'member',
      hubId: o.hubId,
      checkedInAt,
      localDate: o.date,
      ...(o.employerMunicipality ? { employerMunicipality: o.employerMunicipality } : {}),
    }, checkedInAt),
  ];
  if (o.to) {
    const checkedOutAt = at(o.date, o.to);
    out.push(
      event('CheckedOut', o.hubId, { visitId, memberId: o.memberId, organisationId: o.org, hubId: o.hubId, checkedInAt, checkedOutAt, durationMinutes: Math.round((Date.parse(checkedOutAt) - Date.parse(checkedInAt)) / 60_000), localDate: o.date, autoClosed: false }, checkedOutAt),
    );
  }
  return out;
}

/** A booking, optionally cancelled or released as a no-show. */
export function booking(o: { hubId: string; date: string; from: string; to: string; resourceId: string; resourceType: string; memberId: string; org: string; end?: 'cancelled' | 'no-show' }): CraftedEvent[] {
  const bookingId = `bkg_${randomUUID()}`;
  const start = at(o.date, o.from);
  const end = at(o.date, o.to);
  const base = { bookingId, resourceId: o.resourceId, memberId: o.memberId, hubId: o.hubId, start, end };
  const out = [event('BookingCreated', o.hubId, { ...base, resourceType: o.resourceType, organisationId: o.org, localDate: o.date })];
  if (o.end === 'cancelled') out.push(event('BookingCancelled', o.hubId, { ...base, cancelledAt: start }));
  if (o.end === 'no-show') out.push(event('BookingNoShowReleased', o.hubId, { ...base, releasedAt: start }));
  return out;
}

/** A seeded pseudo-random generator (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles a copy of a list with a seeded generator. */
export function shuffled<T>(list: T[], random: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The public fields of a hub event as the catalog publishes them. */
function hubEventData(o: { hubId: string; eventId: string; date: string; kind?: string; version?: number; capacity?: number; from?: string; to?: string }) {
  return {
    eventId: o.eventId,
    hubId: o.hubId,
    version: o.version ?? 1,
    title: 'Frukostmöte',
    kind: o.kind ?? 'workshop',
    start: at(o.date, o.from ?? '09:00'),
    end: at(o.date, o.to ?? '10:00'),
    localDate: o.date,
    capacity: o.capacity ?? 10,
    openToNetwork: true,
    openToBusiness: true,
  };
}

/** A hub event published (version 1), or updated (a later version, `changed` given). */
export function hubEvent(o: { hubId: string; eventId: string; date: string; kind?: string; version?: number; capacity?: number; changed?: string[] }): CraftedEvent {
  const data = hubEventData(o);
  return o.changed ? event('HubEventUpdated', o.hubId, { ...data, changed: o.changed }) : event('HubEventScheduled', o.hubId, data);
}

/** A hub event cancelled. */
export function hubEventCancelled(o: { hubId: string; eventId: string; date: string; kind?: string; version: number }): CraftedEvent {
  const d = hubEventData(o);
  return event('HubEventCancelled', o.hubId, { eventId: d.eventId, hubId: d.hubId, version: d.version, kind: d.kind, start: d.start, end: d.end, localDate: d.localDate, cancelledAt: new Date().toISOString(), registrations: 0 });
}

/** A registration for a hub event and what became of it: cancelled, promoted from the waitlist, attended. */
export function eventRegistration(o: {
  hubId: string;
  eventId: string;
  status?: 'confirmed' | 'waitlisted';
  memberId?: string;
  business?: boolean;
  outside?: boolean;
  walkIn?: boolean;
  cancelled?: boolean;
  promoted?: boolean;
  attended?: boolean;
  kind?: string;
}): CraftedEvent[] {
  const registrationId = `reg_${randomUUID()}`;
  const status = o.status ?? 'confirmed';
  const who = {
    registrationId,
    eventId: o.eventId,
    hubId: o.hubId,
    kind: o.kind ?? 'workshop',
    registrant: o.outside ? 'public' : 'member',
    ...(o.outside ? {} : { memberId: o.memberId ?? `mem_${randomUUID()}` }),
    organisationType: o.business ? 'business' : 'municipality',
    business: o.business ?? false,
    fromOutsideHub: o.outside ?? false,
  };
  const now = new Date().toISOString();
  const out = [event('EventRegistrationCreated', o.hubId, { ...who, status, capacity: 10, walkIn: o.walkIn ?? false })];
  if (o.promoted) out.push(event('EventWaitlistPromoted', o.hubId, { ...who, promotedAt: now }));
  if (o.cancelled) out.push(event('EventRegistrationCancelled', o.hubId, { ...who, previousStatus: o.promoted ? 'confirmed' : status, cancelledAt: now }));
  if (o.attended) out.push(event('EventAttended', o.hubId, { ...who, attendedAt: now, how: o.walkIn ? 'walk-in' : 'door' }));
  return out;
}
