/**
 * Issue 13 part 1: check-ins and bookings per second through the local HTTP API against the
 * storage floor — the same transactions (the stores' own `openVisit` / `createBooking`, so the
 * same items: state write(s) + outbox item) sent straight to the same DynamoDB Local at the same
 * concurrency. The network reaches DynamoDB through a counting proxy (bench/ddb-proxy.ts), which
 * gives round trips per request and the capacity units consumed; invocations are timed by
 * wrapping the runtime's `invoke`.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { DynamoBookingStore } from '../functions/adapters/dynamo-booking-store.ts';
import { DynamoHubStore } from '../functions/adapters/dynamo-hub-store.ts';
import { buildEvent } from '../functions/domain/events.ts';
import { newId } from '../functions/domain/ids.ts';
import { LOCAL } from '../local/cfn.ts';
import { startNetwork, type LocalNetwork } from '../local/network.ts';
import { diffCounts, startDdbProxy, type ProxyCounts } from './ddb-proxy.ts';
import { round, runLoad, type LoadResult } from './stats.ts';

/** Invocations of one function during a phase. */
export interface InvocationCounts {
  count: number;
  totalMs: number;
  memoryMb: number;
}

/** What one phase (one operation at one concurrency) used, for the cost model. */
export interface PhaseUsage {
  operations: number;
  /** DynamoDB requests and capacity by caller (function name, or `runtime` for the pipes' stream reads). */
  dynamo: ProxyCounts;
  invocations: Record<string, InvocationCounts>;
  busEvents: number;
  pipeRecords: number;
  apiRequests: number;
}

/** One operation at one concurrency: through the API and straight to DynamoDB. */
export interface Comparison {
  operation: 'check-in' | 'booking';
  concurrency: number;
  api: LoadResult;
  raw: LoadResult;
  ratio: number;
}

export interface ThroughputResult {
  comparisons: Comparison[];
  /** DynamoDB round trips of the hub API function per operation (sequential phase). */
  ddbCallsPerCheckIn: number;
  ddbCallsPerBooking: number;
  /** Requests by operation type per check-in / booking, e.g. { GetItem: 2, Query: 2, TransactWriteItems: 1 }. */
  checkInCalls: Record<string, number>;
  bookingCalls: Record<string, number>;
  /** Usage of the sequential phases (everything the network did, consumers included), for the cost model. */
  checkInUsage: PhaseUsage;
  bookingUsage: PhaseUsage;
}

const HUB = 'lulea';

interface Ctx {
  network: LocalNetwork;
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads a few fields of untyped JSON answers
  call: (method: string, path: string, body?: unknown) => Promise<{ status: number; json: any }>;
  invocations: Record<string, InvocationCounts>;
  apiRequests: { n: number };
}

function wrapInvocations(network: LocalNetwork): Record<string, InvocationCounts> {
  const counts: Record<string, InvocationCounts> = {};
  const fns = network.functions;
  const original = fns.invoke.bind(fns);
  fns.invoke = async (name, event, options) => {
    const t0 = performance.now();
    try {
      return await original(name, event, options);
    } finally {
      const c = counts[name] ?? { count: 0, totalMs: 0, memoryMb: fns.def(name).memorySize };
      counts[name] = c;
      c.count++;
      c.totalMs += performance.now() - t0;
    }
  };
  return counts;
}

async function usageOf<T>(ctx: Ctx, proxy: { snapshot(): ProxyCounts }, operations: number, run: () => Promise<T>): Promise<{ result: T; usage: PhaseUsage }> {
  const ddb0 = proxy.snapshot();
  const inv0 = structuredClone(ctx.invocations);
  const bus0 = ctx.network.bus.stats.put;
  const pipe0 = ctx.network.pipes.reduce((n, p) => n + p.stats.read, 0);
  const api0 = ctx.apiRequests.n;
  const result = await run();
  await ctx.network.idle();
  const invocations: Record<string, InvocationCounts> = {};
  for (const [name, c] of Object.entries(ctx.invocations)) {
    const b = inv0[name];
    const count = c.count - (b?.count ?? 0);
    if (count) invocations[name] = { count, totalMs: round(c.totalMs - (b?.totalMs ?? 0), 1), memoryMb: c.memoryMb };
  }
  return {
    result,
    usage: {
      operations,
      dynamo: diffCounts(proxy.snapshot(), ddb0),
      invocations,
      busEvents: ctx.network.bus.stats.put - bus0,
      pipeRecords: ctx.network.pipes.reduce((n, p) => n + p.stats.read, 0) - pipe0,
      apiRequests: ctx.apiRequests.n - api0,
    },
  };
}

/** A copy of a table's definition (keys, indexes, stream) under another name, for the raw floor. */
async function cloneTable(ddb: DynamoDBClient, from: string, to: string): Promise<void> {
  const t = (await ddb.send(new DescribeTableCommand({ TableName: from }))).Table;
  if (!t) throw new Error(`No table ${from}`);
  const input: CreateTableCommandInput = {
    TableName: to,
    KeySchema: t.KeySchema,
    AttributeDefinitions: t.AttributeDefinitions,
    BillingMode: 'PAY_PER_REQUEST',
    ...(t.GlobalSecondaryIndexes?.length ? { GlobalSecondaryIndexes: t.GlobalSecondaryIndexes.map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection })) } : {}),
    ...(t.StreamSpecification?.StreamEnabled ? { StreamSpecification: t.StreamSpecification } : {}),
  };
  await ddb.send(new CreateTableCommand(input));
}

/** Free bookable (resource, slot) pairs on the hub's next open days, at most `count`. */
async function freeSlots(ctx: Ctx, count: number): Promise<Array<{ resourceId: string; start: string; end: string }>> {
  const out: Array<{ resourceId: string; start: string; end: string }> = [];
  for (let i = 1; i < 60 && out.length < count; i++) {
    const date = new Date(Date.now() + i * 86_400_000).toISOString().slice(0, 10);
    const res = await ctx.call('GET', `/api/hubs/${HUB}/availability?date=${date}`);
    if (res.status !== 200) break; // past the booking horizon
    if (!res.json.open) continue;
    for (const r of res.json.resources as Array<{ id: string; type: string; slots: Array<{ start: string; end: string; free?: number }> }>) {
      for (const s of r.slots) {
        const copies = r.type === 'desk-pool' ? (s.free ?? 1) : 1;
        for (let k = 0; k < copies; k++) out.push({ resourceId: r.id, start: s.start, end: s.end });
      }
    }
  }
  return out.slice(0, count);
}

/**
 * Runs the throughput comparison on a network whose DynamoDB is `emulatorEndpoint` (reached through
 * the counting proxy). `quick` runs fewer operations.
 */
export async function measureThroughput(options: { emulatorEndpoint: string; quick: boolean; log: (line: string) => void }): Promise<ThroughputResult> {
  const { log } = options;
  const proxy = await startDdbProxy(options.emulatorEndpoint);
  const network = await startNetwork({ inMemory: true, port: 0, logLevel: 'SILENT', log: () => {}, schedules: false, dynamoEndpoint: proxy.endpoint, namePrefix: `bench${randomUUID().slice(0, 6)}-` });
  const rawDdb = new DynamoDBClient({ endpoint: options.emulatorEndpoint, region: LOCAL.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 5 });
  const rawDoc = DynamoDBDocumentClient.from(rawDdb, { marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false } });
  try {
    const token = await network.token('staff', HUB);
    const apiRequests = { n: 0 };
    const ctx: Ctx = {
      network,
      apiRequests,
      invocations: wrapInvocations(network),
      call: async (method, path, body) => {
        apiRequests.n++;
        const res = await fetch(`${network.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
        const text = await res.text();
        return { status: res.status, json: text ? JSON.parse(text) : undefined };
      },
    };
    const n = options.quick ? { seq: 30, conc: 96 } : { seq: 100, conc: 320 };
    const members = n.seq + n.conc + 2;
    log(`throughput: creating ${members} members through the API`);
    const org = (await ctx.call('POST', `/api/hubs/${HUB}/organisations`, { name: 'Bench AB', type: 'business' })).json;
    const ids: string[] = [];
    await runLoad(members, 8, async (i) => {
      const r = await ctx.call('POST', `/api/hubs/${HUB}/members`, { name: `Bench ${i}`, email: `bench${i}@bench.se`, organisationId: org.id, membership: 'guest' });
      ids[i] = r.json.id;
      return r.status === 201;
    });
    const hubTable = [...network.tables.values()].find((t) => t.includes(`hub-${HUB}`));
    if (!hubTable) throw new Error(`No table of hub ${HUB}: ${[...network.tables.values()].join(', ')}`);
    const rawTable = `bench-raw-${randomUUID().slice(0, 8)}`;
    await cloneTable(rawDdb, hubTable, rawTable);
    const rawHub = new DynamoHubStore(rawDoc, rawTable);
    const rawBookings = new DynamoBookingStore(rawDoc, rawTable);
    // Warm every path once (first invocation, first connection).
    await ctx.call('POST', `/api/hubs/${HUB}/check-ins`, { memberId: ids[members - 1] });
    await network.idle();

    const rawCheckIn = async () => {
      const now = new Date();
      const memberId = newId('mem');
      const visit = { id: newId('vis'), hubId: HUB, memberId, organisationId: org.id, checkedInAt: now.toISOString(), localDate: now.toISOString().slice(0, 10) };
      const presence = { visitId: visit.id, memberId, name: 'Bench', organisationId: org.id, organisationName: 'Bench AB', organisationType: 'business' as const, membership: 'guest' as const, since: visit.checkedInAt };
      const event = buildEvent('CheckedIn', { visitId: visit.id, memberId, organisationId: org.id, organisationType: 'business', membership: 'guest', hubId: HUB, checkedInAt: visit.checkedInAt, localDate: visit.localDate }, { hubId: HUB, correlationId: randomUUID(), now });
      return (await rawHub.openVisit(visit, presence, [event])).created;
    };
    let rawSlot = 0;
    const rawBooking = async () => {
      const now = new Date();
      const i = rawSlot++;
      const date = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const start = `${date}T08:00:00+01:00`;
      const end = `${date}T09:00:00+01:00`;
      const booking = { id: newId('bkg'), hubId: HUB, resourceId: `r${i}`, resourceType: 'room' as const, memberId: newId('mem'), organisationId: org.id, start, end, localDate: date, units: ['08:00'], status: 'confirmed' as const, createdAt: now.toISOString() };
      const event = buildEvent('BookingCreated', { bookingId: booking.id, resourceId: booking.resourceId, resourceType: 'room', memberId: booking.memberId, organisationId: org.id, hubId: HUB, start, end, localDate: date }, { hubId: HUB, correlationId: randomUUID(), now });
      await rawBookings.createBooking(booking, [{ kind: 'slot', resourceId: booking.resourceId, date, unit: '08:00' }], [event]);
      return true;
    };

    const comparisons: Comparison[] = [];
    let next = 0;
    const checkInApi = async () => (await ctx.call('POST', `/api/hubs/${HUB}/check-ins`, { memberId: ids[next++] })).status === 201;

    log(`throughput: check-ins, ${n.seq} at 1 in flight`);
    const seqCheckIns = await usageOf(ctx, proxy, n.seq, () => runLoad(n.seq, 1, checkInApi));
    const rawSeqCheckIns = await runLoad(n.seq, 1, rawCheckIn);
    comparisons.push({ operation: 'check-in', concurrency: 1, api: seqCheckIns.result, raw: rawSeqCheckIns, ratio: round(seqCheckIns.result.perSecond / rawSeqCheckIns.perSecond, 3) });
    log(`throughput: check-ins, ${n.conc} at 16 in flight`);
    const concCheckIns = await runLoad(n.conc, 16, checkInApi);
    const rawConcCheckIns = await runLoad(n.conc, 16, rawCheckIn);
    comparisons.push({ operation: 'check-in', concurrency: 16, api: concCheckIns, raw: rawConcCheckIns, ratio: round(concCheckIns.perSecond / rawConcCheckIns.perSecond, 3) });
    await network.idle();

    const slots = await freeSlots(ctx, n.seq + n.conc);
    if (slots.length < n.seq + n.conc) throw new Error(`Only ${slots.length} free slots for ${n.seq + n.conc} bookings`);
    let b = 0;
    const bookingApi = async () => {
      const i = b++;
      return (await ctx.call('POST', `/api/hubs/${HUB}/bookings`, { ...slots[i], memberId: ids[i] })).status === 201;
    };
    log(`throughput: bookings, ${n.seq} at 1 in flight`);
    const seqBookings = await usageOf(ctx, proxy, n.seq, () => runLoad(n.seq, 1, bookingApi));
    const rawSeqBookings = await runLoad(n.seq, 1, rawBooking);
    comparisons.push({ operation: 'booking', concurrency: 1, api: seqBookings.result, raw: rawSeqBookings, ratio: round(seqBookings.result.perSecond / rawSeqBookings.perSecond, 3) });
    log(`throughput: bookings, ${n.conc} at 16 in flight`);
    const concBookings = await runLoad(n.conc, 16, bookingApi);
    const rawConcBookings = await runLoad(n.conc, 16, rawBooking);
    comparisons.push({ operation: 'booking', concurrency: 16, api: concBookings, raw: rawConcBookings, ratio: round(concBookings.perSecond / rawConcBookings.perSecond, 3) });
    await network.idle();

    const hubApi = network.routes.find((r) => r.method === 'POST' && r.path.endsWith('/check-ins') && r.functionName.includes(`hub-${HUB}`))?.functionName ?? '';
    const perOp = (u: PhaseUsage) => {
      const c = Object.entries(u.dynamo).find(([caller]) => caller.startsWith(hubApi.slice(-24)))?.[1];
      return { total: round((c?.requests ?? 0) / u.operations, 2), byOperation: Object.fromEntries(Object.entries(c?.byOperation ?? {}).map(([k, v]) => [k, round(v / u.operations, 2)])) };
    };
    const ci = perOp(seqCheckIns.usage);
    const bk = perOp(seqBookings.usage);
    return { comparisons, ddbCallsPerCheckIn: ci.total, ddbCallsPerBooking: bk.total, checkInCalls: ci.byOperation, bookingCalls: bk.byOperation, checkInUsage: seqCheckIns.usage, bookingUsage: seqBookings.usage };
  } finally {
    await network.stop();
    rawDdb.destroy();
    await proxy.close();
  }
}
