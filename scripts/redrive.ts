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
 * - `pipe`: the outbox pipe's DLQ holds only a stream position, not the events: refused here,
 *   see the runbook.
 * A message is deleted only after its target accepted it; a failed one stays (visible again
 * after the visibility timeout) and is reported.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, GetQueueUrlCommand, ListQueueTagsCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { parseArgs } from 'node:util';
import { REDRIVE_TAGS } from '../infra/constructs/dlq.ts';

/** The one method of an AWS SDK v3 client the redrive uses. */
export interface Sender {
  // biome-ignore lint/suspicious/noExplicitAny: any SDK command of the client
  send(command: any): Promise<any>;
}

export interface RedriveClients {
  sqs: Sender;
  lambda: Sender;
  events: Sender;
}

export interface RedriveOptions {
  queue: string;
  max?: number;
  dryRun?: boolean;
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
  if (kind === 'pipe') {
    throw new Error(`Queue ${queueUrl} is the DLQ of pipe ${target}: its messages name a stream batch, not events. Follow docs/operations.md#outbox-pipe-dlq`);
  }
  if (kind !== 'lambda' && kind !== 'event-bus') throw new Error(`Queue ${queueUrl}: unknown redrive kind "${kind}"`);
  return { kind, target };
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
        await deliver(clients, kind, target, m.Body);
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
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { region: { type: 'string', default: process.env.AWS_REGION ?? 'eu-north-1' }, max: { type: 'string', default: '1000' }, 'dry-run': { type: 'boolean', default: false } },
  });
  const queue = positionals[0];
  if (!queue) {
    console.error('Usage: npm run redrive -- <queue name or URL> [--region eu-north-1] [--max 1000] [--dry-run]');
    process.exit(2);
  }
  const region = values.region;
  const result = await redrive(
    { sqs: new SQSClient({ region }), lambda: new LambdaClient({ region }), events: new EventBridgeClient({ region }) },
    { queue, max: Number(values.max), dryRun: values['dry-run'], log: (l) => console.log(l) },
  );
  console.log(`redrive: ${result.redriven} of ${result.received} messages sent back to ${result.target}; ${result.failed.length} failed`);
  process.exit(result.failed.length ? 1 : 0);
}
