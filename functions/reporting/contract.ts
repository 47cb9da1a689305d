import * as z from 'zod';
import { HUB_ID_MESSAGE, HUB_ID_PATTERN, HubId } from '../../hubs/schema.ts';
import { PERIODS } from './periods.ts';

/**
 * A repeated parameter arrives joined by commas (API Gateway's payload 2.0): name it as repeated
 * rather than as an unknown value ("week,month" is no period). Other failures keep their message.
 */
const repeated = (name: string) => (issue: { input?: unknown }) =>
  typeof issue.input === 'string' && issue.input.includes(',') ? `"${name}" was given more than once (or with a comma): give it once` : undefined;

/**
 * A report date: ISO, and within 2000–2099 (a date of year 9999 made the report walk millennia
 * of days and time out: a 502 instead of a 400).
 */
const reportDate = (name: string) =>
  z.iso
    .date({ error: (issue) => repeated(name)(issue) ?? 'Use a date that exists, as YYYY-MM-DD' })
    .refine((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d) || (d >= '2000-01-01' && d <= '2099-12-31'), 'A date from 2000-01-01 to 2099-12-31');

/** A date that passed `reportDate` (the range checks below run even when a date did not: say nothing then). */
const valid = (d: string | undefined): d is string =>
  !!d && /^\d{4}-\d{2}-\d{2}$/.test(d) && d >= '2000-01-01' && d <= '2099-12-31' && !Number.isNaN(Date.parse(d)) && new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d; // 2026-13-01 and 2026-02-30 are no dates

/** Days from one date to another, both included. */
const daysIncluded = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000 + 1;

/**
 * One hub per report. A repeated `hub` arrives joined by commas (API Gateway's payload 2.0): say so,
 * rather than that "umea,lulea" is not a hub id.
 */
const OneHub = z
  .string()
  .regex(/^[^,]*$/, { message: 'One hub per report: "hub" was given more than once (or with a comma); leave it out to get every hub you may see', abort: true })
  .regex(HUB_ID_PATTERN, HUB_ID_MESSAGE);

/** `GET /api/national/reports` query: the last 30 days when `from`/`to` are left out. */
export const ReportQuery = z
  .object({
    from: reportDate('from').optional().describe('First day (YYYY-MM-DD, Stockholm). Left out: 29 days before `to`, or before today'),
    to: reportDate('to').optional().describe('Last day, included. Left out: 29 days after `from`, or today when `from` is left out too'),
    hub: OneHub.optional().describe('One hub; left out: every hub the caller may see'),
    period: z.enum(PERIODS, { error: repeated('period') }).default('day'),
    format: z.enum(['json', 'csv'], { error: repeated('format') }).default('json'),
  })
  // Not strict: the first version ignored unknown parameters, and the contract only grows.
  .refine((q) => !valid(q.from) || !valid(q.to) || q.from <= q.to, { path: ['to'], message: '"to" must not be before "from"' })
  .refine((q) => !valid(q.from) || !valid(q.to) || daysIncluded(q.from, q.to) <= 366, { path: ['to'], message: 'At most 366 days per report, both ends included' });

/** `GET /api/national/reports/view` query. */
export const ReportViewQuery = z
  .object({
    from: reportDate('from').optional().describe('First day (YYYY-MM-DD, Stockholm). Left out: 29 days before `to`, or before today'),
    to: reportDate('to').optional().describe('Last day, included. Left out: 29 days after `from`, or today when `from` is left out too'),
    hub: OneHub.optional().describe('One hub; left out: every hub the caller may see'),
    period: z.enum(PERIODS, { error: repeated('period') }).default('week'),
    // The page is HTML only; the CSV is the JSON report's `format=csv`. Asking the page for CSV is a 400 that says so.
    format: z.literal('html', { message: 'The report page is HTML only: for CSV use GET /api/national/reports?format=csv' }).optional(),
  })
  .refine((q) => !valid(q.from) || !valid(q.to) || q.from <= q.to, { path: ['to'], message: '"to" must not be before "from"' })
  .refine((q) => !valid(q.from) || !valid(q.to) || daysIncluded(q.from, q.to) <= 366, { path: ['to'], message: 'At most 366 days per report, both ends included' });

/**
 * A published count of people: a number, "<5" (1–4 people) or ".." (withheld: it would let a "<5" be worked
 * out, by subtraction or by bounds over several levels; docs/reporting.md).
 */
export const PublishedCount = z
  .union([z.number().int(), z.enum(['<5', '..'])])
  .describe('A count of people: a number; "<5" for 1–4 people; ".." withheld (usually 5 or more, withheld so that no "<5" can be worked out by subtraction or by bounds over several levels; where bounds alone would pin a hidden count it may stand for 1–4 too). docs/reporting.md');
const Counts = z.record(z.string(), PublishedCount);
/**
 * A count of visits, organisations, pairs or hours: a number, or ".." where the row's unique visitors
 * are not shown (these counts bound them; docs/reporting.md, "Bounds").
 */
export const WithheldCount = z.union([z.number(), z.literal('..')]).describe('A count of visits, organisations, pairs or hours: a number, or ".." where the row\'s unique visitors are not shown (these counts bound them). docs/reporting.md');

/** Every measure of a hub or the network over a period (docs/reporting.md). */
export const PublishedMeasures = z.object({
  checkIns: WithheldCount,
  visits: WithheldCount,
  businessCheckIns: WithheldCount,
  organisations: WithheldCount,
  uniqueVisitors: PublishedCount,
  firstTimeVisitors: PublishedCount,
  returningVisitors: PublishedCount,
  visitHours: WithheldCount,
  newOrganisations: WithheldCount,
  membersByOrgType: Counts,
  guestsByOrgType: Counts,
  registrations: PublishedCount,
  registrationsByOrgType: Counts,
  bookings: z.object({ made: z.number().int(), cancelled: z.number().int(), noShows: z.number().int() }),
  utilisation: z.object({
    deskHoursBooked: z.number(),
    deskHoursAvailable: z.number(),
    desk: z.number().nullable(),
    roomHoursBooked: z.number(),
    roomHoursAvailable: z.number(),
    room: z.number().nullable(),
  }),
  agencyPresenceHours: z.record(z.string(), z.number()),
  coPresence: z.object({ pairDays: WithheldCount, distinctPairs: WithheldCount, byTypePair: z.record(z.string(), WithheldCount), bySectorPair: z.record(z.string(), WithheldCount) }),
  remoteWorkers: z.object({ publicVisitors: PublishedCount, withMunicipality: PublishedCount, remote: PublishedCount, share: z.union([z.number(), z.null(), z.literal('..')]) }),
  events: z.object({
    held: z.number().int(),
    heldByKind: z.record(z.string(), z.number().int()),
    cancelled: z.number().int(),
    registrations: PublishedCount,
    registrationsCancelled: PublishedCount,
    waitlisted: PublishedCount,
    promoted: PublishedCount,
    confirmed: PublishedCount,
    attended: PublishedCount,
    attendanceRate: z.union([z.number(), z.null(), z.literal('..')]),
    participantsBusiness: PublishedCount,
    participantsOtherHubs: PublishedCount,
  }),
});

const PeriodRow = z.object({ period: z.string(), from: z.string(), to: z.string(), measures: PublishedMeasures });

/** The national roll-up (the fields before `period` are the first version's, kept as they were). */
export const ReportResponse = z.object({
  from: z.string(),
  to: z.string(),
  hubs: z.array(
    z.object({
      hubId: HubId,
      name: z.string(),
      checkIns: z.number().int(),
      /** Check-ins of people from businesses: the business participation the seed asks to follow. */
      businessCheckIns: z.number().int(),
      days: z.array(z.object({ date: z.string(), checkIns: z.number().int(), organisations: z.number().int(), businessCheckIns: z.number().int() })),
      periods: z.array(PeriodRow),
      total: PublishedMeasures,
    }),
  ),
  totals: z.object({ checkIns: z.number().int(), businessCheckIns: z.number().int() }),
  period: z.enum(PERIODS),
  network: z.object({ periods: z.array(PeriodRow), total: PublishedMeasures }),
});
