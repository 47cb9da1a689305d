import { Logger } from '@aws-lambda-powertools/logger';
import { randomUUID } from 'node:crypto';
import { DynamoBookingStore } from '../adapters/dynamo-booking-store.ts';
import { DynamoHubStore } from '../adapters/dynamo-hub-store.ts';
import { BookingService } from '../domain/bookings.ts';
import { swedishPublicHoliday } from '../domain/holidays.ts';
import { dynamo, requireEnv } from '../shared/clients.ts';
import { loadHub } from '../shared/hub-config.ts';
import { clock } from '../shared/clock.ts';
import { traced } from '../shared/observability.ts';

const hub = loadHub(requireEnv('HUB_ID'));
const logger = new Logger({ serviceName: `release-no-shows-${hub.id}` });
const members = new DynamoHubStore(dynamo(), requireEnv('HUB_TABLE_NAME'));
const bookings = new BookingService(hub, new DynamoBookingStore(dynamo(), requireEnv('HUB_TABLE_NAME')), members, clock, swedishPublicHoliday);

/**
 * The no-show job (EventBridge Scheduler, every 15 minutes): releases the day's bookings that
 * nobody checked in for within the hub's grace period, as of the scheduled time.
 */
async function run(event: { scheduledTime?: string } = {}): Promise<{ released: number }> {
  const at = event.scheduledTime ? new Date(event.scheduledTime) : clock();
  if (Number.isNaN(at.getTime())) throw new Error(`Bad scheduledTime ${event.scheduledTime}`);
  const released = await bookings.releaseNoShows(at, `release-no-shows-${randomUUID()}`, async (memberId, since) =>
    (await members.visitsOf(memberId)).some((v) => v.checkedInAt >= since),
  );
  if (released.length) logger.info('Released no-show bookings', { hubId: hub.id, bookingIds: released.map((b) => b.id) });
  return { released: released.length };
}

/** The function's entry point, traced. */
export const handler = traced(run);
