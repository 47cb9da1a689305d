import { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeEvent } from 'aws-lambda';
import { parseDetail } from '../../events/catalog.ts';
import { dynamo, requireEnv } from '../shared/clients.ts';
import { NetworkCalendarStore, type CalendarEntry } from './store.ts';
import { traced } from '../shared/observability.ts';

const logger = new Logger({ serviceName: 'network-calendar' });
const store = new NetworkCalendarStore(dynamo(), requireEnv('NETWORK_TABLE_NAME'));

/**
 * National consumer of `HubEventScheduled`, `HubEventUpdated` and `HubEventCancelled`: projects
 * every hub's published events into the network calendar. Idempotent on the event (a duplicate
 * carries the same version and changes nothing) and robust to out-of-order delivery (only a
 * higher version replaces what is stored). Failures are thrown: retried, then dead-lettered.
 */
async function run(event: EventBridgeEvent<string, unknown>): Promise<{ projected: boolean }> {
  const type = event['detail-type'];
  let entry: CalendarEntry;
  if (type === 'HubEventScheduled' || type === 'HubEventUpdated') {
    const { metadata, data } = parseDetail(type, event.detail);
    const { eventId, changed: _c, ...rest } = data as typeof data & { changed?: string[] };
    entry = { ...rest, id: eventId, status: 'published', occurredAt: metadata.occurredAt };
  } else if (type === 'HubEventCancelled') {
    const { metadata, data } = parseDetail(type, event.detail);
    // Only what the cancellation says is kept: the entry leaves the calendar's index.
    entry = { id: data.eventId, hubId: data.hubId, version: data.version, title: '', kind: data.kind, start: data.start, end: data.end, localDate: data.localDate, capacity: 1, openToNetwork: false, openToBusiness: false, status: 'cancelled', occurredAt: metadata.occurredAt };
  } else {
    throw new Error(`Unexpected detail-type ${type}`);
  }
  const projected = await store.project(entry);
  logger.info(projected ? 'Projected hub event' : 'Older or duplicate delivery ignored', { type, hubId: entry.hubId, eventId: entry.id, version: entry.version });
  return { projected };
}

/** The function's entry point, traced. */
export const handler = traced(run);
