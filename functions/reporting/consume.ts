import { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeEvent } from 'aws-lambda';
import { parseDetail } from '../../events/catalog.ts';
import { dynamo, requireEnv } from '../shared/clients.ts';
import { ReportStore } from './store.ts';

const logger = new Logger({ serviceName: 'national-reporting' });
const store = new ReportStore(dynamo(), requireEnv('REPORT_TABLE_NAME'));

/**
 * National consumer of `CheckedIn`: validates the envelope against the catalog and counts the
 * check-in exactly once per eventId. Failures are thrown, so EventBridge retries and then
 * dead-letters; nothing is swallowed.
 */
export async function handler(event: EventBridgeEvent<string, unknown>): Promise<{ counted: boolean }> {
  if (event['detail-type'] !== 'CheckedIn') throw new Error(`Unexpected detail-type ${event['detail-type']}`);
  const detail = parseDetail('CheckedIn', event.detail);
  const counted = await store.recordCheckIn({
    eventId: detail.metadata.eventId,
    hubId: detail.data.hubId,
    localDate: detail.data.localDate,
    organisationId: detail.data.organisationId,
    business: detail.data.organisationType === 'business' || detail.data.membership === 'business-partner',
  });
  logger.info(counted ? 'Counted check-in' : 'Duplicate delivery ignored', { eventId: detail.metadata.eventId, hubId: detail.data.hubId });
  return { counted };
}
