import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { redrive, type Sender } from '../../scripts/redrive.ts';
import { api, eventually, startTestNetwork } from '../support/network.ts';

let network: LocalNetwork;
let call: ReturnType<typeof api>;
let staff: string;
let national: string;

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(new Date());

async function count(hub: string): Promise<number> {
  const res = await call('GET', `/api/national/reports?from=${today()}&to=${today()}&hub=${hub}`, { token: national });
  expect(res.status, res.text).toBe(200);
  return res.json.totals.checkIns as number;
}

/** Registers `n` members of one organisation at a hub; returns their ids. */
async function members(hub: string, token: string, n: number, tag: string): Promise<string[]> {
  const org = await call('POST', `/api/hubs/${hub}/organisations`, { token, body: { name: `Org ${tag}`, type: 'municipality' } });
  expect(org.status, org.text).toBe(201);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const m = await call('POST', `/api/hubs/${hub}/members`, { token, body: { name: `Person ${i}`, email: `p${i}.${tag}@kommun.se`, organisationId: org.json.id, membership: 'member' } });
    expect(m.status, m.text).toBe(201);
    ids.push(m.json.id);
  }
  return ids;
}

beforeAll(async () => {
  network = await startTestNetwork();
  call = api(network);
  national = await network.token('national');
  staff = await network.token('staff', 'skelleftea');
});

afterAll(async () => {
  await network?.stop();
});

describe('no lost events', () => {
  it('delivers every check-in exactly once to the national count while the national bus rejects deliveries for a while', async () => {
    const ids = await members('skelleftea', staff, 12, 'fault');
    await network.idle();
    const before = await count('skelleftea');
    const rejectedBefore = network.bus.stats.rejectedPuts;

    // The national bus refuses the first deliveries, however long the pipe takes to bring them
    // (a fault for a fixed time could expire on a slow machine before any delivery arrived).
    network.bus.injectFault('samverkan-national', { calls: ids.length });
    const checkIns = await Promise.all(ids.map((memberId) => call('POST', '/api/hubs/skelleftea/check-ins', { token: staff, body: { memberId } })));
    expect(checkIns.every((r) => r.status === 201)).toBe(true);

    await eventually(async () => (await count('skelleftea')) === before + ids.length, 30_000);
    await network.idle();
    expect(await count('skelleftea')).toBe(before + ids.length);
    expect(network.bus.stats.rejectedPuts).toBe(rejectedBefore + ids.length);
    expect(network.queues.list()).toEqual([]);
  });

  it('keeps events in the outbox while the hub bus is down, and forwards them once it is back', async () => {
    const ids = await members('skelleftea', staff, 5, 'hubbus');
    await network.idle();
    const before = await count('skelleftea');
    const retriesBefore = network.pipes.reduce((n, p) => n + p.stats.retries, 0);

    // The hub bus refuses its next 3 puts, whenever they come (a time window can close before the pipe tries).
    network.bus.injectFault('samverkan-hub-skelleftea', { calls: 3 });
    for (const memberId of ids) expect((await call('POST', '/api/hubs/skelleftea/check-ins', { token: staff, body: { memberId } })).status).toBe(201);

    await eventually(async () => (await count('skelleftea')) === before + ids.length, 30_000);
    await network.idle();
    expect(await count('skelleftea')).toBe(before + ids.length);
    expect(network.pipes.reduce((n, p) => n + p.stats.retries, 0)).toBeGreaterThan(retriesBefore);
  });

  it('counts a redelivered event once (consumers are idempotent on eventId)', async () => {
    const [memberId] = await members('skelleftea', staff, 1, 'dup');
    const res = await call('POST', '/api/hubs/skelleftea/check-ins', { token: staff, body: { memberId } });
    expect(res.status).toBe(201);
    await network.idle();
    const after = await count('skelleftea');
    const event = (network.bus.archived.get('samverkan-national-all') ?? []).find((e) => (e.detail as any).data?.visitId === res.json.id);
    expect(event).toBeDefined();

    // At-least-once delivery: the same event arrives again (as after a retry or an archive replay).
    network.bus.putEvents('samverkan-national', [{ source: event!.source, detailType: event!['detail-type'], detail: event!.detail }]);
    network.bus.putEvents('samverkan-national', [{ source: event!.source, detailType: event!['detail-type'], detail: event!.detail }]);
    await network.idle();
    expect(await count('skelleftea')).toBe(after);
  });

  it('dead-letters an event the consumer cannot accept instead of dropping it silently', async () => {
    network.bus.putEvents('samverkan-national', [{ source: 'samverkan.hub.skelleftea', detailType: 'CheckedIn', detail: { metadata: { eventId: 'not-a-uuid' }, data: {} } }]);
    await network.idle();
    const bad = (m: { body: unknown }) => (m.body as any)?.detail?.metadata?.eventId === 'not-a-uuid';
    // Each national consumer of CheckedIn (reporting, research) keeps exactly one copy in its own DLQ.
    const holding = network.queues.arns().filter((arn) => network.queues.list(arn).some(bad));
    expect(holding.map((arn) => network.queues.list(arn).filter(bad).length)).toEqual([1, 1]);
    expect(holding.join(' ')).toMatch(/Reporting/);
    expect(holding.join(' ')).toMatch(/Research/);
  });

  it('dead-letters a batch the hub bus keeps refusing, and `npm run redrive` brings its events back from the stream (or the table), counted once', async () => {
    const [memberId] = await members('skelleftea', staff, 1, 'pipedlq');
    await network.idle();
    const before = await count('skelleftea');
    const pipe = network.pipes.find((p) => p.def.name.endsWith('hub-skelleftea-outbox'))!;
    const dlqArn = pipe.def.deadLetterArn!;
    const deadBefore = pipe.stats.deadLettered;

    // The hub bus refuses every put until the pipe gives up (1 + 10 retries) and dead-letters the batch.
    network.bus.injectFault('samverkan-hub-skelleftea', { calls: 1000 });
    expect((await call('POST', '/api/hubs/skelleftea/check-ins', { token: staff, body: { memberId } })).status).toBe(201);
    await eventually(async () => pipe.stats.deadLettered > deadBefore, 30_000);
    network.bus.clearFaults();
    await network.idle();
    expect(await count('skelleftea')).toBe(before);
    const [message] = network.queues.list(dlqArn);
    // Like Pipes: the DLQ names the batch, not its events.
    expect(message!.body).toMatchObject({ DDBStreamBatchInfo: { shardId: expect.any(String), startSequenceNumber: expect.any(String), streamArn: expect.stringContaining('/stream/') } });
    expect(JSON.stringify(message!.body)).not.toContain(memberId);

    // The redrive's SQS and EventBridge calls, answered by the local DLQ and bus; the stream and table are DynamoDB Local's.
    const busArn = 'arn:aws:events:eu-north-1:000000000000:event-bus/samverkan-hub-skelleftea';
    const sqs: Sender = {
      send: async (c: { constructor: { name: string }; input: Record<string, string> }) => {
        if (c.constructor.name === 'ListQueueTagsCommand') return { Tags: { 'samverkan:redrive-kind': 'pipe', 'samverkan:redrive-target': busArn } };
        if (c.constructor.name === 'ReceiveMessageCommand') return { Messages: network.queues.list(dlqArn).map((m) => ({ MessageId: m.messageId, ReceiptHandle: m.messageId, Body: JSON.stringify(m.body) })) };
        if (c.constructor.name === 'DeleteMessageCommand') return { removed: network.queues.remove(dlqArn, c.input.ReceiptHandle!) };
        throw new Error(`unexpected ${c.constructor.name}`);
      },
    };
    const put: Array<{ DetailType: string; Detail: string }> = [];
    const events: Sender = {
      send: async (c: { input: { Entries: Array<{ EventBusName: string; Source: string; DetailType: string; Detail: string }> } }) => {
        put.push(...c.input.Entries);
        network.bus.putEvents(c.input.Entries[0]!.EventBusName.split('/').pop()!, c.input.Entries.map((e) => ({ source: e.Source, detailType: e.DetailType, detail: JSON.parse(e.Detail) })));
        return { FailedEntryCount: 0, Entries: c.input.Entries.map(() => ({ EventId: 'x' })) };
      },
    };
    const aws = { endpoint: network.dynamoEndpoint, region: 'eu-north-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    const clients = { sqs, events, lambda: { send: async () => ({}) }, streams: new DynamoDBStreamsClient(aws), ddb: new DynamoDBClient(aws) };
    const queue = 'https://sqs.eu-north-1.amazonaws.com/000000000000/OutboxPipeDlq';

    const fromStream = await redrive(clients, { queue });
    expect(fromStream).toMatchObject({ kind: 'pipe', received: 1, redriven: 1, failed: [] });
    expect(put.map((e) => e.DetailType)).toEqual(['CheckedIn']);
    expect(network.queues.list(dlqArn)).toEqual([]);
    await network.idle();
    expect(await count('skelleftea')).toBe(before + 1);

    // A second time, as if the stream had trimmed it: from the table, which re-puts every outbox item
    // of that minute (the member's registration and the check-in again): the national count moves not.
    put.length = 0;
    network.queues.send(dlqArn, message!.body);
    const fromTable = await redrive(clients, { queue, fromTable: true });
    expect(fromTable).toMatchObject({ received: 1, redriven: 1, failed: [] });
    expect(put.map((e) => e.DetailType)).toEqual(expect.arrayContaining(['CheckedIn', 'MemberRegistered']));
    await network.idle();
    expect(await count('skelleftea')).toBe(before + 1);
    clients.streams.destroy();
    clients.ddb.destroy();
  }, 120_000);
});
