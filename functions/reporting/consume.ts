import { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeEvent } from 'aws-lambda';
import { EventBridgeEnvelope } from '../../events/envelope.ts';
import { dynamo, requireEnv } from '../shared/clients.ts';
import { loadAllHubs } from '../shared/hub-config.ts';
import { CONSUMED } from './facts.ts';
import { DEFAULT_VERSION, ReportStore } from './store.ts';
import { traced } from '../shared/observability.ts';

const logger = new Logger({ serviceName: 'national-reporting' });
const store = new ReportStore(dynamo(), requireEnv('REPORT_TABLE_NAME'), loadAllHubs(), process.env.REPORT_VERSION ?? DEFAULT_VERSION);

/**
 * National consumer of the events the reports are made of (`CONSUMED`): validates the
 * envelope and the detail against the catalog and records the event's facts once per
 * eventId. Failures are thrown, so EventBridge retries and then dead-letters; nothing is
 * swallowed.
 */
async function run(event: EventBridgeEvent<string, unknown>): Promise<{ counted: boolean }> {
  const envelope = EventBridgeEnvelope.parse(event);
  const type = envelope['detail-type'];
  if (!(CONSUMED as readonly string[]).includes(type)) throw new Error(`Unexpected detail-type ${type}`);
  const counted = await store.apply(type, event.detail as { metadata: { eventId: string } });
  logger.info(counted ? 'Recorded event' : 'Duplicate delivery ignored', { eventId: envelope.detail.metadata.eventId, detailType: type, hubId: envelope.detail.metadata.hubId });
  return { counted };
}

/** The function's entry point, traced. */
export const handler = traced(run);
