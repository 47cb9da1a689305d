import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { LOCAL } from '../../local/cfn.ts';
import { pseudonym } from '../../functions/reporting/facts.ts';
import { MemoryProjection } from '../../functions/reporting/memory.ts';
import { addDays } from '../../functions/reporting/periods.ts';
import { buildReport } from '../../functions/reporting/report.ts';
import { ReportStore } from '../../functions/reporting/store.ts';
import { HUBS, booking, event, eventRegistration, hubEvent, hubEventCancelled, openDay, seeded, shuffled, visit, type CraftedEvent } from '../support/report-events.ts';

let client: DynamoDBClient;
let db: DynamoDBDocumentClient;
let table: string;

beforeAll(async () => {
  client = new DynamoDBClient({ endpoint: inject('dynamoEndpoint'), region: LOCAL.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  table = `report-${randomUUID().slice(0, 8)}`;
  await client.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
});

afterAll(() => client?.destroy());

const day = openDay(9);

function stream(): CraftedEvent[] {
  const random = seeded(11);
  const events: CraftedEvent[] = [];
  const types = ['state-agency', 'municipality', 'business', 'region'];
  for (let d = 0; d < 3; d++) {
    const date = addDays(day, -d);
    for (let i = 0; i < 14; i++) {
      if (random() < 0.3) continue;
      const hubId = i % 3 === 0 ? 'lulea' : 'boden';
      events.push(...visit({ hubId, date, from: `${String(8 + (i % 5)).padStart(2, '0')}:00`, to: random() < 0.8 ? `${String(10 + (i % 5)).padStart(2, '0')}:30` : undefined, memberId: `m${i}`, org: `org${i % 6}`, type: types[i % 6 % 4]!, membership: i % 6 === 2 ? 'guest' : 'member' }));
    }
    events.push(...booking({ hubId: 'boden', date, from: '09:00', to: '11:00', resourceId: 'r', resourceType: 'room', memberId: 'm1', org: 'org1', end: d === 1 ? 'no-show' : undefined }));
  }
  // Hub events: one moved by an update, one cancelled, registrations cancelled, promoted and attended.
  events.push(hubEvent({ hubId: 'boden', eventId: 'hev1', date: addDays(day, -1), kind: 'workshop', capacity: 3 }));
  events.push(hubEvent({ hubId: 'boden', eventId: 'hev1', date: day, kind: 'workshop', version: 2, changed: ['start'] }));
  events.push(hubEvent({ hubId: 'lulea', eventId: 'hev2', date: day, kind: 'training' }), hubEventCancelled({ hubId: 'lulea', eventId: 'hev2', date: day, version: 2 }));
  for (let r = 0; r < 6; r++) events.push(...eventRegistration({ hubId: 'boden', eventId: 'hev1', memberId: `m${r}`, status: r < 3 ? 'confirmed' : 'waitlisted', cancelled: r === 1, promoted: r === 3, attended: r !== 2, business: r === 4, outside: r === 5 }));
  events.push(event('MemberErased', 'boden', { memberId: 'm4', erasedAt: new Date().toISOString() }));
  return events;
}

describe('the national projection in DynamoDB', () => {
  it('gives the same report as the in-memory projection when every event comes twice, shuffled, and forgets the erased', async () => {
    // Prepare
    const events = stream();
    const memory = new MemoryProjection(HUBS);
    for (const e of events) memory.apply(e.type, e.detail);
    const store = new ReportStore(db, table, HUBS, `t${randomUUID().slice(0, 6)}`);
    // Act: two concurrent consumers, every event twice, shuffled.
    const deliveries = shuffled([...events, ...events], seeded(5));
    const lanes = [deliveries.filter((_, i) => i % 2 === 0), deliveries.filter((_, i) => i % 2 === 1)];
    await Promise.all(lanes.map(async (lane) => { for (const e of lane) await store.apply(e.type, e.detail); }));
    // Assess
    const q = { from: addDays(day, -2), to: day, period: 'day' as const };
    const fromStore = await buildReport(store, HUBS, q);
    expect(fromStore.totals.checkIns).toBeGreaterThan(10);
    expect(fromStore.network.total.events).toMatchObject({ held: 1, cancelled: 1, heldByKind: { workshop: 1 } });
    expect(fromStore).toEqual(await buildReport(memory, HUBS, q));
    const days = [...(await store.hubDays('boden', q.from, q.to)).values(), ...(await store.hubDays('lulea', q.from, q.to)).values()];
    expect(JSON.stringify(days)).not.toContain(pseudonym('m4'));
    expect(JSON.stringify(days)).toContain(pseudonym('m5'));
  }, 300_000);

  it('keeps one first-visit marker when an erasure runs between a first sighting\'s read and its move', async () => {
    // Prepare: m7 is first seen at Boden on a later day; the consumer then learns of an earlier visit,
    // and its move of the first-visit marker is held until an erasure of m7 has run to completion.
    const version = `t${randomUUID().slice(0, 6)}`;
    const [later, earlier] = [day, addDays(day, -1)];
    const laterVisit = visit({ hubId: 'boden', date: later, from: '09:00', to: '11:00', memberId: 'm7', org: 'orgA' });
    const [earlierIn, earlierOut] = visit({ hubId: 'boden', date: earlier, from: '09:00', to: '11:00', memberId: 'm7', org: 'orgA' });
    const erased = event('MemberErased', 'boden', { memberId: 'm7', erasedAt: new Date().toISOString() });
    let release!: () => void;
    let reached!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    const atMove = new Promise<void>((r) => { reached = r; });
    let holding = true;
    const gated = {
      send: async (command: unknown) => {
        const items = command instanceof TransactWriteCommand ? (command.input.TransactItems ?? []) : [];
        if (holding && items.some((i) => String(i.Put?.Item?.pk ?? '').includes('#VFIRST#'))) {
          holding = false;
          reached();
          await held;
        }
        return db.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    const store = new ReportStore(db, table, HUBS, version);
    for (const e of laterVisit) await store.apply(e.type, e.detail);
    // Act: the earlier check-in's first-sighting move waits; the erasure runs meanwhile; then the move goes on.
    const sighting = new ReportStore(gated, table, HUBS, version).apply(earlierIn!.type, earlierIn!.detail);
    await atMove;
    await store.apply(erased.type, erased.detail);
    release();
    await sighting;
    await store.apply(earlierOut!.type, earlierOut!.detail);
    // Assess: one marker, on the earlier day, under the token; the report equals the in-memory one.
    const days = await store.hubDays('boden', earlier, later);
    const markers = [...days].flatMap(([date, facts]) => Object.keys(facts).filter((k) => k.startsWith('fv:')).map((k) => ({ date, k })));
    expect(markers).toHaveLength(1);
    expect(markers[0]?.date).toBe(earlier);
    expect(JSON.stringify([...days.values()])).not.toContain(pseudonym('m7'));
    const memory = new MemoryProjection(HUBS);
    for (const e of [...laterVisit, earlierIn!, erased, earlierOut!]) memory.apply(e.type, e.detail);
    const q = { from: earlier, to: later, period: 'day' as const };
    const bodenOnly = HUBS.filter((h) => h.id === 'boden');
    expect(await buildReport(store, bodenOnly, q)).toEqual(await buildReport(memory, bodenOnly, q));
  }, 60_000);
});
