import { timingSafeEqual } from 'node:crypto';
import type { HubConfig } from '../../hubs/schema.ts';
import { hubEventsCalendar } from '../domain/event-calendar.ts';
import type { hubEventRoutes } from '../api/hub-events-contract.ts';
import { cancelPagePath, type HubEvent, type HubEventService, type Registration } from '../domain/hub-events.ts';
import { ApiError, notFound } from '../shared/errors.ts';
import { cancelConfirmPage, cancelDonePage, HTML, invalidLinkPage, PAGE_HEADERS, tryAgainPage } from './cancel-page.ts';
import type { RouteHandlers } from '../shared/http.ts';

const ICS = 'text/calendar; charset=utf-8';

/** An event as staff see it: counts and seats left, no internal hold list. */
export function eventView(hub: HubConfig, { holds: _h, ...e }: HubEvent) {
  return { ...e, seatsLeft: Math.max(0, e.capacity - e.confirmed), ...(e.status !== 'draft' ? { calendarUrl: `/api/hubs/${hub.id}/events/${e.id}/calendar.ics` } : {}) };
}

/** A registration as staff see it: never the cancellation key. */
export const registrationView = ({ cancelKey: _k, language: _l, anonymised: _a, previousStatus: _p, ...r }: Registration) => r;

const keysMatch = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * The hub API's handlers of the hub-event routes (`hubEventRoutes`). `forgetMail` is the mail
 * adapter's erasure port: erasing a public registrant also forgets the mails sent to them.
 */
export function hubEventHandlers(hub: HubConfig, events: HubEventService, forgetMail: (person: { email: string }) => Promise<unknown>): RouteHandlers<typeof hubEventRoutes> {
  const ownHub = (hubId: string | undefined) => {
    if (hubId !== hub.id) throw notFound(`Unknown hub "${hubId}"`, [{ path: 'path.hubId', message: 'Unknown hub' }]);
  };
  return {
    createHubEvent: async ({ body, correlationId }) => ({ body: eventView(hub, await events.create(body, correlationId)) }),
    listHubEvents: async ({ query }) => {
      return { body: { events: (await events.list(query.from, query.to)).map((e) => eventView(hub, e)) } };
    },
    getHubEvent: async ({ params }) => ({ body: eventView(hub, await events.event(params.eventId)) }),
    updateHubEvent: async ({ params, body, correlationId }) => ({ body: eventView(hub, await events.update(params.eventId, body, correlationId)) }),
    hubEventCalendar: async ({ params }) => {
      ownHub(params.hubId);
      const e = await events.publishedEvent(params.eventId);
      const room = e.resourceId ? hub.resources.find((r) => r.id === e.resourceId)?.name : undefined;
      // The calendar's name (X-WR-CALNAME) is not escaped by ical-generator: never user text there.
      const body = hubEventsCalendar(`${hub.name} – evenemang`, [
        { id: e.id, hubId: hub.id, hubName: hub.name, venue: hub.hostVenue.name, room, title: e.title, description: e.description, start: e.start, end: e.end, status: e.status === 'cancelled' ? 'cancelled' : 'published', updatedAt: e.updatedAt, version: e.version },
      ]);
      return { body, contentType: ICS, headers: { 'content-disposition': `attachment; filename="${e.id}.ics"` } };
    },
    listRegistrations: async ({ params }) => ({ body: { registrations: (await events.registrations(params.eventId)).map(registrationView) } }),
    registerForEvent: async ({ params, body, correlationId }) => ({ body: registrationView(await events.registerMember(params.eventId, body.memberId, correlationId)) }),
    cancelRegistration: async ({ params, correlationId }) => ({ body: registrationView((await events.cancelRegistration(params.eventId, params.registrationId, correlationId)).registration) }),
    markAttendance: async ({ params, body, correlationId }) => {
      const { created, registration } = await events.attend(params.eventId, body, correlationId);
      return { status: created ? 201 : 200, body: registrationView(registration) };
    },
    registerPublicly: async ({ params, body, correlationId }) => {
      ownHub(params.hubId);
      const r = await events.registerPublic(params.eventId, body, correlationId);
      return { body: { id: r.id, eventId: r.eventId, status: r.status } };
    },
    cancelPublicRegistration: async ({ params, query, correlationId }) => {
      ownHub(params.hubId);
      const r = await events.cancelPublic(params.eventId, params.registrationId, query.key, correlationId, keysMatch);
      return { body: { id: r.id, eventId: r.eventId, status: r.status } };
    },
    publicCancellationPage: async ({ params, query }) => {
      try {
        ownHub(params.hubId);
        const { event, registration } = await events.publicRegistration(params.eventId, params.registrationId, query.key, keysMatch);
        return { body: cancelConfirmPage(hub, event, registration, cancelPagePath(hub.id, event.id, registration.id, query.key ?? '')), contentType: HTML, headers: PAGE_HEADERS };
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return { status: 404, body: invalidLinkPage(), contentType: HTML, headers: PAGE_HEADERS };
        throw e;
      }
    },
    confirmPublicCancellation: async ({ params, query, correlationId }) => {
      try {
        ownHub(params.hubId);
        const { event, registration } = await events.publicRegistration(params.eventId, params.registrationId, query.key, keysMatch);
        await events.cancelPublic(params.eventId, params.registrationId, query.key, correlationId, keysMatch);
        return { body: cancelDonePage(hub, event, registration.status === 'waitlisted'), contentType: HTML, headers: PAGE_HEADERS };
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) return { status: 404, body: invalidLinkPage(), contentType: HTML, headers: PAGE_HEADERS };
        if (e instanceof ApiError && e.status === 409) return { status: 409, body: tryAgainPage(), contentType: HTML, headers: PAGE_HEADERS };
        throw e;
      }
    },
    exportPublicRegistrant: async ({ query }) => ({ body: await events.exportPublicRegistrant(query.email) }),
    erasePublicRegistrant: async ({ query }) => {
      const erased = await events.erasePublicRegistrant(query.email);
      // After the registrations: a retry (after a failure here) still finds the mails by address.
      await forgetMail({ email: erased.email });
      return { body: erased };
    },
  };
}
