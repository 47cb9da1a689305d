import { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeEvent } from 'aws-lambda';
import { parseDetail } from '../../events/catalog.ts';
import { DynamoHubStore } from '../adapters/dynamo-hub-store.ts';
import { HubService } from '../domain/hub.ts';
import { dynamo, requireEnv } from '../shared/clients.ts';
import { loadHub } from '../shared/hub-config.ts';
import { createMailer } from '../shared/mail.ts';
import { clock } from '../shared/clock.ts';
import { traced } from '../shared/observability.ts';

const hub = loadHub(requireEnv('HUB_ID'));
const logger = new Logger({ serviceName: `host-notifier-${hub.id}` });
const service = new HubService(hub, new DynamoHubStore(dynamo(), requireEnv('HUB_TABLE_NAME')), clock);
const send = createMailer();

/**
 * Hub consumer of `CheckedIn` for guests: e-mails the host (SES on AWS, an .eml file locally).
 * Failures are thrown, so the delivery is retried and then dead-lettered.
 */
async function run(event: EventBridgeEvent<string, unknown>): Promise<{ result: string }> {
  const detail = parseDetail('CheckedIn', event.detail);
  if (detail.data.hubId !== hub.id) throw new Error(`CheckedIn of hub ${detail.data.hubId} reached the notifier of ${hub.id}`);
  const result = await service.notifyHost(detail.data.visitId, send);
  logger.info('Host notification', { visitId: detail.data.visitId, result });
  return { result };
}

/** The function's entry point, traced. */
export const handler = traced(run);
