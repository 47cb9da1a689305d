import { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeEvent } from 'aws-lambda';
import { parseDetail } from '../../events/catalog.ts';
import { DynamoBookingStore } from '../adapters/dynamo-booking-store.ts';
import { DynamoHubEventStore } from '../adapters/dynamo-hub-event-store.ts';
import { DynamoHubStore } from '../adapters/dynamo-hub-store.ts';
import { BookingService } from '../domain/bookings.ts';
import { swedishPublicHoliday } from '../domain/holidays.ts';
import { HubEventService } from '../domain/hub-events.ts';
import { dynamo, requireEnv } from '../shared/clients.ts';
import { loadHub } from '../shared/hub-config.ts';
import { createMailer } from '../shared/mail.ts';
import { clock } from '../shared/clock.ts';
import { traced } from '../shared/observability.ts';

const hub = loadHub(requireEnv('HUB_ID'));
const logger = new Logger({ serviceName: `event-notifier-${hub.id}` });
const table = requireEnv('HUB_TABLE_NAME');
const members = new DynamoHubStore(dynamo(), table);
const service = new HubEventService(hub, new DynamoHubEventStore(dynamo(), table), members, new BookingService(hub, new DynamoBookingStore(dynamo(), table), members, clock, swedishPublicHoliday), clock);
const send = createMailer();
/** Where links in e-mails point (the one origin serving the API and the apps). */
const publicUrl = (process.env.PUBLIC_BASE_URL ?? 'https://samverkan.se').replace(/\/$/, '');

const TYPES = ['HubEventUpdated', 'HubEventCancelled', 'EventWaitlistPromoted', 'EventRegistrationCreated'] as const;
type NotifiedType = (typeof TYPES)[number];

/**
 * Hub consumer that e-mails registrants (SES on AWS, an .eml file locally): a new time or place,
 * a cancellation, a seat from the waitlist, a public registrant's confirmation with their
 * cancellation link. Each mail at most once per event and registrant once delivered; failures
 * are thrown, so the delivery is retried and then dead-lettered.
 */
async function run(event: EventBridgeEvent<string, unknown>): Promise<{ sent: number }> {
  const type = event['detail-type'] as NotifiedType;
  if (!TYPES.includes(type)) throw new Error(`Unexpected detail-type ${type}`);
  const detail = parseDetail(type, event.detail);
  if (detail.data.hubId !== hub.id) throw new Error(`${type} of hub ${detail.data.hubId} reached the notifier of ${hub.id}`);
  const data = detail.data as { eventId: string; registrationId?: string; changed?: string[] };
  const sent = await service.notify({ eventId: detail.metadata.eventId, detailType: type, data }, send, publicUrl);
  logger.info('Event notification', { type, eventId: data.eventId, sent });
  return { sent };
}

/** The function's entry point, traced. */
export const handler = traced(run);
