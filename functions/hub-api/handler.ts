import { hubRoutes } from '../api/contract.ts';
import { DynamoHubStore } from '../adapters/dynamo-hub-store.ts';
import { DynamoNetworkStore } from '../adapters/dynamo-network-store.ts';
import { HubService, qrPayload, type Member, type Visit } from '../domain/hub.ts';
import { authConfigFromEnv, createVerifier, requireStaffOf } from '../shared/auth.ts';
import { dynamo, requireEnv } from '../shared/clients.ts';
import { ApiError, badRequest, forbidden, notFound } from '../shared/errors.ts';
import { countBusiness } from '../shared/observability.ts';
import { timingSafeEqual } from 'node:crypto';
import { BookingService } from '../domain/bookings.ts';
import { swedishPublicHoliday } from '../domain/holidays.ts';
import { DynamoBookingStore } from '../adapters/dynamo-booking-store.ts';
import { loadHub } from '../shared/hub-config.ts';
import { httpApi } from '../shared/http.ts';
import { createMailForgetter } from '../shared/mail-forget.ts';
import { DynamoHubEventStore } from '../adapters/dynamo-hub-event-store.ts';
import { HubEventService } from '../domain/hub-events.ts';
import { hubEventHandlers } from './hub-events-routes.ts';
import { DirectoryService } from '../directory/directory.ts';
import { directoryHubHandlers } from '../directory/routes.ts';
import { DynamoDirectoryIndex, DynamoDirectoryRecords } from '../directory/store.ts';
import { ConsentService } from '../consent/consent.ts';
import { DynamoConsentStore } from '../consent/dynamo-consent-store.ts';
import { loadAllStudies } from '../shared/study-config.ts';
import { consentHandlers } from './consent-routes.ts';
import { clock } from '../shared/clock.ts';
import { DynamoSurveyStore } from '../surveys/dynamo-survey-store.ts';
import { surveyHubHandlers } from '../surveys/routes.ts';
import { SurveyService } from '../surveys/surveys.ts';

const hub = loadHub(requireEnv('HUB_ID'));

const store = new DynamoHubStore(dynamo(), requireEnv('HUB_TABLE_NAME'));
const bookings = new BookingService(hub, new DynamoBookingStore(dynamo(), requireEnv('HUB_TABLE_NAME')), store, clock, swedishPublicHoliday);
const forgetMail = createMailForgetter();
const mail = { exportSections: async () => [], forget: async (p: { email?: string | undefined; name?: string | undefined }) => void (await forgetMail(p)) };
const studies = loadAllStudies();
const consentStore = new DynamoConsentStore(dynamo(), requireEnv('HUB_TABLE_NAME'));
const consents = new ConsentService(hub, studies, consentStore, store, clock);
const surveys = new SurveyService(hub, studies, new DynamoSurveyStore(dynamo(), requireEnv('HUB_TABLE_NAME')), consentStore, store, clock);
const hubEvents = new HubEventService(hub, new DynamoHubEventStore(dynamo(), requireEnv('HUB_TABLE_NAME')), store, bookings, clock);
const directory = new DirectoryService(hub, new DynamoDirectoryRecords(dynamo(), requireEnv('HUB_TABLE_NAME')), new DynamoDirectoryIndex(dynamo(process.env.NETWORK_TABLE_REGION || undefined), requireEnv('NETWORK_TABLE_NAME')), store, clock);
// Every part that keeps data naming members exports and erases its own (PersonalDataHolder):
// bookings, event registrations (also those made publicly with the member's e-mail), the
// network directory, research consents, survey invitations and answers, and the local mail outbox last.
const service = new HubService(hub, store, clock, new DynamoNetworkStore(dynamo(process.env.NETWORK_TABLE_REGION || undefined), requireEnv('NETWORK_TABLE_NAME')), [bookings, hubEvents, directory, consents, surveys, mail]);

/** The optional Idempotency-Key header, validated. */
function idempotencyKey(headers: Record<string, string | undefined> | undefined): string | undefined {
  const value = headers?.['idempotency-key'];
  if (value === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,200}$/.test(value)) throw badRequest('Invalid request: header.idempotency-key', [{ path: 'header.idempotency-key', message: '1–200 visible ASCII characters' }]);
  return value;
}

const verify = createVerifier(authConfigFromEnv());
const memberView = ({ calendarKey, ...m }: Member) => ({
  ...m,
  qrPayload: qrPayload(hub.id, m.memberCode),
  ...(calendarKey ? { calendarUrl: `/api/hubs/${hub.id}/members/${m.id}/calendar.ics?key=${calendarKey}` } : {}),
});
const ICS = 'text/calendar; charset=utf-8';
const visitView = (v: Visit) => ({ ...v, visitId: v.id });

/**
 * A check-in from the desk or the kiosk. A check-in during an event the member is registered for
 * counts as attendance; so does a scan of someone already in (their open visit): they may have come
 * before the doors opened. The booking link and the attendance touch different items: both at once.
 */
async function checkIn(body: { memberId?: string | undefined; memberCode?: string | undefined; hostMemberId?: string | undefined }, correlationId: string) {
  const { created, visit } = await service.checkIn(body, correlationId);
  if (created) countBusiness('CheckIns', hub.id);
  const [linked] = await Promise.all([
    created && visit.memberId ? bookings.linkCheckIn(visit.memberId, visit) : undefined,
    visit.memberId ? hubEvents.attendOnCheckIn(visit.memberId, correlationId) : undefined,
  ]);
  return { created, visit, bookingId: linked?.id };
}

const firstName = (name: string) => name.trim().split(/\s+/)[0] ?? '';

/** The hub API: one function per hub serving the hub routes of API v1. */
export const handler = httpApi({
  service: `hub-api-${hub.id}`,
  routes: hubRoutes,
  verify,
  authorize: (route, principal, params) => {
    if (params.hubId !== hub.id) throw notFound(`Unknown hub "${params.hubId}"`, [{ path: 'path.hubId', message: 'Unknown hub' }]);
    if (route.access === 'staff-or-national') {
      if (principal.national || principal.staffHubs.has(hub.id)) return;
      throw forbidden(`Only staff of hub "${hub.id}" and national administrators may do this`);
    }
    requireStaffOf(principal, hub.id);
  },
  handlers: {
    createOrganisation: async ({ body, correlationId }) => {
      const { created, organisation } = await service.registerOrganisation(body, correlationId);
      return { status: created ? 201 : 200, body: organisation };
    },
    listOrganisations: async () => ({ body: { organisations: await service.organisations() } }),
    createAgreement: async ({ params, body }) => ({ body: await service.createAgreement(params.organisationId, body) }),
    listAgreements: async ({ params }) => ({ body: { agreements: await service.agreements(params.organisationId) } }),
    createMember: async ({ body, correlationId }) => ({ body: memberView(await service.registerMember(body, correlationId)) }),
    registerVisitor: async ({ body, correlationId }) => ({ body: memberView(await service.registerVisitor(body, correlationId)) }),
    searchMembers: async ({ query }) => ({ body: { members: (await service.searchMembers(query.q, query.limit)).map(memberView) } }),
    updateMember: async ({ params, body }) => ({ body: memberView(await service.updateMember(params.memberId, body)) }),
    getMember: async ({ params }) => ({ body: memberView(await service.member(params.memberId)) }),
    exportMember: async ({ params }) => ({
      body: await service.exportMember(params.memberId),
      headers: { 'content-disposition': `attachment; filename="samverkan-${hub.id}-${params.memberId}.json"` },
    }),
    eraseMember: async ({ params, correlationId }) => ({ body: await service.eraseMember(params.memberId, correlationId) }),
    checkIn: async ({ body, correlationId }) => {
      const { created, visit, bookingId } = await checkIn(body, correlationId);
      return { status: created ? 201 : 200, body: { ...visitView(visit), ...(bookingId ? { bookingId } : {}) } };
    },
    kioskCheck: async ({ body, correlationId }) => {
      // Only the first name goes back to the kiosk's screen: nothing else about the member or anyone else.
      if (body.action === 'in') {
        const member = await service.memberByCode(body.memberCode);
        const { created, visit } = await checkIn({ memberId: member.id }, correlationId);
        return { body: { action: 'in' as const, firstName: firstName(member.name), at: visit.checkedInAt, already: !created } };
      }
      const { member, visit } = await service.checkOutByCode(body.memberCode, correlationId);
      return { body: { action: 'out' as const, firstName: firstName(member.name), at: visit.checkedOutAt ?? visit.checkedInAt, already: false } };
    },
    checkOut: async ({ params, correlationId }) => ({ body: visitView((await service.checkOut(params.visitId, correlationId)).visit) }),
    presence: async () => ({ body: await service.presence() }),
    resourceCalendar: async ({ params }) => ({ body: await bookings.resourceCalendar(params.resourceId), contentType: ICS }),
    memberCalendar: async ({ params, query, event }) => {
      const { key } = query;
      if (params.hubId !== hub.id) throw notFound(`Unknown hub "${params.hubId}"`, [{ path: 'path.hubId', message: 'Unknown hub' }]);
      const member = await store.getMember(params.memberId);
      const given = Buffer.from(key ?? '');
      const expected = Buffer.from(member?.calendarKey ?? '');
      const keyOk = key !== undefined && expected.length > 0 && given.length === expected.length && timingSafeEqual(given, expected);
      if (!keyOk) {
        // Without the member's link, only staff of this hub may read it.
        if (key !== undefined && !event.headers?.authorization) throw forbidden('This calendar link is not valid (any more)');
        requireStaffOf(await verify(event.headers?.authorization), hub.id);
      }
      if (!member) throw notFound(`No member "${params.memberId}" at hub "${hub.id}"`, [{ path: 'path.memberId', message: 'Unknown member' }]);
      return { body: await bookings.memberCalendar(member), contentType: ICS };
    },
    availability: async ({ query }) => ({ body: await bookings.availability(query.date, query.resourceType) }),
    createBooking: async ({ body, event, correlationId }) => {
      try {
        const { booking, replayed } = await bookings.book(body, correlationId, idempotencyKey(event.headers));
        if (!replayed) countBusiness('BookingsCreated', hub.id);
        return { status: 201, body: booking };
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) countBusiness('BookingConflicts', hub.id);
        throw e;
      }
    },
    createSeries: async ({ body, correlationId }) => ({ body: await bookings.bookWeekly(body, correlationId) }),
    scheduleAgencyPresence: async ({ body, correlationId }) => {
      const org = await store.getOrganisation(body.organisationId);
      return { body: await bookings.scheduleAgencyPresence(body, org, correlationId) };
    },
    listAgencyPresence: async ({ params }) => {
      if (params.hubId !== hub.id) throw notFound(`Unknown hub "${params.hubId}"`, [{ path: 'path.hubId', message: 'Unknown hub' }]);
      return { body: await bookings.agencyPresence() };
    },
    listBookings: async ({ query }) => ({ body: { bookings: await bookings.bookingsOn(query.date) } }),
    cancelBooking: async ({ params, correlationId }) => ({ body: await bookings.cancel(params.bookingId, correlationId) }),
    ...hubEventHandlers(hub, hubEvents, mail.forget),
    ...directoryHubHandlers(hub, directory),
    ...consentHandlers(consents),
    ...surveyHubHandlers(surveys),
  },
});
