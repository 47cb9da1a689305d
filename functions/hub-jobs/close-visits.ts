import { Logger } from '@aws-lambda-powertools/logger';
import { randomUUID } from 'node:crypto';
import { DynamoHubStore } from '../adapters/dynamo-hub-store.ts';
import { HubService } from '../domain/hub.ts';
import { dynamo, requireEnv } from '../shared/clients.ts';
import { loadHub } from '../shared/hub-config.ts';
import { clock } from '../shared/clock.ts';
import { traced } from '../shared/observability.ts';

const hub = loadHub(requireEnv('HUB_ID'));
const logger = new Logger({ serviceName: `close-visits-${hub.id}` });
const service = new HubService(hub, new DynamoHubStore(dynamo(), requireEnv('HUB_TABLE_NAME')), clock);

/**
 * The closing-time job (EventBridge Scheduler, every 15 minutes): closes the visits still open
 * after the hub's closing time, with the closing time as their end and `autoClosed: true`.
 * `scheduledTime` comes from the schedule (`<aws.scheduler.scheduled-time>`), so a late or
 * retried run decides as of the time it was meant for.
 */
async function run(event: { scheduledTime?: string } = {}): Promise<{ closed: number }> {
  const at = event.scheduledTime ? new Date(event.scheduledTime) : clock();
  if (Number.isNaN(at.getTime())) throw new Error(`Bad scheduledTime ${event.scheduledTime}`);
  const closed = await service.closeOverdueVisits(at, `close-visits-${randomUUID()}`);
  if (closed.length) logger.info('Closed visits at closing time', { hubId: hub.id, count: closed.length, visitIds: closed.map((v) => v.id) });
  return { closed: closed.length };
}

/** The function's entry point, traced. */
export const handler = traced(run);
