import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { parseDetail, type DetailType } from '../../events/catalog.ts';
import { traced } from '../shared/observability.ts';

/** A DynamoDB stream record as EventBridge Pipes hands it to an enrichment. */
export interface StreamRecord {
  eventName?: string;
  dynamodb?: { NewImage?: Record<string, AttributeValue> };
}

/**
 * Pipe enrichment of the outbox: turns each outbox item's stream record into the event
 * `detail` ({metadata, data}), validated against the catalog. The pipe's target takes the
 * detail-type from `$.metadata.eventType`. An invalid item fails the batch (retried, then
 * dead-lettered) rather than being dropped.
 */
async function run(records: StreamRecord[]): Promise<unknown[]> {
  return records.map(outboxDetail);
}

/** One outbox item's stream record → its event `detail`, validated (also used by `npm run redrive` for the pipe's DLQ). */
export function outboxDetail(record: StreamRecord): ReturnType<typeof parseDetail> {
  const image = record.dynamodb?.NewImage;
  if (!image) throw new Error('Outbox stream record without NewImage (the stream must carry new images)');
  const item = unmarshall(image) as { detailType: DetailType; detail: unknown };
  return parseDetail(item.detailType, item.detail);
}

/** The function's entry point, traced. */
export const handler = traced(run);
