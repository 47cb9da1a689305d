import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoBookingStore } from '../../functions/adapters/dynamo-booking-store.ts';
import { DynamoHubStore } from '../../functions/adapters/dynamo-hub-store.ts';
import { BookingService } from '../../functions/domain/bookings.ts';
import { swedishPublicHoliday } from '../../functions/domain/holidays.ts';
import { loadHubs } from '../../hubs/load.ts';
import type { LocalNetwork } from '../../local/network.ts';
import { addDays, fromNow, nextMonthDay, nextWeekday, today } from '../support/dates.ts';
import { api, startTestNetwork } from '../support/network.ts';

let network: LocalNetwork;
let call: ReturnType<typeof api>;
let staff: string;
let orgId: string;
let day: string; // an open weekday a few days ahead
let seq = 0;

const HUB = 'boden';
const base = `/api/hubs/${HUB}`;

async function newMember(): Promise<string> {
  const i = ++seq;
  const res = await call('POST', `${base}/members`, { token: staff, body: { name: `Booker ${i}`, email: `booker${i}@boden.se`, organisationId: orgId, membership: 'guest' } });
  expect(res.status, res.text).toBe(201);
  return res.json.id;
}

async function availability(date: string, resourceType?: string) {
  const res = await call('GET', `${base}/availability?date=${date}${resourceType ? `&resourceType=${resourceType}` : ''}`, { token: staff });
  expect(res.status, res.text).toBe(200);
  return res.json;
}

/** The hub's wall-clock time on `day` as ISO with offset, from the availability of that day. */
async function at(time: string): Promise<string> {
  const a = await availability(day, 'room');
  const slot = a.resources[0].slots.find((s: { start: string }) => s.start.slice(11, 16) === time);
  if (slot) return slot.start;
  const end = a.resources[0].slots.find((s: { end: string }) => s.end.slice(11, 16) === time);
  return end.end;
}

const book = (body: Record<string, unknown>, headers: Record<string, string> = {}) => call('POST', `${base}/bookings`, { token: staff, body, headers });

const horizonDays = loadHubs().find((h) => h.id === HUB)!.bookingRules.bookingHorizonDays;

/**
 * 09:00–10:00 on the first day from tomorrow, within the booking horizon, on which the hub is
 * closed (a weekend at the latest); the hub's own availability says which.
 */
async function closedDayBooking() {
  for (let date = addDays(today(), 1); date <= addDays(today(), 14); date = addDays(date, 1)) {
    if (!(await availability(date)).open) return { resourceId: 'rum-samtal', start: `${date}T09:00:00+01:00`, end: `${date}T10:00:00+01:00` };
  }
  throw new Error('no closed day within two weeks');
}

beforeAll(async () => {
  network = await startTestNetwork();
  call = api(network);
  staff = await network.token('staff', HUB);
  const org = await call('POST', `${base}/organisations`, { token: staff, body: { name: 'Boden Business Park', type: 'business' } });
  orgId = org.json.id;
  // The first open day at least two days ahead.
  for (let i = 2; i < 30; i++) {
    const d = new Date(Date.now() + i * 86_400_000).toISOString().slice(0, 10);
    if ((await availability(d)).open) {
      day = d;
      break;
    }
  }
  expect(day).toBeDefined();
});

afterAll(async () => {
  await network?.stop();
});

describe('availability', () => {
  it('lists free slots per resource on an open day, pooled desks with how many are left', async () => {
    const a = await availability(day);
    expect(a.open).toEqual({ opens: '08:00', closes: expect.stringMatching(/^1[67]:00$/) });
    const pool = a.resources.find((r: { type: string }) => r.type === 'desk-pool');
    expect(pool.slots.map((s: { available: number }) => s.available)).toEqual([pool.count, pool.count]);
    const room = a.resources.find((r: { type: string }) => r.type === 'room');
    expect(room.slots[0]).toMatchObject({ start: expect.stringMatching(new RegExp(`^${day}T08:00:00\\+0[12]:00$`)), available: 1 });
    expect(room.slots.every((s: { start: string; end: string }) => Date.parse(s.end) - Date.parse(s.start) === 15 * 60_000)).toBe(true);
    expect((await availability(day, 'room')).resources.every((r: { type: string }) => r.type === 'room')).toBe(true);
  });

  it('says why the hub is closed: weekends, eves and Swedish public holidays', async () => {
    expect(await availability(nextMonthDay('12-25'))).toMatchObject({ open: null, closedReason: 'public-holiday: juldagen' });
    expect(await availability(nextMonthDay('12-24'))).toMatchObject({ open: null, closedReason: 'eve: julafton' });
    expect(await availability(nextWeekday(6))).toMatchObject({ open: null, closedReason: 'not-open-on-weekday' });
    const bad = await call('GET', `${base}/availability?date=25/12`, { token: staff });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues[0].path).toBe('query.date');
  });
});

describe('booking', () => {
  it('books a room, shows the slots taken, refuses an overlap with the conflicting slot, and frees it on cancel', async () => {
    const member = await newMember();
    const res = await book({ resourceId: 'rum-samtal', memberId: member, start: await at('09:00'), end: await at('10:00') });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ resourceId: 'rum-samtal', memberId: member, status: 'confirmed', units: ['09:00', '09:15', '09:30', '09:45'], localDate: day });
    const taken = (await availability(day, 'room')).resources.find((r: { id: string }) => r.id === 'rum-samtal').slots.filter((s: { available: number }) => s.available === 0);
    expect(taken.map((s: { start: string }) => s.start.slice(11, 16))).toEqual(['09:00', '09:15', '09:30', '09:45']);

    const overlap = await book({ resourceId: 'rum-samtal', memberId: await newMember(), start: await at('09:45'), end: await at('10:30') });
    expect(overlap.status).toBe(409);
    expect(overlap.json.error.message).toContain(`${day}T09:45`);
    expect(overlap.json.error.issues[0].path).toBe('body.start');

    const cancelled = await call('DELETE', `${base}/bookings/${res.json.id}`, { token: staff });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.status).toBe('cancelled');
    expect((await call('DELETE', `${base}/bookings/${res.json.id}`, { token: staff })).json.status).toBe('cancelled');
    const again = await book({ resourceId: 'rum-samtal', memberId: await newMember(), start: await at('09:45'), end: await at('10:30') });
    expect(again.status, again.text).toBe(201);

    const list = await call('GET', `${base}/bookings?date=${day}`, { token: staff });
    expect(list.json.bookings.map((b: { id: string }) => b.id)).toEqual(expect.arrayContaining([res.json.id, again.json.id]));
  });

  it('returns the same booking for a retried request with the same Idempotency-Key', async () => {
    const member = await newMember();
    const body = { resourceId: 'rum-lulealven', memberId: member, start: await at('13:00'), end: await at('14:00') };
    const headers = { 'idempotency-key': `retry-${member}` };
    const [a, b] = await Promise.all([book(body, headers), book(body, headers)]);
    const c = await book(body, headers);
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect(new Set([a.json.id, b.json.id, c.json.id]).size).toBe(1);
    const other = await book({ ...body, start: await at('14:00'), end: await at('15:00') }, headers);
    expect(other.status).toBe(409);
    expect(other.json.error.issues[0].path).toBe('header.idempotency-key');
    const day2 = await call('GET', `${base}/bookings?date=${day}`, { token: staff });
    expect(day2.json.bookings.filter((x: { memberId: string }) => x.memberId === member)).toHaveLength(1);
  });

  it('gives the last free desk of a pool to exactly one of 50 racing requests', async () => {
    const a = await availability(day, 'desk-pool');
    const pool = a.resources[0];
    const am = { start: pool.slots[0].start, end: pool.slots[0].end };
    for (let i = 0; i < pool.count - 1; i++) expect((await book({ resourceId: pool.id, memberId: await newMember(), ...am })).status).toBe(201);
    const racers = await Promise.all(Array.from({ length: 50 }, () => newMember()));
    const results = await Promise.all(racers.map((memberId) => book({ resourceId: pool.id, memberId, ...am })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(49);
    expect(results.find((r) => r.status === 409)!.json.error.message).toMatch(new RegExp(`All ${pool.count} desks`));
    const after = (await availability(day, 'desk-pool')).resources[0];
    expect(after.slots[0].available).toBe(0);
    const stored = (await call('GET', `${base}/bookings?date=${day}`, { token: staff })).json.bookings.filter((b: { resourceId: string; status: string; units: string[] }) => b.resourceId === pool.id && b.status === 'confirmed' && b.units.includes('AM'));
    expect(stored).toHaveLength(pool.count);
  });

  it('gives one room slot to exactly one of 50 racing requests', async () => {
    const racers = await Promise.all(Array.from({ length: 50 }, () => newMember()));
    const slot = { resourceId: 'parkens-sal', start: await at('10:00'), end: await at('10:15') };
    const results = await Promise.all(racers.map((memberId) => book({ ...slot, memberId })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(49);
    const stored = (await call('GET', `${base}/bookings?date=${day}`, { token: staff })).json.bookings.filter((b: { resourceId: string }) => b.resourceId === 'parkens-sal');
    expect(stored).toHaveLength(1);
  });

  it('publishes BookingCreated and BookingCancelled', async () => {
    const member = await newMember();
    const res = await book({ resourceId: 'myndighetsplats', memberId: member, start: await at('08:00'), end: (await availability(day, 'desk')).resources[0].slots[1].end });
    expect(res.status, res.text).toBe(201);
    expect(res.json.units).toEqual(['AM', 'PM']);
    await call('DELETE', `${base}/bookings/${res.json.id}`, { token: staff });
    await network.idle();
    const types = (network.bus.archived.get('samverkan-national-all') ?? []).filter((e) => (e.detail as any).data.bookingId === res.json.id).map((e) => e['detail-type']);
    expect(types.sort()).toEqual(['BookingCancelled', 'BookingCreated']);
  });
});

describe('booking rules: bad requests get a 4xx naming the field and book nothing', () => {
  it.each<[string, () => Promise<Record<string, unknown>>, number, string]>([
    ['a start off the slot grid', async () => ({ resourceId: 'rum-samtal', start: (await at('11:00')).replace(':00:00', ':05:00'), end: await at('11:30') }), 400, 'body.start'],
    ['an end before the start', async () => ({ resourceId: 'rum-samtal', start: await at('11:00'), end: await at('10:00') }), 400, 'body.end'],
    ['a closed day', async () => closedDayBooking(), 400, 'body.start'],
    ['a booking in the past', async () => ({ resourceId: 'rum-samtal', start: fromNow(-7), end: fromNow(-7, 60) }), 400, 'body.end'],
    ['more than 90 days ahead', async () => ({ resourceId: 'rum-samtal', start: fromNow(horizonDays + 1), end: fromNow(horizonDays + 1, 60) }), 400, 'body.start'],
    ['a desk from 09:00', async () => ({ resourceId: 'myndighetsplats', start: await at('09:00'), end: await at('12:00') }), 400, 'body.start'],
    ['a room for the whole day (over 8 hours)', async () => ({ resourceId: 'rum-lulealven', start: await at('08:00'), end: (await availability(day, 'room')).resources[0].slots.at(-1).end }), 400, 'body.end'],
    ['an unknown resource', async () => ({ resourceId: 'sofa', start: await at('11:00'), end: await at('11:30') }), 404, 'body.resourceId'],
    ['a time without offset', async () => ({ resourceId: 'rum-samtal', start: `${day}T11:00:00`, end: `${day}T11:30:00` }), 400, 'body.start'],
  ])('refuses %s', async (_what, body, status, path) => {
    const before = (await call('GET', `${base}/bookings?date=${day}`, { token: staff })).json.bookings.length;
    const res = await book({ memberId: await newMember(), ...(await body()) });
    expect(res.status, res.text).toBe(status);
    expect(res.json.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect((await call('GET', `${base}/bookings?date=${day}`, { token: staff })).json.bookings.length).toBe(before);
  });

  it('caps the active bookings of a member (10 by default)', async () => {
    const member = await newMember();
    const slots = (await availability(day, 'room')).resources.find((r: { id: string }) => r.id === 'rum-lulealven').slots.filter((s: { available: number }) => s.available === 1);
    for (const s of slots.slice(0, 10)) expect((await book({ resourceId: 'rum-lulealven', memberId: member, start: s.start, end: s.end })).status).toBe(201);
    const eleventh = await book({ resourceId: 'rum-lulealven', memberId: member, start: slots[10].start, end: slots[10].end });
    expect(eleventh.status).toBe(409);
    expect(eleventh.json.error.issues[0].path).toBe('body.memberId');
  });

  it('answers 404 for an unknown booking and an unknown member', async () => {
    expect((await call('DELETE', `${base}/bookings/bkg_nope`, { token: staff })).json.error.issues[0].path).toBe('path.bookingId');
    const res = await book({ resourceId: 'rum-samtal', memberId: 'mem_nope', start: await at('15:00'), end: await at('15:15') });
    expect(res.status).toBe(404);
    expect(res.json.error.issues[0].path).toBe('body.memberId');
  });
});

describe('weekly series', () => {
  it('books the free weeks together and reports the ones that conflict or fall on closed days', async () => {
    const member = await newMember();
    const other = await newMember();
    // A first day whose third week is open too, so that it can be taken beforehand (from early December the
    // weeks of `day` run into Christmas Eve and New Year's Eve, when the hub is closed).
    let first = day;
    while (!(await availability(first)).open || !(await availability(addDays(first, 14))).open) {
      first = addDays(first, 1);
      expect(first <= addDays(today(), horizonDays - 21), 'an open day whose third week is open, within the booking horizon').toBe(true);
    }
    const onFirst = (await availability(first, 'room')).resources[0].slots as Array<{ start: string; end: string }>;
    const iso = (time: string) => onFirst.find((s) => s.start.slice(11, 16) === time)?.start ?? (onFirst.find((s) => s.end.slice(11, 16) === time) as { end: string }).end;
    const start = iso('14:00');
    const end = iso('15:00');
    const week = (n: number, iso: string) => {
      const d = new Date(Date.parse(`${first}T12:00:00Z`) + n * 7 * 86_400_000).toISOString().slice(0, 10);
      return `${d}${iso.slice(10)}`;
    };
    // Week 2 is taken already by someone else.
    const availabilityWeek2 = await availability(week(2, start).slice(0, 10), 'room');
    const taken = availabilityWeek2.resources.find((r: { id: string }) => r.id === 'rum-samtal').slots.find((s: { start: string }) => s.start.slice(11, 16) === '14:00');
    expect((await book({ resourceId: 'rum-samtal', memberId: other, start: taken.start, end: taken.end })).status).toBe(201);

    const until = week(3, start).slice(0, 10);
    const res = await call('POST', `${base}/booking-series`, { token: staff, body: { resourceId: 'rum-samtal', memberId: member, start, end, until } });
    expect(res.status, res.text).toBe(201);
    const weeks = [0, 1, 2, 3].map((n) => week(n, start).slice(0, 10));
    const bookedDays = res.json.bookings.map((b: { localDate: string }) => b.localDate);
    const conflictDays = res.json.conflicts.map((c: { start: string }) => c.start.slice(0, 10));
    expect([...bookedDays, ...conflictDays].sort()).toEqual(weeks);
    expect(conflictDays).toContain(weeks[2]);
    expect(res.json.conflicts.find((c: { start: string }) => c.start.startsWith(weeks[2]!))).toMatchObject({ status: 409 });
    expect(new Set(res.json.bookings.map((b: { seriesId: string }) => b.seriesId))).toEqual(new Set([res.json.id]));
    for (const b of res.json.bookings) expect(b.start.slice(11, 16)).toBe('14:00');
  });
});

describe('check-in and no-shows', () => {
  it('releases a booking nobody checked in for within the grace period, and keeps one that was checked in', async () => {
    const kept = await newMember();
    const missed = await newMember();
    const slotStart = await at('11:00');
    const slotEnd = await at('11:30');
    const a = await book({ resourceId: 'rum-lulealven', memberId: kept, start: slotStart, end: slotEnd });
    const b = await book({ resourceId: 'parkens-sal', memberId: missed, start: slotStart, end: slotEnd });
    expect([a.status, b.status]).toEqual([201, 201]);

    // Before the start nothing is released; 31 minutes after it (grace 30) the booking nobody came for is.
    await network.scheduler.fire('samverkan-hub-boden/ReleaseNoShowsSchedule', new Date(Date.parse(slotStart) - 60_000));
    expect((await call('GET', `${base}/bookings?date=${day}`, { token: staff })).json.bookings.find((x: { id: string }) => x.id === b.json.id).status).toBe('confirmed');
    const linked = await bookingsOf().linkCheckIn(kept, { id: 'vis_test_kept', checkedInAt: new Date(Date.parse(slotStart) + 5 * 60_000).toISOString() });
    expect(linked?.id).toBe(a.json.id);
    await network.scheduler.fire('samverkan-hub-boden/ReleaseNoShowsSchedule', new Date(Date.parse(slotStart) + 31 * 60_000));
    await network.idle();
    const list = (await call('GET', `${base}/bookings?date=${day}`, { token: staff })).json.bookings;
    expect(list.find((x: { id: string }) => x.id === b.json.id)).toMatchObject({ status: 'released', releasedAt: expect.any(String) });
    expect(list.find((x: { id: string }) => x.id === a.json.id)).toMatchObject({ status: 'confirmed', checkedInAt: expect.any(String) });
    const sal = (await availability(day, 'event-space')).resources[0].slots.find((s: { start: string }) => s.start === slotStart);
    expect(sal.available).toBe(1);
    const events = (network.bus.archived.get('samverkan-national-all') ?? []).filter((e) => e['detail-type'] === 'BookingNoShowReleased').map((e) => (e.detail as any).data.bookingId);
    expect(events).toContain(b.json.id);
    expect(events).not.toContain(a.json.id);
  });
});

/** The booking domain over this network's hub table, with the real DynamoDB Local store, for tests that need to set the time of a check-in. */
function bookingsOf() {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: network.dynamoEndpoint, region: 'eu-north-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  const table = network.tables.get([...network.tables.keys()].find((k) => k.startsWith(`samverkan-hub-${HUB}/`))!)!;
  const hub = loadHubs().find((h) => h.id === HUB)!;
  return new BookingService(hub, new DynamoBookingStore(db, table), new DynamoHubStore(db, table), () => new Date(), swedishPublicHoliday);
}

describe('checking in links the visit to a booking under way', () => {
  it('links a check-in from an hour before the start until the end, once', async () => {
    const member = await newMember();
    const start = await at('15:00');
    const end = await at('16:00');
    const res = await book({ resourceId: 'rum-samtal', memberId: member, start, end });
    expect(res.status, res.text).toBe(201);
    const service = bookingsOf();
    const at_ = (minutes: number) => new Date(Date.parse(start) + minutes * 60_000).toISOString();
    expect(await service.linkCheckIn(member, { id: 'vis_early', checkedInAt: at_(-61) })).toBeUndefined();
    expect((await service.linkCheckIn(member, { id: 'vis_ok', checkedInAt: at_(-10) }))?.id).toBe(res.json.id);
    expect(await service.linkCheckIn(member, { id: 'vis_again', checkedInAt: at_(5) })).toBeUndefined();
    const stored = (await call('GET', `${base}/bookings?date=${day}`, { token: staff })).json.bookings.find((b: { id: string }) => b.id === res.json.id);
    expect(stored).toMatchObject({ visitId: 'vis_ok', checkedInAt: at_(-10) });
  });

  it('leaves a check-in without a booking today unlinked', async () => {
    const member = await newMember();
    const visit = await call('POST', `${base}/check-ins`, { token: staff, body: { memberId: member } });
    expect(visit.status).toBe(201);
    expect(visit.json.bookingId).toBeUndefined(); // no booking today
  });
});

describe('calendar feeds', () => {
  async function events(ics: string) {
    const ICAL = (await import('ical.js')).default;
    const cal = new ICAL.Component(ICAL.parse(ics));
    return cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  }

  it('serves a resource’s bookings as valid iCalendar', async () => {
    const member = await newMember();
    const res = await book({ resourceId: 'rum-samtal', memberId: member, start: await at('16:00'), end: (await availability(day, 'room')).resources[0].slots.at(-1).end });
    expect(res.status, res.text).toBe(201);
    const feed = await call('GET', `${base}/resources/rum-samtal/calendar.ics`, { token: staff });
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toMatch(/^text\/calendar/);
    const list = await events(feed.text);
    const mine = list.find((e) => e.uid === `${res.json.id}@samverkan`)!;
    expect(mine).toBeDefined();
    expect(mine.startDate.toJSDate().getTime()).toBe(Date.parse(res.json.start));
    expect(mine.endDate.toJSDate().getTime()).toBe(Date.parse(res.json.end));
    expect(mine.summary).toContain('Samtalsrummet');

    await call('DELETE', `${base}/bookings/${res.json.id}`, { token: staff });
    const after = await events((await call('GET', `${base}/resources/rum-samtal/calendar.ics`, { token: staff })).text);
    expect(after.some((e) => e.uid === `${res.json.id}@samverkan`)).toBe(false);
    expect((await call('GET', `${base}/resources/sofa/calendar.ics`, { token: staff })).status).toBe(404);
  });

  it('serves a member’s bookings on their private link, and to staff, to no one else', async () => {
    const m = await call('POST', `${base}/members`, { token: staff, body: { name: 'Cal Member', email: `cal${Date.now()}@boden.se`, organisationId: orgId, membership: 'guest' } });
    expect(m.json.calendarUrl).toMatch(new RegExp(`^/api/hubs/${HUB}/members/${m.json.id}/calendar\\.ics\\?key=`));
    expect(m.json.calendarKey).toBeUndefined();
    const b = await book({ resourceId: 'myndighetsplats', memberId: m.json.id, start: await at('08:00'), end: await at('12:00') });
    expect(b.status, b.text).toBe(201);

    const viaLink = await fetch(`${network.url}${m.json.calendarUrl}`);
    expect(viaLink.status).toBe(200);
    expect((await events(await viaLink.text())).map((e) => e.uid)).toEqual([`${b.json.id}@samverkan`]);
    expect((await call('GET', `/api/hubs/${HUB}/members/${m.json.id}/calendar.ics`, { token: staff })).status).toBe(200);
    expect((await call('GET', `/api/hubs/${HUB}/members/${m.json.id}/calendar.ics?key=wrong`)).status).toBe(403);
    expect((await call('GET', `/api/hubs/${HUB}/members/${m.json.id}/calendar.ics`)).status).toBe(401);
    expect((await call('GET', `/api/hubs/${HUB}/members/${m.json.id}/calendar.ics`, { token: await network.token('staff', 'umea') })).status).toBe(403);
  });
});

describe('agency presence (myndighetsnärvaro)', () => {
  it('schedules Arbetsförmedlingen in Boden on Tuesdays 9–12, booked weekly and listed publicly', async () => {
    const af = await call('POST', `${base}/organisations`, { token: staff, body: { name: 'Arbetsförmedlingen', type: 'state-agency', orgNumber: '202100-2114' } });
    const rep = await call('POST', `${base}/members`, { token: staff, body: { name: 'Agnes Handläggare', email: 'agnes@arbetsformedlingen.se', organisationId: af.json.id, membership: 'member' } });
    expect(rep.status, rep.text).toBe(201);
    // The first Tuesday on or after the test day.
    let tuesday = day;
    while (new Date(`${tuesday}T12:00:00Z`).getUTCDay() !== 2) tuesday = new Date(Date.parse(`${tuesday}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const slots = (await availability(tuesday, 'room')).resources.find((r: { id: string }) => r.id === 'rum-lulealven').slots;
    const start = slots.find((s: { start: string }) => s.start.slice(11, 16) === '09:00').start;
    const end = slots.find((s: { end: string }) => s.end.slice(11, 16) === '12:00').end;
    const until = new Date(Date.parse(`${tuesday}T12:00:00Z`) + 11 * 7 * 86_400_000).toISOString().slice(0, 10);

    const res = await call('POST', `${base}/agency-presence`, {
      token: staff,
      body: { organisationId: af.json.id, memberId: rep.json.id, resourceId: 'rum-lulealven', start, end, until, description: 'Drop-in: arbetssökande och arbetsgivare' },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ weekday: 'tuesday', from: '09:00', to: '12:00', until });
    expect(res.json.bookings.length + res.json.conflicts.length).toBe(12); // more than a member's cap of 10: presence is not capped
    expect(res.json.bookings.length).toBeGreaterThanOrEqual(10);

    const listing = await call('GET', `${base}/agency-presence`); // public: no token
    expect(listing.status).toBe(200);
    const entry = listing.json.presence.find((p: { id: string }) => p.id === res.json.id);
    expect(entry).toMatchObject({ organisation: { name: 'Arbetsförmedlingen', type: 'state-agency' }, resourceName: 'Luleälven', weekday: 'tuesday', from: '09:00', to: '12:00', description: 'Drop-in: arbetssökande och arbetsgivare' });
    expect(entry.upcoming.length).toBe(res.json.bookings.length);
    for (const o of entry.upcoming) expect(new Date(o.start).getUTCDay()).toBe(2);

    await network.idle();
    const event = (network.bus.archived.get('samverkan-national-all') ?? []).find((e) => e['detail-type'] === 'AgencyPresenceScheduled' && (e.detail as any).data.presenceId === res.json.id);
    expect((event!.detail as any).data).toMatchObject({ organisationType: 'state-agency', weekday: 'tuesday', occurrences: res.json.bookings.length });
  });

  it('needs a representative who is a member of the organisation', async () => {
    const org = await call('POST', `${base}/organisations`, { token: staff, body: { name: 'Försäkringskassan', type: 'state-agency', orgNumber: '202100-5521' } });
    const outsider = await newMember();
    const res = await call('POST', `${base}/agency-presence`, { token: staff, body: { organisationId: org.json.id, memberId: outsider, resourceId: 'rum-samtal', start: await at('13:00'), end: await at('14:00'), until: day } });
    expect(res.status).toBe(400);
    expect(res.json.error.issues[0].path).toBe('body.memberId');
    const unknown = await call('POST', `${base}/agency-presence`, { token: staff, body: { organisationId: 'org_nope', memberId: outsider, resourceId: 'rum-samtal', start: await at('13:00'), end: await at('14:00'), until: day } });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.issues[0].path).toBe('body.organisationId');
  });
});
