/**
 * Every state change and the events it publishes commit together: the outbox item is written in
 * the same TransactWriteItems as the state it announces, so a failure leaves neither.
 *
 * The domain services run in this process over a hub table of DynamoDB Local (real adapters,
 * real client); only the client handed to the adapters is wrapped, to record each command it
 * sends and, on demand, to reject one of them before it reaches DynamoDB (as a cancelled
 * transaction, or a throttling error for other writes).
 */
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoBookingStore } from '../../functions/adapters/dynamo-booking-store.ts';
import { DynamoHubStore } from '../../functions/adapters/dynamo-hub-store.ts';
import { BookingService } from '../../functions/domain/bookings.ts';
import { swedishPublicHoliday } from '../../functions/domain/holidays.ts';
import { HubService } from '../../functions/domain/hub.ts';
import { zonedInstant } from '../../functions/domain/time.ts';
import { loadHubs } from '../../hubs/load.ts';
import type { LocalNetwork } from '../../local/network.ts';
import { startTestNetwork } from '../support/network.ts';

const HUB = 'lulea';
const hub = loadHubs().find((h) => h.id === HUB)!;
const TZ = hub.timezone;
const ROOM = 'rum-hamnen';

let network: LocalNetwork;
let table: string;
let raw: DynamoDBDocumentClient;
/** An open weekday at least two days ahead, and the one a week later (for series). */
let day: string;
/** Another open weekday, for the no-show release only. */
let releaseDay: string;

type Item = Record<string, any>;
/** A write command the operation sent; `committed` once DynamoDB took it. */
type SentCommand = { name: string; input: any; committed?: boolean };

/** Which write the wrapped client rejects: the n-th write command (0-based) of the operation under test. */
let failWriteAt: number | undefined;
let recording: SentCommand[] | undefined;

const WRITE_COMMANDS = new Set(['TransactWriteCommand', 'PutCommand', 'UpdateCommand', 'DeleteCommand', 'BatchWriteCommand']);

/** The document client the adapters get: the real one, recording and (on demand) rejecting writes. */
function wrappedClient(): DynamoDBDocumentClient {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: network.dynamoEndpoint, region: 'eu-north-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  const send = client.send.bind(client) as (command: any) => Promise<any>;
  (client as { send: unknown }).send = async (command: any) => {
    const name: string = command.constructor.name;
    let entry: SentCommand | undefined;
    if (recording && WRITE_COMMANDS.has(name)) {
      const index = recording.length;
      entry = { name, input: structuredClone(command.input) };
      recording.push(entry);
      if (index === failWriteAt) {
        if (name === 'TransactWriteCommand') {
          throw new TransactionCanceledException({
            message: 'Transaction cancelled (injected by the test)',
            $metadata: {},
            CancellationReasons: command.input.TransactItems.map(() => ({ Code: 'None' })),
          });
        }
        throw Object.assign(new Error('Throughput exceeds the current capacity (injected by the test)'), { name: 'ProvisionedThroughputExceededException' });
      }
    }
    const result = await send(command);
    if (entry) entry.committed = true;
    return result;
  };
  return client;
}

/** The items a write command writes: each with its key and, for puts, its entity. */
function writesOf(c: SentCommand): Array<{ pk: string; entity?: string; transact: boolean; item?: Item }> {
  if (c.name === 'TransactWriteCommand') {
    return c.input.TransactItems.map((t: any) => {
      const op = t.Put ?? t.Update ?? t.Delete ?? t.ConditionCheck;
      return { pk: String((t.Put ? op.Item : op.Key).pk), entity: t.Put?.Item?.entity, transact: true, item: t.Put?.Item };
    });
  }
  if (c.name === 'PutCommand') return [{ pk: String(c.input.Item.pk), entity: c.input.Item.entity, transact: false, item: c.input.Item }];
  if (c.name === 'BatchWriteCommand') {
    return Object.values(c.input.RequestItems as Record<string, any[]>).flat().map((r) => (r.PutRequest ? { pk: String(r.PutRequest.Item.pk), entity: r.PutRequest.Item.entity, transact: false, item: r.PutRequest.Item } : { pk: String(r.DeleteRequest.Key.pk), transact: false }));
  }
  return [{ pk: String(c.input.Key.pk), transact: false }];
}
/** A write that puts an outbox item (deleting one, as erasure does once it is streamed, writes no event). */
const isOutbox = (w: { pk: string; entity?: string; item?: Item }) => w.item !== undefined && (w.pk.startsWith('OUTBOX#') || w.entity === 'outbox');

/**
 * What the table holds after an operation, with the outbox items its committed writes put: those
 * are its events even when a later step deleted them (erasure deletes outbox items naming the
 * member once the stream has them).
 */
function withCommittedEvents(items: Item[], sent: SentCommand[]): Item[] {
  const put = sent.filter((c) => c.committed).flatMap((c) => writesOf(c).filter(isOutbox).flatMap((w) => (w.item ? [w.item] : [])));
  const present = new Set(items.map((i) => `${i.pk}|${i.sk}`));
  return [...items, ...put.filter((i) => !present.has(`${i.pk}|${i.sk}`))];
}

async function scanAll(): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const res = await raw.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: startKey }));
    items.push(...(res.Items ?? []));
    startKey = res.LastEvaluatedKey;
  } while (startKey);
  return items;
}

function services() {
  const client = wrappedClient();
  const store = new DynamoHubStore(client, table);
  return {
    hub: new HubService(hub, store, () => new Date()),
    bookings: new BookingService(hub, new DynamoBookingStore(client, table), store, () => new Date(), swedishPublicHoliday),
  };
}

type Services = ReturnType<typeof services>;

/** The outbox events of one operation (by its correlation id) of one type. */
const eventsOf = (items: Item[], correlationId: string, detailType: string) =>
  items.filter((i) => i.entity === 'outbox' && i.detail?.metadata?.correlationId === correlationId && i.detailType === detailType).map((i) => i.detail.data);

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

let seq = 0;
const unique = () => `${++seq}-${randomUUID().slice(0, 6)}`;

/** A member registered outside the operation under test. */
async function setupMember(s: Services, organisationId: string) {
  const n = unique();
  return s.hub.registerMember({ name: `Atomic ${n}`, email: `atomic.${n}@lulea.se`, organisationId, membership: 'guest' }, `setup-${n}`);
}

const slot = (date: string, from: string, to: string) => ({ start: zonedInstant(date, from, TZ).toISOString(), end: zonedInstant(date, to, TZ).toISOString() });
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
let slotSeq = 0;
/** A free 15-minute room slot on `day`, from 08:00 on (each run its own). */
function nextSlot() {
  const from = 8 * 60 + 15 * slotSeq++;
  return slot(day, hhmm(from), hhmm(from + 15));
}
let releaseSeq = 0;
/**
 * A slot on `releaseDay`, each earlier than the one before (15:30, 15:15, …): the no-show job
 * run just after its grace period then releases this booking and no other one left by a
 * previous run.
 */
function releaseSlot() {
  const from = 15 * 60 + 30 - 15 * releaseSeq++;
  return slot(releaseDay, hhmm(from), hhmm(from + 15));
}

/**
 * One state-changing operation: what it needs first (not recorded), the call itself, the state
 * prefixes whose writes must carry the outbox, and the check that state and events agree: the
 * ids the state shows changed, and the ids the operation's events announce.
 */
interface Operation {
  name: string;
  statePrefixes: string[];
  setup(s: Services, orgId: string): Promise<Record<string, any>>;
  act(s: Services, ctx: Record<string, any>, correlationId: string): Promise<unknown>;
  changed(items: Item[], ctx: Record<string, any>, correlationId: string): { state: string[]; events: string[] };
}

const operations: Operation[] = [
  {
    name: 'registerOrganisation',
    statePrefixes: ['ORG#'],
    setup: async () => ({ name: `Atomic Org ${unique()}` }),
    act: (s, ctx, corr) => s.hub.registerOrganisation({ name: ctx.name, type: 'business' }, corr),
    changed: (items, ctx, corr) => ({
      state: items.filter((i) => i.entity === 'organisation' && i.name === ctx.name).map((i) => i.id),
      events: eventsOf(items, corr, 'OrganisationRegistered').map((d) => d.organisationId),
    }),
  },
  {
    name: 'registerMember',
    statePrefixes: ['MEMBER#', 'MEMBERCODE#', 'EMAIL#'],
    setup: async () => ({ email: `new.${unique()}@lulea.se` }),
    act: (s, ctx, corr) => s.hub.registerMember({ name: 'New Member', email: ctx.email, organisationId: ctx.orgId, membership: 'guest' }, corr),
    changed: (items, ctx, corr) => ({
      state: items.filter((i) => i.entity === 'member' && i.email === ctx.email).map((i) => i.id),
      events: eventsOf(items, corr, 'MemberRegistered').map((d) => d.memberId),
    }),
  },
  {
    name: 'registerVisitor',
    statePrefixes: ['MEMBER#', 'MEMBERCODE#', 'EMAIL#', 'ORG#'],
    setup: async (s, orgId) => ({ host: (await setupMember(s, orgId)).id, email: `guest.${unique()}@example.se`, orgName: `Guest Org ${unique()}` }),
    act: (s, ctx, corr) => s.hub.registerVisitor({ name: 'A Guest', email: ctx.email, organisationName: ctx.orgName, hostMemberId: ctx.host, expectedDate: day }, corr),
    changed: (items, ctx, corr) => ({
      state: [
        ...items.filter((i) => i.entity === 'member' && i.email === ctx.email).map((i) => `member ${i.id}`),
        ...items.filter((i) => i.entity === 'organisation' && i.name === ctx.orgName).map((i) => `org ${i.id}`),
      ],
      events: [...eventsOf(items, corr, 'MemberRegistered').map((d) => `member ${d.memberId}`), ...eventsOf(items, corr, 'OrganisationRegistered').map((d) => `org ${d.organisationId}`)],
    }),
  },
  {
    name: 'checkIn',
    statePrefixes: ['VISIT#', 'PRESENT'],
    setup: async (s, orgId) => ({ member: (await setupMember(s, orgId)).id }),
    act: (s, ctx, corr) => s.hub.checkIn({ memberId: ctx.member }, corr),
    changed: (items, ctx, corr) => ({
      state: [
        ...items.filter((i) => i.entity === 'visit' && i.memberId === ctx.member).map((i) => `visit ${i.id}`),
        ...items.filter((i) => i.entity === 'presence' && i.memberId === ctx.member).map((i) => `visit ${i.visitId}`),
      ],
      events: eventsOf(items, corr, 'CheckedIn').map((d) => `visit ${d.visitId}`),
    }),
  },
  {
    name: 'checkOut',
    statePrefixes: ['VISIT#', 'PRESENT'],
    setup: async (s, orgId) => {
      const member = (await setupMember(s, orgId)).id;
      return { member, visit: (await s.hub.checkIn({ memberId: member }, `setup-${unique()}`)).visit.id };
    },
    act: (s, ctx, corr) => s.hub.checkOut(ctx.visit, corr),
    changed: (items, ctx, corr) => ({
      state: [
        ...items.filter((i) => i.entity === 'visit' && i.id === ctx.visit && i.checkedOutAt).map((i) => `closed ${i.id}`),
        // Checked out means no longer present.
        ...(items.some((i) => i.entity === 'presence' && i.visitId === ctx.visit) ? [] : [`left ${ctx.visit}`]),
      ],
      events: eventsOf(items, corr, 'CheckedOut').flatMap((d) => [`closed ${d.visitId}`, `left ${d.visitId}`]),
    }),
  },
  {
    name: 'eraseMember',
    statePrefixes: ['MEMBER#', 'MEMBERCODE#', 'EMAIL#', 'SEARCH', 'PRESENT'],
    setup: async (s, orgId) => {
      const member = await setupMember(s, orgId);
      const { visit } = await s.hub.checkIn({ memberId: member.id }, `setup-${unique()}`);
      return { member: member.id, visit: visit.id };
    },
    act: (s, ctx, corr) => s.hub.eraseMember(ctx.member, corr),
    changed: (items, ctx, corr) => ({
      state: [
        // The tombstone is keyed by a hash of the id, so that no item names the member.
        ...items.filter((i) => i.entity === 'tombstone' && i.pk === `ERASED#${createHash('sha256').update(ctx.member).digest('hex')}`).map(() => 'tombstone'),
        ...(items.some((i) => i.entity === 'member' && i.id === ctx.member) ? [] : ['member gone']),
        // A member who is in is checked out first (CheckedOut), then erased (MemberErased).
        ...items.filter((i) => i.entity === 'visit' && i.id === ctx.visit && i.checkedOutAt).map(() => 'checked out'),
        ...(items.some((i) => i.entity === 'presence' && i.memberId === ctx.member) ? [] : ['not present']),
      ],
      events: [
        ...eventsOf(items, corr, 'MemberErased')
          .filter((d) => d.memberId === ctx.member)
          .flatMap(() => ['tombstone', 'member gone']),
        ...eventsOf(items, corr, 'CheckedOut')
          .filter((d) => d.visitId === ctx.visit)
          .flatMap(() => ['checked out', 'not present']),
      ],
    }),
  },
  {
    name: 'book',
    statePrefixes: ['BOOKING#', 'SLOT#', 'POOL#', 'IDEMPOTENCY#'],
    setup: async (s, orgId) => ({ member: (await setupMember(s, orgId)).id, ...nextSlot(), key: `atomic-${unique()}` }),
    act: (s, ctx, corr) => s.bookings.book({ resourceId: ROOM, memberId: ctx.member, start: ctx.start, end: ctx.end }, corr, ctx.key),
    changed: (items, ctx, corr) => ({
      state: [
        ...items.filter((i) => i.entity === 'booking' && i.memberId === ctx.member).map((i) => `booking ${i.id}`),
        ...items.filter((i) => i.entity === 'slot' && i.pk.startsWith(`SLOT#${ROOM}#`) && items.some((b) => b.entity === 'booking' && b.id === i.bookingId && b.memberId === ctx.member)).map((i) => `slot ${i.bookingId}`),
        ...items.filter((i) => i.entity === 'idempotency' && i.pk === `IDEMPOTENCY#${ctx.key}`).map((i) => `key ${i.bookingId}`),
      ],
      events: eventsOf(items, corr, 'BookingCreated').flatMap((d) => [`booking ${d.bookingId}`, `slot ${d.bookingId}`, `key ${d.bookingId}`]),
    }),
  },
  {
    name: 'bookWeekly',
    statePrefixes: ['BOOKING#', 'SLOT#', 'POOL#'],
    setup: async (s, orgId) => ({ member: (await setupMember(s, orgId)).id, ...nextSlot() }),
    act: (s, ctx, corr) => s.bookings.bookWeekly({ resourceId: ROOM, memberId: ctx.member, start: ctx.start, end: ctx.end, until: weekAfter(day) }, corr),
    changed: (items, ctx, corr) => ({
      state: items.filter((i) => i.entity === 'booking' && i.memberId === ctx.member).map((i) => i.id),
      events: eventsOf(items, corr, 'BookingCreated').map((d) => d.bookingId),
    }),
  },
  {
    name: 'cancel',
    statePrefixes: ['BOOKING#', 'SLOT#', 'POOL#'],
    setup: async (s, orgId) => {
      const member = (await setupMember(s, orgId)).id;
      const { booking } = await s.bookings.book({ resourceId: ROOM, memberId: member, ...nextSlot() }, `setup-${unique()}`);
      return { member, booking: booking.id };
    },
    act: (s, ctx, corr) => s.bookings.cancel(ctx.booking, corr),
    changed: (items, ctx, corr) => ({
      state: [
        ...items.filter((i) => i.entity === 'booking' && i.id === ctx.booking && i.status === 'cancelled').map((i) => `cancelled ${i.id}`),
        // The slot is free at once.
        ...(items.some((i) => i.entity === 'slot' && i.bookingId === ctx.booking) ? [] : [`freed ${ctx.booking}`]),
      ],
      events: eventsOf(items, corr, 'BookingCancelled').flatMap((d) => [`cancelled ${d.bookingId}`, `freed ${d.bookingId}`]),
    }),
  },
  {
    name: 'releaseNoShows',
    statePrefixes: ['BOOKING#', 'SLOT#', 'POOL#'],
    setup: async (s, orgId) => {
      const member = (await setupMember(s, orgId)).id;
      const { booking } = await s.bookings.book({ resourceId: ROOM, memberId: member, ...releaseSlot() }, `setup-${unique()}`);
      return { member, booking: booking.id, at: new Date(Date.parse(booking.start) + (hub.bookingRules.noShowGraceMinutes + 1) * 60_000) };
    },
    act: (s, ctx, corr) => s.bookings.releaseNoShows(ctx.at, corr, async () => false),
    changed: (items, ctx, corr) => ({
      state: [
        ...items.filter((i) => i.entity === 'booking' && i.id === ctx.booking && i.status === 'released').map((i) => `released ${i.id}`),
        ...(items.some((i) => i.entity === 'slot' && i.bookingId === ctx.booking) ? [] : [`freed ${ctx.booking}`]),
      ],
      events: eventsOf(items, corr, 'BookingNoShowReleased')
        .filter((d) => d.bookingId === ctx.booking)
        .flatMap((d) => [`released ${d.bookingId}`, `freed ${d.bookingId}`]),
    }),
  },
  {
    name: 'scheduleAgencyPresence',
    statePrefixes: ['AGENCYPRESENCE', 'BOOKING#', 'SLOT#', 'POOL#'],
    setup: async (s) => {
      const { organisation } = await s.hub.registerOrganisation({ name: `Myndighet ${unique()}`, type: 'state-agency' }, `setup-${unique()}`);
      const rep = await setupMember(s, organisation.id);
      return { org: { id: organisation.id, name: organisation.name, type: organisation.type }, member: rep.id, ...nextSlot() };
    },
    act: (s, ctx, corr) => s.bookings.scheduleAgencyPresence({ organisationId: ctx.org.id, memberId: ctx.member, resourceId: ROOM, start: ctx.start, end: ctx.end, until: weekAfter(day) }, ctx.org, corr),
    changed: (items, ctx, corr) => ({
      state: [
        ...items.filter((i) => i.entity === 'agency-presence' && i.organisationId === ctx.org.id).map((i) => `presence ${i.id}`),
        ...items.filter((i) => i.entity === 'booking' && i.memberId === ctx.member).map((i) => `booking ${i.id}`),
      ],
      events: [...eventsOf(items, corr, 'AgencyPresenceScheduled').map((d) => `presence ${d.presenceId}`), ...eventsOf(items, corr, 'BookingCreated').map((d) => `booking ${d.bookingId}`)],
    }),
  },
];

const weekAfter = (date: string) => new Date(Date.parse(`${date}T12:00:00Z`) + 7 * 86_400_000).toISOString().slice(0, 10);

let orgId: string;

beforeAll(async () => {
  network = await startTestNetwork();
  table = network.tables.get([...network.tables.keys()].find((k) => k.startsWith(`samverkan-hub-${HUB}/`))!)!;
  raw = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: network.dynamoEndpoint, region: 'eu-north-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  const s = services();
  // An open weekday at least two days ahead whose following week is open too.
  for (let i = 2; i < 30 && !day; i++) {
    const d = new Date(Date.now() + i * 86_400_000).toISOString().slice(0, 10);
    if (s.bookings.day(d).open && s.bookings.day(weekAfter(d)).open) day = d;
  }
  expect(day).toBeDefined();
  for (let i = 1; i < 30 && !releaseDay; i++) {
    const d = new Date(Date.parse(`${day}T12:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10);
    if (s.bookings.day(d).open && d !== weekAfter(day)) releaseDay = d;
  }
  expect(releaseDay).toBeDefined();
  orgId = (await s.hub.registerOrganisation({ name: 'Luleå tekniska universitet', type: 'university' }, 'setup-org')).organisation.id;
});

afterAll(async () => {
  await network?.stop();
});

/** Runs an operation with a fresh setup, recording its writes; rejects its n-th write if asked. */
async function run(op: Operation, failAt?: number) {
  const s = services();
  const ctx = { orgId, ...(await op.setup(s, orgId)) };
  const correlationId = `atomic-${op.name}-${unique()}`;
  const sent: SentCommand[] = [];
  recording = sent;
  failWriteAt = failAt;
  let error: unknown;
  try {
    await op.act(s, ctx, correlationId);
  } catch (e) {
    error = e;
  } finally {
    recording = undefined;
    failWriteAt = undefined;
  }
  return { ctx, correlationId, sent, error };
}

describe.each(operations)('$name', (op) => {
  it('writes its outbox items in the same TransactWriteItems as the state they announce', async () => {
    const { ctx, correlationId, sent, error } = await run(op);
    expect(error).toBeUndefined();
    const problems: string[] = [];
    let outboxPuts = 0;
    sent.forEach((c, n) => {
      const writes = writesOf(c);
      const outbox = writes.filter(isOutbox);
      const state = writes.filter((w) => !isOutbox(w) && op.statePrefixes.some((p) => w.pk.startsWith(p)));
      outboxPuts += outbox.length;
      if (outbox.length && c.name !== 'TransactWriteCommand') problems.push(`write #${n} (${c.name}) puts an outbox item outside a transaction`);
      if (outbox.length && !state.length) problems.push(`write #${n} (${c.name}) puts an outbox item without the state it announces: ${writes.map((w) => w.pk).join(', ')}`);
      if (state.length && !outbox.length) problems.push(`write #${n} (${c.name}) changes ${state.map((w) => w.pk).join(', ')} without its event in the same transaction`);
    });
    expect(problems.join('\n')).toBe('');
    expect(outboxPuts).toBeGreaterThan(0);
    const { state, events } = op.changed(withCommittedEvents(await scanAll(), sent), ctx, correlationId);
    expect(state.length).toBeGreaterThan(0);
    expect(sorted(state)).toEqual(sorted(events));
  });

  it('leaves state and events together when any one of its writes fails', async () => {
    const { sent } = await run(op);
    expect(sent.length).toBeGreaterThan(0);
    for (let n = 0; n < sent.length; n++) {
      const { ctx, correlationId, error, sent: attempted } = await run(op, n);
      if (attempted.length > n) expect(error, `${op.name} with write #${n} rejected should fail`).toBeDefined();
      const { state, events } = op.changed(withCommittedEvents(await scanAll(), attempted), ctx, correlationId);
      expect(sorted(state), `${op.name} with write #${n} (${sent[n]!.name}) rejected: state and events differ`).toEqual(sorted(events));
      if (n === 0) expect(state, `${op.name} with its first write rejected changed state`).toEqual([]);
    }
  });
});
