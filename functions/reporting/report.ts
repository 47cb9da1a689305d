import type { HubConfig } from '../../hubs/schema.ts';
import { eventState, type DayFacts } from './facts.ts';
import { sectorOf, summarise, type HubDayInput, type Measures } from './measures.ts';
import type { FactSource } from './memory.ts';
import { PERIODS, bucket, datesBetween, type Period } from './periods.ts';
import { SeriesBounds, type Relation } from './bounds.ts';
import { SMALL, WITHHELD, cell, hidden, pinned, protectSeries, secondary, type Cell, type Group, type IntervalCell, type Published } from './suppression.ts';

/** Measures as published: counts of people suppressed, hours and shares rounded. */
export interface PublishedMeasures {
  checkIns: Withheld;
  visits: Withheld;
  businessCheckIns: Withheld;
  organisations: Withheld;
  uniqueVisitors: Published;
  firstTimeVisitors: Published;
  returningVisitors: Published;
  visitHours: Withheld;
  newOrganisations: Withheld;
  membersByOrgType: Record<string, Published>;
  guestsByOrgType: Record<string, Published>;
  registrations: Published;
  registrationsByOrgType: Record<string, Published>;
  bookings: Measures['bookings'];
  utilisation: Measures['utilisation'];
  agencyPresenceHours: Record<string, number>;
  coPresence: { pairDays: Withheld; distinctPairs: Withheld; byTypePair: Record<string, Withheld>; bySectorPair: Record<string, Withheld> };
  remoteWorkers: { publicVisitors: Published; withMunicipality: Published; remote: Published; share: number | null | '..' };
  events: PublishedEvents;
}

/**
 * A count of visits, organisations, pairs or hours as published: a number, or `".."` where the row's
 * unique visitors are not shown (these counts bound them: organisations ≤ visitors ≤ visits).
 */
export type Withheld = number | typeof WITHHELD;

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
  /** The series cells of the interval, the visit block among them. */
  series: AdditiveCells;
  /** The interval audit took the breakdown by type away (it bounded a first-time count that nothing else could free). */
  typesDropped?: boolean;
}

const cells = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, cell(v)]));

/** Counts of people that add up over days (and, but for first-time visitors, over hubs): protected as series over time. */
const ADDITIVE = ['registrations', 'firstTimeVisitors', ...EVENT_PEOPLE.map((k) => `events.${k}` as const)] as const;
type Additive = 'registrations' | 'firstTimeVisitors' | `events.${EventPeople}`;

/**
 * Counts of the visit block that add up over days and hubs: not counts of people, so shown as they
 * are, but they bound the row's unique visitors (organisations ≤ visitors ≤ visits; hours, pairs and
 * new organisations likewise), so they are withheld where the unique visitors are not shown, and
 * protected as series so that a withheld one cannot be had by subtraction. Pair breakdowns are
 * `pair:<type×type>` and `sector:<sector×sector>`.
 */
const BLOCK = ['checkIns', 'visits', 'businessCheckIns', 'visitHours', 'newOrganisations', 'pairDays'] as const;
type Block = (typeof BLOCK)[number];

/** The series cells of one interval: the additive counts of people and the visit block (with its pair keys). */
type AdditiveCells = Record<Additive, Cell> & Record<Block, Cell> & Record<string, Cell>;

/** The additive values of a scope: counts of people, then the visit block. */
const additiveOf = (m: Measures): Record<string, number> => ({
  registrations: m.registrations,
  firstTimeVisitors: m.firstTimeVisitors,
  ...Object.fromEntries(EVENT_PEOPLE.map((k) => [`events.${k}`, m.events[k]])),
  checkIns: m.checkIns,
  visits: m.visits,
  businessCheckIns: m.businessCheckIns,
  visitHours: m.visitHours,
  newOrganisations: m.newOrganisations,
  pairDays: m.coPresence.pairDays,
  ...Object.fromEntries(Object.entries(m.coPresence.byTypePair).map(([k, v]) => [`pair:${k}`, v])),
  ...Object.fromEntries(Object.entries(m.coPresence.bySectorPair).map(([k, v]) => [`sector:${k}`, v])),
});

/** The visit-block keys of a set of scopes' additive values (the fixed ones and every pair seen). */
const blockKeysOf = (values: Record<string, number>[]) => [...new Set([...BLOCK, ...values.flatMap((v) => Object.keys(v).filter((k) => k.startsWith('pair:') || k.startsWith('sector:')))])].sort();

/** The row cells of a scope: additive counts from the series (already protected, locked), the rest from the row's own measures. */
function rowCells(m: Measures, series: AdditiveCells, byType: Record<string, Cell>): RowCells {
  return {
    m,
    unique: cell(m.uniqueVisitors),
    first: series.firstTimeVisitors,
    returning: cell(m.uniqueVisitors - series.firstTimeVisitors.value),
    members: cells(m.membersByOrgType),
    guests: cells(m.guestsByOrgType),
    registrations: series.registrations,
    registrationsByType: byType,
    publicVisitors: cell(m.remoteWorkers.publicVisitors),
    withMunicipality: cell(m.remoteWorkers.withMunicipality),
    remote: cell(m.remoteWorkers.remote),
    events: Object.fromEntries(EVENT_PEOPLE.map((k) => [k, series[`events.${k}`]])) as Record<EventPeople, Cell>,
    series,
  };
}

/** The breakdowns inside one row that add up to a total and involve counts of people not in a series. */
function rowGroups(c: RowCells): Group[] {
  const rw = c.m.remoteWorkers;
  return [
    { cells: [c.first, c.returning], total: c.unique },
    { cells: [...Object.values(c.members), ...Object.values(c.guests)], total: c.unique },
    // Public-sector visitors in another municipality, and the rest of those with a known one (not published).
    { cells: [c.remote], total: c.withMunicipality, unpublished: [rw.withMunicipality - rw.remote] },
    // Those with a known employer municipality, and those without (not published).
    { cells: [c.withMunicipality], total: c.publicVisitors, unpublished: [rw.publicVisitors - rw.withMunicipality] },
  ];
}

/**
 * The event breakdowns of one interval: attendees from businesses (or other hubs) and the rest
 * add up to the attendees; attendees and those who stayed away add up to the confirmed. The rest
 * is not published, but it is a count of people that must not follow from two shown numbers.
 */
function eventGroups(c: AdditiveCells, wholeRange: boolean): Group[] {
  const {
    'events.attended': attended,
    'events.confirmed': confirmed,
    'events.participantsBusiness': business,
    'events.participantsOtherHubs': otherHubs,
    'events.registrations': registrations,
    'events.registrationsCancelled': cancelled,
    'events.waitlisted': waitlisted,
    'events.promoted': promoted,
  } = c;
  return [
    { cells: [business], total: attended, unpublished: [attended.value - business.value] },
    { cells: [otherHubs], total: attended, unpublished: [attended.value - otherHubs.value] },
    { cells: [attended], total: confirmed, unpublished: [confirmed.value - attended.value] },
    // Registrations made end confirmed, cancelled or still on the waitlist (not published); the waitlisted
    // are promoted or not (not published). With no waitlisted registration cancelled before a seat, which is
    // the common case, registrations + promoted = confirmed + cancelled + waitlisted exactly.
    { cells: [confirmed, cancelled], total: registrations, unpublished: [registrations.value - confirmed.value - cancelled.value] },
    // The five counts make an identity in every interval. Promotions are given for the whole range only; in a
    // period they are withheld, and the relation keeps them from following from the other four there too.
    { cells: [registrations, promoted, confirmed, cancelled, waitlisted] },
    ...(wholeRange ? [{ cells: [promoted], total: waitlisted, unpublished: [waitlisted.value - promoted.value] }] : []),
  ];
}

/**
 * Whether a row's visitors by organisation type would give a hidden one away: the unique visitors are
 * withheld but follow from first-time + returning (both shown; the first-time count is its series' and
 * cannot be withheld for the row), and the type cells then leave one hidden cell, or hidden cells pinned
 * by their bounds (`pinned`). Such a row gives no breakdown by type (as a row of 1–4 visitors).
 */
function typesPinned(c: RowCells): boolean {
  if (!hidden(c.unique) || hidden(c.first) || hidden(c.returning)) return false;
  const typeCells = [...Object.values(c.members), ...Object.values(c.guests)];
  const hiddenCells = typeCells.filter((t) => hidden(t) && t.value > 0);
  const rest = c.first.value + c.returning.value - typeCells.filter((t) => !hidden(t)).reduce((n, t) => n + t.value, 0);
  return hiddenCells.length === 1 || (hiddenCells.length > 1 && pinned(rest, hiddenCells));
}

const shown = (r: Record<string, Cell>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.shown]));

function publish(c: RowCells): PublishedMeasures {
  const { m } = c;
  const shareHidden = typeof c.remote.shown === 'string' || typeof c.withMunicipality.shown === 'string';
  const b = c.series;
  // Distinct organisations and pairs bound the unique visitors too; they are not sums, so they go with the row's unique visitors.
  const distinct = (n: number) => (hidden(c.unique) && n !== 0 ? WITHHELD : n);
  const pairs = (prefix: string) =>
    Object.fromEntries(
      Object.keys(b)
        .filter((k) => k.startsWith(prefix) && (b[k] as Cell).value !== 0)
        .sort()
        .map((k) => [k.slice(prefix.length), (b[k] as Cell).shown as Withheld]),
    );
  return {
    checkIns: b.checkIns.shown as Withheld,
    visits: b.visits.shown as Withheld,
    businessCheckIns: b.businessCheckIns.shown as Withheld,
    organisations: distinct(m.organisations),
    uniqueVisitors: c.unique.shown,
    firstTimeVisitors: c.first.shown,
    returningVisitors: c.returning.shown,
    visitHours: hidden(b.visitHours) ? WITHHELD : round(m.visitHours),
    newOrganisations: b.newOrganisations.shown as Withheld,
    // With 1–4 visitors, the types present would bound them (four types with "<5" each are four people, one each).
    membersByOrgType: c.unique.shown === SMALL || c.typesDropped || typesPinned(c) ? {} : shown(c.members),
    guestsByOrgType: c.unique.shown === SMALL || c.typesDropped || typesPinned(c) ? {} : shown(c.guests),
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
    coPresence: { pairDays: b.pairDays.shown as Withheld, distinctPairs: hidden(b.pairDays) && m.coPresence.distinctPairs !== 0 ? WITHHELD : distinct(m.coPresence.distinctPairs), byTypePair: pairs('pair:'), bySectorPair: pairs('sector:') },
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

/** One interval of the range: every period of every granularity, and the range itself. */
interface Interval {
  key: string;
  start: number;
  end: number;
}

/** A value that must be in a map (an interval of the range, a day of it). */
function must<K, V>(map: Map<K, V>, key: K): V {
  const v = map.get(key);
  if (v === undefined) throw new Error(`No ${String(key)} in the report's range`);
  return v;
}

/** Every interval any `period` can publish for the range, once each (a week that is also a month is one interval). */
function intervalsOf(from: string, to: string): Interval[] {
  const index = new Map(datesBetween(from, to).map((d, i) => [d, i]));
  const out = new Map<string, Interval>();
  for (const b of [...PERIODS.flatMap((p) => bucket(from, to, p)), { from, to }]) {
    const key = `${b.from}..${b.to}`;
    out.set(key, { key, start: must(index, b.from), end: must(index, b.to) + 1 });
  }
  return [...out.values()];
}

/**
 * The additive counts of one hub over every interval, protected as series and by the event
 * breakdowns, until nothing changes. Depends on the hub's own days and the range only: not on
 * the `period` asked nor on the other hubs, so every report of the range shows the same cells.
 */
function protectHub(days: Record<string, number>[], intervals: Interval[], range: string, measuresAt: (iv: Interval) => Measures, typesDropped: Set<string>): Map<string, AdditiveCells> {
  const block = blockKeysOf(days);
  const sum = (iv: Interval, k: string) => days.slice(iv.start, iv.end).reduce((n, d) => n + (d[k] ?? 0), 0);
  const out = new Map<string, AdditiveCells>();
  for (const iv of intervals) {
    const people = ADDITIVE.map((k) => [k, cell(sum(iv, k))]);
    const visits = block.map((k) => [k, plain(sum(iv, k))]);
    const c = Object.fromEntries([...people, ...visits]) as AdditiveCells;
    // Promotions from the waitlist are given for the whole range only (docs/reporting.md, "Event identities").
    if (iv.key !== range) Object.assign(c['events.promoted'], { shown: WITHHELD, anyValue: true });
    out.set(iv.key, c);
  }
  const keys = [...ADDITIVE, ...block];
  const series = keys.map((k) => intervals.map((iv): IntervalCell => ({ start: iv.start, end: iv.end, cell: must(out, iv.key)[k] as Cell })));
  const groups = [...out].flatMap(([key, c]) => eventGroups(c, key === range));
  const hiddenCount = () => [...out.values()].reduce((n, c) => n + keys.filter((k) => hidden(c[k] as Cell)).length, 0);
  for (let changed = true; changed; ) {
    const before = hiddenCount();
    for (const s of series) protectSeries(s);
    secondary(groups);
    // The visit block goes where the unique visitors cannot be shown: when they are 1–4, or when they equal
    // the first-time visitors (none returning) and those are hidden by their series.
    for (const iv of intervals) {
      const c = must(out, iv.key);
      const m = measuresAt(iv);
      const unique = m.uniqueVisitors;
      if (small(unique) || (unique > 0 && hidden(c.firstTimeVisitors) && c.firstTimeVisitors.value === unique) || uniqueWithheldInRow(m, c)) for (const k of block) withhold(c[k] as Cell);
      // Pairs of a type bound the organisations, so the people, of that type (five agency×agency pairs need four agencies;
      // public×public pairs, the public-sector visitors): the pairs of a type or sector with 1–4 people go.
      const people: Record<string, number> = {};
      for (const [t, n] of [...Object.entries(m.membersByOrgType), ...Object.entries(m.guestsByOrgType)]) {
        people[t] = (people[t] ?? 0) + n;
        people[sectorOf(t)] = (people[sectorOf(t)] ?? 0) + n;
      }
      people.public = m.remoteWorkers.publicVisitors;
      const smallMember = (k: string) => k.split('×').some((part) => small(people[part] ?? 0) || small(m.membersByOrgType[part] ?? 0) || small(m.guestsByOrgType[part] ?? 0));
      const pairKeys = block.filter((k) => (k.startsWith('pair:') || k.startsWith('sector:')) && smallMember(k.slice(k.indexOf(':') + 1)));
      for (const k of pairKeys) withhold(c[k] as Cell);
      // The pair-days are the sum of the type pairs: one withheld pair would follow from them.
      for (const prefix of ['pair:', 'sector:']) if (block.filter((k) => k.startsWith(prefix) && hidden(c[k] as Cell) && (c[k] as Cell).value > 0).length === 1) withhold(c.pairDays);
    }
    // Bounds over several levels and across the event counts (docs/reporting.md, "Bounds over several levels"):
    // what a linear program can pin, withheld one number at a time, then the rules above again.
    if (hiddenCount() === before) {
      try {
        const audit = boundsOf(intervals, days, out, measuresAt, typesDropped);
        while (audit.protect() > 0);
      } catch (err) {
        // Bounds that contradict the truth mean an assumption of the audit is wrong for these data: publish
        // none of the hub's counts of people rather than something the audit could not check (and say so).
        console.error(JSON.stringify({ level: 'error', message: 'Interval audit failed; counts of people withheld', error: String(err) }));
        for (const c of out.values()) for (const k of ADDITIVE) withhold(c[k] as Cell);
      }
    }
    changed = hiddenCount() !== before;
  }
  for (const c of out.values()) for (const k of keys) (c[k] as Cell).locked = true;
  return out;
}

const e = (k: EventPeople) => `events.${k}` as const;
const term = (k: string, coefficient: 1 | -1) => ({ series: k, coefficient });

/**
 * The interval audit of a hub's counts of people (functions/reporting/bounds.ts): the series with their
 * relations in every interval, as the attacker's model has them. Those waitlisted and cancelled before a
 * seat (waitlisted − promoted − still waitlisted) are taken as known, as the audit's attacker is told them.
 * A row's unique visitors and returning visitors (as primary suppression shows them, which is the most a
 * row can show) bound its first-time visitors.
 */
function boundsOf(intervals: Interval[], daysValues: Record<string, number>[], out: Map<string, AdditiveCells>, measuresAt: (iv: Interval) => Measures, typesDropped: Set<string>): SeriesBounds {
  const series = new Map<string, Cell[]>(ADDITIVE.map((k) => [k, intervals.map((iv) => must(out, iv.key)[k] as Cell)]));
  // Per day, then as sums over any run of days.
  const perDay = daysValues.map((d) => {
    const v = (k: EventPeople) => d[e(k)] ?? 0;
    return v('waitlisted') - v('promoted') - (v('registrations') - v('confirmed') - v('registrationsCancelled'));
  });
  const before = [0];
  for (const n of perDay) before.push((before[before.length - 1] as number) + n);
  const cancelledOnWaitlist = (start: number, end: number) => (before[end] as number) - (before[start] as number);
  const zero = () => 0;
  const relations: Relation[] = [
    { terms: [term(e('participantsOtherHubs'), 1), term(e('attended'), -1)], kind: '<=', constant: zero },
    { terms: [term(e('participantsBusiness'), 1), term(e('attended'), -1)], kind: '<=', constant: zero },
    { terms: [term(e('attended'), 1), term(e('confirmed'), -1)], kind: '<=', constant: zero },
    { terms: [term(e('confirmed'), 1), term(e('registrationsCancelled'), 1), term(e('registrations'), -1)], kind: '<=', constant: zero },
    { terms: [term(e('waitlisted'), 1), term(e('registrations'), -1)], kind: '<=', constant: zero },
    { terms: [term(e('promoted'), 1), term(e('waitlisted'), -1)], kind: '<=', constant: (a, b) => -cancelledOnWaitlist(a, b) },
    { terms: [term(e('registrationsCancelled'), -1)], kind: '<=', constant: (a, b) => -cancelledOnWaitlist(a, b) },
    {
      terms: [term(e('registrations'), 1), term(e('promoted'), 1), term(e('confirmed'), -1), term(e('registrationsCancelled'), -1), term(e('waitlisted'), -1)],
      kind: '=',
      constant: (a, b) => -cancelledOnWaitlist(a, b),
    },
  ];
  // Each relation over the runs of days where it holds on every day (true data has exceptions; see Relation.holds).
  for (const r of relations) {
    const failing = [0];
    daysValues.forEach((d, i) => {
      const sum = r.terms.reduce((n, t) => n + t.coefficient * (d[t.series] ?? 0), 0);
      const k = r.constant(i, i + 1);
      failing.push((failing[i] as number) + ((r.kind === '=' ? sum === k : sum <= k) ? 0 : 1));
    });
    r.holds = (start, end) => failing[end] === failing[start];
  }
  // A row's unique visitors minus its returning ones (as primary suppression shows them, the most a row can show),
  // the unique visitors also at least and at most what the row's types add up to where the row gives them.
  const shownBounds = (c: Cell): [number, number] => (typeof c.shown === 'number' ? [c.shown, c.shown] : c.shown === SMALL ? [1, 4] : [0, Number.POSITIVE_INFINITY]);
  const typesGiven = (iv: Interval, m: Measures) => !typesDropped.has(iv.key) && !small(m.uniqueVisitors);
  const first = () => {
    const out = new Map<number, [number, number]>();
    intervals.forEach((iv, i) => {
      const m = measuresAt(iv);
      let [ulo, uhi] = shownBounds(cell(m.uniqueVisitors));
      if (typesGiven(iv, m)) {
        const types = [...Object.values(m.membersByOrgType), ...Object.values(m.guestsByOrgType)].filter((n) => n > 0).map((n) => shownBounds(cell(n)));
        ulo = Math.max(ulo, types.reduce((n, [lo]) => n + lo, 0));
        uhi = Math.min(uhi, types.reduce((n, [, hi]) => n + hi, 0));
      }
      const [rlo, rhi] = shownBounds(cell(m.returningVisitors));
      out.set(i, [Math.max(0, ulo - rhi), uhi - rlo]);
    });
    return out;
  };
  let firstBounds = first();
  // A first-time count pinned through the rows' bounds with nothing left to withhold in its series: those rows give
  // no breakdown by type (the types bound the unique visitors from below).
  const onStuck = (_: string, spans: number[]) => {
    const rows = spans.map((i) => intervals[i] as Interval).filter((iv) => typesGiven(iv, measuresAt(iv)));
    for (const iv of rows) typesDropped.add(iv.key);
    if (rows.length > 0) firstBounds = first();
    return rows.length > 0;
  };
  return new SeriesBounds(intervals, daysValues.length, series, relations, (k) => (k === 'firstTimeVisitors' ? firstBounds : undefined), new Map([[e('promoted'), [e('waitlisted')]]]), new Set(), onStuck);
}

/**
 * Whether the row of an interval will withhold its unique visitors (its own breakdowns, with the series
 * cells as they stand and locked, as they will be when the row is built): decided here, for every
 * interval, so that the visit block goes with them in every report alike and its series is protected.
 */
function uniqueWithheldInRow(m: Measures, series: AdditiveCells): boolean {
  const copy = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, { ...v, locked: true }])) as AdditiveCells;
  const row = rowCells(m, copy, {});
  secondary(rowGroups(row));
  return hidden(row.unique);
}

/** A count that is not of people: shown as it is unless withheld. */
const plain = (value: number): Cell => ({ value, shown: value });
const small = (n: number) => n > 0 && n < 5;
/** Withholds a shown non-zero cell. */
function withhold(c: Cell): void {
  if (!hidden(c) && c.value !== 0) c.shown = WITHHELD;
}

/**
 * A network cell from its hubs' cells: its value, shown only when every hub's cell is (a sum of shown cells
 * reveals nothing more). A sum of 1–4 is `"<5"` only where it is one hub's `"<5"` (every other hub shows 0):
 * otherwise "at most 4 in all" would bound the hubs' hidden counts against each other (or a hub's `".."`),
 * which their own protection does not see, so it is `".."`.
 */
function sumOfHubs(hubCells: Cell[], make: (n: number) => Cell = cell): Cell {
  const value = hubCells.reduce((n, c) => n + c.value, 0);
  const c = make(value);
  if (typeof c.shown === 'number' && hubCells.some((h) => typeof h.shown === 'string')) c.shown = WITHHELD;
  if (c.shown === SMALL && !(hubCells.filter((h) => h.shown !== 0).length === 1 && hubCells.some((h) => h.shown === SMALL))) Object.assign(c, { shown: WITHHELD, anyValue: true });
  return { ...c, locked: true };
}

/** Registrations by organisation type, published in the total rows only (docs/reporting.md): a hub's, with its total kept as it is. */
function typesOfHub(byType: Record<string, number>, total: Cell): Record<string, Cell> {
  const types = cells(byType);
  secondary([{ cells: Object.values(types), total }]);
  return types;
}

/**
 * Builds the report of the selected hubs over a range, by period, from a projection's facts.
 * What is withheld depends on the range and each hub's own facts, never on the `period` asked
 * or on the other hubs selected (docs/reporting.md, "Small-number suppression").
 */
export async function buildReport(source: FactSource, hubs: HubConfig[], q: { from: string; to: string; period: Period }): Promise<Report> {
  const buckets = bucket(q.from, q.to, q.period);
  const allDates = buckets.flatMap((b) => b.dates);
  const intervals = intervalsOf(q.from, q.to);
  const keyOf = (b: { from: string; to: string }) => `${b.from}..${b.to}`;
  const totalKey = keyOf(q);
  const loaded = await Promise.all(
    hubs.map(async (hub) => ({ hub, facts: await source.hubDays(hub.id, q.from, q.to), presences: await source.presences(hub.id), events: eventsByDate(await source.hubEvents(hub.id)) })),
  );
  const inputs = (dates: string[], only?: HubConfig) =>
    loaded
      .filter((l) => !only || l.hub.id === only.id)
      .flatMap((l) => dates.map((date): HubDayInput => ({ hub: l.hub, date, facts: l.facts.get(date), presences: l.presences, hubEvents: l.events.get(date) })));

  const groups: Group[] = [];
  const rows: RowCells[] = [];
  const row = (m: Measures, series: AdditiveCells, byType: Record<string, Cell>) => {
    const c = rowCells(m, series, byType);
    groups.push(...rowGroups(c));
    rows.push(c);
    return c;
  };
  // The measures of a hub over an interval of the range, each computed once.
  const measured = new Map<string, Measures>();
  const measuresOf = (hub: HubConfig, dates: string[]) => {
    const key = `${hub.id}/${dates[0]}..${dates[dates.length - 1]}`;
    let m = measured.get(key);
    if (!m) {
      m = summarise(inputs(dates, hub));
      measured.set(key, m);
    }
    return m;
  };

  const hubRows = loaded.map(({ hub, facts }) => {
    // The additive counts of every interval of the range, decided before the rows the period asks for.
    const typesDropped = new Set<string>();
    const series = protectHub(
      allDates.map((date) => additiveOf(measuresOf(hub, [date]))),
      intervals,
      totalKey,
      (iv) => measuresOf(hub, allDates.slice(iv.start, iv.end)),
      typesDropped,
    );
    const dropTypes = (c: RowCells, key: string) => Object.assign(c, { typesDropped: typesDropped.has(key) });
    const periods = buckets.map((b) => ({ b, c: dropTypes(row(measuresOf(hub, b.dates), must(series, keyOf(b)), {}), keyOf(b)) }));
    const totalMeasures = measuresOf(hub, allDates);
    const totalSeries = must(series, totalKey);
    const total = dropTypes(row(totalMeasures, totalSeries, typesOfHub(totalMeasures.registrationsByOrgType, totalSeries.registrations)), totalKey);
    const days = [...facts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, f]: [string, DayFacts]) => {
        const m = summarise([{ hub, date, facts: f }]);
        return { date, checkIns: m.checkIns, organisations: m.organisations, businessCheckIns: m.businessCheckIns };
      })
      .filter((d) => d.checkIns > 0);
    return { hub, series, periods, total, days };
  });

  // The network: one hub's report shows that hub's cells; otherwise a count that adds up over hubs is
  // shown only when every hub's cell is (so it reveals nothing the hubs' cells do not), and first-time
  // visitors (a person first-time at two hubs counts once) are the network's own.
  const networkRow = (b: { from: string; to: string; dates: string[] }, hubCells: AdditiveCells[], byType: Record<string, Cell>) => {
    const m = summarise(inputs(b.dates));
    const block = [...new Set(hubCells.flatMap((h) => Object.keys(h).filter((k) => !(ADDITIVE as readonly string[]).includes(k))))];
    const sums = Object.fromEntries([
      ...ADDITIVE.map((k) => [k, sumOfHubs(hubCells.map((h) => h[k]))]),
      ...block.map((k) => [k, sumOfHubs(hubCells.map((h) => h[k] ?? plain(0)), plain)]),
    ]) as AdditiveCells;
    sums.firstTimeVisitors = cell(m.firstTimeVisitors);
    return row(m, sums, byType);
  };
  const single = hubRows.length === 1 ? hubRows[0] : undefined;
  const networkPeriods = single ? single.periods : buckets.map((b) => ({ b, c: networkRow(b, hubRows.map((h) => must(h.series, keyOf(b))), {}) }));
  const networkTypes = () => {
    const all = new Set(hubRows.flatMap((h) => Object.keys(h.total.registrationsByType)));
    return Object.fromEntries([...all].map((t) => [t, sumOfHubs(hubRows.map((h) => h.total.registrationsByType[t] ?? cell(0)))]));
  };
  const networkTotal = single ? single.total : networkRow({ ...q, dates: allDates }, hubRows.map((h) => must(h.series, totalKey)), networkTypes());
  secondary(groups);
  // A row whose unique visitors the rows' own breakdowns withheld, where the series did not foresee it (the
  // network's, whose unique visitors are its own): its visit block goes too.
  for (const c of rows) if (hidden(c.unique)) for (const [k, v] of Object.entries(c.series)) if (!(ADDITIVE as readonly string[]).includes(k)) withhold(v);

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
