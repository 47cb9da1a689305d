/**
 * `POST …/check-ins` links the visit to the member's booking under way, over HTTP; and a
 * check-in that lands while the no-show job runs ends the booking either checked in or
 * released, never both and never neither.
 *
 * The route checks in at the real time, and a booking covering the real time can only be made
 * over HTTP while the hub is open (weekdays 08–17). So the bookings here are seeded through the
 * real DynamoDB booking store (`createBooking`, the same write the booking route makes, with its
 * holds and its event) at times relative to now, bypassing only the opening-hours rules; the
 * check-ins and the no-show job run for real.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoBookingStore } from '../../functions/adapters/dynamo-booking-store.ts';
import { DynamoHubStore } from '../../functions/adapters/dynamo-hub-store.ts';
import { BookingService, isoWithOffset, type Booking, type BookingStore, type Hold } from '../../functions/domain/bookings.ts';
import { buildEvent } from '../../functions/domain/events.ts';
import { swedishPublicHoliday } from '../../functions/domain/holidays.ts';
import { HubService } from '../../functions/domain/hub.ts';
import { newId } from '../../functions/domain/ids.ts';
import { localDate } from '../../functions/domain/time.ts';
import { loadHubs } from '../../hubs/load.ts';
import type { LocalNetwork } from '../../local/network.ts';
import { api, startTestNetwork } from '../support/network.ts';

const HUB = 'boden';
const base = `/api/hubs/${HUB}`;
const hub = loadHubs().find((h) => h.id === HUB)!;
const TZ = hub.timezone;
const GRACE_MS = hub.bookingRules.noShowGraceMinutes * 60_000;
const RELEASE_SCHEDULE = `samverkan-hub-${HUB}/ReleaseNoShowsSchedule`;
const MIN = 60_000;
/** Check-ins racing the no-show job per round (the pool has 12 desks per half day). */
const RACERS = 6;

let network: LocalNetwork;
let call: ReturnType<typeof api>;
let staff: string;
let orgId: string;
let db: DynamoDBDocumentClient;
let table: string;
let seq = 0;

beforeAll(async () => {
  network = await startTestNetwork();
  call = api(network);
  staff = await network.token('staff', HUB);
  const org = await call('POST', `${base}/organisations`, { token: staff, body: { name: 'Bodens kommun', type: 'municipality' } });
  expect([200, 201], org.text).toContain(org.status);
  orgId = org.json.id;
  db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: network.dynamoEndpoint, region: 'eu-north-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  table = network.tables.get([...network.tables.keys()].find((k) => k.startsWith(`samverkan-hub-${HUB}/`))!)!;
});

afterAll(async () => {
  await network?.stop();
});

async function newMember(): Promise<string> {
  const i = ++seq;
  const res = await call('POST', `${base}/members`, { token: staff, body: { name: `Linker ${i}`, email: `linker${i}.${Date.now()}@boden.se`, organisationId: orgId, membership: 'member' } });
  expect(res.status, res.text).toBe(201);
  return res.json.id;
}

const floorTo15 = (ms: number) => Math.floor(ms / (15 * MIN)) * 15 * MIN;

/**
 * Stores a confirmed booking (each test its own resource or unit, so that holds never collide) from `startMs` to `endMs` with the booking store's own write (holds
 * and BookingCreated in one transaction). `date` is the hub-local day it is listed under.
 * Rooms hold their 15-minute slots; a desk pool holds one desk of `poolUnit`.
 */
async function seedBooking(memberId: string, resourceId: string, startMs: number, endMs: number, date: string, poolUnit = 'AM'): Promise<Booking> {
  const resource = hub.resources.find((r) => r.id === resourceId)!;
  const units: string[] = [];
  if (resource.type === 'desk-pool' || resource.type === 'desk') units.push(poolUnit);
  else for (let t = startMs; t < endMs; t += 15 * MIN) units.push(new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(t)));
  const now = new Date();
  const booking: Booking = {
    id: newId('bkg'),
    hubId: HUB,
    resourceId,
    resourceType: resource.type,
    memberId,
    organisationId: orgId,
    start: isoWithOffset(new Date(startMs), TZ),
    end: isoWithOffset(new Date(endMs), TZ),
    localDate: date,
    units,
    status: 'confirmed',
    createdAt: now.toISOString(),
  };
  const holds: Hold[] = units.map((unit) => (resource.type === 'desk-pool' ? { kind: 'pool', resourceId, date, unit, count: resource.count } : { kind: 'slot', resourceId, date, unit }));
  const event = buildEvent(
    'BookingCreated',
    { bookingId: booking.id, resourceId, resourceType: resource.type, memberId, organisationId: orgId, hubId: HUB, start: booking.start, end: booking.end, localDate: date },
    { hubId: HUB, correlationId: `seed-${booking.id}`, now },
  );
  await new DynamoBookingStore(db, table).createBooking(booking, holds, [event]);
  return booking;
}

async function bookingsOn(date: string): Promise<Booking[]> {
  const res = await call('GET', `${base}/bookings?date=${date}`, { token: staff });
  expect(res.status, res.text).toBe(200);
  return res.json.bookings;
}

async function checkIn(memberId: string) {
  return call('POST', `${base}/check-ins`, { token: staff, body: { memberId } });
}

async function releasedEventsFor(ids: string[]): Promise<string[]> {
  await network.idle();
  return (network.bus.archived.get('samverkan-national-all') ?? [])
    .filter((e) => e['detail-type'] === 'BookingNoShowReleased' && ids.includes((e.detail as any).data.bookingId))
    .map((e) => (e.detail as any).data.bookingId);
}

/** A point where one side waits until the test lets it go on. */
function gate() {
  let open!: () => void;
  let arrive!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const arrived = new Promise<void>((r) => (arrive = r));
  return {
    open,
    arrived,
    async pass() {
      arrive();
      await opened;
    },
  };
}

/**
 * The booking and hub services in this process, over the network's hub table, with the real
 * DynamoDB stores; `pause` holds a store call for one booking at a gate, to force an interleaving.
 */
function services(pause: { cancelBooking?: { bookingId: string; gate: ReturnType<typeof gate> }; markCheckedIn?: { bookingId: string; gate: ReturnType<typeof gate> } } = {}) {
  const real = new DynamoBookingStore(db, table);
  const store: BookingStore = Object.create(real);
  store.cancelBooking = async (booking, ...rest) => {
    if (pause.cancelBooking?.bookingId === booking.id) await pause.cancelBooking.gate.pass();
    return real.cancelBooking(booking, ...rest);
  };
  store.markCheckedIn = async (bookingId, visit) => {
    if (pause.markCheckedIn?.bookingId === bookingId) await pause.markCheckedIn.gate.pass();
    return real.markCheckedIn(bookingId, visit);
  };
  const hubStore = new DynamoHubStore(db, table);
  const bookings = new BookingService(hub, store, hubStore, () => new Date(), swedishPublicHoliday);
  return {
    bookings,
    hubService: new HubService(hub, hubStore, () => new Date()),
    /** What the no-show job does (functions/hub-jobs/release-no-shows.ts), as of `at`. */
    releaseNoShows: (at: Date) =>
      bookings.releaseNoShows(at, `test-release-${at.getTime()}`, async (memberId, since) => (await hubStore.visitsOf(memberId)).some((v) => v.checkedInAt >= since)),
  };
}

describe('POST …/check-ins links the visit to the booking under way', () => {
  it('answers with the bookingId and marks the booking checked in with the visit', async () => {
    const member = await newMember();
    const t0 = Date.now();
    const start = floorTo15(t0 - 10 * MIN);
    const booking = await seedBooking(member, 'rum-samtal', start, start + 60 * MIN, localDate(new Date(t0), TZ));

    const visit = await checkIn(member);
    expect(visit.status, visit.text).toBe(201);
    expect(visit.json.bookingId).toBe(booking.id);

    const stored = (await bookingsOn(booking.localDate)).find((b) => b.id === booking.id);
    expect(stored).toMatchObject({ status: 'confirmed', checkedInAt: visit.json.checkedInAt, visitId: visit.json.visitId });

    // Checking in again while in returns the open visit and links nothing more.
    const again = await checkIn(member);
    expect(again.status).toBe(200);
    expect(again.json.visitId).toBe(visit.json.visitId);
    expect((await bookingsOn(booking.localDate)).find((b) => b.id === booking.id)).toMatchObject({ visitId: visit.json.visitId });
  });

  it('does not link a booking that ended, nor one that starts more than an hour later', async () => {
    const member = await newMember();
    const t0 = Date.now();
    const date = localDate(new Date(t0), TZ);
    // On the desk, so that the rooms stay free for the tests below.
    const ended = await seedBooking(member, 'myndighetsplats', floorTo15(t0) - 60 * MIN, floorTo15(t0) - 15 * MIN, date, 'AM');
    const later = await seedBooking(member, 'myndighetsplats', floorTo15(t0) + 90 * MIN, floorTo15(t0) + 120 * MIN, date, 'PM');
    const visit = await checkIn(member);
    expect(visit.status, visit.text).toBe(201);
    expect(visit.json.bookingId).toBeUndefined();
    const list = await bookingsOn(date);
    for (const id of [ended.id, later.id]) expect(list.find((b) => b.id === id)?.checkedInAt).toBeUndefined();
  });
});

describe('a check-in landing while the no-show job runs', () => {
  /** The booking is either released and the visit not linked, or checked in by this visit and not released. */
  function expectOneOutcome(booking: Booking | undefined, visit: { status: number; json: any }, releasedEvents: string[], id: string) {
    expect(visit.status, JSON.stringify(visit.json)).toBe(201);
    expect(booking, `booking ${id} lost`).toBeDefined();
    const b = booking!;
    if (b.status === 'released') {
      expect(b, 'released and checked in').not.toHaveProperty('checkedInAt');
      expect(b).not.toHaveProperty('visitId');
      expect(b.releasedAt).toEqual(expect.any(String));
      expect(visit.json.bookingId, 'the check-in claims a released booking').toBeUndefined();
      expect(releasedEvents.filter((x) => x === id)).toHaveLength(1);
    } else {
      expect(b, `booking ${id} neither released nor checked in`).toMatchObject({ status: 'confirmed', checkedInAt: visit.json.checkedInAt, visitId: visit.json.visitId });
      expect(b).not.toHaveProperty('releasedAt');
      expect(visit.json.bookingId).toBe(id);
      expect(releasedEvents, 'BookingNoShowReleased for a booking checked in').not.toContain(id);
    }
  }

  it('ends each booking released or checked in, never both, never neither, over many races (job and check-ins over the network)', async () => {
    const outcomes = { released: 0, checkedIn: 0 };
    // Round 1 fires the job first and the check-ins right after; round 2 the check-ins first and
    // the job as soon as the first one has answered.
    for (const [round, unit] of [
      [1, 'AM'],
      [2, 'PM'],
    ] as const) {
      const t0 = Date.now();
      const at = new Date(t0);
      const date = localDate(at, TZ);
      const start = floorTo15(t0 - GRACE_MS - 10 * MIN); // past the grace period at t0
      // Set up one by one: the race is the subject, not how many registrations the machine takes at once.
      const members: string[] = [];
      const seeded: Booking[] = [];
      for (let i = 0; i < RACERS; i++) {
        members.push(await newMember());
        seeded.push(await seedBooking(members[i]!, 'oppna-ytan', start, start + 120 * MIN, date, unit));
      }

      let visits: Array<{ status: number; json: any }>;
      if (round === 1) {
        const job = network.scheduler.fire(RELEASE_SCHEDULE, at);
        visits = await Promise.all(members.map((m) => checkIn(m)));
        await job;
      } else {
        const pending = members.map((m) => checkIn(m));
        await Promise.race(pending);
        const job = network.scheduler.fire(RELEASE_SCHEDULE, at);
        visits = await Promise.all(pending);
        await job;
      }

      const list = await bookingsOn(date);
      const events = await releasedEventsFor(seeded.map((b) => b.id));
      seeded.forEach((s, i) => {
        const b = list.find((x) => x.id === s.id);
        expectOneOutcome(b, visits[i]!, events, s.id);
        outcomes[b!.status === 'released' ? 'released' : 'checkedIn']++;
      });
      // Every check-in counted: each member is in, with the visit the route answered.
      const present = (await call('GET', `${base}/presence`, { token: staff })).json.present as Array<{ memberId: string; visitId: string }>;
      for (const [i, m] of members.entries()) expect(present.find((p) => p.memberId === m)?.visitId).toBe(visits[i]!.json.visitId);
    }
    expect(outcomes.released + outcomes.checkedIn).toBe(2 * RACERS);
  }, 240_000); // two rounds of set-up, race and event delivery: slow when the whole suite shares the cores

  it('keeps the booking checked in when the check-in lands after the job decided to release it, before its write', async () => {
    const member = await newMember();
    const t0 = Date.now();
    const start = floorTo15(t0 - GRACE_MS - 10 * MIN);
    const booking = await seedBooking(member, 'rum-lulealven', start, start + 90 * MIN, localDate(new Date(t0), TZ));
    const g = gate();
    const { releaseNoShows } = services({ cancelBooking: { bookingId: booking.id, gate: g } });

    const job = releaseNoShows(new Date(t0));
    await g.arrived; // the job saw no visit and is about to release the booking
    const visit = await checkIn(member); // the real route
    expect(visit.status, visit.text).toBe(201);
    expect(visit.json.bookingId).toBe(booking.id);
    g.open();
    const released = await job;

    expect(released.map((b) => b.id)).not.toContain(booking.id);
    const stored = (await bookingsOn(booking.localDate)).find((b) => b.id === booking.id);
    expectOneOutcome(stored, visit, await releasedEventsFor([booking.id]), booking.id);
    expect(stored!.status).toBe('confirmed');
  });

  it('leaves the visit unlinked when the job releases the booking between the link’s read and its write', async () => {
    const member = await newMember();
    const t0 = Date.now();
    const start = floorTo15(t0 - GRACE_MS - 10 * MIN);
    const booking = await seedBooking(member, 'parkens-sal', start, start + 90 * MIN, localDate(new Date(t0), TZ));
    const release = gate();
    const link = gate();
    const { releaseNoShows, hubService, bookings } = services({ cancelBooking: { bookingId: booking.id, gate: release }, markCheckedIn: { bookingId: booking.id, gate: link } });

    const job = releaseNoShows(new Date(t0));
    await release.arrived; // the job read no visit: it will release
    // What the check-in route does: open the visit, then link it.
    const { created, visit } = await hubService.checkIn({ memberId: member }, `test-checkin-${booking.id}`);
    expect(created).toBe(true);
    const linking = bookings.linkCheckIn(member, visit);
    await link.arrived; // the link read the booking as confirmed and is about to mark it
    release.open();
    expect((await job).map((b) => b.id)).toContain(booking.id);
    link.open();
    const linked = await linking;

    expect(linked).toBeUndefined();
    const stored = (await bookingsOn(booking.localDate)).find((b) => b.id === booking.id);
    expectOneOutcome(stored, { status: 201, json: { ...visit, visitId: visit.id } }, await releasedEventsFor([booking.id]), booking.id);
    expect(stored!.status).toBe('released');
  });
});
