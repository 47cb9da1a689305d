import type { HubConfig } from '../../hubs/schema.ts';
import { hubEventsCalendar } from '../domain/event-calendar.ts';
import { localDate } from '../domain/time.ts';
import { badRequest, notFound } from '../shared/errors.ts';
import type { networkEventRoutes } from '../api/hub-events-contract.ts';
import type { RouteHandlers } from '../shared/http.ts';
import { decodeCursor, months, type CalendarEntry, type NetworkCalendarStore } from './store.ts';
import { clock } from '../shared/clock.ts';

type Query = { from?: string; to?: string; hub?: string; kind?: string; limit?: number; cursor?: string };

/** The national API's handlers of the network calendar (`networkEventRoutes`). */
export function networkCalendarHandlers(hubs: HubConfig[], store: NetworkCalendarStore): RouteHandlers<typeof networkEventRoutes> {
  const names = new Map(hubs.map((h) => [h.id, h]));
  const resolve = (q: Query) => {
    if (q.hub && !names.has(q.hub)) throw notFound(`Unknown hub "${q.hub}"`, [{ path: 'query.hub', message: 'Unknown hub' }]);
    const cursor = q.cursor !== undefined ? decodeCursor(q.cursor) : undefined;
    if (q.cursor !== undefined && !cursor) throw badRequest('Invalid request: query.cursor', [{ path: 'query.cursor', message: 'Not a cursor this API gave out' }]);
    const from = q.from ?? localDate(clock(), 'Europe/Stockholm');
    const to = q.to ?? new Date(Date.parse(`${from}T12:00:00Z`) + 90 * 86_400_000).toISOString().slice(0, 10);
    if (to < from) throw badRequest('Invalid request: query.to', [{ path: 'query.to', message: '"to" must not be before "from"' }]);
    if (cursor && !months(from, to).includes(cursor.m)) throw badRequest('Invalid request: query.cursor', [{ path: 'query.cursor', message: 'Not a cursor of this range: ask again from the first page' }]);
    return { from, to, hub: q.hub, kind: q.kind, cursor };
  };
  const view = ({ version: _v, occurredAt: _o, ...e }: CalendarEntry) => ({ ...e, hubName: names.get(e.hubId)?.name ?? e.hubId });
  return {
    networkEvents: async ({ query }) => {
      const page = await store.list({ ...resolve(query), limit: query.limit ?? 50 });
      return { body: { events: page.events.map(view), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) } };
    },
    networkCalendar: async ({ query }) => {
      const r = resolve(query);
      const events: CalendarEntry[] = [];
      let cursor = r.cursor;
      // The feed holds the whole range (at most 1000 events), read from the index a page at a time.
      do {
        const page = await store.list({ ...r, cursor, limit: 200 });
        events.push(...page.events);
        cursor = page.nextCursor ? decodeCursor(page.nextCursor) : undefined;
      } while (cursor && events.length < 1000);
      const body = hubEventsCalendar('Samverkanshubbarna – nätverkets kalender', events.map((e) => {
        const hub = names.get(e.hubId);
        const room = e.resourceId ? hub?.resources.find((x) => x.id === e.resourceId)?.name : undefined;
        return { id: e.id, hubId: e.hubId, hubName: hub?.name ?? e.hubId, venue: hub?.hostVenue.name ?? '', room, title: e.title, description: e.description, start: e.start, end: e.end, status: 'published' as const, updatedAt: e.occurredAt, version: e.version };
      }));
      return { body, contentType: 'text/calendar; charset=utf-8' };
    },
  };
}
