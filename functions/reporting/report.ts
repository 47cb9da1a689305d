import type { HubConfig } from '../../hubs/schema.ts';
import { eventState, type DayFacts } from './facts.ts';
import { summarise, type HubDayInput, type Measures } from './measures.ts';
import type { FactSource } from './memory.ts';
import { bucket, type Period } from './periods.ts';
import { cell, secondary, type Cell, type Group, type Published } from './suppression.ts';

/** Measures as published: counts of people suppressed, hours and shares rounded. */
export interface PublishedMeasures {
  checkIns: number;
  visits: number;
  businessCheckIns: number;
  organisations: number;
  uniqueVisitors: Published;
  firstTimeVisitors: Published;
  returningVisitors: Published;
  visitHours: number;
  newOrganisations: number;
  membersByOrgType: Record<string, Published>;
  guestsByOrgType: Record<string, Published>;
  registrations: Published;
  registrationsByOrgType: Record<string, Published>;
  bookings: Measures['bookings'];
  utilisation: Measures['utilisation'];
  agencyPresenceHours: Record<string, number>;
  coPresence: Measures['coPresence'];
  remoteWorkers: { publicVisitors: Published; withMunicipality: Published; remote: Published; share: number | null | '..' };
  events: PublishedEvents;
}

/** Event measures as published: counts of people suppressed, the rate withheld when either of its counts is. */
export interface PublishedEvents {
  held: number;
  heldByKind: Record<string, number>;
  cancelled: number;
  registrations: Published;
  registrationsCancelled: Published;
  waitlisted: Published;
  promoted: Published;
  confirmed: Published;
  attended: Published;
  attendanceRate: number | null | '..';
  participantsBusiness: Published;
  participantsOtherHubs: Published;
}

/** The counts of people among the event measures (suppressed when published). */
const EVENT_PEOPLE = ['registrations', 'registrationsCancelled', 'waitlisted', 'promoted', 'confirmed', 'attended', 'participantsBusiness', 'participantsOtherHubs'] as const;
type EventPeople = (typeof EVENT_PEOPLE)[number];

/** One period of a hub or of the network. */
export interface PeriodRow {
  period: string;
  from: string;
  to: string;
  measures: PublishedMeasures;
}

/** The full report. */
export interface Report {
  from: string;
  to: string;
  period: Period;
  hubs: {
    hubId: string;
    name: string;
    checkIns: number;
    businessCheckIns: number;
    days: { date: string; checkIns: number; organisations: number; businessCheckIns: number }[];
    periods: PeriodRow[];
    total: PublishedMeasures;
  }[];
  network: { periods: PeriodRow[]; total: PublishedMeasures };
  totals: { checkIns: number; businessCheckIns: number };
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const roundRecord = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]));

/** Cells of one published row, kept so secondary suppression can work across rows. */
interface RowCells {
  m: Measures;
  unique: Cell;
  first: Cell;
  returning: Cell;
  members: Record<string, Cell>;
  guests: Record<string, Cell>;
  registrations: Cell;
  registrationsByType: Record<string, Cell>;
  publicVisitors: Cell;
  withMunicipality: Cell;
  remote: Cell;
  events: Record<EventPeople, Cell>;
}

const cells = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cell(v)]));

function rowCells(m: Measures): RowCells {
  return {
    m,
    unique: cell(m.uniqueVisitors),
    first: cell(m.firstTimeVisitors),
    returning: cell(m.returningVisitors),
    members: cells(m.membersByOrgType),
    guests: cells(m.guestsByOrgType),
    registrations: cell(m.registrations),
    registrationsByType: cells(m.registrationsByOrgType),
    publicVisitors: cell(m.remoteWorkers.publicVisitors),
    withMunicipality: cell(m.remoteWorkers.withMunicipality),
    remote: cell(m.remoteWorkers.remote),
    events: Object.fromEntries(EVENT_PEOPLE.map((k) => [k, cell(m.events[k])])) as Record<EventPeople, Cell>,
  };
}

/** The breakdowns inside one row that add up to a total. */
function rowGroups(c: RowCells): Group[] {
  return [
    { cells: [c.first, c.returning], total: c.unique },
    { cells: [...Object.values(c.members), ...Object.values(c.guests)], total: c.unique },
    { cells: Object.values(c.registrationsByType), total: c.registrations },
    // The rest (known municipality, not remote) is implied by the two: suppressed only when small itself.
    { cells: [c.remote, cell(c.m.remoteWorkers.withMunicipality - c.m.remoteWorkers.remote)], total: c.withMunicipality },
    // Attendees from businesses or from other hubs, and the rest, add up to the attendees.
    { cells: [c.events.participantsBusiness, cell(c.m.events.attended - c.m.events.participantsBusiness)], total: c.events.attended },
    { cells: [c.events.participantsOtherHubs, cell(c.m.events.attended - c.m.events.participantsOtherHubs)], total: c.events.attended },
    // Confirmed registrations that attended and those that did not.
    { cells: [c.events.attended, cell(c.m.events.confirmed - c.m.events.attended)], total: c.events.confirmed },
  ];
}

const shown = (r: Record<string, Cell>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.shown]));

function publish(c: RowCells): PublishedMeasures {
  const { m } = c;
  const shareHidden = typeof c.remote.shown === 'string' || typeof c.withMunicipality.shown === 'string';
  return {
    checkIns: m.checkIns,
    visits: m.visits,
    businessCheckIns: m.businessCheckIns,
    organisations: m.organisations,
    uniqueVisitors: c.unique.shown,
    firstTimeVisitors: c.first.shown,
    returningVisitors: c.returning.shown,
    visitHours: round(m.visitHours),
    newOrganisations: m.newOrganisations,
    membersByOrgType: shown(c.members),
    guestsByOrgType: shown(c.guests),
    registrations: c.registrations.shown,
    registrationsByOrgType: shown(c.registrationsByType),
    bookings: m.bookings,
    utilisation: {
      deskHoursBooked: round(m.utilisation.deskHoursBooked),
      deskHoursAvailable: round(m.utilisation.deskHoursAvailable),
      desk: m.utilisation.desk === null ? null : round(m.utilisation.desk, 3),
      roomHoursBooked: round(m.utilisation.roomHoursBooked),
      roomHoursAvailable: round(m.utilisation.roomHoursAvailable),
      room: m.utilisation.room === null ? null : round(m.utilisation.room, 3),
    },
    agencyPresenceHours: roundRecord(m.agencyPresenceHours),
    coPresence: m.coPresence,
    remoteWorkers: {
      publicVisitors: c.publicVisitors.shown,
      withMunicipality: c.withMunicipality.shown,
      remote: c.remote.shown,
      share: m.remoteWorkers.share === null ? null : shareHidden ? '..' : round(m.remoteWorkers.share, 3),
    },
    events: {
      held: m.events.held,
      heldByKind: m.events.heldByKind,
      cancelled: m.events.cancelled,
      ...(Object.fromEntries(EVENT_PEOPLE.map((k) => [k, c.events[k].shown])) as Record<EventPeople, Published>),
      attendanceRate:
        m.events.attendanceRate === null ? null : typeof c.events.attended.shown === 'string' || typeof c.events.confirmed.shown === 'string' ? '..' : round(m.events.attendanceRate, 3),
    },
  };
}

/** Groups a hub's event facts by the event's date; events known only from registrations have no date yet and wait. */
function eventsByDate(events: Map<string, DayFacts>): Map<string, DayFacts[]> {
  const out = new Map<string, DayFacts[]>();
  for (const [, facts] of [...events].sort(([a], [b]) => a.localeCompare(b))) {
    const date = eventState(facts)?.state.date;
    if (!date) continue;
    out.set(date, [...(out.get(date) ?? []), facts]);
  }
  return out;
}

/** Builds the report of the selected hubs over a range, by period, from a projection's facts. `suppress: false` gives raw numbers (tests). */
export async function buildReport(source: FactSource, hubs: HubConfig[], q: { from: string; to: string; period: Period }): Promise<Report> {
  const buckets = bucket(q.from, q.to, q.period);
  const allDates = buckets.flatMap((b) => b.dates);
  const loaded = await Promise.all(
    hubs.map(async (hub) => ({ hub, facts: await source.hubDays(hub.id, q.from, q.to), presences: await source.presences(hub.id), events: eventsByDate(await source.hubEvents(hub.id)) })),
  );
  const inputs = (dates: string[], only?: HubConfig) =>
    loaded
      .filter((l) => !only || l.hub.id === only.id)
      .flatMap((l) => dates.map((date): HubDayInput => ({ hub: l.hub, date, facts: l.facts.get(date), presences: l.presences, hubEvents: l.events.get(date) })));

  const groups: Group[] = [];
  const row = (m: Measures) => {
    const c = rowCells(m);
    groups.push(...rowGroups(c));
    return c;
  };
  // Registrations add up over periods and over hubs: protect those sums too.
  const series = (periods: RowCells[], total: RowCells) => {
    groups.push({ cells: periods.map((p) => p.registrations), total: total.registrations });
    // Event registrations and attendees add up over periods too (an event is dated on one day).
    for (const k of EVENT_PEOPLE) groups.push({ cells: periods.map((p) => p.events[k]), total: total.events[k] });
  };

  const hubRows = loaded.map(({ hub, facts }) => {
    const periods = buckets.map((b) => ({ b, c: row(summarise(inputs(b.dates, hub))) }));
    const total = row(summarise(inputs(allDates, hub)));
    series(periods.map((p) => p.c), total);
    const days = [...facts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, f]: [string, DayFacts]) => {
        const m = summarise([{ hub, date, facts: f }]);
        return { date, checkIns: m.checkIns, organisations: m.organisations, businessCheckIns: m.businessCheckIns };
      })
      .filter((d) => d.checkIns > 0);
    return { hub, periods, total, days };
  });
  const networkPeriods = buckets.map((b) => ({ b, c: row(summarise(inputs(b.dates))) }));
  const networkTotal = row(summarise(inputs(allDates)));
  series(networkPeriods.map((p) => p.c), networkTotal);
  groups.push({ cells: hubRows.map((h) => h.total.registrations), total: networkTotal.registrations });
  for (const k of EVENT_PEOPLE) groups.push({ cells: hubRows.map((h) => h.total.events[k]), total: networkTotal.events[k] });
  secondary(groups);

  const periodRows = (ps: { b: (typeof buckets)[number]; c: RowCells }[]): PeriodRow[] => ps.map(({ b, c }) => ({ period: b.label, from: b.from, to: b.to, measures: publish(c) }));
  const hubsOut = hubRows.map(({ hub, periods, total, days }) => ({
    hubId: hub.id,
    name: hub.name,
    checkIns: total.m.checkIns,
    businessCheckIns: total.m.businessCheckIns,
    days,
    periods: periodRows(periods),
    total: publish(total),
  }));
  return {
    from: q.from,
    to: q.to,
    period: q.period,
    hubs: hubsOut,
    network: { periods: periodRows(networkPeriods), total: publish(networkTotal) },
    totals: { checkIns: networkTotal.m.checkIns, businessCheckIns: networkTotal.m.businessCheckIns },
  };
}
