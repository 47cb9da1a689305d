/**
 * The outbox pipe's DLQ, redriven (`npm run redrive -- <OutboxPipeDlq>`; docs/operations.md §
 * Outbox pipe DLQ). A pipe with a DynamoDB stream source dead-letters a *batch description*, not
 * the events: the shard, the first and last sequence number and the stream (`DDBStreamBatchInfo`,
 * the shape Lambda's stream destinations use too). The events are read back from the stream
 * (kept 24 hours), turned into event details exactly as the pipe's enrichment does
 * (`functions/outbox/enrich.ts` `outboxDetail`) and put on the hub bus with the pipe's source
 * and detail-type.
 *
 * After 24 hours the stream no longer holds them, but the hub table still holds every outbox item
 * until its TTL: `--from-table` then puts every outbox item written while the batch arrived
 * (a minute either side), which may include events the pipe did deliver. The national consumers are
 * idempotent on `eventId`; the hub's mail notifiers are not all, hence a flag, not a default.
 */
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { hubSource } from '../events/envelope.ts';
import { outboxDetail } from '../functions/outbox/enrich.ts';
import { OUTBOX_ENTITY } from '../functions/adapters/outbox.ts';
import type { Sender } from './redrive.ts';

/** What a stream pipe's DLQ message says of the failed batch. */
export interface StreamBatch {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  streamArn: string;
  approximateArrivalOfFirstRecord?: string;
  approximateArrivalOfLastRecord?: string;
}

/** An event to put on the hub bus. */
export interface HubEvent {
  source: string;
  detailType: string;
  detail: { metadata: { eventId: string; hubId: string; eventType: string } };
}

/** The batch a DLQ message names; throws naming what is missing. */
export function streamBatchOf(body: string): StreamBatch {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new Error('The message is not JSON: not a pipe DLQ message');
  }
  const info = (parsed as { DDBStreamBatchInfo?: Partial<StreamBatch> } | null)?.DDBStreamBatchInfo;
  const missing = (['shardId', 'startSequenceNumber', 'endSequenceNumber', 'streamArn'] as const).filter((k) => typeof info?.[k] !== 'string' || !info[k]);
  if (!info || missing.length) throw new Error(`The message has no DDBStreamBatchInfo${info ? ` ${missing.join(', ')}` : ''}: not a stream pipe's DLQ message`);
  return info as StreamBatch;
}

/** The outbox items' events of a stream record list (other records of the batch are skipped, as the pipe's filter does). */
function eventsOf(records: Array<Pick<_Record, 'eventName' | 'dynamodb'>>): HubEvent[] {
  return records
    .filter((r) => r.eventName === 'INSERT' && r.dynamodb?.NewImage?.entity?.S === OUTBOX_ENTITY)
    .map((r) => {
      // biome-ignore lint/suspicious/noExplicitAny: the SDK's stream AttributeValue and DynamoDB's are the same JSON
      const detail = outboxDetail({ eventName: r.eventName, dynamodb: { NewImage: r.dynamodb?.NewImage as any } });
      return { source: hubSource(detail.metadata.hubId), detailType: detail.metadata.eventType, detail };
    });
}

/** Errors that mean the stream no longer holds the batch. */
const GONE = new Set(['TrimmedDataAccessException', 'ExpiredIteratorException', 'ResourceNotFoundException']);

/**
 * The batch's events read back from the stream: the records from its first to its last sequence
 * number. Throws `StreamGone` when the stream no longer holds them.
 */
export async function eventsFromStream(streams: Sender, batch: StreamBatch): Promise<HubEvent[]> {
  const end = BigInt(batch.endSequenceNumber);
  const records: _Record[] = [];
  try {
    let iterator: string | undefined = (
      await streams.send(new GetShardIteratorCommand({ StreamArn: batch.streamArn, ShardId: batch.shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: batch.startSequenceNumber }))
    ).ShardIterator;
    let empty = 0;
    let reachedEnd = false;
    while (iterator && !reachedEnd && empty < 3) {
      const res: { Records?: _Record[]; NextShardIterator?: string } = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      const page = res.Records ?? [];
      empty = page.length ? 0 : empty + 1;
      for (const r of page) {
        if (BigInt(r.dynamodb?.SequenceNumber ?? '0') > end) {
          reachedEnd = true;
          break;
        }
        records.push(r);
        if (r.dynamodb?.SequenceNumber === batch.endSequenceNumber) reachedEnd = true;
      }
      iterator = res.NextShardIterator;
    }
    if (!records.some((r) => r.dynamodb?.SequenceNumber === batch.endSequenceNumber)) {
      throw new StreamGone(`the stream ended before the batch's last record ${batch.endSequenceNumber}`);
    }
  } catch (e) {
    if (e instanceof StreamGone) throw e;
    if (GONE.has((e as Error).name)) throw new StreamGone(`${(e as Error).name}: ${(e as Error).message}`);
    throw e;
  }
  return eventsOf(records);
}

/** The stream no longer holds the batch (older than 24 hours, or the stream was replaced). */
export class StreamGone extends Error {
  override name = 'StreamGone';
}

/** The table a stream belongs to: `arn:…:table/<name>/stream/<label>`. */
export const tableOfStream = (streamArn: string) => {
  const m = /:table\/([^/]+)\/stream\//.exec(streamArn);
  if (!m?.[1]) throw new Error(`Not a DynamoDB stream ARN: ${streamArn}`);
  return m[1];
};

/**
 * Every outbox item the hub table still holds that was written while the batch arrived (a minute
 * either side): for a batch the stream no longer holds. May include events that were delivered.
 */
export async function eventsFromTable(ddb: Sender, batch: StreamBatch): Promise<HubEvent[]> {
  if (!batch.approximateArrivalOfFirstRecord || !batch.approximateArrivalOfLastRecord) throw new Error('The message gives no arrival times: the table cannot be searched for its outbox items');
  const from = new Date(Date.parse(batch.approximateArrivalOfFirstRecord) - 60_000).toISOString();
  const to = new Date(Date.parse(batch.approximateArrivalOfLastRecord) + 60_000).toISOString();
  const images: _Record[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const res: { Items?: Array<Record<string, never>>; LastEvaluatedKey?: Record<string, AttributeValue> } = await ddb.send(
      new ScanCommand({
        TableName: tableOfStream(batch.streamArn),
        FilterExpression: 'entity = :outbox AND createdAt BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':outbox': { S: OUTBOX_ENTITY }, ':from': { S: from }, ':to': { S: to } },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of res.Items ?? []) images.push({ eventName: 'INSERT', dynamodb: { NewImage: item } });
    start = res.LastEvaluatedKey;
  } while (start);
  return eventsOf(images).sort((a, b) => (a.detail as { metadata: { occurredAt?: string } }).metadata.occurredAt?.localeCompare((b.detail as { metadata: { occurredAt?: string } }).metadata.occurredAt ?? '') ?? 0);
}
