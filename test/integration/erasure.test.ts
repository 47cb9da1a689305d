import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoBookingStore } from '../../functions/adapters/dynamo-booking-store.ts';
import { DynamoHubStore } from '../../functions/adapters/dynamo-hub-store.ts';
import { BookingService, isoWithOffset } from '../../functions/domain/bookings.ts';
import { swedishPublicHoliday } from '../../functions/domain/holidays.ts';
import { HubService } from '../../functions/domain/hub.ts';
import { zonedInstant } from '../../functions/domain/time.ts';
import { mailMentions } from '../../functions/shared/mail.ts';
import { loadHubs } from '../../hubs/load.ts';
import { DIRECTORY_CONSENT } from '../../functions/directory/directory.ts';
import type { LocalNetwork } from '../../local/network.ts';
import { api, startTestNetwork } from '../support/network.ts';

const HUB = 'lulea';
const base = `/api/hubs/${HUB}`;
const hub = loadHubs().find((h) => h.id === HUB)!;
const TZ = hub.timezone;

let network: LocalNetwork;
let call: ReturnType<typeof api>;
let staff: string;
let agencyId: string;
let day: string; // an open day at least two days ahead
let tuesday: string; // the first open Tuesday on or after it
let db: DynamoDBDocumentClient;
let table: string;
let people = 0;

const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date());
const at = (date: string, time: string) => isoWithOffset(zonedInstant(date, time, TZ), TZ);

async function availability(date: string, resourceId: string) {
  const res = await call('GET', `${base}/availability?date=${date}`, { token: staff });
  expect(res.status, res.text).toBe(200);
  return res.json.resources.find((r: { id: string }) => r.id === resourceId).slots as Array<{ start: string; end: string; available: number }>;
}

async function member(name: string, email: string, organisationId = agencyId) {
  const res = await call('POST', `${base}/members`, { token: staff, body: { name, email, organisationId, membership: 'member' } });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; memberCode: string; calendarUrl: string };
}

/** Every item of the hub table. */
async function scan(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const res = await db.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: startKey }));
    items.push(...((res.Items ?? []) as Record<string, unknown>[]));
    startKey = res.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** The raw .eml files of the local mail outbox. */
function mails(): string[] {
  if (!existsSync(network.mailDir)) return [];
  return readdirSync(network.mailDir).map((f) => readFileSync(join(network.mailDir, f), 'utf8'));
}

const archived = () => network.bus.archived.get('samverkan-national-all') ?? [];

/**
 * Erases a member as staff would: when the function times out (502, seen on an overloaded test
 * machine), the erasure is sent again, which is how an interrupted erasure is finished.
 */
async function erase(memberId: string) {
  for (let attempt = 1; ; attempt++) {
    const res = await call('DELETE', `${base}/members/${memberId}`, { token: staff });
    if (res.status !== 502 || attempt === 3) return res;
  }
}

/**
 * A member with everything the hub can hold about one: visits (one as a walk-in guest of a
 * host, who is e-mailed), a hosted guest who checked in (the member is e-mailed), a booking
 * made with an Idempotency-Key, a cancelled booking, a booking in the past, a weekly series and
 * agency presence they represent (8 weekly occurrences of 3 hours: more than 100 transaction
 * items to cancel).
 */
async function personWithEverything(name: string, email: string, lane: { desk: [string, 'AM' | 'PM']; series: [string, string]; presence: string }) {
  const p = await member(name, email);
  const n = ++people;
  const host = await member(`Hedda Värd ${n}`, `hedda.vard${n}@arbetsformedlingen.se`);
  const guest = await call('POST', `${base}/visitors`, {
    token: staff,
    body: { name: `Gösta Gäst ${n}`, organisationName: 'Norrbottens Företagare', organisationType: 'business', hostMemberId: p.id, expectedDate: today() },
  });
  expect(guest.status, guest.text).toBe(201);
  const guestVisit = await call('POST', `${base}/check-ins`, { token: staff, body: { memberCode: guest.json.memberCode } });
  expect(guestVisit.status, guestVisit.text).toBe(201);
  const visit = await call('POST', `${base}/check-ins`, { token: staff, body: { memberId: p.id, hostMemberId: host.id } });
  expect(visit.status, visit.text).toBe(201);
  expect((await call('POST', `${base}/check-ins/${visit.json.id}/check-out`, { token: staff })).status).toBe(200);

  const desk = (await availability(day, lane.desk[0])).find((s) => s.start.slice(11, 16) === (lane.desk[1] === 'AM' ? '08:00' : hub.bookingRules.deskMidday))!;
  const booking = await call('POST', `${base}/bookings`, { token: staff, body: { resourceId: lane.desk[0], memberId: p.id, start: desk.start, end: desk.end }, headers: { 'idempotency-key': `erasure-${p.id}` } });
  expect(booking.status, booking.text).toBe(201);
  const cancelled = await call('POST', `${base}/bookings`, { token: staff, body: { resourceId: 'rum-lulealven', memberId: p.id, start: at(day, lane.series[0]), end: at(day, lane.series[1]) } });
  expect(cancelled.status, cancelled.text).toBe(201);
  expect((await call('DELETE', `${base}/bookings/${cancelled.json.id}`, { token: staff })).status).toBe(200);

  // A booking in the past: booked through the domain with the clock on an open day last week.
  let past = addDays(today(), -1);
  const pastService = (now: Date) => new BookingService(hub, new DynamoBookingStore(db, table), new DynamoHubStore(db, table), () => now, swedishPublicHoliday);
  while (!pastService(new Date()).day(past).open) past = addDays(past, -1);
  const pastBooking = await pastService(zonedInstant(past, '07:00', TZ)).book({ resourceId: 'rum-hamnen', memberId: p.id, start: at(past, lane.series[0]), end: at(past, lane.series[1]) }, 'test-past');

  const series = await call('POST', `${base}/booking-series`, { token: staff, body: { resourceId: 'rum-hamnen', memberId: p.id, start: at(day, lane.series[0]), end: at(day, lane.series[1]), until: addDays(day, 14) } });
  expect(series.status, series.text).toBe(201);
  expect(series.json.bookings.length).toBeGreaterThanOrEqual(2);

  const presence = await call('POST', `${base}/agency-presence`, {
    token: staff,
    body: { organisationId: agencyId, memberId: p.id, resourceId: lane.presence, start: at(tuesday, '09:00'), end: at(tuesday, '12:00'), until: addDays(tuesday, 49) },
  });
  expect(presence.status, presence.text).toBe(201);
  expect(presence.json.bookings.length).toBeGreaterThanOrEqual(7);
  // A hub event: registered as a member, and again on the public route with the member's own
  // name and e-mail (linked to the member only by the address); and a network-directory profile.
  const hubEvent = await call('POST', `${base}/events`, { token: staff, body: { title: `Frukostmöte ${n}`, kind: 'network-meeting', start: at(day, '07:00'), end: at(day, '07:45'), capacity: 20, openToNetwork: true, status: 'published' } });
  expect(hubEvent.status, hubEvent.text).toBe(201);
  const registration = await call('POST', `${base}/events/${hubEvent.json.id}/registrations`, { token: staff, body: { memberId: p.id } });
  expect(registration.status, registration.text).toBe(201);
  const publicRegistration = await call('POST', `${base}/events/${hubEvent.json.id}/public-registrations`, { body: { name, email: email.toUpperCase(), organisationName: 'Arbetsförmedlingen Luleå', organisationType: 'state-agency' } });
  expect(publicRegistration.status, publicRegistration.text).toBe(201);
  const profile = await call('PUT', `${base}/members/${p.id}/directory-profile`, { token: staff, body: { role: 'Arbetsmarknadshandläggare', competences: ['Etablering'], consentVersion: DIRECTORY_CONSENT.version } });
  expect(profile.status, profile.text).toBe(200);
  await network.idle();
  const future = [booking.json.id, ...series.json.bookings.map((b: { id: string }) => b.id), ...presence.json.bookings.map((b: { id: string }) => b.id)] as string[];
  return { ...p, name, email, hubEvent: hubEvent.json, registration: registration.json, publicRegistration: publicRegistration.json, host, guest: guest.json, guestVisit: guestVisit.json, visit: visit.json, booking: booking.json, cancelled: cancelled.json, pastBooking: pastBooking.booking, series: series.json, presence: presence.json, future, desk };
}

beforeAll(async () => {
  network = await startTestNetwork();
  call = api(network);
  staff = await network.token('staff', HUB);
  const agency = await call('POST', `${base}/organisations`, { token: staff, body: { name: 'Arbetsförmedlingen', type: 'state-agency', orgNumber: '202100-2114' } });
  agencyId = agency.json.id;
  for (let i = 2; i < 30 && !day; i++) {
    const d = addDays(today(), i);
    if ((await call('GET', `${base}/availability?date=${d}`, { token: staff })).json.open) day = d;
  }
  tuesday = day;
  while (new Date(`${tuesday}T12:00:00Z`).getUTCDay() !== 2 || !(await call('GET', `${base}/availability?date=${tuesday}`, { token: staff })).json.open) tuesday = addDays(tuesday, 1);
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: network.dynamoEndpoint, region: 'eu-north-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  table = network.tables.get([...network.tables.keys()].find((k) => k.startsWith(`samverkan-hub-${HUB}/`))!)!;
});

afterAll(async () => {
  db?.destroy();
  await network?.stop();
});

describe('GDPR export (Art. 15)', () => {
  it('holds every item of the hub table that names the member, section by section', async () => {
    const p = await personWithEverything('Petra Portabel', 'petra.portabel@arbetsformedlingen.se', { desk: ['fokus-1', 'AM'], series: ['13:00', '14:00'], presence: 'rum-lulealven' });
    const res = await call('GET', `${base}/members/${p.id}/export`, { token: staff });
    expect(res.status, res.text).toBe(200);
    const x = res.json;
    expect(x.sections.map((s: { key: string }) => s.key)).toEqual(expect.arrayContaining(['member', 'organisation', 'visits', 'hostedGuests', 'hostedVisits', 'calendar', 'bookings', 'series', 'agencyPresence']));
    for (const s of x.sections) expect(x, `section ${s.key}`).toHaveProperty(s.key);
    expect(x.calendar.calendarUrl).toBe(p.calendarUrl);
    expect(x.series.map((s: { id: string }) => s.id)).toEqual([p.series.id]);
    expect(x.agencyPresence.map((s: { id: string }) => s.id)).toEqual([p.presence.id]);
    expect(x.sections.map((s: { key: string }) => s.key)).toEqual(expect.arrayContaining(['events', 'publicRegistrations', 'directory']));
    expect(x.events.map((e: { registration: { id: string } }) => e.registration.id)).toEqual([p.registration.id]);
    expect(x.publicRegistrations).toEqual([expect.objectContaining({ registration: expect.objectContaining({ id: p.publicRegistration.id, name: p.name, email: p.email }), event: expect.objectContaining({ id: p.hubEvent.id }) })]);
    expect(JSON.stringify(x)).not.toContain('cancelKey');
    expect(x.directory).toMatchObject({ published: true, profile: { role: 'Arbetsmarknadshandläggare' }, consents: [{ textVersion: DIRECTORY_CONSENT.version }] });

    const exported = new Set<string>([
      x.member.id,
      ...x.visits.map((v: { id: string }) => v.id),
      ...x.hostedGuests.map((g: { id: string }) => g.id),
      ...x.hostedVisits.map((v: { id: string }) => v.id),
      ...x.bookings.map((b: { id: string }) => b.id),
      ...x.events.map((e: { registration: { id: string } }) => e.registration.id),
      ...x.publicRegistrations.map((e: { registration: { id: string } }) => e.registration.id),
    ]);
    for (const id of [p.visit.id, p.guest.id, p.guestVisit.id, p.booking.id, p.cancelled.id, p.pastBooking.id, ...p.future]) expect(exported, id).toContain(id);

    // Every item that names the member's id, name or e-mail is in the export, or derived from
    // what is (guards, search tokens, an idempotency record of an exported booking, outgoing events).
    const names = (i: Record<string, unknown>) => {
      const text = JSON.stringify(i).toLowerCase();
      return text.includes(p.id.toLowerCase()) || text.includes(p.name.toLowerCase()) || text.includes(p.email.toLowerCase());
    };
    const unexplained = (await scan()).filter(names).filter((i) => {
      switch (i.entity) {
        case 'member':
        case 'visit':
        case 'booking':
        case 'event-registration':
          return !exported.has(String(i.id));
        case 'directory-record':
          return i.memberId !== x.member.id || !x.directory.published;
        case 'guard':
        case 'search':
        case 'outbox':
          return false;
        case 'idempotency':
          return !exported.has(String(i.bookingId));
        default:
          return true;
      }
    });
    expect(unexplained.map((i) => `${i.pk} ${i.sk} (${i.entity})`)).toEqual([]);
  });
});

describe('erasure (Art. 17)', () => {
  it('cancels future bookings (BookingCancelled, reason member-erased), frees their slots, and leaves nothing naming the member', async () => {
    const q = await personWithEverything('Quintus Raderad', 'quintus.raderad@arbetsformedlingen.se', { desk: ['fokus-1', 'PM'], series: ['14:00', '15:00'], presence: 'scenen' });
    expect((await availability(day, 'fokus-1')).find((s) => s.start === q.desk.start)!.available).toBe(0);
    const presenceSlots = async () => (await availability(tuesday, 'scenen')).filter((s) => s.start >= at(tuesday, '09:00') && s.end <= at(tuesday, '12:00'));
    expect((await presenceSlots()).every((s) => s.available === 0)).toBe(true);
    expect(mails().some((m) => mailMentions(m, [q.email]))).toBe(true);
    expect(mails().some((m) => mailMentions(m, [q.name]))).toBe(true);

    const erased = await erase(q.id);
    expect(erased.status, erased.text).toBe(200);
    await network.idle();

    // The slots are free again, and someone else can book them.
    expect((await availability(day, 'fokus-1')).find((s) => s.start === q.desk.start)!.available).toBe(1);
    expect((await presenceSlots()).every((s) => s.available === 1)).toBe(true);
    const other = await member('Olle Annan', 'olle.annan@arbetsformedlingen.se');
    expect((await call('POST', `${base}/bookings`, { token: staff, body: { resourceId: 'fokus-1', memberId: other.id, start: q.desk.start, end: q.desk.end } })).status).toBe(201);
    expect((await call('POST', `${base}/bookings`, { token: staff, body: { resourceId: 'scenen', memberId: other.id, start: at(tuesday, '09:00'), end: at(tuesday, '12:00') } })).status).toBe(201);

    // Each future booking was cancelled once, with the reason; the day's list shows them without the member.
    const cancelledEvents = archived().filter((e) => e['detail-type'] === 'BookingCancelled' && (e.detail as any).data.reason === 'member-erased');
    expect(cancelledEvents.map((e) => (e.detail as any).data.bookingId).sort()).toEqual([...q.future].sort());
    const list = (await call('GET', `${base}/bookings?date=${day}`, { token: staff })).json.bookings;
    expect(list.find((b: { id: string }) => b.id === q.booking.id)).toMatchObject({ status: 'cancelled', anonymised: true });
    expect(list.find((b: { id: string }) => b.id === q.booking.id).memberId).toBeUndefined();
    // The agency's schedule stays listed, without the occurrences booked for the erased representative.
    const listing = (await call('GET', `${base}/agency-presence`)).json.presence.find((x: { id: string }) => x.id === q.presence.id);
    expect(listing.upcoming).toEqual([]);

    // Nothing in the hub table names the member: not the past booking, the guest, the hosted visit, an idempotency record, a tombstone or an event in the outbox.
    const leaks = (text: string) => [q.id, q.name, q.email, 'Quintus', 'Raderad'].some((n) => text.toLowerCase().includes(n.toLowerCase()));
    const items = await scan();
    expect(items.filter((i) => leaks(JSON.stringify(i))).map((i) => `${i.pk} ${i.sk}`)).toEqual([]);
    const past = items.find((i) => i.pk === `BOOKING#${q.pastBooking.id}`)!;
    expect(past).toMatchObject({ status: 'confirmed', anonymised: true, organisationId: agencyId });
    expect(items.find((i) => i.pk === `MEMBER#${q.guest.id}` && i.sk === 'MEMBER')!.hostMemberId).toBeUndefined();
    expect(items.find((i) => i.pk === `VISIT#${q.guestVisit.id}`)!.hostMemberId).toBeUndefined();

    // The registrations stay as counts without the member; the directory profile is gone from the network table.
    const regs = (await call('GET', `${base}/events/${q.hubEvent.id}/registrations`, { token: staff })).json.registrations;
    expect(regs.map((r: { id: string }) => r.id).sort()).toEqual([q.registration.id, q.publicRegistration.id].sort());
    expect(leaks(JSON.stringify(regs))).toBe(false);
    const networkTable = network.tables.get([...network.tables.keys()].find((k) => k.startsWith('samverkan-national/NetworkTable'))!)!;
    const networkItems = (await db.send(new ScanCommand({ TableName: networkTable, ConsistentRead: true }))).Items ?? [];
    expect(networkItems.filter((i) => leaks(JSON.stringify(i))).map((i) => `${i.pk} ${i.sk}`)).toEqual([]);

    // No mail in the local outbox was sent to or names the member.
    expect(mails().filter((m) => mailMentions(m, [q.email, q.name]))).toEqual([]);

    // The calendar link is dead; no resource feed names the member.
    expect((await call('GET', q.calendarUrl)).status).toBe(403);
    for (const r of ['fokus-1', 'rum-hamnen', 'scenen']) {
      const feed = await call('GET', `${base}/resources/${r}/calendar.ics`, { token: staff });
      expect(feed.status).toBe(200);
      expect(leaks(feed.text), feed.text).toBe(false);
    }

    // Events carry no name or e-mail; the member id only in the pseudonymous fields of the catalog.
    const events = archived();
    expect(events.filter((e) => leaks(JSON.stringify(e).replaceAll(q.id, ''))).length).toBe(0);
    const withId = events.filter((e) => JSON.stringify(e).includes(q.id));
    for (const e of withId) expect([(e.detail as any).data.memberId, (e.detail as any).data.hostMemberId]).toContain(q.id);
    expect(withId.some((e) => e['detail-type'] === 'MemberErased')).toBe(true);

    // Erasing again answers the same.
    const twice = await call('DELETE', `${base}/members/${q.id}`, { token: staff });
    expect(twice.status).toBe(200);
    expect(twice.json.erasedAt).toBe(erased.json.erasedAt);
  });

  it('works in batches of at most 100 items, and erasing again after a failure in the middle completes it', async () => {
    const s = await personWithEverything('Sixten Avbruten', 'sixten.avbruten@arbetsformedlingen.se', { desk: ['oppna-ytan', 'AM'], series: ['15:00', '16:00'], presence: 'rum-hamnen' });
    // The booking store fails its second erasure transaction, as if the function timed out there.
    const sizes: number[] = [];
    const failing = {
      send: (command: unknown) => {
        if (command instanceof TransactWriteCommand && (command.input.TransactItems ?? []).some((t) => t.Update?.UpdateExpression?.includes('anonymised'))) {
          sizes.push(command.input.TransactItems!.length);
          if (sizes.length === 2) return Promise.reject(new Error('Task timed out'));
        }
        return db.send(command as never);
      },
    } as unknown as DynamoDBDocumentClient;
    const hubStore = new DynamoHubStore(db, table);
    const bookings = new BookingService(hub, new DynamoBookingStore(failing, table), hubStore, () => new Date(), swedishPublicHoliday);
    const service = new HubService(hub, hubStore, () => new Date(), undefined, [bookings]);
    await expect(service.eraseMember(s.id, 'test-interrupted')).rejects.toThrow('Task timed out');
    expect(sizes[0]).toBeLessThanOrEqual(100);
    expect(sizes[0]).toBeGreaterThan(50);
    const statuses = await Promise.all(s.future.map(async (id) => (await db.send(new GetCommand({ TableName: table, Key: { pk: `BOOKING#${id}`, sk: 'BOOKING' }, ConsistentRead: true }))).Item?.status));
    expect(statuses).toContain('cancelled');
    expect(statuses).toContain('confirmed');
    // The member is only marked erased once everything else is done: still there.
    expect((await call('GET', `${base}/members/${s.id}`, { token: staff })).status).toBe(200);

    const erased = await erase(s.id);
    expect(erased.status, erased.text).toBe(200);
    await network.idle();
    const items = await scan();
    expect(items.filter((i) => JSON.stringify(i).includes(s.id) || JSON.stringify(i).includes('Sixten')).map((i) => `${i.pk} ${i.sk}`)).toEqual([]);
    const cancelled = archived().filter((e) => e['detail-type'] === 'BookingCancelled' && s.future.includes((e.detail as any).data.bookingId));
    expect(cancelled.map((e) => (e.detail as any).data.bookingId).sort()).toEqual([...s.future].sort());
  });
});
