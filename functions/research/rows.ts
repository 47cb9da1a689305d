/**
 * The research datasets' row schemas: the one source of truth for the consumer that writes the
 * rows, the codebook, and the Glue/Parquet schema. Each column says what it means and which
 * event it comes from (`describe`), and its type is a plain scalar (string, integer, boolean),
 * so that it maps to Parquet and Glue one to one.
 *
 * No column holds a name, an e-mail, a member code, free text or an exact timestamp: people
 * are pseudonyms (`HMAC-SHA256(study key, member id)`), times are a date, a month, a week, a
 * time band or a duration in 15-minute steps.
 */
import * as z from 'zod';
import { OrganisationType } from '../../events/catalog.ts';
import type { Dataset } from '../../studies/schema.ts';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
/** A person in a study: the study's keyed pseudonym of the member id. */
const person = (what = 'The member') => hex64.describe(`${what}: HMAC-SHA256(study key, member id), hex. The same person has the same pseudonym in every table of one study and a different one in every other study.`);
const rowId = hex64.describe('A unique id of the row (keyed hash of the event id and table): a redelivered event gives the same id, so duplicates can be dropped.');
const month = z.string().regex(/^\d{4}-\d{2}$/).describe('The month of `date`, YYYY-MM (the partition).');
const date = (of: string) => z.iso.date().describe(`The hub-local date of ${of}, YYYY-MM-DD (Europe/Stockholm).`);
const hub = z.string().describe('The hub id (`hubs/<id>.json`).');
const county = z.string().describe("The hub's county (län), from the hub file.");
const organisationType = OrganisationType.or(z.literal('unknown')).describe("The member's organisation type (`state-agency`, `municipality`, `region`, `county-board`, `public-company`, `university`, `business`, `other`; `unknown` when the consumer had not seen it).");

/** Hub-local time bands of a check-in. */
export const TimeBand = z.enum(['before-09', '09-12', '12-15', '15-18', 'after-18']);

/** One row per visit of a participating member, written when the visit ends. */
export const VisitRow = z
  .object({
    row_id: rowId,
    person: person(),
    hub,
    county,
    date: date('the visit'),
    month,
    time_band: TimeBand.describe('When the member checked in, hub-local: before-09, 09-12, 12-15, 15-18, after-18.'),
    duration_minutes: z.number().int().min(0).describe('The length of the visit rounded to the nearest 15 minutes (0, 15, 30, …).'),
    organisation_type: organisationType,
    membership: z.enum(['member', 'guest', 'business-partner', 'unknown']).describe('The membership (`member`, `guest`, `business-partner`).'),
    remote_worker: z
      .boolean()
      .nullable()
      .describe("A public employee whose employer's municipality differs from the hub's municipality (true), the same (false), or unknown (null: no employer municipality, not public sector, or the hub has no municipality code)."),
    auto_closed: z.boolean().describe('The visit was closed by the closing-time job, not checked out (its duration is then up to closing time).'),
  })
  .strict()
  .meta({ sourceEvents: ['CheckedIn', 'CheckedOut'] });

/** One row per booking fact of a participating member: made, cancelled, released as a no-show. */
export const BookingRow = z
  .object({
    row_id: rowId,
    person: person(),
    booking: hex64.describe('The booking: a keyed hash of its id, to link its cancellation or no-show to the booking.'),
    hub,
    county,
    date: date('the booked slot'),
    month,
    resource_type: z.enum(['desk', 'desk-pool', 'room', 'event-space', 'unknown']).describe('What was booked.'),
    status: z.enum(['booked', 'cancelled', 'no-show']).describe('`booked` (BookingCreated), `cancelled` (BookingCancelled), `no-show` (BookingNoShowReleased: not checked in within the grace time).'),
    lead_days: z.number().int().nullable().describe('Days from the day the booking was made to the booked day (rows with status `booked`; null otherwise).'),
  })
  .strict()
  .meta({ sourceEvents: ['BookingCreated', 'BookingCancelled', 'BookingNoShowReleased'] });

/** One row per event-participation fact of a participating member. */
export const EventParticipationRow = z
  .object({
    row_id: rowId,
    person: person(),
    event: hex64.describe('The hub event: a keyed hash of its id, to group the rows of one event.'),
    hub,
    county,
    date: date('the registration, cancellation or attendance'),
    month,
    kind: z.string().describe('The event kind: workshop, training, network-meeting, business-joint, agency-office-hours, other.'),
    action: z.enum(['registered', 'waitlisted', 'cancelled', 'attended']).describe('What happened (EventRegistrationCreated confirmed/waitlisted, EventRegistrationCancelled, EventAttended).'),
    business: z.boolean().describe('The participant is from business (organisation type `business` or a business partner).'),
    organisation_type: organisationType,
    from_outside_hub: z.boolean().describe('The participant is not a member of the hub holding the event.'),
  })
  .strict()
  .meta({ sourceEvents: ['EventRegistrationCreated', 'EventRegistrationCancelled', 'EventAttended'] });

/** One row per pair of participating members in the same hub on a day of a week, once a week. */
export const CoPresenceRow = z
  .object({
    row_id: rowId,
    week: z.string().regex(/^\d{4}-W\d{2}$/).describe('The ISO week (YYYY-Www) in which the two were first in the hub on the same day.'),
    month,
    hub,
    county,
    person_a: person('One of the two (the smaller pseudonym)'),
    person_b: person('The other'),
    cross_organisation: z.boolean().describe('The two belong to different organisations.'),
    sector_pair: z.string().describe('The sectors of the two, sorted and joined by "+": public, business, other (e.g. "business+public").'),
  })
  .strict()
  .meta({ sourceEvents: ['CheckedIn'] });

/** One row per consent change of a member in the study, also a withdrawal (so the study knows of it). */
export const ConsentRow = z
  .object({
    row_id: rowId,
    person: person(),
    date: date('the change'),
    month,
    hub,
    county,
    scope: z.enum(['usage', 'co-presence', 'surveys', 'recontact']).describe('What the consent covers.'),
    state: z.enum(['given', 'withdrawn']).describe('The new state: after `withdrawn` no later row of that scope names the person.'),
    text_version: z.string().describe("The version of the study's information text the member saw."),
    channel: z.enum(['desk', 'link']).describe('At the desk (staff) or on the member’s consent page.'),
  })
  .strict()
  .meta({ sourceEvents: ['MemberConsentChanged'] });

/**
 * One row per answered item of a survey of a participating member (consent to `surveys`). A
 * multi-select item gives one row per option chosen (`choice`), or one row with `value` 0 and no
 * `choice` when none was chosen. No free text is ever asked, so none can be written.
 */
export const SurveyAnswerRow = z
  .object({
    row_id: rowId,
    person: person(),
    answer: hex64.describe('The answered invitation: a keyed hash of its id, to group the rows of one answer (e.g. to sum a WHO-5 score).'),
    study: z.string().describe('The study id.'),
    hub,
    county,
    instrument: z.enum(['who-5', 'psychological-safety-hub', 'brief-sense-of-community', 'weak-ties']).describe('The instrument (studies/instruments.ts; its items, scale and scoring are in docs/research.md).'),
    item: z.string().describe('The item id within the instrument (e.g. `cheerful`, `new-people`, `their-organisation-types`).'),
    value: z.number().int().nullable().describe('The answer: a value on the instrument scale or a count; 0 for a multi-select item with no option chosen; null on a row of a chosen option.'),
    choice: z.string().nullable().describe('For a multi-select item, one option chosen (an organisation type for `their-organisation-types`); null otherwise.'),
    trigger: z.enum(['visit', 'event']).describe('What led to the invitation: a visit (CheckedOut) or an attended hub event (EventAttended).'),
    week: z.string().regex(/^\d{4}-W\d{2}$/).describe('The ISO week (YYYY-Www) of the answer, hub-local.'),
    month: z.string().regex(/^\d{4}-\d{2}$/).describe('The month of the answer, YYYY-MM (the partition).'),
  })
  .strict()
  .meta({ sourceEvents: ['SurveyAnswered'] });

/**
 * One row per survey invitation sent to a participating member (consent to `surveys`), so that a
 * study knows its response rate: an invitation whose `invitation` hash appears as `answer` in
 * `survey_answers` was answered. No send time, no expiry time: the week and month only.
 */
export const SurveyInvitationRow = z
  .object({
    row_id: rowId,
    person: person(),
    invitation: hex64.describe('The invitation: the same keyed hash as `survey_answers.answer`, so `survey_invitations LEFT JOIN survey_answers ON answer = invitation` tells the answered from the unanswered.'),
    study: z.string().describe('The study id.'),
    hub,
    county,
    trigger: z.enum(['visit', 'event']).describe('What led to the invitation: a visit (CheckedOut) or an attended hub event (EventAttended).'),
    instruments: z.number().int().min(1).describe('How many instruments the invitation asks (the study’s `surveyInstruments`).'),
    week: z.string().regex(/^\d{4}-W\d{2}$/).describe('The ISO week (YYYY-Www) the invitation was sent, hub-local.'),
    month: z.string().regex(/^\d{4}-\d{2}$/).describe('The month the invitation was sent, YYYY-MM (the partition).'),
  })
  .strict()
  .meta({ sourceEvents: ['SurveyInvited'] });

/** The tables of the research datasets, by table name (the S3 prefix, the Glue table, the view). */
export const ROW_SCHEMAS = {
  visits: VisitRow,
  bookings: BookingRow,
  event_participation: EventParticipationRow,
  co_presence: CoPresenceRow,
  consents: ConsentRow,
  survey_answers: SurveyAnswerRow,
  survey_invitations: SurveyInvitationRow,
} as const;
export type TableName = keyof typeof ROW_SCHEMAS;
export const TABLES = Object.keys(ROW_SCHEMAS) as TableName[];
export type Row<T extends TableName> = z.infer<(typeof ROW_SCHEMAS)[T]>;

/** The table a study's dataset fills. */
export const TABLE_OF_DATASET: Record<Dataset, TableName | undefined> = {
  visits: 'visits',
  bookings: 'bookings',
  'event-participation': 'event_participation',
  'co-presence': 'co_presence',
  consents: 'consents',
  'survey-answers': 'survey_answers',
  'survey-invitations': 'survey_invitations',
};
