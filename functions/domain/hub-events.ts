import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { HubEventKind, OrganisationType } from '../../events/catalog.ts';
import type { HubConfig, Resource } from '../../hubs/schema.ts';
import { ApiError, badRequest, conflict, notFound, type Issue } from '../shared/errors.ts';
import { isoWithOffset, type Hold } from './bookings.ts';
import { buildEvent, type OutgoingEvent } from './events.ts';
import type { Member, Organisation } from './hub.ts';
import { newId, normaliseMemberCode } from './ids.ts';
import { localDate, zonedInstant, type Clock } from './time.ts';
import type { ErasedPerson, ExportSection, PersonalDataHolder } from './privacy.ts';

type Kind = z.infer<typeof HubEventKind>;
type OrgType = z.infer<typeof OrganisationType>;

/** An event at a hub (workshop, training, network meeting, …). Staff see it all; the public only when published. */
export interface HubEvent {
  id: string;
  hubId: string;
  title: string;
  titleEn?: string;
  description?: string;
  descriptionEn?: string;
  kind: Kind;
  facilitator?: string;
  start: string;
  end: string;
  localDate: string;
  capacity: number;
  /** The room or event space reserved for it (the same holds as bookings: never double-used). */
  resourceId?: string;
  openToNetwork: boolean;
  openToBusiness: boolean;
  status: 'draft' | 'published' | 'cancelled';
  /** Raised at every change; the network calendar keeps the highest. */
  version: number;
  /** Confirmed registrations and the waitlist's length, kept by the same transactions that change them. */
  confirmed: number;
  waitlisted: number;
  /** The room slots it holds (`date`, `unit`), to give them back on change or cancellation. */
  holds: Array<{ date: string; unit: string }>;
  createdAt: string;
  updatedAt: string;
  publishedAt?: string;
  cancelledAt?: string;
}

/** A registration for an event: a member of the hub, or someone from outside on the public route. */
export interface Registration {
  id: string;
  eventId: string;
  hubId: string;
  status: 'confirmed' | 'waitlisted' | 'cancelled';
  registrant: 'member' | 'public';
  memberId?: string;
  organisationId?: string;
  organisationType: OrgType;
  business: boolean;
  fromOutsideHub: boolean;
  /** Public registrants' personal data: stays in the hub table (GDPR export and erasure cover it). */
  name?: string;
  email?: string;
  organisationName?: string;
  language: 'sv' | 'en';
  /** The secret of a public registrant's cancellation link. */
  cancelKey?: string;
  walkIn: boolean;
  createdAt: string;
  waitlistedAt?: string;
  promotedAt?: string;
  cancelledAt?: string;
  previousStatus?: 'confirmed' | 'waitlisted';
  attendedAt?: string;
  attendedHow?: 'door' | 'check-in' | 'walk-in';
  /** Set when the registrant's personal data was erased. */
  anonymised?: boolean;
}

/** The event changed between our read and our write (a registration, an edit): read again. */
export class EventChanged extends Error {}
/** The member (or e-mail) is registered for the event already. */
export class AlreadyRegistered extends Error {}
/** A room slot is held by a booking or another event. */
export class SlotTaken extends Error {
  constructor(readonly unit: string) {
    super(`slot ${unit} taken`);
  }
}

/** What hub events need from storage. Every write stores the state, its holds and its events in one transaction. */
export interface HubEventStore {
  /** Throws `SlotTaken`. */
  createEvent(event: HubEvent, holds: Hold[], events: OutgoingEvent[]): Promise<void>;
  getEvent(id: string): Promise<HubEvent | undefined>;
  /**
   * Writes the event's next state if it is still at `prev` (version, counts), taking and giving
   * back room slots and confirming promoted registrations. Throws `EventChanged`, `SlotTaken`.
   */
  updateEvent(prev: HubEvent, next: HubEvent, take: Hold[], release: Hold[], promote: Registration[], events: OutgoingEvent[]): Promise<void>;
  /** Events starting between two instants (ISO UTC), by start. */
  listEvents(fromIso: string, toIso: string): Promise<HubEvent[]>;
  registrations(eventId: string): Promise<Registration[]>;
  getRegistration(eventId: string, id: string): Promise<Registration | undefined>;
  /** The registration id of a member or an e-mail at an event. */
  registrationIdOf(eventId: string, who: { memberId: string } | { email: string }): Promise<string | undefined>;
  /**
   * Adds a registration: a confirmed one only while `confirmed < capacity`, a waitlisted one
   * only while full, both only while published. Throws `EventChanged`, `AlreadyRegistered`.
   */
  register(event: HubEvent, registration: Registration, events: OutgoingEvent[]): Promise<void>;
  /**
   * Cancels a registration and, in the same transaction, confirms `promote` (the first on the
   * waitlist), provided the waitlist still has the length read. Throws `EventChanged`.
   */
  cancelRegistration(event: HubEvent, registration: Registration, promote: Registration | undefined, cancelledAt: string, events: OutgoingEvent[]): Promise<void>;
  /** Marks a confirmed registration attended; false when it was attended already. */
  attend(registration: Registration, at: string, how: NonNullable<Registration['attendedHow']>, events: OutgoingEvent[]): Promise<boolean>;
  registrationsOfMember(memberId: string): Promise<Registration[]>;
  registrationsByEmail(email: string): Promise<Registration[]>;
  /** Removes the personal data of a registration (name, e-mail, member link, key); counts stay. */
  anonymiseRegistration(registration: Registration): Promise<void>;
  wasNotified(key: string): Promise<boolean>;
  markNotified(key: string, at: string): Promise<void>;
}

/** The fields staff give when creating an event. */
export interface HubEventInput {
  title: string;
  titleEn?: string | undefined;
  description?: string | undefined;
  descriptionEn?: string | undefined;
  kind: Kind;
  facilitator?: string | undefined;
  start: string;
  end: string;
  capacity: number;
  resourceId?: string | undefined;
  openToNetwork?: boolean | undefined;
  openToBusiness?: boolean | undefined;
  status?: 'draft' | 'published' | undefined;
}

/** A change to an event: any field, `resourceId: null` gives the room back, `status` publishes or cancels. */
export type HubEventPatch = Partial<Omit<HubEventInput, 'resourceId' | 'status'>> & { resourceId?: string | null | undefined; status?: HubEvent['status'] | undefined };

/** A public registrant. */
export interface PublicRegistrationInput {
  name: string;
  email: string;
  organisationName: string;
  organisationType: OrgType;
  language?: 'sv' | 'en' | undefined;
}

/** The longest event without a room; one with a room lies within one day, like bookings. */
const MAX_EVENT_DAYS = 14;
/** How far ahead an event may be planned. */
const EVENT_HORIZON_DAYS = 400;
/** Doors open this long before the start: attendance and check-ins count from then. */
export const DOORS_OPEN_MINUTES = 60;
/** At most this many waitlisted registrations are promoted by one capacity change. */
const MAX_PROMOTIONS_PER_CHANGE = 20;

const PUBLIC_FIELDS = ['title', 'titleEn', 'description', 'descriptionEn', 'kind', 'facilitator', 'start', 'end', 'capacity', 'resourceId', 'openToNetwork', 'openToBusiness'] as const;

/** The page behind the private link in a public registrant's e-mails: it shows the registration and cancels only when its button is pressed. */
export function cancelPagePath(hubId: string, eventId: string, registrationId: string, key: string): string {
  return `/api/hubs/${hubId}/events/${eventId}/public-registrations/${registrationId}/cancel?key=${encodeURIComponent(key)}`;
}

/** Events of a hub, their registrations, waitlist and attendance. Knows nothing of AWS. */
export class HubEventService implements PersonalDataHolder {
  constructor(
    private readonly hub: HubConfig,
    private readonly store: HubEventStore,
    private readonly directory: { getMember(id: string): Promise<Member | undefined>; getMemberByCode(code: string): Promise<Member | undefined>; getOrganisation(id: string): Promise<Organisation | undefined> },
    /** The room-slot grid of the booking rules (BookingService.unitsFor). */
    private readonly slots: { unitsFor(resource: Resource, open: { opens: string; closes: string }): Array<{ unit: string; from: string; to: string }> },
    private readonly clock: Clock,
  ) {}

  private ctx(correlationId: string) {
    return { hubId: this.hub.id, correlationId, now: this.clock() };
  }

  private wall(instant: Date) {
    const time = new Intl.DateTimeFormat('en-GB', { timeZone: this.hub.timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
    return { date: localDate(instant, this.hub.timezone), time };
  }

  /** One event (staff), or 404. */
  async event(eventId: string): Promise<HubEvent> {
    const event = await this.store.getEvent(eventId);
    if (!event) throw notFound(`No event "${eventId}" at hub "${this.hub.id}"`, [{ path: 'path.eventId', message: 'Unknown event' }]);
    return event;
  }

  /** A published event, for the public; drafts and unknown ids are 404 alike. */
  async publishedEvent(eventId: string): Promise<HubEvent> {
    const event = await this.store.getEvent(eventId);
    if (!event || event.status === 'draft') throw notFound(`No published event "${eventId}" at hub "${this.hub.id}"`, [{ path: 'path.eventId', message: 'Unknown event' }]);
    return event;
  }

  /** The room of an event: a room or event space of this hub, big enough. */
  private room(resourceId: string, capacity: number): Resource {
    const r = this.hub.resources.find((x) => x.id === resourceId);
    if (!r) throw notFound(`No resource "${resourceId}" at hub "${this.hub.id}"`, [{ path: 'body.resourceId', message: 'Unknown resource' }]);
    if (r.type !== 'room' && r.type !== 'event-space') throw badRequest('Invalid request: body.resourceId', [{ path: 'body.resourceId', message: 'An event needs a room or an event space' }]);
    if (capacity > r.capacity) throw badRequest('Invalid request: body.capacity', [{ path: 'body.capacity', message: `${r.name} holds at most ${r.capacity}` }]);
    return r;
  }

  /**
   * Checks an event's times and, with a room, the slots it holds: the booking rules' slot grid
   * over the whole day, so an event may lie outside opening hours, but never on a booked slot.
   */
  private times(startIso: string, endIso: string, resource: Resource | undefined, now: Date) {
    const start = new Date(startIso);
    const end = new Date(endIso);
    if (end <= start) throw badRequest('Invalid request: body.end', [{ path: 'body.end', message: '"end" must be after "start"' }]);
    if (end <= now) throw badRequest('Invalid request: body.end', [{ path: 'body.end', message: 'The event has already ended' }]);
    if (start.getTime() - now.getTime() > EVENT_HORIZON_DAYS * 86_400_000) throw badRequest('Invalid request: body.start', [{ path: 'body.start', message: `At most ${EVENT_HORIZON_DAYS} days ahead` }]);
    if (end.getTime() - start.getTime() > MAX_EVENT_DAYS * 86_400_000) throw badRequest('Invalid request: body.end', [{ path: 'body.end', message: `An event lasts at most ${MAX_EVENT_DAYS} days` }]);
    const s = this.wall(start);
    const holds: Hold[] = [];
    if (resource) {
      const e = this.wall(end);
      const endTime = e.time === '00:00' && e.date > s.date ? '24:00' : e.time;
      if (e.date !== s.date && endTime !== '24:00') throw badRequest('Invalid request: body.end', [{ path: 'body.end', message: 'An event in a room starts and ends on the same day' }]);
      const grid = this.slots.unitsFor(resource, { opens: '00:00', closes: '24:00' });
      const first = grid.findIndex((u) => u.from === s.time);
      const last = grid.findIndex((u) => u.to === endTime);
      const problems: Issue[] = [];
      const step = this.hub.bookingRules.roomSlotMinutes;
      if (first < 0) problems.push({ path: 'body.start', message: `A room is reserved in ${step}-minute slots: start on the quarter (hub time)` });
      if (last < 0) problems.push({ path: 'body.end', message: `A room is reserved in ${step}-minute slots: end on the quarter (hub time)` });
      if (problems.length) throw badRequest('The event does not fit the room’s slots', problems);
      for (const u of grid.slice(first, last + 1)) holds.push({ kind: 'slot', resourceId: resource.id, date: s.date, unit: u.unit });
    }
    return { start: isoWithOffset(start, this.hub.timezone), end: isoWithOffset(end, this.hub.timezone), localDate: s.date, holds };
  }

  private slotConflict(resource: Resource, date: string, unit: string): ApiError {
    const at = isoWithOffset(zonedInstant(date, unit, this.hub.timezone), this.hub.timezone);
    return conflict(`${resource.name} is already booked at ${at}`, [{ path: 'body.start', message: `Conflicts with a booking or event holding the slot at ${at}` }]);
  }

  private publicData(e: HubEvent) {
    return {
      eventId: e.id,
      hubId: this.hub.id,
      version: e.version,
      title: e.title,
      ...(e.titleEn ? { titleEn: e.titleEn } : {}),
      ...(e.description ? { description: e.description } : {}),
      ...(e.descriptionEn ? { descriptionEn: e.descriptionEn } : {}),
      kind: e.kind,
      ...(e.facilitator ? { facilitator: e.facilitator } : {}),
      start: e.start,
      end: e.end,
      localDate: e.localDate,
      capacity: e.capacity,
      ...(e.resourceId ? { resourceId: e.resourceId } : {}),
      openToNetwork: e.openToNetwork,
      openToBusiness: e.openToBusiness,
    };
  }

  /** Creates an event (a draft unless `status: published`); its room is reserved at once. */
  async create(input: HubEventInput, correlationId: string): Promise<HubEvent> {
    const ctx = this.ctx(correlationId);
    const resource = input.resourceId ? this.room(input.resourceId, input.capacity) : undefined;
    const t = this.times(input.start, input.end, resource, ctx.now);
    const now = ctx.now.toISOString();
    const status = input.status ?? 'draft';
    const event: HubEvent = {
      id: newId('evt'),
      hubId: this.hub.id,
      title: input.title,
      ...(input.titleEn ? { titleEn: input.titleEn } : {}),
      ...(input.description ? { description: input.description } : {}),
      ...(input.descriptionEn ? { descriptionEn: input.descriptionEn } : {}),
      kind: input.kind,
      ...(input.facilitator ? { facilitator: input.facilitator } : {}),
      start: t.start,
      end: t.end,
      localDate: t.localDate,
      capacity: input.capacity,
      ...(resource ? { resourceId: resource.id } : {}),
      openToNetwork: input.openToNetwork ?? false,
      openToBusiness: input.openToBusiness ?? false,
      status,
      version: 1,
      confirmed: 0,
      waitlisted: 0,
      holds: t.holds.map((h) => ({ date: h.date, unit: h.unit })),
      createdAt: now,
      updatedAt: now,
      ...(status === 'published' ? { publishedAt: now } : {}),
    };
    const events = status === 'published' ? [buildEvent('HubEventScheduled', this.publicData(event), ctx)] : [];
    try {
      await this.store.createEvent(event, t.holds, events);
    } catch (e) {
      if (e instanceof SlotTaken && resource) throw this.slotConflict(resource, t.localDate, e.unit);
      throw e;
    }
    return event;
  }

  /** The hub's events (drafts included) starting between two hub-local dates, inclusive. */
  async list(from: string | undefined, to: string | undefined): Promise<HubEvent[]> {
    const today = localDate(this.clock(), this.hub.timezone);
    const f = from ?? today;
    const t = to ?? new Date(Date.parse(`${f}T12:00:00Z`) + 365 * 86_400_000).toISOString().slice(0, 10);
    const list = await this.store.listEvents(zonedInstant(f, '00:00', this.hub.timezone).toISOString(), zonedInstant(t, '23:59:59', this.hub.timezone).toISOString());
    return list.sort((a, b) => a.start.localeCompare(b.start) || a.id.localeCompare(b.id));
  }

  /**
   * Changes an event: publish a draft, edit (time, room, capacity, texts), or cancel. The room
   * slots move in the same transaction as the event; a raised capacity confirms the first on
   * the waitlist at once. Registrants are told of a new time or place, or a cancellation, by
   * the event notifier (from `HubEventUpdated` / `HubEventCancelled`).
   */
  async update(eventId: string, patch: HubEventPatch, correlationId: string): Promise<HubEvent> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const prev = await this.event(eventId);
      const ctx = this.ctx(correlationId);
      if (prev.status === 'cancelled') throw conflict('A cancelled event cannot be changed', [{ path: 'path.eventId', message: 'Cancelled' }]);
      if (patch.status === 'draft' && prev.status === 'published') throw conflict('A published event cannot go back to draft; cancel it instead', [{ path: 'body.status', message: 'Published already' }]);
      if (patch.status === 'cancelled') {
        try {
          return await this.cancelEvent(prev, ctx);
        } catch (e) {
          if (e instanceof EventChanged) continue;
          throw e;
        }
      }
      const now = ctx.now.toISOString();
      const same = (f: (typeof PUBLIC_FIELDS)[number]) =>
        f === 'start' || f === 'end' ? Date.parse(String(patch[f])) === Date.parse(prev[f]) : JSON.stringify(patch[f] ?? undefined) === JSON.stringify(prev[f]);
      const changed: string[] = PUBLIC_FIELDS.filter((f) => f in patch && patch[f] !== undefined && !same(f));
      const merged = { ...prev };
      for (const f of changed) {
        if (patch[f as (typeof PUBLIC_FIELDS)[number]] === null) delete merged[f as 'resourceId'];
        else (merged as Record<string, unknown>)[f] = patch[f as (typeof PUBLIC_FIELDS)[number]];
      }
      const resource = merged.resourceId ? this.room(merged.resourceId, merged.capacity) : undefined;
      const prevRoom = prev.resourceId;
      let holds: Hold[] = prevRoom ? prev.holds.map((h) => ({ kind: 'slot' as const, resourceId: prevRoom, date: h.date, unit: h.unit })) : [];
      let take: Hold[] = [];
      let release: Hold[] = [];
      if (changed.some((f) => f === 'start' || f === 'end' || f === 'resourceId')) {
        const t = this.times(merged.start, merged.end, resource, ctx.now);
        Object.assign(merged, { start: t.start, end: t.end, localDate: t.localDate });
        const id = (h: Hold) => `${h.resourceId}#${h.date}#${h.unit}`;
        const before = new Set(holds.map(id));
        const after = new Set(t.holds.map(id));
        take = t.holds.filter((h) => !before.has(id(h)));
        release = holds.filter((h) => !after.has(id(h)));
        holds = t.holds;
      } else if (changed.includes('capacity') && resource) {
        this.room(resource.id, merged.capacity);
      }
      if (merged.capacity < prev.confirmed) throw conflict(`${prev.confirmed} registrations are confirmed; the capacity cannot go below that`, [{ path: 'body.capacity', message: `At least ${prev.confirmed}` }]);
      const publishing = patch.status === 'published' && prev.status === 'draft';
      if (changed.length === 0 && !publishing) return prev;
      let promote: Registration[] = [];
      if (merged.capacity > prev.confirmed && prev.waitlisted > 0 && prev.status === 'published') {
        const waitlist = await this.waitlist(prev.id);
        promote = waitlist.slice(0, Math.min(merged.capacity - prev.confirmed, MAX_PROMOTIONS_PER_CHANGE));
      }
      const next: HubEvent = {
        ...merged,
        status: publishing ? 'published' : prev.status,
        version: prev.version + 1,
        confirmed: prev.confirmed + promote.length,
        waitlisted: prev.waitlisted - promote.length,
        holds: holds.map((h) => ({ date: h.date, unit: h.unit })),
        updatedAt: now,
        ...(publishing ? { publishedAt: now } : {}),
      };
      const events: OutgoingEvent[] = [];
      if (publishing) events.push(buildEvent('HubEventScheduled', this.publicData(next), ctx));
      else if (next.status === 'published') events.push(buildEvent('HubEventUpdated', { ...this.publicData(next), changed: [...changed] }, ctx));
      for (const r of promote) events.push(buildEvent('EventWaitlistPromoted', { ...this.registrantData(next, r), promotedAt: now }, ctx));
      try {
        await this.store.updateEvent(prev, next, take, release, promote, events);
        return next;
      } catch (e) {
        if (e instanceof EventChanged) continue;
        if (e instanceof SlotTaken && resource) throw this.slotConflict(resource, next.localDate, e.unit);
        throw e;
      }
    }
    throw conflict('The event kept changing meanwhile; try again', [{ path: 'path.eventId', message: 'Changed concurrently' }]);
  }

  private async cancelEvent(prev: HubEvent, ctx: { hubId: string; correlationId: string; now: Date }): Promise<HubEvent> {
    const now = ctx.now.toISOString();
    const next: HubEvent = { ...prev, status: 'cancelled', version: prev.version + 1, holds: [], updatedAt: now, cancelledAt: now };
    const prevRoom = prev.resourceId;
    const release: Hold[] = prevRoom ? prev.holds.map((h) => ({ kind: 'slot', resourceId: prevRoom, date: h.date, unit: h.unit })) : [];
    const events =
      prev.status === 'published'
        ? [buildEvent('HubEventCancelled', { eventId: prev.id, hubId: this.hub.id, version: next.version, kind: prev.kind, start: prev.start, end: prev.end, localDate: prev.localDate, cancelledAt: now, registrations: prev.confirmed + prev.waitlisted }, ctx)]
        : [];
    await this.store.updateEvent(prev, next, [], release, [], events);
    return next;
  }

  /** The waitlist of an event, first in line first. */
  private async waitlist(eventId: string): Promise<Registration[]> {
    return (await this.store.registrations(eventId))
      .filter((r) => r.status === 'waitlisted')
      .sort((a, b) => (a.waitlistedAt ?? a.createdAt).localeCompare(b.waitlistedAt ?? b.createdAt) || a.id.localeCompare(b.id));
  }

  private registrantData(event: HubEvent, r: Registration) {
    return {
      registrationId: r.id,
      eventId: event.id,
      hubId: this.hub.id,
      kind: event.kind,
      registrant: r.registrant,
      ...(r.memberId ? { memberId: r.memberId } : {}),
      ...(r.organisationId ? { organisationId: r.organisationId } : {}),
      organisationType: r.organisationType,
      business: r.business,
      fromOutsideHub: r.fromOutsideHub,
    };
  }

  private open(event: HubEvent, now: Date) {
    if (event.status !== 'published') throw conflict(`Only a published event takes registrations (this one is ${event.status})`, [{ path: 'path.eventId', message: `The event is ${event.status}` }]);
    if (Date.parse(event.end) <= now.getTime()) throw conflict('The event has ended', [{ path: 'path.eventId', message: 'Ended' }]);
  }

  /**
   * Adds a registration: confirmed while seats remain, else waitlisted. Many at once for the
   * last seats: each transaction counts the seat it takes, so exactly the capacity is confirmed.
   */
  private async add(eventId: string, make: (event: HubEvent, status: 'confirmed' | 'waitlisted', now: string) => Registration, correlationId: string, opts: { walkIn?: boolean; duplicate: Issue }): Promise<{ event: HubEvent; registration: Registration }> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const event = await this.event(eventId);
      const ctx = this.ctx(correlationId);
      this.open(event, ctx.now);
      const full = event.confirmed >= event.capacity;
      if (full && opts.walkIn) throw conflict(`All ${event.capacity} seats are taken`, [{ path: 'path.eventId', message: 'Full' }]);
      const now = ctx.now.toISOString();
      const registration = make(event, full ? 'waitlisted' : 'confirmed', now);
      const status = registration.status as 'confirmed' | 'waitlisted';
      const events: OutgoingEvent[] = [buildEvent('EventRegistrationCreated', { ...this.registrantData(event, registration), status, capacity: event.capacity, walkIn: registration.walkIn }, ctx)];
      if (registration.attendedAt) events.push(buildEvent('EventAttended', { ...this.registrantData(event, registration), attendedAt: registration.attendedAt, how: 'walk-in' }, ctx));
      try {
        await this.store.register(event, registration, events);
        return { event, registration };
      } catch (e) {
        if (e instanceof AlreadyRegistered) throw conflict('Already registered for this event', [opts.duplicate]);
        if (e instanceof EventChanged) continue;
        throw e;
      }
    }
    throw conflict('The event kept changing meanwhile; try again', [{ path: 'path.eventId', message: 'Changed concurrently' }]);
  }

  private async memberRegistrant(memberId: string, path: string) {
    const member = await this.directory.getMember(memberId);
    if (!member) throw notFound(`No member "${memberId}" at hub "${this.hub.id}"`, [{ path, message: 'Unknown member' }]);
    const org = await this.directory.getOrganisation(member.organisationId);
    const organisationType = org?.type ?? 'other';
    return { member, organisationType, business: organisationType === 'business' || member.membership === 'business-partner' };
  }

  /** Staff register a member of the hub. */
  async registerMember(eventId: string, memberId: string, correlationId: string): Promise<Registration> {
    const { member, organisationType, business } = await this.memberRegistrant(memberId, 'body.memberId');
    const { registration } = await this.add(
      eventId,
      (event, status, now) => ({
        id: newId('reg'),
        eventId: event.id,
        hubId: this.hub.id,
        status,
        registrant: 'member',
        memberId: member.id,
        organisationId: member.organisationId,
        organisationType,
        business,
        fromOutsideHub: false,
        language: member.language,
        walkIn: false,
        createdAt: now,
        ...(status === 'waitlisted' ? { waitlistedAt: now } : {}),
      }),
      correlationId,
      { duplicate: { path: 'body.memberId', message: 'Already registered' } },
    );
    return registration;
  }

  /** Anyone registers for a published event open to them (network: public sector; business: businesses). */
  async registerPublic(eventId: string, input: PublicRegistrationInput, correlationId: string): Promise<Registration> {
    const event = await this.publishedEvent(eventId);
    const business = input.organisationType === 'business';
    if (business ? !event.openToBusiness : !event.openToNetwork) {
      throw new ApiError(403, 'forbidden', business ? 'This event is not open to businesses' : 'This event is open to members of the hub only', [{ path: 'body.organisationType', message: business ? 'Not open to businesses' : 'Not open to the network' }]);
    }
    const email = input.email.trim().toLowerCase();
    const { registration } = await this.add(
      eventId,
      (ev, status, now) => ({
        id: newId('reg'),
        eventId: ev.id,
        hubId: this.hub.id,
        status,
        registrant: 'public',
        organisationType: input.organisationType,
        business,
        fromOutsideHub: true,
        name: input.name.trim(),
        email,
        organisationName: input.organisationName.trim(),
        language: input.language ?? 'sv',
        cancelKey: randomBytes(18).toString('base64url'),
        walkIn: false,
        createdAt: now,
        ...(status === 'waitlisted' ? { waitlistedAt: now } : {}),
      }),
      correlationId,
      { duplicate: { path: 'body.email', message: 'Already registered' } },
    );
    return registration;
  }

  /** The registrations of an event (staff), in order of registration. */
  async registrations(eventId: string): Promise<Registration[]> {
    await this.event(eventId);
    return (await this.store.registrations(eventId)).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** A registration of an event, or 404. */
  async registration(eventId: string, id: string): Promise<Registration> {
    const r = await this.store.getRegistration(eventId, id);
    if (!r) throw notFound(`No registration "${id}" for event "${eventId}"`, [{ path: 'path.registrationId', message: 'Unknown registration' }]);
    return r;
  }

  /**
   * Cancels a registration; a confirmed seat goes to the first on the waitlist in the same
   * transaction (they are e-mailed by the notifier). Cancelling again returns it unchanged.
   */
  async cancelRegistration(eventId: string, registrationId: string, correlationId: string): Promise<{ registration: Registration; promoted?: Registration }> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const registration = await this.registration(eventId, registrationId);
      if (registration.status === 'cancelled') return { registration };
      const event = await this.event(eventId);
      const waitlist = event.waitlisted > 0 ? await this.waitlist(eventId) : [];
      if (waitlist.length !== event.waitlisted) continue; // read between two writes: read again
      const ctx = this.ctx(correlationId);
      const now = ctx.now.toISOString();
      const promote = registration.status === 'confirmed' && event.status === 'published' ? waitlist.find((r) => r.id !== registration.id) : undefined;
      const previousStatus = registration.status;
      const events: OutgoingEvent[] = [buildEvent('EventRegistrationCancelled', { ...this.registrantData(event, registration), previousStatus, cancelledAt: now }, ctx)];
      if (promote) events.push(buildEvent('EventWaitlistPromoted', { ...this.registrantData(event, promote), promotedAt: now }, ctx));
      try {
        await this.store.cancelRegistration(event, registration, promote, now, events);
        return {
          registration: { ...registration, status: 'cancelled', previousStatus, cancelledAt: now },
          ...(promote ? { promoted: { ...promote, status: 'confirmed', promotedAt: now } } : {}),
        };
      } catch (e) {
        if (e instanceof EventChanged) continue;
        throw e;
      }
    }
    throw conflict('The event kept changing meanwhile; try again', [{ path: 'path.registrationId', message: 'Changed concurrently' }]);
  }

  /**
   * A public registration and its event, for the key from the confirmation e-mail. Every miss
   * (no such event or registration, not public, erased, wrong key) is the same 404.
   */
  async publicRegistration(eventId: string, registrationId: string, key: string | undefined, keysMatch: (given: string, expected: string) => boolean): Promise<{ event: HubEvent; registration: Registration }> {
    const r = await this.store.getRegistration(eventId, registrationId);
    const event = r ? await this.store.getEvent(eventId) : undefined;
    if (!event || r?.registrant !== 'public' || !r.cancelKey || !key || !keysMatch(key, r.cancelKey)) {
      throw notFound('No such registration, or the link is not valid', [{ path: 'query.key', message: 'Not a valid cancellation link' }]);
    }
    return { event, registration: r };
  }

  /** Cancels a public registration with the key from its confirmation e-mail. */
  async cancelPublic(eventId: string, registrationId: string, key: string | undefined, correlationId: string, keysMatch: (given: string, expected: string) => boolean) {
    await this.publicRegistration(eventId, registrationId, key, keysMatch);
    return (await this.cancelRegistration(eventId, registrationId, correlationId)).registration;
  }

  /** Whether doors are open: from an hour before the start to the end. */
  private running(event: HubEvent, now: Date) {
    return event.status === 'published' && Date.parse(event.start) - DOORS_OPEN_MINUTES * 60_000 <= now.getTime() && now.getTime() < Date.parse(event.end);
  }

  /**
   * Attendance at the door, by member id, member code (or QR payload) or registration id. A
   * member without a registration walks in while seats remain. Marking again returns the same.
   */
  async attend(eventId: string, who: { memberId?: string | undefined; memberCode?: string | undefined; registrationId?: string | undefined }, correlationId: string): Promise<{ created: boolean; registration: Registration }> {
    const event = await this.event(eventId);
    const ctx = this.ctx(correlationId);
    if (!this.running(event, ctx.now)) {
      throw conflict(`Attendance is marked from ${DOORS_OPEN_MINUTES} minutes before the start to the end of a published event`, [{ path: 'path.eventId', message: event.status === 'published' ? 'Not under way' : `The event is ${event.status}` }]);
    }
    let registration: Registration | undefined;
    let memberId = who.memberId;
    if (who.registrationId) {
      registration = await this.store.getRegistration(eventId, who.registrationId);
      if (!registration) throw notFound(`No registration "${who.registrationId}" for this event`, [{ path: 'body.registrationId', message: 'Unknown registration' }]);
    } else {
      if (who.memberCode) {
        const qr = /^SAMVERKAN:([a-z0-9-]+):(.+)$/i.exec(who.memberCode.trim());
        if (qr && qr[1]?.toLowerCase() !== this.hub.id) throw badRequest('This member code belongs to another hub', [{ path: 'body.memberCode', message: `QR code of hub "${qr[1]}"` }]);
        const m = await this.directory.getMemberByCode(normaliseMemberCode(qr ? (qr[2] ?? '') : who.memberCode));
        if (!m) throw notFound(`No member with code "${who.memberCode}" at hub "${this.hub.id}"`, [{ path: 'body.memberCode', message: 'Unknown member' }]);
        memberId = m.id;
      }
      const id = memberId ? await this.store.registrationIdOf(eventId, { memberId }) : undefined;
      registration = id ? await this.store.getRegistration(eventId, id) : undefined;
    }
    if (registration && registration.status !== 'cancelled') return this.markAttended(event, registration, 'door', ctx);
    // A walk-in: a member of the hub without a (live) registration, while seats remain.
    const { member, organisationType, business } = await this.memberRegistrant(memberId ?? registration?.memberId ?? '', who.registrationId ? 'body.registrationId' : who.memberCode ? 'body.memberCode' : 'body.memberId');
    const { registration: walkIn } = await this.add(
      eventId,
      (ev, status, now) => ({
        id: newId('reg'),
        eventId: ev.id,
        hubId: this.hub.id,
        status,
        registrant: 'member',
        memberId: member.id,
        organisationId: member.organisationId,
        organisationType,
        business,
        fromOutsideHub: false,
        language: member.language,
        walkIn: true,
        createdAt: now,
        attendedAt: now,
        attendedHow: 'walk-in',
      }),
      correlationId,
      { walkIn: true, duplicate: { path: 'body.memberId', message: 'Registered already (cancelled registrations cannot walk in)' } },
    );
    return { created: true, registration: walkIn };
  }

  private async markAttended(event: HubEvent, registration: Registration, how: 'door' | 'check-in', ctx: { hubId: string; correlationId: string; now: Date }) {
    if (registration.attendedAt) return { created: false, registration };
    if (registration.status !== 'confirmed') throw conflict('On the waitlist: no seat is free', [{ path: 'body.memberId', message: 'Waitlisted' }]);
    const at = ctx.now.toISOString();
    const event_ = buildEvent('EventAttended', { ...this.registrantData(event, registration), attendedAt: at, how }, ctx);
    if (await this.store.attend(registration, at, how, [event_])) return { created: true, registration: { ...registration, attendedAt: at, attendedHow: how } };
    return { created: false, registration: (await this.store.getRegistration(event.id, registration.id)) ?? registration };
  }

  /**
   * A check-in counts as attendance of each event under way (doors open an hour before) that the
   * member holds a confirmed registration for. Returns the registrations marked.
   */
  async attendOnCheckIn(memberId: string, correlationId: string): Promise<Registration[]> {
    const ctx = this.ctx(correlationId);
    const now = ctx.now.getTime();
    const candidates = await this.store.listEvents(new Date(now - MAX_EVENT_DAYS * 86_400_000).toISOString(), new Date(now + DOORS_OPEN_MINUTES * 60_000).toISOString());
    const marked: Registration[] = [];
    for (const event of candidates.filter((e) => this.running(e, ctx.now))) {
      const id = await this.store.registrationIdOf(event.id, { memberId });
      const r = id ? await this.store.getRegistration(event.id, id) : undefined;
      if (r?.status !== 'confirmed' || r.attendedAt) continue;
      const res = await this.markAttended(event, r, 'check-in', ctx);
      if (res.created) marked.push(res.registration);
    }
    return marked;
  }

  /** Who attended an event (kept for feedback surveys). */
  async attendees(eventId: string): Promise<Registration[]> {
    return (await this.registrations(eventId)).filter((r) => r.attendedAt);
  }

  /** GDPR Art. 15, the events part: a member's registrations and attendance. */
  async exportMemberData(memberId: string) {
    const regs = await this.store.registrationsOfMember(memberId);
    return Promise.all(regs.map(async (r) => ({ registration: this.withoutSecrets(r), event: await this.eventSummary(r.eventId) })));
  }

  /**
   * The member's sections of the export: their registrations as a member, and those made on the
   * public route with the member's e-mail address (the only link between a public registration
   * and a member: the address, compared lower-cased).
   */
  async exportSections(memberId: string, person?: { email?: string | undefined }): Promise<ExportSection[]> {
    return [
      { key: 'events', title: 'Registrations for hub events as a member (confirmed, waitlisted, cancelled, attended), each with its event', data: await this.exportMemberData(memberId) },
      {
        key: 'publicRegistrations',
        title: "Registrations for hub events made on the public route with the member's e-mail address, each with its event",
        data: person?.email ? (await this.exportPublicRegistrant(person.email)).registrations : [],
      },
    ];
  }

  /**
   * Erasure: the member's registrations lose the member id, and those made publicly with their
   * e-mail lose name, e-mail, organisation name and cancellation key; the counts stay. Idempotent;
   * on the retried pass without an e-mail only the member's own are looked for.
   */
  async forget(person: ErasedPerson): Promise<void> {
    await this.eraseMemberData(person.memberId);
    if (person.email) await this.erasePublicRegistrant(person.email);
  }

  /** GDPR Art. 17, the events part: unlinks a member from their registrations (counts stay). */
  async eraseMemberData(memberId: string): Promise<number> {
    const regs = await this.store.registrationsOfMember(memberId);
    for (const r of regs) await this.store.anonymiseRegistration(r);
    return regs.length;
  }

  /** GDPR Art. 15 for someone who registered publicly (no member): everything held under their e-mail. */
  async exportPublicRegistrant(email: string) {
    const regs = await this.store.registrationsByEmail(email.trim().toLowerCase());
    return { email: email.trim().toLowerCase(), registrations: await Promise.all(regs.map(async (r) => ({ registration: this.withoutSecrets(r), event: await this.eventSummary(r.eventId) }))) };
  }

  /** GDPR Art. 17 for someone who registered publicly: their name, e-mail and link are gone. */
  async erasePublicRegistrant(email: string): Promise<{ email: string; erased: number }> {
    const e = email.trim().toLowerCase();
    const regs = await this.store.registrationsByEmail(e);
    for (const r of regs) await this.store.anonymiseRegistration(r);
    return { email: e, erased: regs.length };
  }

  private withoutSecrets({ cancelKey: _k, ...r }: Registration) {
    return r;
  }

  private async eventSummary(eventId: string) {
    const e = await this.store.getEvent(eventId);
    return e ? { id: e.id, title: e.title, kind: e.kind, start: e.start, end: e.end, status: e.status } : { id: eventId };
  }

  /**
   * The e-mails the notifier sends for an event on the hub bus, each once (keyed by the bus
   * event and the registration): new time or place, cancellation, a seat from the waitlist,
   * the public registrant's confirmation with their cancellation link.
   */
  async notify(
    busEvent: { eventId: string; detailType: 'HubEventUpdated' | 'HubEventCancelled' | 'EventWaitlistPromoted' | 'EventRegistrationCreated'; data: { eventId: string; registrationId?: string; changed?: string[] } },
    send: (mail: { to: string; subject: string; text: string }) => Promise<unknown>,
    publicUrl: string,
  ): Promise<number> {
    const event = await this.store.getEvent(busEvent.data.eventId);
    if (!event) return 0;
    let recipients: Registration[];
    if (busEvent.detailType === 'HubEventUpdated') {
      if (!busEvent.data.changed?.some((f) => f === 'start' || f === 'end' || f === 'resourceId')) return 0;
      recipients = (await this.store.registrations(event.id)).filter((r) => r.status !== 'cancelled');
    } else if (busEvent.detailType === 'HubEventCancelled') {
      recipients = (await this.store.registrations(event.id)).filter((r) => r.status !== 'cancelled');
    } else {
      const r = busEvent.data.registrationId ? await this.store.getRegistration(event.id, busEvent.data.registrationId) : undefined;
      if (!r || r.status === 'cancelled') return 0;
      if (busEvent.detailType === 'EventRegistrationCreated' && r.registrant !== 'public') return 0;
      recipients = [r];
    }
    let sent = 0;
    for (const r of recipients) {
      const key = `${busEvent.eventId}#${r.id}`;
      if (await this.store.wasNotified(key)) continue;
      const to = r.email ?? (r.memberId ? (await this.directory.getMember(r.memberId))?.email : undefined);
      const name = r.name ?? (r.memberId ? (await this.directory.getMember(r.memberId))?.name : undefined) ?? '';
      if (!to) continue;
      await send({ to, ...this.mail(busEvent.detailType, event, r, name, publicUrl) });
      await this.store.markNotified(key, this.clock().toISOString());
      sent++;
    }
    return sent;
  }

  private mail(type: string, e: HubEvent, r: Registration, name: string, publicUrl: string): { subject: string; text: string } {
    const en = r.language === 'en';
    const title = en && e.titleEn ? e.titleEn : e.title;
    const fmt = (iso: string) => new Date(iso).toLocaleString(en ? 'en-GB' : 'sv-SE', { timeZone: this.hub.timezone, dateStyle: 'full', timeStyle: 'short' });
    const room = e.resourceId ? this.hub.resources.find((x) => x.id === e.resourceId)?.name : undefined;
    const place = `${room ? `${room}, ` : ''}${this.hub.hostVenue.name}, ${this.hub.name}`;
    const when = `${fmt(e.start)} – ${fmt(e.end)}`;
    const sign = en ? `/ The hosts at ${this.hub.name}` : `/ Värdskapet på ${this.hub.name}`;
    const hello = en ? `Hello ${name},` : `Hej ${name}!`;
    // Opening the link shows a page with a button that cancels (a GET never cancels by itself: mail scanners open links).
    const link = r.cancelKey ? `${publicUrl}${cancelPagePath(this.hub.id, e.id, r.id, r.cancelKey)}` : undefined;
    const cancelLine = link ? (en ? `\n\nCannot come? Open this link and confirm to cancel your registration:\n${link}` : `\n\nKan du inte komma? Öppna länken och bekräfta för att avboka:\n${link}`) : '';
    switch (type) {
      case 'HubEventUpdated':
        return en
          ? { subject: `New time or place: ${title}`, text: `${hello}\n\n${title} has been changed. It is now held\n${when}\nat ${place}.${cancelLine}\n\n${sign}` }
          : { subject: `Ny tid eller plats: ${title}`, text: `${hello}\n\n${title} har ändrats. Det hålls nu\n${when}\ni ${place}.${cancelLine}\n\n${sign}` };
      case 'HubEventCancelled':
        return en
          ? { subject: `Cancelled: ${title}`, text: `${hello}\n\n${title} (${when}) has been cancelled. We are sorry.\n\n${sign}` }
          : { subject: `Inställt: ${title}`, text: `${hello}\n\n${title} (${when}) är inställt. Vi beklagar.\n\n${sign}` };
      case 'EventWaitlistPromoted':
        return en
          ? { subject: `You have a seat: ${title}`, text: `${hello}\n\nA seat became free and it is yours: ${title}, ${when}, at ${place}.${cancelLine}\n\n${sign}` }
          : { subject: `Du har fått en plats: ${title}`, text: `${hello}\n\nEn plats blev ledig och den är din: ${title}, ${when}, i ${place}.${cancelLine}\n\n${sign}` };
      default: {
        const waitlisted = r.status === 'waitlisted';
        return en
          ? { subject: `${waitlisted ? 'On the waitlist' : 'Registered'}: ${title}`, text: `${hello}\n\n${waitlisted ? `${title} is full; you are on the waitlist and will be e-mailed if a seat becomes free.` : `You are registered for ${title}.`}\n${when}\n${place}${cancelLine}\n\n${sign}` }
          : { subject: `${waitlisted ? 'På väntelistan' : 'Anmäld'}: ${title}`, text: `${hello}\n\n${waitlisted ? `${title} är fullt; du står på väntelistan och får e-post om en plats blir ledig.` : `Du är anmäld till ${title}.`}\n${when}\n${place}${cancelLine}\n\n${sign}` };
      }
    }
  }
}
