import * as z from 'zod';
import { municipality } from '../../hubs/municipalities.ts';
import { Membership, OrganisationType } from '../../events/catalog.ts';
import { HubId } from '../../hubs/schema.ts';
import { line, multiline, trimmed } from './fields.ts';
import { consentRoutes } from './consent-contract.ts';
import { surveyHubRoutes, surveyNationalRoutes } from '../surveys/contract.ts';
import { hubEventRoutes, networkEventRoutes } from './hub-events-contract.ts';
import { directoryHubRoutes, directoryNationalRoutes } from '../directory/contract.ts';
import { route } from './route.ts';
import { ReportQuery, ReportResponse, ReportViewQuery } from '../reporting/contract.ts';

export { line, multiline } from './fields.ts';
export { answersHead, PathId, pathParams, route, type Access, type PathParamNames, type PathParamsSchema, type RouteSpec } from './route.ts';

/** Error body of every 4xx: `{"error":{"code","message","issues":[{"path","message"}]}}`. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })),
  }),
});

/** `POST /api/hubs/{hubId}/organisations` body. */
export const CreateOrganisationBody = z
  .object({
    name: trimmed(200),
    type: OrganisationType,
    orgNumber: line(20).optional(),
    homeMunicipality: trimmed(80).optional(),
  })
  .strict();

/** An organisation as the API returns it. */
export const OrganisationResponse = z.object({
  id: z.string(),
  hubId: HubId,
  name: z.string(),
  type: OrganisationType,
  orgNumber: z.string().optional(),
  homeMunicipality: z.string().optional(),
  createdAt: z.string(),
});

/** `POST /api/hubs/{hubId}/members` body. */
export const CreateMemberBody = z
  .object({
    name: trimmed(200),
    email: z.email('A valid e-mail address').max(254),
    organisationId: trimmed(64),
    employerLocation: trimmed(80).optional(),
    /** The employer's municipality: SCB's four-digit code (kommunkod); `employerLocation` holds what the list does not. */
    employerMunicipality: z
      .string()
      .refine((code) => municipality(code) !== undefined, "Not one of SCB's 290 municipality codes (kommunkod), e.g. \"2480\" for Umeå")
      .optional(),
    membership: Membership,
    language: z.enum(['sv', 'en']).optional(),
  })
  .strict();

/** A change to a member: name, e-mail, language (at least one). The member code, organisation and membership stay. */
export const UpdateMemberBody = z
  .object({
    name: trimmed(200).optional(),
    email: z.email('A valid e-mail address').max(254).optional(),
    language: z.enum(['sv', 'en']).optional(),
  })
  .strict()
  .refine((b) => b.name !== undefined || b.email !== undefined || b.language !== undefined, { message: 'Give at least one of name, email and language', path: ['name'] });

/** A member as staff see it. */
export const MemberResponse = z.object({
  id: z.string(),
  hubId: HubId,
  memberCode: z.string(),
  name: z.string(),
  email: z.string().optional(),
  organisationId: z.string(),
  hostMemberId: z.string().optional(),
  expectedDate: z.string().optional(),
  employerLocation: z.string().optional(),
  employerMunicipality: z.string().optional(),
  membership: Membership,
  language: z.enum(['sv', 'en']),
  agreementId: z.string().optional(),
  agreementScope: z.enum(['hub', 'network']).optional(),
  /** The member's own calendar feed of their bookings; the link carries its key, so keep it private. */
  calendarUrl: z.string().optional(),
  /** What the member's QR code encodes; scanning it checks the member in. */
  qrPayload: z.string(),
  createdAt: z.string(),
});

/** `GET /api/hubs/{hubId}/members?q=` query. */
export const MemberSearchQuery = z
  .object({
    q: line(100).min(2, 'At least 2 characters'),
    limit: z.coerce.number().int().min(1).max(100).optional(),
  })
  .strict();

/** `POST …/organisations/{organisationId}/agreements` body. */
export const CreateAgreementBody = z
  .object({
    seats: z.number().int().min(1).max(10_000),
    validFrom: z.iso.date('Use a date that exists, as YYYY-MM-DD'),
    validTo: z.iso.date('Use a date that exists, as YYYY-MM-DD'),
  })
  .strict()
  .refine((a) => a.validFrom <= a.validTo, { path: ['validTo'], message: '"validTo" must not be before "validFrom"' });

/** An agreement as the API returns it. */
export const AgreementResponse = z.object({
  id: z.string(),
  scope: z.enum(['hub', 'network']),
  hubId: HubId.optional(),
  organisationId: z.string(),
  seats: z.number().int(),
  used: z.number().int(),
  validFrom: z.string(),
  validTo: z.string(),
  createdAt: z.string(),
});

/** `GET /api/hubs/{hubId}/availability` query. */
export const AvailabilityQuery = z
  .object({ date: z.iso.date('Use a date that exists, as YYYY-MM-DD'), resourceType: z.enum(['desk', 'desk-pool', 'room', 'event-space']).optional() })
  .strict();

/** Free slots per resource on a day. */
export const AvailabilityResponse = z.object({
  hubId: HubId,
  date: z.string(),
  open: z.object({ opens: z.string(), closes: z.string() }).nullable(),
  closedReason: z.string().optional(),
  resources: z.array(
    z.object({
      id: z.string(),
      type: z.enum(['desk', 'desk-pool', 'room', 'event-space']),
      name: z.string(),
      capacity: z.number().int().optional(),
      count: z.number().int().optional(),
      /** Each bookable slot; `available` is 1/0, or for a desk pool how many desks are left. */
      slots: z.array(z.object({ start: z.string(), end: z.string(), available: z.number().int() })),
    }),
  ),
});

const When = z.iso.datetime({ offset: true, message: 'Use an ISO 8601 date-time with offset' });
const BookingFields = { resourceId: trimmed(64), memberId: trimmed(64), start: When, end: When };

/** `POST /api/hubs/{hubId}/bookings` body (send an `Idempotency-Key` header to retry safely). */
export const CreateBookingBody = z.object(BookingFields).strict();

/** A booking as the API returns it. */
export const BookingResponse = z.object({
  id: z.string(),
  hubId: HubId,
  resourceId: z.string(),
  resourceType: z.enum(['desk', 'desk-pool', 'room', 'event-space']),
  /** Absent when the member was erased: the booking stays as an anonymous count (`anonymised`). */
  memberId: z.string().optional(),
  organisationId: z.string(),
  start: z.string(),
  end: z.string(),
  localDate: z.string(),
  units: z.array(z.string()),
  status: z.enum(['confirmed', 'cancelled', 'released']),
  createdAt: z.string(),
  cancelledAt: z.string().optional(),
  releasedAt: z.string().optional(),
  seriesId: z.string().optional(),
  checkedInAt: z.string().optional(),
  visitId: z.string().optional(),
  anonymised: z.boolean().optional(),
});

/** `POST /api/hubs/{hubId}/booking-series` body: the first occurrence, repeated weekly until a date. */
export const CreateSeriesBody = z.object({ ...BookingFields, until: z.iso.date('Use a date that exists, as YYYY-MM-DD') }).strict();

/** What a weekly series answers: the occurrences booked, and those refused with the reason. */
export const SeriesResponse = z
  .object({
    id: z.string(),
    bookings: z.array(BookingResponse),
    conflicts: z.array(z.object({ start: z.string(), end: z.string(), status: z.number().int(), message: z.string() })),
  })
  .loose();

/** `POST /api/hubs/{hubId}/agency-presence` body: the first occurrence, weekly until a date. */
export const CreateAgencyPresenceBody = z
  .object({
    ...BookingFields,
    organisationId: trimmed(64),
    until: z.iso.date('Use a date that exists, as YYYY-MM-DD'),
    description: multiline(300).optional(),
  })
  .strict();

const Weekday = z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);

/** The public agency-presence listing of a hub. */
export const AgencyPresenceResponse = z.object({
  hubId: HubId,
  presence: z.array(
    z.object({
      id: z.string(),
      organisation: z.object({ id: z.string(), name: z.string(), type: OrganisationType }),
      resourceId: z.string(),
      resourceName: z.string(),
      weekday: Weekday,
      from: z.string(),
      to: z.string(),
      until: z.string(),
      description: z.string().optional(),
      upcoming: z.array(z.object({ start: z.string(), end: z.string() })),
    }),
  ),
});

/** `GET /api/hubs/{hubId}/bookings` query. */
export const BookingsQuery = z.object({ date: z.iso.date('Use a date that exists, as YYYY-MM-DD') }).strict();

/** Who is in the hub now. */
export const PresenceResponse = z.object({
  hubId: HubId,
  date: z.string(),
  count: z.number().int(),
  organisations: z.number().int(),
  present: z.array(
    z.object({
      visitId: z.string(),
      memberId: z.string(),
      name: z.string(),
      organisationId: z.string(),
      organisationName: z.string(),
      organisationType: OrganisationType,
      membership: Membership,
      since: z.string(),
    }),
  ),
});

/** `POST /api/hubs/{hubId}/check-ins` body: exactly one of memberId and memberCode. */
export const CheckInBody = z
  .object({ memberId: trimmed(64).optional(), memberCode: trimmed(80).optional(), hostMemberId: trimmed(64).optional() })
  .strict()
  .superRefine((b, ctx) => {
    if (!b.memberId === !b.memberCode) {
      ctx.addIssue({ code: 'custom', path: [b.memberId ? 'memberCode' : 'memberId'], message: 'Give exactly one of memberId and memberCode' });
    }
  });

/** The entrance kiosk: a member checks themselves in or out by member code or the QR payload of their card. */
export const KioskCheckBody = z.object({ memberCode: trimmed(80), action: z.enum(['in', 'out']) }).strict();

/** What the kiosk may show: the member's first name and the time, nothing else about anyone. */
export const KioskCheckResponse = z.object({
  action: z.enum(['in', 'out']),
  firstName: z.string(),
  at: z.string(),
  /** `in`: the member was already in (their open visit's check-in time is `at`). */
  already: z.boolean(),
});

/** A visit as the API returns it; `visitId` repeats `id` as the contract names it. */
export const VisitResponse = z.object({
  id: z.string(),
  visitId: z.string(),
  hubId: HubId,
  memberId: z.string(),
  organisationId: z.string(),
  checkedInAt: z.string(),
  localDate: z.string(),
  checkedOutAt: z.string().optional(),
  durationMinutes: z.number().int().optional(),
  autoClosed: z.boolean().optional(),
  hostMemberId: z.string().optional(),
  /** The member's booking this check-in was linked to, if any. */
  bookingId: z.string().optional(),
});

/**
 * A member's GDPR export (Art. 15): one key per section, listed in `sections`; later issues add
 * theirs (event registrations, consents, …).
 */
export const MemberExportResponse = z
  .object({
    exportedAt: z.string(),
    hub: z.object({ id: HubId, name: z.string(), operator: z.string() }),
    member: MemberResponse,
    organisation: OrganisationResponse.loose().optional(),
    visits: z.array(VisitResponse.omit({ visitId: true })),
    hostedGuests: z.array(MemberResponse.omit({ qrPayload: true })),
    hostedVisits: z.array(VisitResponse.omit({ visitId: true })),
    calendar: z.object({ calendarUrl: z.string() }).nullable(),
    bookings: z.array(BookingResponse),
    series: z.array(z.object({ id: z.string(), resourceId: z.string(), first: z.string(), last: z.string(), bookingIds: z.array(z.string()) })),
    agencyPresence: z.array(z.object({ id: z.string(), organisationId: z.string(), resourceId: z.string(), weekday: z.string(), from: z.string(), to: z.string(), firstDate: z.string(), until: z.string() }).loose()),
    /** Consents to research studies with their history (docs/research.md). */
    researchConsents: z.array(z.object({ studyId: z.string(), scope: z.string(), state: z.string(), textVersion: z.string(), history: z.array(z.object({}).loose()) }).loose()).optional(),
    sections: z.array(z.object({ key: z.string(), title: z.string() })),
    purposes: z.array(z.string()),
  })
  .loose();

/** `POST /api/hubs/{hubId}/visitors` body: a guest pre-registered by their host. */
export const RegisterVisitorBody = z
  .object({
    name: trimmed(200),
    email: z.email('A valid e-mail address').max(254).optional(),
    organisationName: trimmed(200),
    organisationType: OrganisationType.optional(),
    hostMemberId: trimmed(64),
    expectedDate: z.iso.date('Use a date that exists, as YYYY-MM-DD'),
    language: z.enum(['sv', 'en']).optional(),
  })
  .strict();

const Resource = z.object({
  id: z.string(),
  type: z.enum(['desk', 'desk-pool', 'room', 'event-space']),
  name: z.string(),
  capacity: z.number().int().optional(),
  count: z.number().int().optional(),
  equipment: z.array(z.string()).optional(),
});

/** A hub as `GET /api/hubs` lists it. */
export const HubSummary = z.object({
  id: HubId,
  name: z.string(),
  city: z.string(),
  county: z.string(),
  phase: z.enum(['preparation', 'start-up', 'operation']),
  timezone: z.string(),
  hostVenue: z.object({ name: z.string(), address: z.string().optional(), description: z.string().optional() }),
});

/** A hub in full, with its resources. */
export const HubDetail = HubSummary.extend({
  municipality: z.string(),
  operator: z.object({
    consortium: z.string(),
    municipality: z.string().optional(),
    region: z.string().optional(),
    countyBoard: z.string().optional(),
    partners: z.array(z.string()),
  }),
  openingHours: z.record(z.string(), z.object({ opens: z.string(), closes: z.string() }).nullable()),
  closedDays: z.array(z.string()),
  resources: z.array(Resource),
});

/** `GET /api/organisations` query. */
export const DirectoryQuery = z.object({ q: line(100).optional() }).strict();

/** The network's known organisations, with their network-wide ids. */
export const DirectoryResponse = z.object({
  organisations: z.array(z.object({ id: z.string(), name: z.string(), type: OrganisationType, orgNumber: z.string().optional() })),
});

export { ReportQuery, ReportResponse, ReportViewQuery } from '../reporting/contract.ts';

/** Routes served by each hub's API (one stack per hub). */
export const hubRoutes = [
  route({ operationId: 'createOrganisation', method: 'POST', path: '/api/hubs/{hubId}/organisations', summary: 'Register an organisation at the hub (200 with the existing one if registered already; ids are network-wide)', access: 'staff', body: CreateOrganisationBody, response: OrganisationResponse, status: 201 }),
  route({ operationId: 'listOrganisations', method: 'GET', path: '/api/hubs/{hubId}/organisations', summary: "The organisations registered at the hub, by name (the member form's choices). Staff of the hub and national administrators", access: 'staff-or-national', response: z.object({ organisations: z.array(OrganisationResponse) }), status: 200 }),
  route({ operationId: 'createAgreement', method: 'POST', path: '/api/hubs/{hubId}/organisations/{organisationId}/agreements', summary: "Record an organisation's agreement for a number of memberships over a period; members beyond it get 409", access: 'staff', body: CreateAgreementBody, response: AgreementResponse, status: 201 }),
  route({ operationId: 'listAgreements', method: 'GET', path: '/api/hubs/{hubId}/organisations/{organisationId}/agreements', summary: "An organisation's agreements at the hub, newest first", access: 'staff', response: z.object({ agreements: z.array(AgreementResponse) }), status: 200 }),
  route({ operationId: 'createMember', method: 'POST', path: '/api/hubs/{hubId}/members', summary: 'Register a member; returns the member code and its QR payload', access: 'staff', body: CreateMemberBody, response: MemberResponse, status: 201 }),
  route({ operationId: 'searchMembers', method: 'GET', path: '/api/hubs/{hubId}/members', summary: 'Find members by name, e-mail or organisation (every word must match the start of one)', access: 'staff', query: MemberSearchQuery, response: z.object({ members: z.array(MemberResponse) }), status: 200 }),
  route({ operationId: 'getMember', method: 'GET', path: '/api/hubs/{hubId}/members/{memberId}', summary: 'One member', access: 'staff', response: MemberResponse, status: 200 }),
  route({ operationId: 'updateMember', method: 'PATCH', path: '/api/hubs/{hubId}/members/{memberId}', summary: "Change a member's name, e-mail or language; the search follows the name, and an e-mail another member has is 409 `body.email`", access: 'staff', body: UpdateMemberBody, response: MemberResponse, status: 200 }),
  route({ operationId: 'exportMember', method: 'GET', path: '/api/hubs/{hubId}/members/{memberId}/export', summary: "Everything the hub holds about a member (GDPR Art. 15)", access: 'staff', response: MemberExportResponse, status: 200 }),
  route({ operationId: 'eraseMember', method: 'DELETE', path: '/api/hubs/{hubId}/members/{memberId}', summary: 'Erase a member everywhere (GDPR Art. 17); visits stay only as anonymous counts', access: 'staff', response: z.object({ id: z.string(), erased: z.literal(true), erasedAt: z.string() }), status: 200 }),
  route({ operationId: 'registerVisitor', method: 'POST', path: '/api/hubs/{hubId}/visitors', summary: 'Pre-register a guest of a member for a day; the host is told by e-mail when the guest checks in', access: 'staff', body: RegisterVisitorBody, response: MemberResponse, status: 201 }),
  route({ operationId: 'checkIn', method: 'POST', path: '/api/hubs/{hubId}/check-ins', summary: 'Check a member in by id, member code or QR payload (200 with the open visit if already in)', access: 'staff', body: CheckInBody, response: VisitResponse, status: 201 }),
  route({ operationId: 'checkOut', method: 'POST', path: '/api/hubs/{hubId}/check-ins/{visitId}/check-out', summary: 'Check a visit out (checking out a closed visit returns it unchanged)', access: 'staff', response: VisitResponse, status: 200 }),
  route({ operationId: 'availability', method: 'GET', path: '/api/hubs/{hubId}/availability', summary: 'Free slots per resource on a day (pooled desks: how many are left); closed days and Swedish public holidays say why', access: 'staff', query: AvailabilityQuery, response: AvailabilityResponse, status: 200 }),
  route({ operationId: 'createBooking', method: 'POST', path: '/api/hubs/{hubId}/bookings', summary: 'Book a resource for a member; 409 with the conflicting slot; a retry with the same Idempotency-Key returns the same booking', access: 'staff', body: CreateBookingBody, response: BookingResponse, status: 201 }),
  route({ operationId: 'createSeries', method: 'POST', path: '/api/hubs/{hubId}/booking-series', summary: 'Book weekly until a date: the free occurrences are booked together, the others reported in `conflicts`', access: 'staff', body: CreateSeriesBody, response: SeriesResponse, status: 201 }),
  route({ operationId: 'scheduleAgencyPresence', method: 'POST', path: '/api/hubs/{hubId}/agency-presence', summary: "Schedule an organisation's weekly presence (myndighetsnärvaro), booked like a weekly series for its representative", access: 'staff', body: CreateAgencyPresenceBody, response: SeriesResponse, status: 201 }),
  route({ operationId: 'listAgencyPresence', method: 'GET', path: '/api/hubs/{hubId}/agency-presence', summary: 'Which organisations are present at the hub when, with their coming occurrences (public)', access: 'public', response: AgencyPresenceResponse, status: 200 }),
  route({ operationId: 'listBookings', method: 'GET', path: '/api/hubs/{hubId}/bookings', summary: 'The bookings of a day', access: 'staff', query: BookingsQuery, response: z.object({ bookings: z.array(BookingResponse) }), status: 200 }),
  route({ operationId: 'cancelBooking', method: 'DELETE', path: '/api/hubs/{hubId}/bookings/{bookingId}', summary: 'Cancel a booking; the slot is free at once', access: 'staff', response: BookingResponse, status: 200 }),
  route({ operationId: 'resourceCalendar', method: 'GET', path: '/api/hubs/{hubId}/resources/{resourceId}/calendar.ics', summary: "A resource's bookings as an iCalendar feed (RFC 5545)", access: 'staff', response: z.string(), status: 200, produces: 'text/calendar' }),
  route({ operationId: 'memberCalendar', method: 'GET', path: '/api/hubs/{hubId}/members/{memberId}/calendar.ics', summary: "A member's bookings as an iCalendar feed: with a staff token, or with the member's link (`?key=`, see `calendarUrl`)", access: 'public', query: z.object({ key: line(100).optional() }).strict(), response: z.string(), status: 200, produces: 'text/calendar' }),
  route({ operationId: 'presence', method: 'GET', path: '/api/hubs/{hubId}/presence', summary: 'Who is in the hub now, with organisation and since when', access: 'staff', response: PresenceResponse, status: 200 }),
  route({ operationId: 'kioskCheck', method: 'POST', path: '/api/hubs/{hubId}/kiosk/check', summary: "The entrance kiosk: a member checks in or out by member code or QR payload; the answer holds only the member's first name (409 `body.memberCode` when checking out someone who is not in)", access: 'staff', body: KioskCheckBody, response: KioskCheckResponse, status: 200 }),
  ...hubEventRoutes,
  ...directoryHubRoutes,
  ...consentRoutes,
  ...surveyHubRoutes,
];

/** Routes served by the national stack. */
export const nationalRoutes = [
  route({ operationId: 'listHubs', method: 'GET', path: '/api/hubs', summary: 'List the hubs of the network', access: 'public', response: z.object({ hubs: z.array(HubSummary) }), status: 200 }),
  route({ operationId: 'getHub', method: 'GET', path: '/api/hubs/{hubId}', summary: 'One hub with its resources', access: 'public', response: HubDetail, status: 200 }),
  route({ operationId: 'organisationDirectory', method: 'GET', path: '/api/organisations', summary: 'Organisations the network knows (the starter list), with the id every hub gives them', access: 'public', query: DirectoryQuery, response: DirectoryResponse, status: 200 }),
  route({ operationId: 'createNetworkAgreement', method: 'POST', path: '/api/national/organisations/{organisationId}/agreements', summary: "Record a network-wide agreement: an organisation's memberships at every hub (national administrators)", access: 'national', body: CreateAgreementBody, response: AgreementResponse, status: 201 }),
  route({ operationId: 'listNetworkAgreements', method: 'GET', path: '/api/national/organisations/{organisationId}/agreements', summary: "An organisation's network-wide agreements, newest first", access: 'national', response: z.object({ agreements: z.array(AgreementResponse) }), status: 200 }),
  route({ operationId: 'nationalReport', method: 'GET', path: '/api/national/reports', summary: 'The national roll-up per hub and for the network, by day, week, month, quarter or year (the last 30 days by default); `format=csv` for Excel. National administrators: every hub; staff: their own hub', access: 'national', query: ReportQuery, response: ReportResponse, status: 200, head: true }),
  route({ operationId: 'reportView', method: 'GET', path: '/api/national/reports/view', summary: 'The national report as a printable HTML page with charts (no external resources). National administrators: every hub; staff: their own hub', access: 'national', query: ReportViewQuery, response: z.string(), status: 200, produces: 'text/html' }),
  route({ operationId: 'openapi', method: 'GET', path: '/api/openapi.json', summary: 'This OpenAPI document', access: 'public', response: z.object({ openapi: z.string() }).loose(), status: 200 }),
  ...networkEventRoutes,
  ...directoryNationalRoutes,
  ...surveyNationalRoutes,
];

/**
 * National routes served by their own function rather than the national API's (infra and
 * functions/report-view/handler.ts): the report page alone needs the chart library.
 */
export const REPORT_VIEW_OPERATIONS = ['reportView'] as const;
