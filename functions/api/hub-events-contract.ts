import * as z from 'zod';
import { HubEventKind, OrganisationType } from '../../events/catalog.ts';
import { HubId } from '../../hubs/schema.ts';
import { line, multiline, trimmed } from './fields.ts';
import { route } from './route.ts';

/** The hub-events part of API v1: events at a hub, registrations, attendance and the network calendar. */

const When = z.iso.datetime({ offset: true, message: 'Use an ISO 8601 date-time with offset' });
const Day = z.iso.date('Use a date that exists, as YYYY-MM-DD');
const ResourceId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'A resource id of the hub');

const EventFields = {
  title: trimmed(160),
  titleEn: trimmed(160).optional(),
  description: multiline(4000).optional(),
  descriptionEn: multiline(4000).optional(),
  kind: HubEventKind,
  facilitator: trimmed(160).optional(),
  start: When,
  end: When,
  capacity: z.number().int().min(1, 'At least 1').max(2000, 'At most 2000'),
  resourceId: ResourceId.optional(),
  openToNetwork: z.boolean().optional(),
  openToBusiness: z.boolean().optional(),
};

/** `POST /api/hubs/{hubId}/events` body: a draft unless `status: published`. */
export const CreateHubEventBody = z
  .object({ ...EventFields, status: z.enum(['draft', 'published']).optional() })
  .strict()
  .refine((e) => Date.parse(e.end) > Date.parse(e.start), { path: ['end'], message: '"end" must be after "start"' });

/** `PATCH /api/hubs/{hubId}/events/{eventId}` body: the fields to change; `status` publishes or cancels; `resourceId: null` gives the room back. */
export const UpdateHubEventBody = z
  .object({
    ...Object.fromEntries(Object.entries(EventFields).map(([k, v]) => [k, (v as z.ZodType).optional()])),
    resourceId: ResourceId.nullable().optional(),
    status: z.enum(['draft', 'published', 'cancelled']).optional(),
  } as { [K in keyof typeof EventFields]: z.ZodOptional<(typeof EventFields)[K]> } & { resourceId: z.ZodOptional<z.ZodNullable<typeof ResourceId>>; status: z.ZodOptional<z.ZodEnum<{ draft: 'draft'; published: 'published'; cancelled: 'cancelled' }>> })
  .strict()
  .refine((p) => Object.keys(p).length > 0, { path: [], message: 'Give at least one field to change' })
  .refine((p) => !p.start || !p.end || Date.parse(p.end) > Date.parse(p.start), { path: ['end'], message: '"end" must be after "start"' });

/** An event as staff see it. */
export const HubEventResponse = z.object({
  id: z.string(),
  hubId: HubId,
  title: z.string(),
  titleEn: z.string().optional(),
  description: z.string().optional(),
  descriptionEn: z.string().optional(),
  kind: HubEventKind,
  facilitator: z.string().optional(),
  start: z.string(),
  end: z.string(),
  localDate: z.string(),
  capacity: z.number().int(),
  resourceId: z.string().optional(),
  openToNetwork: z.boolean(),
  openToBusiness: z.boolean(),
  status: z.enum(['draft', 'published', 'cancelled']),
  version: z.number().int(),
  confirmed: z.number().int(),
  waitlisted: z.number().int(),
  /** Seats left. */
  seatsLeft: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  publishedAt: z.string().optional(),
  cancelledAt: z.string().optional(),
  /** The event's iCalendar file (published events; public). */
  calendarUrl: z.string().optional(),
});

/** `GET /api/hubs/{hubId}/events` query: events starting between two hub-local dates (default today and a year on). */
export const HubEventsQuery = z
  .object({ from: Day.optional(), to: Day.optional() })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: '"to" must not be before "from"' });

/** `POST …/events/{eventId}/registrations` body. */
export const RegisterBody = z.object({ memberId: trimmed(64) }).strict();

/** A registration as staff see it. */
export const RegistrationResponse = z.object({
  id: z.string(),
  eventId: z.string(),
  hubId: HubId,
  status: z.enum(['confirmed', 'waitlisted', 'cancelled']),
  registrant: z.enum(['member', 'public']),
  memberId: z.string().optional(),
  organisationId: z.string().optional(),
  organisationType: OrganisationType,
  business: z.boolean(),
  fromOutsideHub: z.boolean(),
  name: z.string().optional(),
  email: z.string().optional(),
  organisationName: z.string().optional(),
  walkIn: z.boolean(),
  createdAt: z.string(),
  waitlistedAt: z.string().optional(),
  promotedAt: z.string().optional(),
  cancelledAt: z.string().optional(),
  attendedAt: z.string().optional(),
  attendedHow: z.enum(['door', 'check-in', 'walk-in']).optional(),
});

/** `POST …/events/{eventId}/attendance` body: exactly one of memberId, memberCode (or QR payload), registrationId. */
export const AttendanceBody = z
  .object({ memberId: trimmed(64).optional(), memberCode: trimmed(80).optional(), registrationId: trimmed(64).optional() })
  .strict()
  .superRefine((b, ctx) => {
    const given = [b.memberId, b.memberCode, b.registrationId].filter((x) => x !== undefined).length;
    if (given !== 1) ctx.addIssue({ code: 'custom', path: ['memberId'], message: 'Give exactly one of memberId, memberCode and registrationId' });
  });

/** `POST …/events/{eventId}/public-registrations` body: anyone, for a published event open to them. */
export const PublicRegistrationBody = z
  .object({
    name: trimmed(200),
    email: z.email('A valid e-mail address').max(254),
    organisationName: trimmed(200),
    organisationType: OrganisationType,
    language: z.enum(['sv', 'en']).optional(),
  })
  .strict();

/** What a public registrant gets back (the cancellation link is in the confirmation e-mail only). */
export const PublicRegistrationResponse = z.object({ id: z.string(), eventId: z.string(), status: z.enum(['confirmed', 'waitlisted', 'cancelled']) });

/** `?key=` of a private cancellation link. */
export const CancelKeyQuery = z.object({ key: line(100).min(1, 'Required') }).strict();

/** `?key=` of the cancellation page: a missing key is an invalid link (404 page), like a wrong one. */
export const CancelPageQuery = z.object({ key: line(100).optional() }).strict();

/** `GET|DELETE /api/hubs/{hubId}/public-registrants?email=` (GDPR for people who registered without being members). */
export const RegistrantQuery = z.object({ email: z.email('A valid e-mail address').max(254) }).strict();

/** A published event as anyone may see it: no counts of people, no personal data. */
export const PublicHubEvent = z.object({
  id: z.string(),
  hubId: HubId,
  hubName: z.string().optional(),
  title: z.string(),
  titleEn: z.string().optional(),
  description: z.string().optional(),
  descriptionEn: z.string().optional(),
  kind: HubEventKind,
  facilitator: z.string().optional(),
  start: z.string(),
  end: z.string(),
  localDate: z.string(),
  capacity: z.number().int(),
  resourceId: z.string().optional(),
  openToNetwork: z.boolean(),
  openToBusiness: z.boolean(),
  status: z.enum(['published', 'cancelled']),
});

/** `GET /api/events` and `GET /api/events/calendar.ics` query: the network calendar. */
export const NetworkEventsQuery = z
  .object({
    from: Day.optional(),
    to: Day.optional(),
    hub: HubId.optional(),
    kind: HubEventKind.optional(),
    limit: z.coerce.number().int().min(1).max(200).optional(),
    cursor: line(2000).optional(),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: '"to" must not be before "from"' })
  .refine((q) => !q.from || !q.to || (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 <= 400, { path: ['to'], message: 'At most 400 days' });

const ICS = { response: z.string(), status: 200 as const, produces: 'text/calendar' };

/** Hub-event routes served by each hub's API; appended to `hubRoutes`. */
export const hubEventRoutes = [
  route({ operationId: 'createHubEvent', method: 'POST', path: '/api/hubs/{hubId}/events', summary: 'Create an event (draft by default, or published); its room is reserved with the booking rules, outside opening hours too, never on a booked slot', access: 'staff', body: CreateHubEventBody, response: HubEventResponse, status: 201 }),
  route({ operationId: 'listHubEvents', method: 'GET', path: '/api/hubs/{hubId}/events', summary: "The hub's events, drafts included, starting between two dates", access: 'staff', query: HubEventsQuery, response: z.object({ events: z.array(HubEventResponse) }), status: 200 }),
  route({ operationId: 'getHubEvent', method: 'GET', path: '/api/hubs/{hubId}/events/{eventId}', summary: 'One event', access: 'staff', response: HubEventResponse, status: 200 }),
  route({ operationId: 'updateHubEvent', method: 'PATCH', path: '/api/hubs/{hubId}/events/{eventId}', summary: 'Change an event: publish, edit (registrants are e-mailed a new time or place), or cancel (room freed, registrants e-mailed)', access: 'staff', body: UpdateHubEventBody, response: HubEventResponse, status: 200 }),
  route({ operationId: 'hubEventCalendar', method: 'GET', path: '/api/hubs/{hubId}/events/{eventId}/calendar.ics', summary: 'A published event as an iCalendar file', access: 'public', ...ICS }),
  route({ operationId: 'listRegistrations', method: 'GET', path: '/api/hubs/{hubId}/events/{eventId}/registrations', summary: 'Registrations of an event, in order (who attended is kept for feedback surveys)', access: 'staff', response: z.object({ registrations: z.array(RegistrationResponse) }), status: 200 }),
  route({ operationId: 'registerForEvent', method: 'POST', path: '/api/hubs/{hubId}/events/{eventId}/registrations', summary: 'Register a member of the hub: confirmed while seats remain, else waitlisted', access: 'staff', body: RegisterBody, response: RegistrationResponse, status: 201 }),
  route({ operationId: 'cancelRegistration', method: 'DELETE', path: '/api/hubs/{hubId}/events/{eventId}/registrations/{registrationId}', summary: 'Cancel a registration; the first on the waitlist gets the seat at once and is e-mailed', access: 'staff', response: RegistrationResponse, status: 200 }),
  route({ operationId: 'markAttendance', method: 'POST', path: '/api/hubs/{hubId}/events/{eventId}/attendance', summary: 'Attendance at the door by member id, member code or registration id; a member without a registration walks in while seats remain', access: 'staff', body: AttendanceBody, response: RegistrationResponse, status: 201 }),
  route({ operationId: 'registerPublicly', method: 'POST', path: '/api/hubs/{hubId}/events/{eventId}/public-registrations', summary: 'Anyone registers for a published event open to them; a confirmation e-mail carries a private cancellation link', access: 'public', body: PublicRegistrationBody, response: PublicRegistrationResponse, status: 201 }),
  route({ operationId: 'cancelPublicRegistration', method: 'DELETE', path: '/api/hubs/{hubId}/events/{eventId}/public-registrations/{registrationId}', summary: "Cancel a public registration with the link's key", access: 'public', query: CancelKeyQuery, response: PublicRegistrationResponse, status: 200 }),
  route({ operationId: 'publicCancellationPage', method: 'GET', path: '/api/hubs/{hubId}/events/{eventId}/public-registrations/{registrationId}/cancel', summary: "The page the private link in a registrant's e-mail opens: the event, the registration and a button that cancels (opening it cancels nothing); an invalid link is a 404 page that tells nothing", access: 'public', query: CancelPageQuery, response: z.string(), status: 200, produces: 'text/html' }),
  route({ operationId: 'confirmPublicCancellation', method: 'POST', path: '/api/hubs/{hubId}/events/{eventId}/public-registrations/{registrationId}/cancel', summary: "The cancellation page's button: cancels the registration (the first on the waitlist gets the seat) and answers with a confirmation page", access: 'public', query: CancelPageQuery, response: z.string(), status: 200, produces: 'text/html' }),
  route({ operationId: 'exportPublicRegistrant', method: 'GET', path: '/api/hubs/{hubId}/public-registrants', summary: 'GDPR export (Art. 15) of someone who registered publicly, by e-mail', access: 'staff', query: RegistrantQuery, response: z.object({ email: z.string(), registrations: z.array(z.unknown()) }).loose(), status: 200 }),
  route({ operationId: 'erasePublicRegistrant', method: 'DELETE', path: '/api/hubs/{hubId}/public-registrants', summary: 'GDPR erasure (Art. 17) of someone who registered publicly, by e-mail; counts stay', access: 'staff', query: RegistrantQuery, response: z.object({ email: z.string(), erased: z.number().int() }), status: 200 }),
];

/** Network-calendar routes served by the national API; appended to `nationalRoutes`. */
export const networkEventRoutes = [
  route({ operationId: 'networkEvents', method: 'GET', path: '/api/events', summary: 'The network calendar: published events of every hub (public fields), by start, a page at a time (`nextCursor`)', access: 'public', query: NetworkEventsQuery, response: z.object({ events: z.array(PublicHubEvent), nextCursor: z.string().optional() }), status: 200 }),
  route({ operationId: 'networkCalendar', method: 'GET', path: '/api/events/calendar.ics', summary: 'The network calendar as an iCalendar feed, with the same filters', access: 'public', query: NetworkEventsQuery, ...ICS }),
];
