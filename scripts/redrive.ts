/**
 * `npm run redrive -- <queue> [--region eu-north-1] [--max 1000] [--dry-run]` — sends the
 * messages of a dead-letter queue back where they failed to go, after the cause is fixed
 * (docs/operations.md § Redrive). `<queue>` is the queue's name (as the alarm names it) or URL.
 *
 * The queue's tags say where its messages go (infra/constructs/dlq.ts `redriveTo`):
 * - `lambda`: each message is the event the function failed on; it is invoked again,
 *   asynchronously (its own retries and DLQ apply again). Consumers are idempotent on eventId.
 * - `event-bus`: each message is an event that did not reach the bus; it is put again
 *   (same source, detail-type and detail).
 * - `pipe`: the outbox pipe's DLQ names a stream batch, not events: the batch's outbox items are
 *   read back from the stream (or, with `--from-table`, from the hub table) and put on the hub bus
 *   the target names, as the pipe would have (scripts/redrive-pipe.ts).
 * A message is deleted only after its target accepted it; a failed one stays (visible again
 * after the visibility timeout) and is reported.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, GetQueueUrlCommand, ListQueueTagsCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { REDRIVE_TAGS } from '../infra/constructs/dlq.ts';
import { eventsFromStream, eventsFromTable, StreamGone, streamBatchOf } from './redrive-pipe.ts';

/** The one method of an AWS SDK v3 client the redrive uses. */
export interface Sender {
  // biome-ignore lint/suspicious/noExplicitAny: any SDK command of the client
  send(command: any): Promise<any>;
}

export interface RedriveClients {
  sqs: Sender;
  lambda: Sender;
  events: Sender;
  /** For the outbox pipe's DLQ: the hub table's stream, and the table itself (`fromTable`). */
  streams?: Sender;
  ddb?: Sender;
}

export interface RedriveOptions {
  queue: string;
  max?: number;
  dryRun?: boolean;
  /** Pipe DLQ only: take the batch's outbox items from the hub table (the stream keeps 24 hours). */
  fromTable?: boolean;
  log?: (line: string) => void;
}

export interface RedriveResult {
  kind: string;
  target: string;
  received: number;
  redriven: number;
  failed: Array<{ messageId: string; error: string }>;
}

/** Where a DLQ's messages go, from its tags. */
export async function redriveTarget(sqs: Sender, queueUrl: string): Promise<{ kind: string; target: string }> {
  const tags = ((await sqs.send(new ListQueueTagsCommand({ QueueUrl: queueUrl }))).Tags ?? {}) as Record<string, string>;
  const kind = tags[REDRIVE_TAGS.kind];
  const target = tags[REDRIVE_TAGS.target];
  if (!kind || !target) throw new Error(`Queue ${queueUrl} has no ${REDRIVE_TAGS.kind}/${REDRIVE_TAGS.target} tags: not a samverkan DLQ, or deployed before redrive existed`);
  if (kind === 'pipe' && !/:event-bus\//.test(target)) {
    throw new Error(`Queue ${queueUrl} is the DLQ of pipe ${target}, deployed before its redrive: deploy the hub stack again (its target becomes the hub bus), or follow docs/operations.md#outbox-pipe-dlq`);
  }
  if (kind !== 'lambda' && kind !== 'event-bus' && kind !== 'pipe') throw new Error(`Queue ${queueUrl}: unknown redrive kind "${kind}"`);
  return { kind, target };
}

/** Puts events on a bus, ten to a request; throws when any was refused. */
async function putAll(events: Sender, bus: string, entries: Array<{ source: string; detailType: string; detail: unknown }>): Promise<void> {
  for (let i = 0; i < entries.length; i += 10) {
    const chunk = entries.slice(i, i + 10);
    const res = await events.send(new PutEventsCommand({ Entries: chunk.map((e) => ({ EventBusName: bus, Source: e.source, DetailType: e.detailType, Detail: JSON.stringify(e.detail), Resources: [] })) }));
    if (res.FailedEntryCount) {
      const failed = (res.Entries ?? []).find((e: { ErrorCode?: string }) => e.ErrorCode);
      throw new Error(`PutEvents refused ${res.FailedEntryCount} of ${chunk.length}: ${failed?.ErrorCode} ${failed?.ErrorMessage}`);
    }
  }
}

/** The outbox pipe's DLQ message: its batch's events, from the stream or the table, onto the hub bus. */
async function deliverPipeBatch(clients: RedriveClients, bus: string, body: string, fromTable: boolean, log: (line: string) => void): Promise<void> {
  const batch = streamBatchOf(body);
  let events: Awaited<ReturnType<typeof eventsFromStream>>;
  if (fromTable) {
    if (!clients.ddb) throw new Error('No DynamoDB client for --from-table');
    events = await eventsFromTable(clients.ddb, batch);
  } else {
    if (!clients.streams) throw new Error('No DynamoDB Streams client');
    try {
      events = await eventsFromStream(clients.streams, batch);
    } catch (e) {
      if (e instanceof StreamGone) throw new Error(`The stream no longer holds this batch (${e.message}): run again with --from-table (docs/operations.md#outbox-pipe-dlq)`);
      throw e;
    }
  }
  log(`    ${events.length} outbox event(s): ${events.map((e) => `${e.detailType} ${e.detail.metadata.eventId}`).join(', ')}`);
  await putAll(clients.events, bus, events);
}

/** Sends one message body back to its target; throws when the target refused it. */
async function deliver(clients: RedriveClients, kind: string, target: string, body: string): Promise<void> {
  if (kind === 'lambda') {
    const res = await clients.lambda.send(new InvokeCommand({ FunctionName: target, InvocationType: 'Event', Payload: new TextEncoder().encode(body) }));
    if (res.StatusCode !== 202) throw new Error(`Invoke returned ${res.StatusCode}${res.FunctionError ? ` (${res.FunctionError})` : ''}`);
    return;
  }
  const event = JSON.parse(body) as { source?: string; 'detail-type'?: string; detail?: unknown; resources?: string[] };
  if (!event.source || !event['detail-type'] || event.detail === undefined) throw new Error('The message is not an EventBridge event (source, detail-type, detail)');
  const res = await clients.events.send(
    new PutEventsCommand({ Entries: [{ EventBusName: target, Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail), Resources: event.resources ?? [] }] }),
  );
  if (res.FailedEntryCount) throw new Error(`PutEvents refused it: ${res.Entries?.[0]?.ErrorCode} ${res.Entries?.[0]?.ErrorMessage}`);
}

/** Moves up to `max` messages from the DLQ back to its target; returns what happened. */
export async function redrive(clients: RedriveClients, options: RedriveOptions): Promise<RedriveResult> {
  const log = options.log ?? (() => {});
  const max = options.max ?? 1000;
  const queueUrl = options.queue.startsWith('https://') ? options.queue : (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: options.queue }))).QueueUrl;
  if (!queueUrl) throw new Error(`No queue named ${options.queue}`);
  const { kind, target } = await redriveTarget(clients.sqs, queueUrl);
  log(`redrive: ${queueUrl} → ${kind} ${target}${options.dryRun ? ' (dry run: nothing sent, nothing deleted)' : ''}`);
  const result: RedriveResult = { kind, target, received: 0, redriven: 0, failed: [] };
  const seen = new Set<string>();
  while (result.received < max) {
    const res = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: Math.min(10, max - result.received), WaitTimeSeconds: 1, VisibilityTimeout: 300, MessageAttributeNames: ['All'] }),
    );
    const messages = (res.Messages ?? []).filter((m: { MessageId?: string }) => !seen.has(m.MessageId ?? ''));
    if (messages.length === 0) break;
    for (const m of messages as Array<{ MessageId: string; ReceiptHandle: string; Body: string }>) {
      seen.add(m.MessageId);
      result.received++;
      if (options.dryRun) {
        log(`  would redrive ${m.MessageId}`);
        continue;
      }
      try {
        if (kind === 'pipe') await deliverPipeBatch(clients, target, m.Body, !!options.fromTable, log);
        else await deliver(clients, kind, target, m.Body);
        await clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
        result.redriven++;
        log(`  redriven ${m.MessageId}`);
      } catch (e) {
        result.failed.push({ messageId: m.MessageId, error: (e as Error).message });
        log(`  FAILED ${m.MessageId}: ${(e as Error).message} (left in the queue)`);
      }
    }
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const USAGE = 'Usage: npm run redrive -- <queue name or URL> [--region eu-north-1] [--max 1000] [--dry-run] [--from-table]';
  const fail = (message: string): never => {
    console.error(`redrive: ${message}\n${USAGE}`);
    process.exit(2);
  };
  const { values, positionals } = (() => {
    try {
      return parseArgs({
        allowPositionals: true,
        options: {
          region: { type: 'string', default: process.env.AWS_REGION ?? 'eu-north-1' },
          max: { type: 'string', default: '1000' },
          'dry-run': { type: 'boolean', default: false },
          'from-table': { type: 'boolean', default: false },
        },
      });
    } catch (e) {
      return fail((e as Error).message);
    }
  })();
  const queue = positionals[0];
  if (!queue) fail('name the queue (as its alarm names it, or its URL)');
  if (positionals.length > 1) fail(`one queue at a time (given: ${positionals.join(' ')})`);
  const max = Number(values.max);
  if (!Number.isInteger(max) || max < 1) fail(`--max: a whole number of messages, at least 1 (given "${values.max}")`);
  const region = values.region;
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) fail(`--region: an AWS region such as eu-north-1 (given "${region}")`);
  try {
    const result = await redrive(
      { sqs: new SQSClient({ region }), lambda: new LambdaClient({ region }), events: new EventBridgeClient({ region }), streams: new DynamoDBStreamsClient({ region }), ddb: new DynamoDBClient({ region }) },
      { queue: queue as string, max, dryRun: values['dry-run'], fromTable: values['from-table'], log: (l) => console.log(l) },
    );
    console.log(`redrive: ${result.redriven} of ${result.received} messages sent back to ${result.target}; ${result.failed.length} failed`);
    process.exit(result.failed.length ? 1 : 0);
  } catch (e) {
    const err = e as Error;
    if (err.name === 'CredentialsProviderError') {
      console.error(`redrive: no AWS credentials for ${region} (${err.message}): sign in with the AWS CLI first (docs/operations.md § Redrive)`);
      process.exit(2);
    }
    console.error(`redrive: ${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`);
    process.exit(1);
  }
}
