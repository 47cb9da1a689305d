import { HubEventKind } from '../../events/catalog.ts';
import type { PublishedMeasures, Report } from './report.ts';

/** Organisation types in the order the CSV lists them. */
const TYPES = ['state-agency', 'municipality', 'region', 'county-board', 'public-company', 'university', 'business', 'other'];
/** Hub event kinds, in catalog order. */
const EVENT_KINDS = HubEventKind.options;
const SECTOR_PAIRS = ['public×public', 'business×public', 'other×public', 'business×business', 'business×other', 'other×other'];

/** Excel with Swedish settings: semicolon between fields, decimal comma. */
const decimal = (n: number | null | string) => (n === null ? '' : typeof n === 'number' ? String(n).replace('.', ',') : n);
const value = (n: number | string | null | undefined) => (n === undefined || n === null ? '' : decimal(n));

/** One CSV column: Swedish / English header and the value of a row. */
const COLUMNS: [string, (m: PublishedMeasures) => string | number][] = [
  ['Incheckningar / Check-ins', (m) => value(m.checkIns)],
  ['Besök / Visits', (m) => value(m.visits)],
  ['Unika besökare / Unique visitors', (m) => value(m.uniqueVisitors)],
  ['Förstagångsbesökare / First-time visitors', (m) => value(m.firstTimeVisitors)],
  ['Återkommande besökare / Returning visitors', (m) => value(m.returningVisitors)],
  ['Besökstimmar / Visit hours', (m) => decimal(m.visitHours)],
  ['Organisationer / Organisations', (m) => value(m.organisations)],
  ['Nya organisationer / New organisations', (m) => value(m.newOrganisations)],
  ['Incheckningar från näringslivet / Business check-ins', (m) => value(m.businessCheckIns)],
  ['Nya medlemmar / Registrations', (m) => value(m.registrations)],
  ['Bokningar / Bookings made', (m) => m.bookings.made],
  ['Avbokade / Cancelled', (m) => m.bookings.cancelled],
  ['Uteblivna / No-shows', (m) => m.bookings.noShows],
  ['Platsbeläggning / Desk utilisation', (m) => value(m.utilisation.desk)],
  ['Rumsbeläggning / Room utilisation', (m) => value(m.utilisation.room)],
  ['Bokade platstimmar / Desk hours booked', (m) => decimal(m.utilisation.deskHoursBooked)],
  ['Bokade rumstimmar / Room hours booked', (m) => decimal(m.utilisation.roomHoursBooked)],
  ['Myndighetsnärvaro timmar / Agency presence hours', (m) => decimal(Math.round(Object.values(m.agencyPresenceHours).reduce((a, b) => a + b, 0) * 10) / 10)],
  ['Organisationspar samtidigt på plats (par-dagar) / Co-present organisation pairs (pair-days)', (m) => value(m.coPresence.pairDays)],
  ['Olika organisationspar / Distinct organisation pairs', (m) => value(m.coPresence.distinctPairs)],
  ...SECTOR_PAIRS.map((p): [string, (m: PublishedMeasures) => string | number] => [`Par ${p} / Pairs ${p}`, (m) => value(m.coPresence.bySectorPair[p] ?? 0)]),
  ['Offentligt anställda besökare / Public-sector visitors', (m) => value(m.remoteWorkers.publicVisitors)],
  ['Med känd arbetsgivarkommun / With known employer municipality', (m) => value(m.remoteWorkers.withMunicipality)],
  ['Distansarbetande (annan kommun) / Remote public workers', (m) => value(m.remoteWorkers.remote)],
  ['Andel distansarbetande / Share of remote public workers', (m) => value(m.remoteWorkers.share)],
  ['Evenemang genomförda / Events held', (m) => m.events.held],
  ...EVENT_KINDS.map((k): [string, (m: PublishedMeasures) => number] => [`Evenemang ${k} / Events ${k}`, (m) => m.events.heldByKind[k] ?? 0]),
  ['Inställda evenemang / Events cancelled', (m) => m.events.cancelled],
  ['Anmälningar / Event registrations', (m) => value(m.events.registrations)],
  ['Avanmälningar / Registrations cancelled', (m) => value(m.events.registrationsCancelled)],
  ['Väntelista / Waitlisted', (m) => value(m.events.waitlisted)],
  ['Fick plats från väntelistan / Promoted from the waitlist', (m) => value(m.events.promoted)],
  ['Bekräftade anmälningar / Confirmed registrations', (m) => value(m.events.confirmed)],
  ['Deltagare / Attended', (m) => value(m.events.attended)],
  ['Närvarograd / Attendance rate', (m) => value(m.events.attendanceRate)],
  ['Deltagare från näringslivet / Participants from business', (m) => value(m.events.participantsBusiness)],
  ['Deltagare från andra hubbar / Participants from other hubs', (m) => value(m.events.participantsOtherHubs)],
  ...TYPES.map((t): [string, (m: PublishedMeasures) => string | number] => [`Medlemmar ${t} / Members ${t}`, (m) => visitorsOfType(m, m.membersByOrgType, t)]),
  ...TYPES.map((t): [string, (m: PublishedMeasures) => string | number] => [`Gäster ${t} / Guests ${t}`, (m) => visitorsOfType(m, m.guestsByOrgType, t)]),
  ...TYPES.map((t): [string, (m: PublishedMeasures) => string | number] => [`Nya medlemmar ${t} / Registrations ${t}`, (m) => registrationsOfType(m, t)]),
];

/** Visitors of one organisation type: not given (`..`) in a row with "<5" unique visitors (docs/reporting.md, "Bounds"). */
const visitorsOfType = (m: PublishedMeasures, byType: Record<string, string | number>, type: string) => (m.uniqueVisitors === '<5' ? '..' : value(byType[type] ?? 0));

/**
 * New members of one organisation type: given in the total rows (docs/reporting.md, "Small-number
 * suppression"); a period row with registrations has none by type, shown as ".." (not given).
 */
function registrationsOfType(m: PublishedMeasures, type: string): string | number {
  const byType = m.registrationsByOrgType;
  if (Object.keys(byType).length === 0) return m.registrations === 0 ? 0 : '..';
  return value(byType[type] ?? 0);
}

/**
 * Co-presence by pair of organisation types: one column per pair present anywhere in the report
 * (sorted, after the fixed columns), pair-days in that row's hub and period, 0 where there were none.
 */
function typePairColumns(report: Report): [string, (m: PublishedMeasures) => string | number][] {
  const pairs = new Set<string>();
  for (const m of measuresOf(report)) for (const [pair, n] of Object.entries(m.coPresence.byTypePair)) if (n !== 0) pairs.add(pair);
  return [...pairs].sort().map((pair) => [`Par ${pair} (par-dagar) / Pairs ${pair} (pair-days)`, (m) => value(m.coPresence.byTypePair[pair] ?? 0)]);
}

/** Every row's measures: hubs' periods and totals, the network's periods and total. */
const measuresOf = (report: Report) => [...report.hubs.flatMap((h) => [...h.periods.map((p) => p.measures), h.total]), ...report.network.periods.map((p) => p.measures), report.network.total];

const hours = (n: number) => decimal(Math.round(n * 10) / 10);

/**
 * Agency presence per organisation: after the fixed columns, one column per organisation with
 * scheduled presence anywhere in the report (sorted by id, so the same report gives the same
 * columns), hours in that row's hub and period, 0 where it had none. The projection knows an
 * organisation by its id at its hub (the events carry no name); the total column stays.
 */
function presenceColumns(report: Report): [string, (m: PublishedMeasures) => string | number][] {
  const ids = new Set<string>();
  for (const m of measuresOf(report)) for (const [id, h] of Object.entries(m.agencyPresenceHours)) if (h > 0) ids.add(id);
  return [...ids].sort().map((id) => [`Myndighetsnärvaro timmar ${id} / Agency presence hours ${id}`, (m) => hours(m.agencyPresenceHours[id] ?? 0)]);
}

/** Quotes a field per RFC 4180 when it holds the separator, a quote or a line break. */
export function field(v: string | number): string {
  const s = String(v);
  return /[;"\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * The report as CSV for Excel with Swedish settings: RFC 4180 (CRLF line ends, quoted fields
 * where needed), UTF-8 with a byte order mark so Excel reads å, ä, ö, semicolons between fields
 * and decimal commas, as Excel expects where the decimal separator is a comma. One row per hub
 * and period, then the network's rows and totals; after the fixed columns come co-presence per
 * pair of organisation types (typePairColumns), then agency presence per organisation
 * (presenceColumns).
 */
export function reportCsv(report: Report): string {
  const columns = [...COLUMNS, ...typePairColumns(report), ...presenceColumns(report)];
  const header = ['Hubb / Hub', 'Namn / Name', 'Period', 'Från / From', 'Till / To', ...columns.map(([h]) => h)];
  const rows: (string | number)[][] = [];
  const add = (hubId: string, name: string, period: string, from: string, to: string, m: PublishedMeasures) => rows.push([hubId, name, period, from, to, ...columns.map(([, f]) => f(m))]);
  for (const h of report.hubs) {
    for (const p of h.periods) add(h.hubId, h.name, p.period, p.from, p.to, p.measures);
    add(h.hubId, h.name, 'total', report.from, report.to, h.total);
  }
  for (const p of report.network.periods) add('network', 'Nätverket / The network', p.period, p.from, p.to, p.measures);
  add('network', 'Nätverket / The network', 'total', report.from, report.to, report.network.total);
  return `\uFEFF${[header, ...rows].map((r) => r.map(field).join(';')).join('\r\n')}\r\n`;
}
