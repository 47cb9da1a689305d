import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARDS, pseudonym } from '../../functions/reporting/facts.ts';
import { MemoryProjection } from '../../functions/reporting/memory.ts';
import { addDays } from '../../functions/reporting/periods.ts';
import { buildReport } from '../../functions/reporting/report.ts';
import { ReportStore } from '../../functions/reporting/store.ts';
import { freshTable } from '../support/dynamo.ts';
import { HUBS, booking, event, eventRegistration, hubEvent, hubEventCancelled, openDay, seeded, shuffled, visit, type CraftedEvent } from '../support/report-events.ts';

let client: DynamoDBClient;
let db: DynamoDBDocumentClient;
let table: string;

beforeAll(async () => {
  ({ client, db, table } = await freshTable('report'));
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
  it('keeps every fact of a hub-day far over one item\'s 400 KB, and an erasure reaches every shard', async () => {
    // Prepare: 3,000 visits (check-in and check-out) of 300 people at Boden on one day: some 850 KB
    // of facts, where one item per hub-day held at most 400 KB (~1,400 visits). m7 also visited the day before.
    const version = `t${randomUUID().slice(0, 6)}`;
    const busy = day;
    const events: CraftedEvent[] = visit({ hubId: 'boden', date: addDays(busy, -1), from: '09:00', to: '10:00', memberId: 'm7', org: 'org7' });
    for (let i = 0; i < 3000; i++) {
      const hour = 8 + (i % 8);
      events.push(...visit({ hubId: 'boden', date: busy, from: `${String(hour).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`, to: `${String(hour + 1).padStart(2, '0')}:00`, memberId: `m${i % 300}`, org: `org${i % 40}`, type: i % 2 ? 'business' : 'municipality' }));
    }
    const erased = event('MemberErased', 'boden', { memberId: 'm7', erasedAt: new Date().toISOString() });
    // After the erasure, one batch with a later visit of m7 (lands on the token) and two events delivered before (changed nothing).
    const late = [...visit({ hubId: 'boden', date: busy, from: '16:00', to: '17:00', memberId: 'm7', org: 'org7', type: 'business' }), events[0]!, events[5000]!];
    const store = new ReportStore(db, table, HUBS, version);
    const memory = new MemoryProjection(HUBS);
    for (const e of [...events, erased, ...late]) memory.apply(e.type, e.detail);
    // Act: four concurrent consumers applying batches of 100 (as an archive replay does), then the erasure.
    const batches = Array.from({ length: Math.ceil(events.length / 100) }, (_, b) => events.slice(b * 100, b * 100 + 100).map((e) => ({ detailType: e.type, detail: e.detail })));
    await Promise.all([0, 1, 2, 3].map(async (lane) => { for (const batch of batches.filter((_, b) => b % 4 === lane)) await store.applyAll(batch); }));
    await store.apply(erased.type, erased.detail);
    expect(await store.applyAll(late.map((e) => ({ detailType: e.type, detail: e.detail })))).toBe(2);
    // Assess: the numbers, the items, and no trace of m7's pseudonym in any of them.
    const q = { from: addDays(busy, -1), to: busy, period: 'day' as const };
    const bodenOnly = HUBS.filter((h) => h.id === 'boden');
    const report = await buildReport(store, bodenOnly, q);
    expect(report.totals.checkIns).toBe(3002);
    expect(report).toEqual(await buildReport(memory, bodenOnly, q));
    const items = (await db.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `${version}#DAY#boden` } }))).Items ?? [];
    const busyItems = items.filter((i) => String(i.sk).startsWith(busy));
    const sizes = busyItems.map((i) => Buffer.byteLength(JSON.stringify(i)));
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(600 * 1024);
    expect(Math.max(...sizes)).toBeLessThan(100 * 1024);
    expect(busyItems.length).toBeLessThanOrEqual(SHARDS);
    const m7 = pseudonym('m7');
    expect(JSON.stringify(items)).not.toContain(m7);
    expect(items.flatMap((i) => Object.keys(i)).filter((k) => k.startsWith('fv:x'))).toHaveLength(1);
    const everything: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await db.send(new ScanCommand({ TableName: table, FilterExpression: 'begins_with(pk, :v)', ExpressionAttributeValues: { ':v': `${version}#` }, ExclusiveStartKey: startKey }));
      everything.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    expect(everything.length).toBeGreaterThan(items.length);
    // Only the tombstone keeps the hash (to send a late event of the erased member to the token; docs/reporting.md, "Privacy").
    const holding = everything.filter((i) => JSON.stringify(i).includes(m7)).map((i) => i.pk);
    expect(holding).toEqual([`${version}#ERASED#${m7}`]);
  }, 120_000);
});
