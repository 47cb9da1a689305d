import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { redrive, type Sender } from '../../scripts/redrive.ts';

/** A fake SDK client: records every command (name and input) and answers from a script. */
function fake(answer: (name: string, input: Record<string, unknown>) => unknown) {
  const calls: Array<{ name: string; input: Record<string, unknown> }> = [];
  const client: Sender = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      calls.push({ name: command.constructor.name, input: command.input });
      return answer(command.constructor.name, command.input);
    },
  };
  return { client, calls };
}

const URL = 'https://sqs.eu-north-1.amazonaws.com/111122223333/samverkan-hub-umea-ForwardDlq-ABC';

function dlq(tags: Record<string, string>, bodies: string[]) {
  let batch = 0;
  return fake((name) => {
    if (name === 'GetQueueUrlCommand') return { QueueUrl: URL };
    if (name === 'ListQueueTagsCommand') return { Tags: tags };
    if (name === 'ReceiveMessageCommand') return batch++ === 0 ? { Messages: bodies.map((Body, i) => ({ MessageId: `m${i}`, ReceiptHandle: `rh${i}`, Body })) } : { Messages: [] };
    return {};
  });
}

const event = (id: string) => JSON.stringify({ source: 'samverkan.hub.umea', 'detail-type': 'CheckedIn', detail: { metadata: { eventId: id }, data: {} }, resources: [] });

describe('npm run redrive', () => {
  it('puts dead-lettered events back on their bus, deleting each message only after the bus took it', async () => {
    const sqs = dlq({ 'samverkan:redrive-kind': 'event-bus', 'samverkan:redrive-target': 'arn:aws:events:eu-north-1:111122223333:event-bus/samverkan-national' }, [event('e1'), event('e2')]);
    const events = fake(() => ({ FailedEntryCount: 0, Entries: [{ EventId: 'x' }] }));
    const lambda = fake(() => ({}));
    const result = await redrive({ sqs: sqs.client, events: events.client, lambda: lambda.client }, { queue: 'samverkan-hub-umea-ForwardDlq-ABC' });

    expect(sqs.calls.map((c) => c.name)).toEqual(['GetQueueUrlCommand', 'ListQueueTagsCommand', 'ReceiveMessageCommand', 'DeleteMessageCommand', 'DeleteMessageCommand', 'ReceiveMessageCommand']);
    expect(sqs.calls[3]!.input).toEqual({ QueueUrl: URL, ReceiptHandle: 'rh0' });
    expect(events.calls).toHaveLength(2);
    expect(events.calls[0]!.input).toEqual({
      Entries: [{ EventBusName: 'arn:aws:events:eu-north-1:111122223333:event-bus/samverkan-national', Source: 'samverkan.hub.umea', DetailType: 'CheckedIn', Detail: JSON.stringify({ metadata: { eventId: 'e1' }, data: {} }), Resources: [] }],
    });
    expect(lambda.calls).toEqual([]);
    expect(result).toMatchObject({ kind: 'event-bus', received: 2, redriven: 2, failed: [] });
  });

  it('invokes the function asynchronously with each message as its event, and leaves a message the target refused in the queue', async () => {
    const sqs = dlq({ 'samverkan:redrive-kind': 'lambda', 'samverkan:redrive-target': 'arn:aws:lambda:eu-north-1:111122223333:function:consumer' }, ['{"a":1}', '{"b":2}']);
    let n = 0;
    const lambda = fake(() => (n++ === 0 ? { StatusCode: 202 } : { StatusCode: 429 }));
    const result = await redrive({ sqs: sqs.client, lambda: lambda.client, events: fake(() => ({})).client }, { queue: URL });

    expect(lambda.calls.map((c) => [c.input.FunctionName, c.input.InvocationType, new TextDecoder().decode(c.input.Payload as Uint8Array)])).toEqual([
      ['arn:aws:lambda:eu-north-1:111122223333:function:consumer', 'Event', '{"a":1}'],
      ['arn:aws:lambda:eu-north-1:111122223333:function:consumer', 'Event', '{"b":2}'],
    ]);
    // Only the accepted message is deleted; no GetQueueUrl for a URL.
    expect(sqs.calls.filter((c) => c.name === 'DeleteMessageCommand').map((c) => c.input.ReceiptHandle)).toEqual(['rh0']);
    expect(sqs.calls[0]!.name).toBe('ListQueueTagsCommand');
    expect(result.failed).toEqual([{ messageId: 'm1', error: 'Invoke returned 429' }]);
  });

  it('sends and deletes nothing in a dry run', async () => {
    const sqs = dlq({ 'samverkan:redrive-kind': 'lambda', 'samverkan:redrive-target': 'fn' }, ['{}']);
    const lambda = fake(() => ({ StatusCode: 202 }));
    const result = await redrive({ sqs: sqs.client, lambda: lambda.client, events: fake(() => ({})).client }, { queue: URL, dryRun: true });
    expect(lambda.calls).toEqual([]);
    expect(sqs.calls.some((c) => c.name === 'DeleteMessageCommand')).toBe(false);
    expect(result).toMatchObject({ received: 1, redriven: 0 });
  });

  it('refuses a pipe DLQ tagged before its redrive existed (target: the pipe, not a bus) and a queue without redrive tags', async () => {
    const pipe = dlq({ 'samverkan:redrive-kind': 'pipe', 'samverkan:redrive-target': 'samverkan-hub-umea-outbox' }, []);
    await expect(redrive({ sqs: pipe.client, lambda: fake(() => ({})).client, events: fake(() => ({})).client }, { queue: URL })).rejects.toThrow(/deploy the hub stack again.*docs\/operations\.md#outbox-pipe-dlq/);
    const untagged = dlq({}, []);
    await expect(redrive({ sqs: untagged.client, lambda: fake(() => ({})).client, events: fake(() => ({})).client }, { queue: URL })).rejects.toThrow(/no samverkan:redrive-kind/);
    expect(pipe.calls.some((c) => c.name === 'ReceiveMessageCommand')).toBe(false);
  });

  it('leaves a pipe DLQ message that names no stream batch, or whose batch the stream no longer holds, in the queue, pointing to --from-table', async () => {
    const bus = 'arn:aws:events:eu-north-1:111122223333:event-bus/samverkan-hub-umea';
    const batch = { DDBStreamBatchInfo: { shardId: 'shard-1', startSequenceNumber: '100', endSequenceNumber: '200', streamArn: 'arn:aws:dynamodb:eu-north-1:111122223333:table/samverkan-hub-umea/stream/2026-12-01T00:00:00.000' } };
    const sqs = dlq({ 'samverkan:redrive-kind': 'pipe', 'samverkan:redrive-target': bus }, ['{"records":[]}', JSON.stringify(batch)]);
    const trimmed = Object.assign(new Error('Attempted to access data older than the trim point'), { name: 'TrimmedDataAccessException' });
    const streams = fake(() => {
      throw trimmed;
    });
    const events = fake(() => ({ FailedEntryCount: 0 }));
    const result = await redrive({ sqs: sqs.client, lambda: fake(() => ({})).client, events: events.client, streams: streams.client }, { queue: URL });
    expect(result.failed).toEqual([
      { messageId: 'm0', error: expect.stringMatching(/no DDBStreamBatchInfo/) },
      { messageId: 'm1', error: expect.stringMatching(/no longer holds this batch.*--from-table/) },
    ]);
    expect(streams.calls[0]).toEqual({ name: 'GetShardIteratorCommand', input: { StreamArn: batch.DDBStreamBatchInfo.streamArn, ShardId: 'shard-1', ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: '100' } });
    expect(events.calls).toEqual([]);
    expect(sqs.calls.some((c) => c.name === 'DeleteMessageCommand')).toBe(false);
  });

  it('as a command: a usage error naming the option for what an operator may mistype, and no stack trace without credentials', async () => {
    const run = (args: string[]) =>
      promisify(execFile)(join(process.cwd(), 'node_modules', '.bin', 'tsx'), ['scripts/redrive.ts', ...args], {
        timeout: 30_000,
        env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'samverkan-no-such-profile', AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
      }).then(
        (r) => ({ code: 0, stderr: r.stderr }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
    const cases: Array<[string[], RegExp]> = [
      [[], /name the queue/],
      [['q', '--max', 'abc'], /--max: a whole number/],
      [['q', '--max=0'], /--max: a whole number/],
      [['q', '--bogus'], /Unknown option '--bogus'/],
      [['q', '--region', 'mars-1'], /--region: an AWS region/],
      [['q', 'r'], /one queue at a time/],
      [['samverkan-hub-umea-OutboxPipeDlq'], /no AWS credentials for eu-north-1/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr, args.join(' ')).not.toMatch(/\n\s+at /); // no stack trace
    }
  }, 120_000);
});
