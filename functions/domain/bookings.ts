import type { z } from 'zod';
import type { ResourceType } from '../../events/catalog.ts';
import type { HubConfig, Resource } from '../../hubs/schema.ts';
import { badRequest, conflict, notFound, type Issue } from '../shared/errors.ts';
import { bookingsCalendar } from './calendar.ts';
import { buildEvent, type OutgoingEvent } from './events.ts';
import { closingEve } from './holidays.ts';
import type { Member } from './hub.ts';
import { newId } from './ids.ts';
import type { ErasedPerson, ExportSection, PersonalDataHolder } from './privacy.ts';
import { localDate, weekdayOf, zoneOffsetMs, zonedInstant, type Clock } from './time.ts';

/** A booking of one resource for one member. */
export interface Booking {
  id: string;
  hubId: string;
  resourceId: string;
  resourceType: z.infer<typeof ResourceType>;
  /** Absent once the member was erased: the booking stays only as an anonymous count (`anonymised`). */
  memberId?: string;
  organisationId: string;
  start: string;
  end: string;
  localDate: string;
  /** The units it holds: slot start times (`09:15`) for rooms, `AM`/`PM` for desks. */
  units: string[];
  /** `released`: nobody checked in within the grace period (no-show). */
  status: 'confirmed' | 'cancelled' | 'released';
  createdAt: string;
  cancelledAt?: string;
  releasedAt?: string;
  /** The weekly series the booking belongs to. */
  seriesId?: string;
  /** Set when the member checked in for the booking. */
  checkedInAt?: string;
  visitId?: string;
  /** Set when the member's erasure removed the member from the booking. */
  anonymised?: boolean;
}

/** A booking to cancel because its member is erased: the booking, the units it frees and its event. */
export interface ErasureCancellation {
  booking: Booking;
  holds: Hold[];
  events: OutgoingEvent[];
}

/** What a booking takes: one unit of a resource (a slot, a half day, a desk of a pool). */
export type Hold = { kind: 'slot'; resourceId: string; date: string; unit: string } | { kind: 'pool'; resourceId: string; date: string; unit: string; count: number };

/** What bookings need from storage; every write stores the booking, its holds and its event atomically. */
export interface BookingStore {
  /** Books; throws `UnitTaken` naming the first unit taken, or `IdempotentReplay` when the key was used. */
  createBooking(booking: Booking, holds: Hold[], events: OutgoingEvent[], idempotency?: { key: string; requestHash: string }): Promise<void>;
  getBooking(id: string): Promise<Booking | undefined>;
  /** Cancels (or releases, for a no-show) a confirmed booking and frees its holds; false when it was not confirmed any more. */
  cancelBooking(booking: Booking, holds: Hold[], cancelledAt: string, events: OutgoingEvent[], as?: 'cancelled' | 'released'): Promise<boolean>;
  /** Marks a confirmed booking checked in, linking the visit; false when it was checked in or not confirmed. */
  markCheckedIn(bookingId: string, visit: { id: string; checkedInAt: string }): Promise<boolean>;
  bookingsOn(date: string): Promise<Booking[]>;
  /** Confirmed bookings of a resource starting between two instants (ISO, UTC). */
  bookingsOfResource(resourceId: string, fromIso: string, toIso: string): Promise<Booking[]>;
  /** Bookings of a member that end after `afterIso`. */
  activeBookingsOf(memberId: string, afterIso: string): Promise<Booking[]>;
  /** Booked units of a resource on a day: slot → booking id, or pool unit → desks booked. */
  unitsOf(resourceId: string, date: string): Promise<Map<string, string | number>>;
  idempotencyRecord(key: string): Promise<{ bookingId: string; requestHash: string } | undefined>;
  saveAgencyPresence(presence: AgencyPresence, events: OutgoingEvent[]): Promise<void>;
  agencyPresence(): Promise<AgencyPresence[]>;
  /** Every booking that names the member, whatever its status. */
  bookingsNaming(memberId: string): Promise<Booking[]>;
  /**
   * Cancels confirmed bookings of an erased member, removing the member from them, in
   * transactions of at most 100 items, each booking with its units and its event; a booking
   * that is not confirmed any more is left to `anonymiseBookings`.
   */
  cancelForErasure(cancellations: ErasureCancellation[], cancelledAt: string): Promise<void>;
  /** Removes the member from bookings (kept as anonymous counts); idempotent. */
  anonymiseBookings(bookingIds: string[]): Promise<void>;
  /** Deletes the idempotency records of requests that named the member. */
  forgetIdempotencyKeys(memberId: string): Promise<void>;
}

/** An organisation's weekly presence at a hub (myndighetsnärvaro). */
export interface AgencyPresence {
  id: string;
  hubId: string;
  organisationId: string;
  organisationName: string;
  organisationType: 'state-agency' | 'municipality' | 'region' | 'county-board' | 'public-company' | 'university' | 'business' | 'other';
  resourceId: string;
  weekday: 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';
  from: string;
  to: string;
  firstDate: string;
  until: string;
  description?: string;
  createdAt: string;
}

/** A unit was taken by someone else first. */
export class UnitTaken extends Error {
  constructor(readonly unit: string) {
    super(`unit ${unit} taken`);
  }
}

/** The idempotency key was used before. */
export class IdempotentReplay extends Error {}

/** The opening of a day, or why the hub is closed. */
export type DayInfo = { open: { opens: string; closes: string }; closedReason?: undefined } | { open: null; closedReason: string };

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const minutesOf = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));

/** The hub-local date and wall-clock time (HH:MM) of an instant. */
function wallClock(instant: Date, timeZone: string): { date: string; time: string } {
  const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
  return { date: localDate(instant, timeZone), time };
}

/** An ISO 8601 time with the hub's own offset, e.g. `2026-11-26T09:00:00+01:00`. */
export function isoWithOffset(instant: Date, timeZone: string): string {
  const { date, time } = wallClock(instant, timeZone);
  const offsetMin = Math.round(zoneOffsetMs(instant, timeZone) / 60_000);
  return `${date}T${time}:00${offsetMin >= 0 ? '+' : '-'}${hhmm(Math.abs(offsetMin))}`;
}

/** Bookings of desks, rooms and event spaces, never double-booked. Knows nothing of AWS. */
export class BookingService implements PersonalDataHolder {
  constructor(
    private readonly hub: HubConfig,
    private readonly store: BookingStore,
    private readonly members: { getMember(id: string): Promise<Member | undefined> },
    private readonly clock: Clock,
    /** The name of the public holiday on a date, if it is one. */
    private readonly holiday: (date: string) => string | undefined,
  ) {}

  /** Whether and when the hub is open on a date. */
  day(date: string): DayInfo {
    if (this.hub.closedDays.includes(date)) return { open: null, closedReason: 'closed-day' };
    const name = this.hub.bookingRules.closedOnPublicHolidays ? this.holiday(date) : undefined;
    if (name) return { open: null, closedReason: `public-holiday: ${name}` };
    const eve = closingEve(this.hub, date);
    if (eve) return { open: null, closedReason: `eve: ${eve}` };
    const hours = this.hub.openingHours[weekdayOf(date)];
    return hours ? { open: hours } : { open: null, closedReason: 'not-open-on-weekday' };
  }

  private resource(resourceId: string): Resource {
    const r = this.hub.resources.find((x) => x.id === resourceId);
    if (!r) throw notFound(`No resource "${resourceId}" at hub "${this.hub.id}"`, [{ path: 'body.resourceId', message: 'Unknown resource' }]);
    return r;
  }

  /** The bookable units of a resource on an open day, in order, with their wall-clock times. */
  unitsFor(resource: Resource, open: { opens: string; closes: string }): Array<{ unit: string; from: string; to: string }> {
    if (resource.type === 'desk' || resource.type === 'desk-pool') {
      const mid = this.hub.bookingRules.deskMidday;
      return [
        { unit: 'AM', from: open.opens, to: mid },
        { unit: 'PM', from: mid, to: open.closes },
      ].filter((u) => u.from < u.to);
    }
    const step = this.hub.bookingRules.roomSlotMinutes;
    const units = [];
    for (let m = minutesOf(open.opens); m + step <= minutesOf(open.closes); m += step) units.push({ unit: hhmm(m), from: hhmm(m), to: hhmm(m + step) });
    return units;
  }

  /** Free slots per resource on a date (pooled desks: how many are left). */
  async availability(date: string, resourceType?: Resource['type']) {
    const info = this.day(date);
    const resources = this.hub.resources.filter((r) => !resourceType || r.type === resourceType);
    if (!info.open) return { hubId: this.hub.id, date, open: null, closedReason: info.closedReason, resources: resources.map((r) => ({ ...this.describe(r), slots: [] })) };
    const open = info.open;
    const now = this.clock();
    return {
      hubId: this.hub.id,
      date,
      open,
      resources: await Promise.all(
        resources.map(async (r) => {
          const taken = await this.store.unitsOf(r.id, date);
          const capacity = r.type === 'desk-pool' ? r.count : 1;
          return {
            ...this.describe(r),
            slots: this.unitsFor(r, open).map((u) => {
              const used = taken.get(u.unit);
              const end = zonedInstant(date, u.to, this.hub.timezone);
              // A slot that has ended cannot be booked any more.
              const free = end <= now ? 0 : r.type === 'desk-pool' ? capacity - Number(used ?? 0) : used === undefined ? 1 : 0;
              return { start: isoWithOffset(zonedInstant(date, u.from, this.hub.timezone), this.hub.timezone), end: isoWithOffset(end, this.hub.timezone), available: free };
            }),
          };
        }),
      ),
    };
  }

  private describe(r: Resource) {
    return { id: r.id, type: r.type, name: r.name, ...('capacity' in r ? { capacity: r.capacity } : {}), ...('count' in r ? { count: r.count } : {}) };
  }

  /** Books a resource for a member; a retried request with the same idempotency key returns the same booking. */
  async book(
    input: { resourceId: string; memberId: string; start: string; end: string },
    correlationId: string,
    idempotencyKey?: string,
    seriesId?: string,
    /** Agency presence is the organisation's schedule, not the member's own bookings: no per-member cap. */
    options: { memberCap?: boolean } = {},
  ): Promise<{ replayed: boolean; booking: Booking }> {
    const requestHash = JSON.stringify([input.resourceId, input.memberId, Date.parse(input.start), Date.parse(input.end)]);
    if (idempotencyKey) {
      const replay = await this.replay(idempotencyKey, requestHash);
      if (replay) return { replayed: true, booking: replay };
    }
    const resource = this.resource(input.resourceId);
    const member = await this.members.getMember(input.memberId);
    if (!member) throw notFound(`No member "${input.memberId}" at hub "${this.hub.id}"`, [{ path: 'body.memberId', message: 'Unknown member' }]);
    const now = this.clock();
    const { date, units } = this.validateTimes(resource, new Date(input.start), new Date(input.end), now);
    const rules = this.hub.bookingRules;
    const active = options.memberCap === false ? [] : await this.store.activeBookingsOf(member.id, now.toISOString());
    if (active.length >= rules.maxActiveBookingsPerMember) {
      throw conflict(`${member.name} already holds ${active.length} bookings, the most a member may hold at ${this.hub.name}`, [{ path: 'body.memberId', message: `At most ${rules.maxActiveBookingsPerMember} active bookings` }]);
    }
    const ctx = { hubId: this.hub.id, correlationId, now };
    const booking: Booking = {
      id: newId('bkg'),
      hubId: this.hub.id,
      resourceId: resource.id,
      resourceType: resource.type,
      memberId: member.id,
      organisationId: member.organisationId,
      start: isoWithOffset(new Date(input.start), this.hub.timezone),
      end: isoWithOffset(new Date(input.end), this.hub.timezone),
      localDate: date,
      units: units.map((u) => u.unit),
      status: 'confirmed',
      createdAt: now.toISOString(),
      ...(seriesId ? { seriesId } : {}),
    };
    const holds = this.holds(resource, booking);
    const event = buildEvent(
      'BookingCreated',
      { bookingId: booking.id, resourceId: resource.id, resourceType: resource.type, memberId: member.id, organisationId: member.organisationId, hubId: this.hub.id, start: booking.start, end: booking.end, localDate: date },
      ctx,
    );
    try {
      await this.store.createBooking(booking, holds, [event], idempotencyKey ? { key: idempotencyKey, requestHash } : undefined);
      return { replayed: false, booking };
    } catch (e) {
      if (e instanceof IdempotentReplay && idempotencyKey) {
        const replay = await this.replay(idempotencyKey, requestHash);
        if (replay) return { replayed: true, booking: replay };
      }
      if (e instanceof UnitTaken) {
        const unit = units.find((u) => u.unit === e.unit) ?? units[0];
        if (!unit) throw e;
        const slot = { start: isoWithOffset(zonedInstant(date, unit.from, this.hub.timezone), this.hub.timezone), end: isoWithOffset(zonedInstant(date, unit.to, this.hub.timezone), this.hub.timezone) };
        const what = resource.type === 'desk-pool' ? `All ${resource.count} desks of ${resource.name} are booked` : `${resource.name} is already booked`;
        throw conflict(`${what} ${slot.start} – ${slot.end}`, [{ path: 'body.start', message: `Conflicts with the booked slot ${slot.start} – ${slot.end}` }]);
      }
      throw e;
    }
  }

  private async replay(key: string, requestHash: string): Promise<Booking | undefined> {
    const record = await this.store.idempotencyRecord(key);
    if (!record) return undefined;
    if (record.requestHash !== requestHash) {
      throw conflict('This Idempotency-Key was used for a different booking', [{ path: 'header.idempotency-key', message: 'Reused with a different request' }]);
    }
    return this.store.getBooking(record.bookingId);
  }

  private holds(resource: Resource, booking: Pick<Booking, 'localDate' | 'units'>): Hold[] {
    return booking.units.map((unit) =>
      resource.type === 'desk-pool'
        ? { kind: 'pool', resourceId: resource.id, date: booking.localDate, unit, count: resource.count }
        : { kind: 'slot', resourceId: resource.id, date: booking.localDate, unit },
    );
  }

  /** Checks a booking's times against the rules; returns its date and units. */
  private validateTimes(resource: Resource, start: Date, end: Date, now: Date) {
    const problems: Issue[] = [];
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) throw badRequest('Invalid request: body.start', [{ path: 'body.start', message: 'Not a time' }]);
    if (end <= start) throw badRequest('Invalid request: body.end', [{ path: 'body.end', message: '"end" must be after "start"' }]);
    if (end <= now) throw badRequest('Invalid request: body.end', [{ path: 'body.end', message: 'The booking has already ended' }]);
    const rules = this.hub.bookingRules;
    if (start.getTime() - now.getTime() > rules.bookingHorizonDays * 86_400_000) {
      throw badRequest('Invalid request: body.start', [{ path: 'body.start', message: `At most ${rules.bookingHorizonDays} days ahead` }]);
    }
    const s = wallClock(start, this.hub.timezone);
    const e = wallClock(end, this.hub.timezone);
    const endTime = e.time === '00:00' && e.date > s.date ? '24:00' : e.time;
    if (e.date !== s.date && endTime !== '24:00') throw badRequest('Invalid request: body.end', [{ path: 'body.end', message: 'A booking starts and ends on the same day' }]);
    const info = this.day(s.date);
    if (!info.open) throw badRequest(`${this.hub.name} is closed on ${s.date}`, [{ path: 'body.start', message: `Closed (${info.closedReason})` }]);
    const all = this.unitsFor(resource, info.open);
    const first = all.findIndex((u) => u.from === s.time);
    const last = all.findIndex((u) => u.to === endTime);
    if (first < 0) problems.push({ path: 'body.start', message: `Must be one of ${[...new Set(all.map((u) => u.from))].slice(0, 6).join(', ')}${all.length > 6 ? ', …' : ''} (hub time)` });
    if (last < 0) problems.push({ path: 'body.end', message: `Must be one of ${[...new Set(all.map((u) => u.to))].slice(-6).join(', ')} (hub time)` });
    if (problems.length) throw badRequest('The booking does not fit the hub’s opening hours and slots', problems);
    if (resource.type === 'room' || resource.type === 'event-space') {
      const minutes = (end.getTime() - start.getTime()) / 60_000;
      if (minutes > rules.maxRoomBookingMinutes) throw badRequest('Invalid request: body.end', [{ path: 'body.end', message: `At most ${rules.maxRoomBookingMinutes} minutes` }]);
    }
    return { date: s.date, units: all.slice(first, last + 1) };
  }

  /** Cancels a booking; its slot is free at once. Cancelling again returns it unchanged. */
  async cancel(bookingId: string, correlationId: string): Promise<Booking> {
    const booking = await this.store.getBooking(bookingId);
    if (!booking) throw notFound(`No booking "${bookingId}" at hub "${this.hub.id}"`, [{ path: 'path.bookingId', message: 'Unknown booking' }]);
    if (booking.status === 'cancelled') return booking;
    if (!booking.memberId) throw conflict(`Booking "${bookingId}" belongs to an erased member and has ended`, [{ path: 'path.bookingId', message: 'Anonymised booking' }]);
    const resource = this.hub.resources.find((r) => r.id === booking.resourceId);
    const now = this.clock();
    const cancelledAt = now.toISOString();
    const event = buildEvent(
      'BookingCancelled',
      { bookingId, resourceId: booking.resourceId, memberId: booking.memberId, hubId: this.hub.id, start: booking.start, end: booking.end, cancelledAt, reason: 'staff' },
      { hubId: this.hub.id, correlationId, now },
    );
    const holds = resource ? this.holds(resource, booking) : [];
    await this.store.cancelBooking(booking, holds, cancelledAt, [event]);
    return (await this.store.getBooking(bookingId)) ?? { ...booking, status: 'cancelled', cancelledAt };
  }

  /**
   * Books the same hub-local times every week until a date (inclusive). The occurrences that
   * can be booked are booked; the others are reported with the reason, never silently dropped.
   */
  async bookWeekly(input: { resourceId: string; memberId: string; start: string; end: string; until: string }, correlationId: string, options: { memberCap?: boolean; seriesId?: string } = {}) {
    this.resource(input.resourceId);
    const start = new Date(input.start);
    const end = new Date(input.end);
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) throw badRequest('Invalid request: body.start', [{ path: 'body.start', message: 'Not a time' }]);
    const first = wallClock(start, this.hub.timezone);
    const last = wallClock(end, this.hub.timezone);
    if (input.until < first.date) throw badRequest('Invalid request: body.until', [{ path: 'body.until', message: 'Must not be before the first occurrence' }]);
    const seriesId = options.seriesId ?? newId('ser');
    const booked: Booking[] = [];
    const conflicts: Array<{ start: string; end: string; status: number; message: string }> = [];
    for (let week = 0; week < 53; week++) {
      const date = new Date(Date.parse(`${first.date}T12:00:00Z`) + week * 7 * 86_400_000).toISOString().slice(0, 10);
      if (date > input.until) break;
      const occurrence = {
        resourceId: input.resourceId,
        memberId: input.memberId,
        start: isoWithOffset(zonedInstant(date, first.time, this.hub.timezone), this.hub.timezone),
        end: isoWithOffset(zonedInstant(date, last.time, this.hub.timezone), this.hub.timezone),
      };
      try {
        booked.push((await this.book(occurrence, correlationId, undefined, seriesId, options)).booking);
      } catch (e) {
        const err = e as { status?: number; message: string; issues?: Issue[] };
        if (err.status === 404 && err.issues?.[0]?.path === 'body.memberId') throw e;
        if (err.status !== 400 && err.status !== 409) throw e;
        conflicts.push({ start: occurrence.start, end: occurrence.end, status: err.status, message: err.message });
      }
    }
    return { id: seriesId, bookings: booked, conflicts };
  }

  /**
   * Schedules an organisation's weekly presence at the hub (myndighetsnärvaro): a weekly series
   * booked for its representative, listed publicly. Occurrences that cannot be booked are
   * reported, as for any series.
   */
  async scheduleAgencyPresence(
    input: { organisationId: string; memberId: string; resourceId: string; start: string; end: string; until: string; description?: string | undefined },
    organisation: { id: string; name: string; type: AgencyPresence['organisationType'] } | undefined,
    correlationId: string,
  ) {
    if (!organisation) throw notFound(`No organisation "${input.organisationId}" at hub "${this.hub.id}"`, [{ path: 'body.organisationId', message: 'Unknown organisation' }]);
    const member = await this.members.getMember(input.memberId);
    if (!member) throw notFound(`No member "${input.memberId}" at hub "${this.hub.id}"`, [{ path: 'body.memberId', message: 'Unknown member' }]);
    if (member.organisationId !== organisation.id) throw badRequest('The representative must be a member of the organisation', [{ path: 'body.memberId', message: `Not a member of ${organisation.name}` }]);
    const id = newId('apr');
    const series = await this.bookWeekly(input, correlationId, { memberCap: false, seriesId: id });
    const first = wallClock(new Date(input.start), this.hub.timezone);
    const presence: AgencyPresence = {
      id,
      hubId: this.hub.id,
      organisationId: organisation.id,
      organisationName: organisation.name,
      organisationType: organisation.type,
      resourceId: input.resourceId,
      weekday: weekdayOf(first.date),
      from: first.time,
      to: wallClock(new Date(input.end), this.hub.timezone).time,
      firstDate: first.date,
      until: input.until,
      ...(input.description ? { description: input.description } : {}),
      createdAt: this.clock().toISOString(),
    };
    const event = buildEvent(
      'AgencyPresenceScheduled',
      { presenceId: id, organisationId: organisation.id, organisationType: organisation.type, hubId: this.hub.id, resourceId: input.resourceId, weekday: presence.weekday, from: presence.from, to: presence.to, firstDate: presence.firstDate, until: presence.until, occurrences: series.bookings.length },
      { hubId: this.hub.id, correlationId, now: this.clock() },
    );
    await this.store.saveAgencyPresence(presence, [event]);
    return { ...presence, bookings: series.bookings, conflicts: series.conflicts };
  }

  /** The hub's agency presence, with each schedule's coming occurrences: public information. */
  async agencyPresence() {
    const today = localDate(this.clock(), this.hub.timezone);
    const names = new Map(this.hub.resources.map((r) => [r.id, r.name]));
    const list = await this.store.agencyPresence();
    return {
      hubId: this.hub.id,
      presence: await Promise.all(
        list
          .filter((p) => p.until >= today)
          .map(async (p) => {
            const upcoming = (await this.store.bookingsOfResource(p.resourceId, this.clock().toISOString(), `${p.until}T23:59:59Z`))
              .filter((b) => b.seriesId === p.id)
              .map((b) => ({ start: b.start, end: b.end }));
            return {
              id: p.id,
              organisation: { id: p.organisationId, name: p.organisationName, type: p.organisationType },
              resourceId: p.resourceId,
              resourceName: names.get(p.resourceId) ?? p.resourceId,
              weekday: p.weekday,
              from: p.from,
              to: p.to,
              until: p.until,
              ...(p.description ? { description: p.description } : {}),
              upcoming,
            };
          }),
      ),
    };
  }

  /** Links a member's check-in to their booking that is under way or about to begin (within an hour). */
  async linkCheckIn(memberId: string, visit: { id: string; checkedInAt: string }): Promise<Booking | undefined> {
    const at = Date.parse(visit.checkedInAt);
    const candidates = (await this.store.activeBookingsOf(memberId, visit.checkedInAt))
      .filter((b) => !b.checkedInAt && Date.parse(b.start) - 60 * 60_000 <= at && at < Date.parse(b.end))
      .sort((a, b) => a.start.localeCompare(b.start));
    for (const booking of candidates) {
      if (await this.store.markCheckedIn(booking.id, visit)) return { ...booking, checkedInAt: visit.checkedInAt, visitId: visit.id };
    }
    return undefined;
  }

  /**
   * Releases the bookings of a day that nobody checked in for within the grace period after
   * their start (`BookingNoShowReleased`); their slots are free at once.
   */
  async releaseNoShows(now: Date, correlationId: string, hasVisitSince: (memberId: string, sinceIso: string) => Promise<boolean>): Promise<Booking[]> {
    const grace = this.hub.bookingRules.noShowGraceMinutes * 60_000;
    const released: Booking[] = [];
    for (const booking of await this.store.bookingsOn(localDate(now, this.hub.timezone))) {
      if (booking.status !== 'confirmed' || booking.checkedInAt || !booking.memberId || Date.parse(booking.start) + grace > now.getTime()) continue;
      // A check-in that was not linked (say, made before the booking existed) still counts.
      if (await hasVisitSince(booking.memberId, new Date(Date.parse(booking.start) - 60 * 60_000).toISOString())) continue;
      const resource = this.hub.resources.find((r) => r.id === booking.resourceId);
      const releasedAt = now.toISOString();
      const event = buildEvent(
        'BookingNoShowReleased',
        { bookingId: booking.id, resourceId: booking.resourceId, memberId: booking.memberId, hubId: this.hub.id, start: booking.start, end: booking.end, releasedAt },
        { hubId: this.hub.id, correlationId, now },
      );
      if (await this.store.cancelBooking(booking, resource ? this.holds(resource, booking) : [], releasedAt, [event], 'released')) released.push({ ...booking, status: 'released', releasedAt });
    }
    return released;
  }

  /** The iCalendar feed of a resource: its bookings from a week ago to the booking horizon. */
  async resourceCalendar(resourceId: string): Promise<string> {
    const resource = this.hub.resources.find((r) => r.id === resourceId);
    if (!resource) throw notFound(`No resource "${resourceId}" at hub "${this.hub.id}"`, [{ path: 'path.resourceId', message: 'Unknown resource' }]);
    const now = this.clock().getTime();
    const list = await this.store.bookingsOfResource(resourceId, new Date(now - 7 * 86_400_000).toISOString(), new Date(now + (this.hub.bookingRules.bookingHorizonDays + 1) * 86_400_000).toISOString());
    return bookingsCalendar(this.hub, `${resource.name} – ${this.hub.name}`, list, () => `${resource.name} (${this.hub.name})`);
  }

  /** The iCalendar feed of a member's bookings from a week ago on. */
  async memberCalendar(member: Member): Promise<string> {
    const list = await this.store.activeBookingsOf(member.id, new Date(this.clock().getTime() - 7 * 86_400_000).toISOString());
    const names = new Map(this.hub.resources.map((r) => [r.id, r.name]));
    return bookingsCalendar(this.hub, `${member.name} – ${this.hub.name}`, list, (b) => `${names.get(b.resourceId) ?? b.resourceId} (${this.hub.name})`);
  }

  /**
   * A member's part of the export: their bookings of every status, their weekly series, and the
   * agency presence they represent (its occurrences are booked for them).
   */
  async exportSections(memberId: string): Promise<ExportSection[]> {
    const bookings = (await this.store.bookingsNaming(memberId)).sort((a, b) => a.start.localeCompare(b.start));
    const seriesIds = [...new Set(bookings.flatMap((b) => (b.seriesId ? [b.seriesId] : [])))];
    const represented = (await this.store.agencyPresence()).filter((p) => seriesIds.includes(p.id));
    const series = seriesIds
      .filter((id) => !represented.some((p) => p.id === id))
      .flatMap((id) => {
        const list = bookings.filter((b) => b.seriesId === id);
        const [first, last] = [list[0], list.at(-1)];
        return first && last ? [{ id, resourceId: first.resourceId, first: first.start, last: last.start, bookingIds: list.map((b) => b.id) }] : [];
      });
    return [
      { key: 'bookings', title: 'Bookings of desks, rooms and event spaces for the member, whatever their status', data: bookings },
      { key: 'series', title: 'Weekly booking series of the member (each occurrence is one of the bookings)', data: series },
      { key: 'agencyPresence', title: 'Agency presence the member represents (its occurrences are booked for them)', data: represented },
    ];
  }

  /**
   * Forgets an erased member: bookings not yet ended are cancelled (`BookingCancelled` with
   * reason `member-erased`, the slots free at once), in batches that each commit with their
   * events; every booking naming the member, past ones too, keeps no member id (an anonymous
   * count, like visits); idempotency records of their requests are deleted. Agency presence
   * they represented keeps its schedule, without the cancelled occurrences. Idempotent.
   */
  async forget(person: ErasedPerson, correlationId: string): Promise<void> {
    const now = this.clock();
    const cancelledAt = now.toISOString();
    const ctx = { hubId: this.hub.id, correlationId, now };
    const naming = await this.store.bookingsNaming(person.memberId);
    const cancellations = naming
      .filter((b) => b.status === 'confirmed' && Date.parse(b.end) > now.getTime())
      .map((booking) => {
        const resource = this.hub.resources.find((r) => r.id === booking.resourceId);
        const event = buildEvent(
          'BookingCancelled',
          { bookingId: booking.id, resourceId: booking.resourceId, memberId: person.memberId, hubId: this.hub.id, start: booking.start, end: booking.end, cancelledAt, reason: 'member-erased' },
          ctx,
        );
        return { booking, holds: resource ? this.holds(resource, booking) : [], events: [event] };
      });
    await this.store.cancelForErasure(cancellations, cancelledAt);
    await this.store.anonymiseBookings(naming.map((b) => b.id));
    await this.store.forgetIdempotencyKeys(person.memberId);
  }

  /** The bookings of a day, by start. */
  async bookingsOn(date: string): Promise<Booking[]> {
    return (await this.store.bookingsOn(date)).sort((a, b) => a.start.localeCompare(b.start));
  }
}
