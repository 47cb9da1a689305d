import type { HubConfig } from '../../hubs/schema.ts';
import { swedishPublicHoliday } from '../domain/holidays.ts';
import { weekdayOf } from '../domain/time.ts';
import { E, P, eventState, type EventAttendanceFact, type EventRegistrationFact, type BookingEnd, type BookingFact, type DayFacts, type PresenceFact, type Registration, type VisitIn, type VisitOut } from './facts.ts';

/** Organisation types that are public sector. */
export const PUBLIC_TYPES: ReadonlySet<string> = new Set(['state-agency', 'municipality', 'region', 'county-board', 'public-company', 'university']);

/** The sector of an organisation type: public, business or other. */
export function sectorOf(type: string): 'public' | 'business' | 'other' {
  return PUBLIC_TYPES.has(type) ? 'public' : type === 'business' ? 'business' : 'other';
}

/** The key of an unordered pair, e.g. `municipality×state-agency`. */
export const pairKey = (a: string, b: string) => (a <= b ? `${a}×${b}` : `${b}×${a}`);

/** Every measure of a scope (one hub-day, a hub over a period, the network over a period), unrounded and unsuppressed. */
export interface Measures {
  /** CheckedIn events (visits opened). */
  checkIns: number;
  /** Visits known from a check-in or a check-out. */
  visits: number;
  /** Visits of people from businesses (organisation type business, or business partners). */
  businessCheckIns: number;
  /** Distinct organisations present. */
  organisations: number;
  uniqueVisitors: number;
  /** Hours of closed visits. */
  visitHours: number;
  /** Visitors whose first visit at the hub falls in the scope. */
  firstTimeVisitors: number;
  returningVisitors: number;
  /** Organisations seen for the first time anywhere in the network. */
  newOrganisations: number;
  /** Distinct people by organisation type: members (and business partners), and guests. */
  membersByOrgType: Record<string, number>;
  guestsByOrgType: Record<string, number>;
  /** Members registered, by organisation type. */
  registrations: number;
  registrationsByOrgType: Record<string, number>;
  bookings: { made: number; cancelled: number; noShows: number };
  utilisation: {
    deskHoursBooked: number;
    deskHoursAvailable: number;
    desk: number | null;
    roomHoursBooked: number;
    roomHoursAvailable: number;
    room: number | null;
  };
  /** Scheduled agency presence, hours per organisation id. */
  agencyPresenceHours: Record<string, number>;
  coPresence: {
    /** Distinct pairs of organisations with overlapping visits, summed over hub-days. */
    pairDays: number;
    /** Distinct pairs of organisations over the whole scope. */
    distinctPairs: number;
    /** Pair-days by the organisation types of the pair, e.g. `municipality×state-agency`. */
    byTypePair: Record<string, number>;
    /** Pair-days by sector, e.g. `business×public`. */
    bySectorPair: Record<string, number>;
  };
  remoteWorkers: {
    /** Distinct public-sector visitors. */
    publicVisitors: number;
    /** Of those, with a known employer municipality. */
    withMunicipality: number;
    /** Of those, employed in another municipality than the hub's. */
    remote: number;
    /** remote / withMunicipality. */
    share: number | null;
  };
  /** Hub events dated in the scope (docs/reporting.md, "Event measures"). */
  events: EventMeasures;
}

/** Measures of hub events. Registrations, waitlist and attendance are those of events held (not cancelled). */
export interface EventMeasures {
  /** Published events not cancelled, dated in the scope. */
  held: number;
  /** Held events by kind (workshop, training, network-meeting, …). */
  heldByKind: Record<string, number>;
  /** Published events that were cancelled. */
  cancelled: number;
  /** Registrations made (confirmed or waitlisted when made, walk-ins included). */
  registrations: number;
  /** Registrations cancelled by the registrant or staff. */
  registrationsCancelled: number;
  /** Registrations that went on the waitlist. */
  waitlisted: number;
  /** Waitlisted registrations that got a seat. */
  promoted: number;
  /** Registrations confirmed in the end: confirmed when made or promoted, not cancelled (plus any that attended). */
  confirmed: number;
  /** Registrations that attended (door, check-in during the event, walk-in). */
  attended: number;
  /** attended / confirmed. */
  attendanceRate: number | null;
  /** Attendees from businesses (organisation type business or business partners). */
  participantsBusiness: number;
  /** Attendees who are not members of the hub: from other hubs of the network or outside it. */
  participantsOtherHubs: number;
}

/** One hub-day to summarise: its hub, its date and its facts (missing when nothing happened). */
export interface HubDayInput {
  hub: HubConfig;
  date: string;
  facts?: DayFacts;
  /** The hub's presence schedules (the same for every day of a hub). */
  presences?: PresenceFact[];
  /** The facts of the hub's events dated on this day (one record per event). */
  hubEvents?: DayFacts[];
}

/** Adds the measures of one hub event's facts to `ev`. */
function addEvent(ev: EventMeasures, facts: DayFacts): void {
  const known = eventState(facts);
  if (!known) return;
  if (known.cancelled) {
    ev.cancelled++;
    return;
  }
  ev.held++;
  inc(ev.heldByKind, known.state.kind);
  const regs = new Map(entries<EventRegistrationFact>(facts, E.registered));
  const cancelled = new Set(entries<unknown>(facts, E.regCancelled).map(([id]) => id));
  const promoted = new Set(entries<true>(facts, E.promoted).map(([id]) => id));
  const attended = new Map(entries<EventAttendanceFact>(facts, E.attended));
  ev.registrations += regs.size;
  ev.registrationsCancelled += cancelled.size;
  ev.waitlisted += [...regs.values()].filter((r) => r.status === 'waitlisted').length;
  ev.promoted += promoted.size;
  for (const [id, r] of regs) {
    if (attended.has(id) || ((r.status === 'confirmed' || promoted.has(id)) && !cancelled.has(id))) ev.confirmed++;
  }
  for (const [id, a] of attended) {
    if (!regs.has(id)) ev.confirmed++; // attended, its registration not delivered yet
    ev.attended++;
    if (a.business) ev.participantsBusiness++;
    if (a.outside) ev.participantsOtherHubs++;
  }
}

const entries = <T>(facts: DayFacts, prefix: string) =>
  Object.entries(facts)
    .filter(([k]) => k.startsWith(prefix))
    .map(([k, v]) => [k.slice(prefix.length), v as T] as const);

const minutes = (a: string, b: string) => Math.max(0, (Date.parse(b) - Date.parse(a)) / 60_000);
const hm = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
const inc = (r: Record<string, number>, k: string, n = 1) => {
  r[k] = (r[k] ?? 0) + n;
};

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The instant of a wall-clock time on a date in a time zone; like `zonedInstant`, with the formatter kept (reports call it thousands of times). */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, fmt);
  }
  const offset = (t: number) => {
    const parts = fmt.formatToParts(new Date(t));
    const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
    return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(t / 1000) * 1000;
  };
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  const [hh = 0, mm = 0] = time.split(':').map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  let utc = wall;
  for (let i = 0; i < 2; i++) utc = wall - offset(utc);
  return new Date(utc);
}

/** Whether a date is a Swedish public holiday: the same rules as the booking rules. */
const isPublicHoliday = (date: string): boolean => swedishPublicHoliday(date) !== undefined;

const intervals = new WeakMap<HubConfig, Map<string, { opens: Date; closes: Date } | null>>();

/** The opening interval of a hub on a date, or undefined when closed (memoised: time zone arithmetic is slow). */
export function openInterval(hub: HubConfig, date: string): { opens: Date; closes: Date } | undefined {
  let cache = intervals.get(hub);
  if (!cache) {
    cache = new Map();
    intervals.set(hub, cache);
  }
  const known = cache.get(date);
  if (known !== undefined) return known ?? undefined;
  const hours = hub.openingHours[weekdayOf(date)];
  const open =
    !hours || hub.closedDays.includes(date) || (hub.bookingRules.closedOnPublicHolidays && isPublicHoliday(date))
      ? null
      : { opens: zonedInstant(date, hours.opens, hub.timezone), closes: zonedInstant(date, hours.closes, hub.timezone) };
  cache.set(date, open);
  return open ?? undefined;
}

/** Desks (single desks and pooled ones) and rooms of a hub. */
export function capacityOf(hub: HubConfig): { desks: number; rooms: number } {
  let desks = 0;
  let rooms = 0;
  for (const r of hub.resources) {
    if (r.type === 'desk') desks += 1;
    else if (r.type === 'desk-pool') desks += r.count;
    else if (r.type === 'room') rooms += 1;
  }
  return { desks, rooms };
}

/**
 * Computes the measures of a set of hub-days (one day, a week of one hub, a year of the
 * network…) from their facts. A pure function of the facts: the same facts give the same numbers
 * whatever order they arrived in.
 */
export function summarise(days: HubDayInput[]): Measures {
  const visitIds = new Set<string>();
  const checkInIds = new Set<string>();
  let business = 0;
  let visitMinutes = 0;
  const orgs = new Set<string>();
  const visitors = new Map<string, { type?: string; ms?: string }>();
  const firstTimers = new Set<string>();
  let newOrganisations = 0;
  const registrationsByOrgType: Record<string, number> = {};
  let registrations = 0;
  const bookings = { made: 0, cancelled: 0, noShows: 0 };
  const util = { deskBooked: 0, deskAvail: 0, roomBooked: 0, roomAvail: 0 };
  const agencyPresenceHours: Record<string, number> = {};
  const byTypePair: Record<string, number> = {};
  const bySectorPair: Record<string, number> = {};
  const distinctPairs = new Set<string>();
  let pairDays = 0;
  const remote = new Map<string, { known: boolean; remote: boolean }>();
  const publicVisitors = new Set<string>();
  const presencesByHub = new Map<string, PresenceFact[]>();
  const ev: EventMeasures = { held: 0, heldByKind: {}, cancelled: 0, registrations: 0, registrationsCancelled: 0, waitlisted: 0, promoted: 0, confirmed: 0, attended: 0, attendanceRate: null, participantsBusiness: 0, participantsOtherHubs: 0 };

  for (const { hub, date, facts = {}, presences, hubEvents = [] } of days) {
    if (presences) presencesByHub.set(hub.id, presences);
    for (const e of hubEvents) addEvent(ev, e);
    const ins = new Map(entries<VisitIn>(facts, P.in));
    const outs = new Map(entries<VisitOut>(facts, P.out));
    const typeOfOrg = new Map<string, string>();
    // An organisation's type as of its latest check-in that day (it may have been changed meanwhile): by time, not by the
    // order the facts are stored in, which differs between projections (the DynamoDB one merges a day's shards).
    for (const vi of [...ins.values()].sort((a, b) => (a.at === b.at ? (a.type < b.type ? -1 : 1) : a.at < b.at ? -1 : 1))) typeOfOrg.set(vi.org, vi.type);
    const open = openInterval(hub, date);
    const dayEnd = open?.closes.getTime() ?? Date.parse(`${date}T23:59:00Z`);

    // Visits, visitors, organisations.
    const intervals: { org: string; start: number; end: number }[] = [];
    for (const id of new Set([...ins.keys(), ...outs.keys()])) {
      const vi = ins.get(id);
      const vo = outs.get(id);
      const v = vi?.v ?? vo?.v;
      const org = vi?.org ?? vo?.org;
      const at = vi?.at ?? vo?.at;
      if (v === undefined || org === undefined || at === undefined) continue; // an id is in ins or outs, so never

      visitIds.add(`${hub.id}/${id}`);
      orgs.add(org);
      const known = visitors.get(v) ?? {};
      if (vi) {
        checkInIds.add(`${hub.id}/${id}`);
        if (vi.type === 'business' || vi.ms === 'business-partner') business++;
        // A person has one organisation and membership; keep the smallest for determinism.
        if (!known.type || `${vi.type}/${vi.ms}` < `${known.type}/${known.ms}`) Object.assign(known, { type: vi.type, ms: vi.ms });
        if (PUBLIC_TYPES.has(vi.type)) {
          publicVisitors.add(v);
          const r = remote.get(v) ?? { known: false, remote: false };
          if (vi.mun && hub.municipalityCode) {
            r.known = true;
            r.remote ||= vi.mun !== hub.municipalityCode;
          }
          remote.set(v, r);
        }
      }
      visitors.set(v, known);
      if (vo) visitMinutes += vo.min;
      const start = Date.parse(at);
      // A visit not checked out lasts until closing; one that began after closing (an evening event), until the day ends.
      const end = vo ? Date.parse(vo.out) : start < dayEnd ? dayEnd : Math.max(start, zonedInstant(date, '23:59', hub.timezone).getTime());
      intervals.push({ org, start, end });
    }

    // First sightings.
    for (const [v] of entries<true>(facts, P.firstVisitor)) if (visitors.has(v)) firstTimers.add(v);
    newOrganisations += entries<true>(facts, P.firstOrg).length;

    // Co-presence: distinct pairs of organisations whose visits overlap on this hub-day.
    const pairs = new Set<string>();
    intervals.sort((a, b) => a.start - b.start || a.end - b.end || a.org.localeCompare(b.org));
    for (const [i, a] of intervals.entries()) {
      for (const b of intervals.slice(i + 1)) {
        if (b.start >= a.end) break;
        if (a.org !== b.org && b.start < a.end && a.start < b.end) pairs.add(a.org < b.org ? `${a.org}|${b.org}` : `${b.org}|${a.org}`);
      }
    }
    for (const pair of pairs) {
      const [a = '', b = ''] = pair.split('|');
      const ta = typeOfOrg.get(a) ?? 'other';
      const tb = typeOfOrg.get(b) ?? 'other';
      inc(byTypePair, pairKey(ta, tb));
      inc(bySectorPair, pairKey(sectorOf(ta), sectorOf(tb)));
      distinctPairs.add(pair);
      pairDays++;
    }

    // Registrations.
    for (const [, r] of entries<Registration>(facts, P.registration)) {
      registrations++;
      inc(registrationsByOrgType, r.type);
    }

    // Bookings and utilisation against capacity and opening hours.
    const cancelled = new Set(entries<BookingEnd>(facts, P.cancelled).map(([id]) => id));
    const noShows = new Set(entries<BookingEnd>(facts, P.noShow).map(([id]) => id));
    const created = entries<BookingFact>(facts, P.booking);
    bookings.made += created.length;
    bookings.cancelled += cancelled.size;
    bookings.noShows += [...noShows].filter((id) => !cancelled.has(id)).length;
    const cap = capacityOf(hub);
    if (open) {
      const openMin = minutes(open.opens.toISOString(), open.closes.toISOString());
      util.deskAvail += cap.desks * openMin;
      util.roomAvail += cap.rooms * openMin;
    }
    for (const [id, b] of created) {
      if (cancelled.has(id) || noShows.has(id) || !open) continue;
      const used = Math.max(0, (Math.min(Date.parse(b.end), open.closes.getTime()) - Math.max(Date.parse(b.start), open.opens.getTime())) / 60_000);
      if (b.rt === 'desk' || b.rt === 'desk-pool') util.deskBooked += used;
      else if (b.rt === 'room') util.roomBooked += used;
    }

    // Agency presence scheduled on this day.
    if (open) {
      for (const p of presencesByHub.get(hub.id) ?? presences ?? []) {
        if (p.weekday === weekdayOf(date) && date >= p.firstDate && date <= p.until) inc(agencyPresenceHours, p.org, (hm(p.to) - hm(p.from)) / 60);
      }
    }
  }

  const membersByOrgType: Record<string, number> = {};
  const guestsByOrgType: Record<string, number> = {};
  for (const { type, ms } of visitors.values()) {
    if (!type) continue;
    inc(ms === 'guest' ? guestsByOrgType : membersByOrgType, type);
  }
  const withMunicipality = [...remote.values()].filter((r) => r.known).length;
  const remoteCount = [...remote.values()].filter((r) => r.remote).length;
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  return {
    checkIns: checkInIds.size,
    visits: visitIds.size,
    businessCheckIns: business,
    organisations: orgs.size,
    uniqueVisitors: visitors.size,
    visitHours: visitMinutes / 60,
    firstTimeVisitors: firstTimers.size,
    returningVisitors: visitors.size - firstTimers.size,
    newOrganisations,
    membersByOrgType,
    guestsByOrgType,
    registrations,
    registrationsByOrgType,
    bookings,
    utilisation: {
      deskHoursBooked: util.deskBooked / 60,
      deskHoursAvailable: util.deskAvail / 60,
      desk: ratio(util.deskBooked, util.deskAvail),
      roomHoursBooked: util.roomBooked / 60,
      roomHoursAvailable: util.roomAvail / 60,
      room: ratio(util.roomBooked, util.roomAvail),
    },
    agencyPresenceHours,
    coPresence: { pairDays, distinctPairs: distinctPairs.size, byTypePair, bySectorPair },
    remoteWorkers: { publicVisitors: publicVisitors.size, withMunicipality, remote: remoteCount, share: ratio(remoteCount, withMunicipality) },
    events: { ...ev, attendanceRate: ratio(ev.attended, ev.confirmed) },
  };
}
