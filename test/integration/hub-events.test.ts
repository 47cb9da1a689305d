import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { api, eventually, startTestNetwork } from '../support/network.ts';

let network: LocalNetwork;
let call: ReturnType<typeof api>;
let staff: string;
let orgId: string;
let day: string; // an open weekday a few days ahead
let offset: string; // the hub's UTC offset on that day, e.g. +01:00
let seq = 0;

const HUB = 'boden';
const base = `/api/hubs/${HUB}`;

async function newMember(extra: Record<string, unknown> = {}): Promise<{ id: string; memberCode: string; email: string }> {
  const i = ++seq;
  const res = await call('POST', `${base}/members`, { token: staff, body: { name: `Deltagare ${i}`, email: `deltagare${i}@boden.se`, organisationId: orgId, membership: 'guest', ...extra } });
  expect(res.status, res.text).toBe(201);
  return res.json;
}

/** The hub's wall-clock time on `day` (or another date) as ISO with the hub's offset. */
const at = (time: string, date = day) => `${date}T${time}:00${offset}`;
/** An ISO time relative to now, on the 15-minute grid, in UTC. */
const fromNow = (minutes: number) => new Date(Math.floor((Date.now() + minutes * 60_000) / 900_000) * 900_000).toISOString();

const event = (body: Record<string, unknown>) => call('POST', `${base}/events`, { token: staff, body: { title: 'Workshop om vätgas', kind: 'workshop', capacity: 10, ...body } });
const patch = (id: string, body: Record<string, unknown>) => call('PATCH', `${base}/events/${id}`, { token: staff, body });
const register = (eventId: string, memberId: string) => call('POST', `${base}/events/${eventId}/registrations`, { token: staff, body: { memberId } });
const book = (body: Record<string, unknown>) => call('POST', `${base}/bookings`, { token: staff, body });
const archived = (type: string) => (network.bus.archived.get('samverkan-national-all') ?? []).filter((e) => e['detail-type'] === type).map((e) => e.detail as { metadata: { eventId: string }; data: Record<string, any> });

/** The local mail outbox, parsed. */
async function mails(): Promise<Array<{ to: string; subject: string; text: string }>> {
  if (!existsSync(network.mailDir)) return [];
  return Promise.all(
    readdirSync(network.mailDir).map(async (f) => {
      const m = await simpleParser(readFileSync(join(network.mailDir, f)));
      return { to: (Array.isArray(m.to) ? m.to[0]?.text : m.to?.text) ?? '', subject: m.subject ?? '', text: m.text ?? '' };
    }),
  );
}

beforeAll(async () => {
  network = await startTestNetwork();
  call = api(network);
  staff = await network.token('staff', HUB);
  const org = await call('POST', `${base}/organisations`, { token: staff, body: { name: 'Bodens kommun', type: 'municipality' } });
  orgId = org.json.id;
  for (let i = 2; i < 30; i++) {
    const d = new Date(Date.now() + i * 86_400_000).toISOString().slice(0, 10);
    const a = await call('GET', `${base}/availability?date=${d}&resourceType=room`, { token: staff });
    if (a.json.open) {
      day = d;
      offset = a.json.resources[0].slots[0].start.slice(19);
      break;
    }
  }
  expect(day).toBeDefined();
});

afterAll(async () => {
  await network?.stop();
});

describe('events at a hub', () => {
  it('creates a draft with Swedish and English texts, lists it for staff, and publishes it (HubEventScheduled)', async () => {
    const res = await event({ title: 'Nätverksträff: grön omställning', titleEn: 'Network meeting: green transition', description: 'Fika och samtal', descriptionEn: 'Coffee and talk', kind: 'network-meeting', facilitator: 'Hanna Värd', start: at('14:00'), end: at('15:30'), capacity: 30, resourceId: 'parkens-sal', openToNetwork: true });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ id: expect.stringMatching(/^evt_/), status: 'draft', kind: 'network-meeting', titleEn: 'Network meeting: green transition', start: at('14:00'), localDate: day, capacity: 30, seatsLeft: 30, resourceId: 'parkens-sal', openToNetwork: true, openToBusiness: false, version: 1 });
    const list = await call('GET', `${base}/events?from=${day}&to=${day}`, { token: staff });
    expect(list.status).toBe(200);
    expect(list.json.events.map((e: { id: string }) => e.id)).toContain(res.json.id);
    expect(archived('HubEventScheduled').some((e) => e.data.eventId === res.json.id)).toBe(false);

    const published = await patch(res.json.id, { status: 'published' });
    expect(published.status, published.text).toBe(200);
    expect(published.json).toMatchObject({ status: 'published', version: 2, publishedAt: expect.any(String) });
    await network.idle();
    const scheduled = archived('HubEventScheduled').filter((e) => e.data.eventId === res.json.id);
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]!.data).toMatchObject({ hubId: HUB, kind: 'network-meeting', capacity: 30, openToNetwork: true, version: 2, title: 'Nätverksträff: grön omställning' });
    expect((await patch(res.json.id, { status: 'draft' })).status).toBe(409);
  });

  it('refuses bad input naming the field, and changes nothing', async () => {
    const before = (await call('GET', `${base}/events?from=${day}&to=${day}`, { token: staff })).json.events.length;
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ kind: 'party', start: at('10:00'), end: at('11:00') }, 400, 'body.kind'],
      [{ start: at('11:00'), end: at('10:00') }, 400, 'body.end'],
      [{ start: '2026-01-01 10:00', end: at('11:00') }, 400, 'body.start'],
      [{ start: at('10:00'), end: at('11:00'), capacity: 0 }, 400, 'body.capacity'],
      [{ start: at('10:00'), end: at('11:00'), resourceId: 'no-such-room' }, 404, 'body.resourceId'],
      [{ start: at('10:00'), end: at('11:00'), resourceId: 'oppna-ytan' }, 400, 'body.resourceId'],
      [{ start: at('10:00'), end: at('11:00'), resourceId: 'rum-samtal', capacity: 4 }, 400, 'body.capacity'],
      [{ start: at('10:05'), end: at('11:00'), resourceId: 'rum-samtal', capacity: 3 }, 400, 'body.start'],
      [{ start: fromNow(-180), end: fromNow(-60) }, 400, 'body.end'],
      [{ start: at('10:00'), end: at('11:00'), status: 'cancelled' }, 400, 'body.status'],
      [{ start: at('10:00'), end: at('11:00'), colour: 'red' }, 400, 'body'],
      [{ title: '   ', start: at('10:00'), end: at('11:00') }, 400, 'body.title'],
    ];
    for (const [body, status, path] of cases) {
      const res = await event(body);
      expect(res.status, `${JSON.stringify(body)} → ${res.text}`).toBe(status);
      expect(res.json.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    const bad = await call('GET', `${base}/events?from=tomorrow`, { token: staff });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues[0].path).toBe('query.from');
    expect((await call('GET', `${base}/events?from=${day}&to=${day}`, { token: staff })).json.events.length).toBe(before);
    expect((await call('POST', `${base}/events`, { body: { title: 'x' } })).status).toBe(401);
    const other = await network.token('staff', 'umea');
    expect((await call('POST', `${base}/events`, { token: other, body: { title: 'x', kind: 'other', start: at('10:00'), end: at('11:00'), capacity: 1 } })).status).toBe(403);
  });

  it('reserves the room with the booking rules: never on a booking, but outside opening hours too', async () => {
    const member = await newMember();
    const booking = await book({ resourceId: 'rum-lulealven', memberId: member.id, start: at('09:00'), end: at('10:00') });
    expect(booking.status, booking.text).toBe(201);
    const clash = await event({ start: at('09:30'), end: at('11:00'), resourceId: 'rum-lulealven', capacity: 8 });
    expect(clash.status).toBe(409);
    expect(clash.json.error.issues[0].path).toBe('body.start');
    expect(clash.json.error.message).toContain(at('09:30'));

    const evening = await event({ title: 'Kvällsföreläsning', kind: 'training', start: at('18:00'), end: at('20:30'), resourceId: 'rum-lulealven', capacity: 8 });
    expect(evening.status, evening.text).toBe(201);
    const lunch = await event({ start: at('12:00'), end: at('13:00'), resourceId: 'rum-lulealven', capacity: 8 });
    expect(lunch.status, lunch.text).toBe(201);
    const slots = (await call('GET', `${base}/availability?date=${day}&resourceType=room`, { token: staff })).json.resources.find((r: { id: string }) => r.id === 'rum-lulealven').slots;
    expect(slots.filter((s: { available: number; start: string }) => s.available === 0 && s.start >= at('12:00') && s.start < at('13:00'))).toHaveLength(4);
    const overBooking = await book({ resourceId: 'rum-lulealven', memberId: member.id, start: at('12:30'), end: at('13:30') });
    expect(overBooking.status).toBe(409);

    // Moving the event moves its slots in the same transaction; onto a booking it cannot go.
    expect((await patch(lunch.json.id, { start: at('09:45'), end: at('10:45') })).status).toBe(409);
    const moved = await patch(lunch.json.id, { start: at('12:30'), end: at('13:30') });
    expect(moved.status, moved.text).toBe(200);
    expect((await book({ resourceId: 'rum-lulealven', memberId: member.id, start: at('12:00'), end: at('12:30') })).status).toBe(201);
    expect((await book({ resourceId: 'rum-lulealven', memberId: member.id, start: at('13:15'), end: at('13:45') })).status).toBe(409);

    // Cancelling frees the room at once.
    const cancelled = await patch(evening.json.id, { status: 'cancelled' });
    expect(cancelled.json).toMatchObject({ status: 'cancelled', cancelledAt: expect.any(String) });
    expect((await event({ start: at('18:00'), end: at('19:00'), resourceId: 'rum-lulealven', capacity: 8 })).status).toBe(201);
    expect((await patch(evening.json.id, { title: 'Igen' })).status).toBe(409);
  });

  it('gives a contested room slot to exactly one of 20 concurrent bookings and events', async () => {
    const members = await Promise.all(Array.from({ length: 10 }, () => newMember()));
    const slot = { start: at('15:00'), end: at('16:00') };
    const results = await Promise.all([
      ...members.map((m) => book({ resourceId: 'rum-samtal', memberId: m.id, ...slot })),
      ...members.map(() => event({ ...slot, resourceId: 'rum-samtal', capacity: 3 })),
    ]);
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const slots = (await call('GET', `${base}/availability?date=${day}&resourceType=room`, { token: staff })).json.resources.find((r: { id: string }) => r.id === 'rum-samtal').slots;
    expect(slots.filter((s: { available: number; start: string }) => s.available === 0 && s.start >= slot.start && s.start < slot.end)).toHaveLength(4);
  });
});

describe('registration, waitlist and attendance', () => {
  it('confirms up to the capacity, then waitlists; a cancellation promotes the first in line at once and e-mails them', async () => {
    const ev = await event({ title: 'Utbildning i upphandling', kind: 'training', start: at('10:00'), end: at('12:00'), capacity: 2, status: 'published' });
    expect(ev.status, ev.text).toBe(201);
    const [a, b, c, d] = await Promise.all(Array.from({ length: 4 }, () => newMember()));
    const ra = await register(ev.json.id, a!.id);
    expect(ra.status, ra.text).toBe(201);
    expect(ra.json).toMatchObject({ id: expect.stringMatching(/^reg_/), status: 'confirmed', memberId: a!.id, registrant: 'member' });
    expect((await register(ev.json.id, b!.id)).json.status).toBe('confirmed');
    const rc = await register(ev.json.id, c!.id);
    expect(rc.json.status).toBe('waitlisted');
    expect((await register(ev.json.id, d!.id)).json.status).toBe('waitlisted');
    const dup = await register(ev.json.id, a!.id);
    expect(dup.status).toBe(409);
    expect(dup.json.error.issues[0].path).toBe('body.memberId');
    expect((await register(ev.json.id, 'mem_nobody')).status).toBe(404);

    const cancelled = await call('DELETE', `${base}/events/${ev.json.id}/registrations/${ra.json.id}`, { token: staff });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.json.status).toBe('cancelled');
    const regs = (await call('GET', `${base}/events/${ev.json.id}/registrations`, { token: staff })).json.registrations;
    expect(regs.find((r: { id: string }) => r.id === rc.json.id)).toMatchObject({ status: 'confirmed', promotedAt: expect.any(String) });
    expect(regs.filter((r: { status: string }) => r.status === 'waitlisted').map((r: { memberId: string }) => r.memberId)).toEqual([d!.id]);
    expect((await call('GET', `${base}/events/${ev.json.id}`, { token: staff })).json).toMatchObject({ confirmed: 2, waitlisted: 1, seatsLeft: 0 });

    await network.idle();
    await eventually(async () => (await mails()).some((m) => m.to.includes(c!.email) && m.subject.includes('Du har fått en plats')));
    expect(archived('EventWaitlistPromoted').filter((e) => e.data.registrationId === rc.json.id)).toHaveLength(1);
    expect(archived('EventRegistrationCancelled').find((e) => e.data.registrationId === ra.json.id)!.data).toMatchObject({ previousStatus: 'confirmed', kind: 'training' });
  });

  it('gives exactly 5 confirmed and 25 waitlisted to 30 concurrent registrations for the last 5 seats', async () => {
    const ev = await event({ title: 'Populär workshop', start: at('13:00'), end: at('14:00'), capacity: 8, status: 'published' });
    const early = await Promise.all(Array.from({ length: 3 }, () => newMember()));
    for (const m of early) expect((await register(ev.json.id, m.id)).json.status).toBe('confirmed');
    const many = await Promise.all(Array.from({ length: 30 }, () => newMember()));
    const results = await Promise.all(many.map((m) => register(ev.json.id, m.id)));
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(201));
    expect(results.filter((r) => r.json.status === 'confirmed')).toHaveLength(5);
    expect(results.filter((r) => r.json.status === 'waitlisted')).toHaveLength(25);
    expect((await call('GET', `${base}/events/${ev.json.id}`, { token: staff })).json).toMatchObject({ confirmed: 8, waitlisted: 25 });
  });

  it('e-mails registrants a new time or place and a cancellation; the cancellation frees the room', async () => {
    const ev = await event({ title: 'Myndighetsdag', kind: 'agency-office-hours', start: at('10:00'), end: at('11:00'), capacity: 3, resourceId: 'rum-samtal', status: 'published' });
    expect(ev.status, ev.text).toBe(201);
    const a = await newMember();
    const b = await newMember({ language: 'en' });
    await register(ev.json.id, a.id);
    await register(ev.json.id, b.id);
    const texts = await patch(ev.json.id, { description: 'Ny beskrivning' });
    expect(texts.json.version).toBe(2);
    const moved = await patch(ev.json.id, { start: at('11:00'), end: at('12:00') });
    expect(moved.status, moved.text).toBe(200);
    await network.idle();
    await eventually(async () => {
      const m = await mails();
      return m.some((x) => x.to.includes(a.email) && x.subject === 'Ny tid eller plats: Myndighetsdag') && m.some((x) => x.to.includes(b.email) && x.subject === 'New time or place: Myndighetsdag');
    });
    // The text edit alone sent nothing.
    expect((await mails()).filter((x) => x.to.includes(a.email) && x.subject.startsWith('Ny tid')).length).toBe(1);
    const updated = archived('HubEventUpdated').filter((e) => e.data.eventId === ev.json.id);
    expect(updated.map((e) => e.data.changed)).toEqual([['description'], ['start', 'end']]);

    // The event's .ics tells calendar apps of each change: SEQUENCE rises with the version …
    const ics = async () => (await call('GET', `${base}/events/${ev.json.id}/calendar.ics`)).text;
    expect(await ics()).toMatch(/SEQUENCE:2\r?\n/);
    expect(await ics()).toMatch(/STATUS:CONFIRMED\r?\n/);
    const cancelled = await patch(ev.json.id, { status: 'cancelled' });
    expect(cancelled.status).toBe(200);
    // … and a cancellation is STATUS:CANCELLED, so an imported copy is cancelled too.
    expect(await ics()).toMatch(/STATUS:CANCELLED\r?\n/);
    expect(await ics()).toMatch(/SEQUENCE:3\r?\n/);
    expect((await book({ resourceId: 'rum-samtal', memberId: a.id, start: at('11:00'), end: at('12:00') })).status).toBe(201);
    await network.idle();
    await eventually(async () => (await mails()).some((x) => x.to.includes(a.email) && x.subject === 'Inställt: Myndighetsdag'));
    expect(archived('HubEventCancelled').find((e) => e.data.eventId === ev.json.id)!.data).toMatchObject({ registrations: 2, kind: 'agency-office-hours' });
    expect((await register(ev.json.id, (await newMember()).id)).status).toBe(409);
  });

  it('marks attendance at the door by member id, member code or registration id; walk-ins while seats remain; a check-in during the event counts', async () => {
    const ev = await event({ title: 'Pågående workshop', start: fromNow(-30), end: fromNow(90), capacity: 4, status: 'published' });
    expect(ev.status, ev.text).toBe(201);
    const [a, b, c, d, e] = await Promise.all(Array.from({ length: 5 }, () => newMember()));
    const ra = await register(ev.json.id, a!.id);
    const rb = await register(ev.json.id, b!.id);
    const rc = await register(ev.json.id, c!.id);
    const attend = (body: Record<string, unknown>) => call('POST', `${base}/events/${ev.json.id}/attendance`, { token: staff, body });

    const byId = await attend({ memberId: a!.id });
    expect(byId.status, byId.text).toBe(201);
    expect(byId.json).toMatchObject({ id: ra.json.id, attendedAt: expect.any(String), attendedHow: 'door' });
    expect((await attend({ memberId: a!.id })).status).toBe(200);
    expect((await attend({ memberCode: b!.memberCode.toLowerCase() })).json).toMatchObject({ id: rb.json.id, attendedHow: 'door' });
    expect((await attend({ registrationId: rc.json.id })).json).toMatchObject({ id: rc.json.id, attendedHow: 'door' });

    // A walk-in takes the last seat; the next one finds the event full.
    const walkIn = await attend({ memberId: d!.id });
    expect(walkIn.status, walkIn.text).toBe(201);
    expect(walkIn.json).toMatchObject({ walkIn: true, status: 'confirmed', attendedHow: 'walk-in' });
    const full = await attend({ memberId: e!.id });
    expect(full.status).toBe(409);

    for (const [body, path] of [[{}, 'body.memberId'], [{ memberId: a!.id, registrationId: ra.json.id }, 'body.memberId'], [{ registrationId: 'reg_nope' }, 'body.registrationId'], [{ memberCode: 'ZZZZZZZZ' }, 'body.memberCode']] as const) {
      const res = await attend(body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.json.error.issues[0].path).toBe(path);
    }

    // A registered member checking in during the event attends it.
    const ev2 = await event({ title: 'Frukostmöte', start: fromNow(-15), end: fromNow(60), capacity: 5, status: 'published' });
    const f = await newMember();
    const rf = await register(ev2.json.id, f.id);
    const checkIn = await call('POST', `${base}/check-ins`, { token: staff, body: { memberId: f.id } });
    expect(checkIn.status).toBe(201);
    const regs = (await call('GET', `${base}/events/${ev2.json.id}/registrations`, { token: staff })).json.registrations;
    expect(regs.find((r: { id: string }) => r.id === rf.json.id)).toMatchObject({ attendedHow: 'check-in', attendedAt: expect.any(String) });
    // Someone already in the house (an open visit from before the doors opened) who registers and
    // scans again during the event attends it too.
    const g = await newMember();
    expect((await call('POST', `${base}/check-ins`, { token: staff, body: { memberId: g.id } })).status).toBe(201);
    const rg = await register(ev2.json.id, g.id);
    const rescan = await call('POST', `${base}/check-ins`, { token: staff, body: { memberId: g.id } });
    expect(rescan.status).toBe(200);
    const regs2 = (await call('GET', `${base}/events/${ev2.json.id}/registrations`, { token: staff })).json.registrations;
    expect(regs2.find((r: { id: string }) => r.id === rg.json.id)).toMatchObject({ attendedHow: 'check-in', attendedAt: expect.any(String) });

    await network.idle();
    const attended = archived('EventAttended').filter((x) => x.data.eventId === ev.json.id);
    expect(attended.map((x) => x.data.how).sort()).toEqual(['door', 'door', 'door', 'walk-in']);
    expect(attended[0]!.data).toMatchObject({ kind: 'workshop', organisationType: 'municipality', fromOutsideHub: false, business: false });

    // Not yet under way: attendance waits for the doors.
    const later = await event({ title: 'Senare', start: at('10:00'), end: at('11:00'), capacity: 5, status: 'published' });
    expect((await call('POST', `${base}/events/${later.json.id}/attendance`, { token: staff, body: { memberId: a!.id } })).status).toBe(409);
  });
});

describe('public registration', () => {
  const publicRegister = (eventId: string, body: Record<string, unknown>) => call('POST', `${base}/events/${eventId}/public-registrations`, { body });

  it('lets anyone register for a published event open to them, confirms by e-mail with a private cancellation link, and puts no name or e-mail on the bus', async () => {
    const ev = await event({ title: 'Öppen nätverksträff', titleEn: 'Open network meeting', kind: 'network-meeting', start: at('15:00'), end: at('16:00'), capacity: 1, openToNetwork: true, status: 'published' });
    const body = { name: 'Petra Extern', email: 'Petra.Extern@Skatteverket.se', organisationName: 'Skatteverket', organisationType: 'state-agency', language: 'en' };
    const res = await publicRegister(ev.json.id, body);
    expect(res.status, res.text).toBe(201);
    expect(res.json).toEqual({ id: expect.stringMatching(/^reg_/), eventId: ev.json.id, status: 'confirmed' });
    expect((await publicRegister(ev.json.id, body)).json.error.issues[0].path).toBe('body.email');
    const second = await publicRegister(ev.json.id, { ...body, name: 'Olle Väntar', email: 'olle@lansstyrelsen.se', language: 'sv' });
    expect(second.json.status).toBe('waitlisted');

    await network.idle();
    const mail = await eventually(async () => (await mails()).find((m) => m.to.includes('petra.extern@skatteverket.se')));
    expect(mail.subject).toBe('Registered: Open network meeting');
    const link = /\/api\/hubs\/boden\/events\/(evt_\w+)\/public-registrations\/(reg_\w+)\/cancel\?key=([\w-]+)/.exec(mail.text)!;
    expect(link[2]).toBe(res.json.id);
    // Locally the link leads to this runtime (on AWS to the site's public URL, `samverkan:publicUrl`).
    expect(mail.text).toContain(`${network.url}${link[0]}`);
    const status = async () => (await call('GET', `${base}/events/${ev.json.id}/registrations`, { token: staff })).json.registrations.find((r: { id: string }) => r.id === res.json.id).status;

    // The link opens a page (GET) that shows the event and a button; opening it, as a mail scanner
    // does, twice, cancels nothing.
    for (let i = 0; i < 2; i++) {
      const page = await call('GET', link[0]);
      expect(page.status, page.text).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.text).toContain('<html lang="sv">');
      expect(page.text).toContain('Öppen nätverksträff');
      expect(page.text).toContain('Open network meeting');
      expect(page.text).toContain(new Date(at('15:00')).toLocaleString('sv-SE', { timeZone: 'Europe/Stockholm', dateStyle: 'full', timeStyle: 'short' }));
      expect(page.text).toMatch(/<form method="post" action="[^"]*\/cancel\?key=/);
      expect(page.text).toContain('Avboka min anmälan');
    }
    // HEAD (link checkers ask it first) answers as GET does, without the body, and cancels nothing.
    const head = await call('HEAD', link[0]);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toContain('text/html');
    expect(head.text).toBe('');
    expect((await call('HEAD', link[0].replace(/key=[\w-]+/, 'key=guess'))).status).toBe(404);
    expect(await status()).toBe('confirmed');
    // A wrong, missing or unknown link is the same 404 page, which says nothing of the event.
    const invalid = [
      await call('GET', link[0].replace(/key=[\w-]+/, 'key=guess')),
      await call('GET', link[0].replace(/\?key=[\w-]+/, '')),
      await call('GET', link[0].replace(res.json.id, 'reg_unknown')),
      await call('GET', link[0].replace('/boden/', '/umea/')),
      await call('POST', link[0].replace(/key=[\w-]+/, 'key=guess')),
    ];
    for (const page of invalid) {
      expect(page.status).toBe(404);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.text).toBe(invalid[0]!.text);
      expect(page.text).not.toMatch(/nätverksträff|network meeting|<form/i);
    }
    expect(await status()).toBe('confirmed');
    const created = archived('EventRegistrationCreated').find((e) => e.data.registrationId === res.json.id)!;
    expect(created.data).toMatchObject({ registrant: 'public', organisationType: 'state-agency', fromOutsideHub: true, business: false, status: 'confirmed' });
    expect(JSON.stringify(created)).not.toMatch(/Petra|skatteverket\.se|Skatteverket/i);

    // The link's key, and nothing else, cancels; the waitlisted registrant gets the seat and an e-mail.
    const wrong = await call('DELETE', `${base}/events/${ev.json.id}/public-registrations/${res.json.id}?key=guess`);
    expect(wrong.status).toBe(404);
    expect(wrong.json.error.issues[0].path).toBe('query.key');
    expect((await call('DELETE', `${base}/events/${ev.json.id}/public-registrations/${res.json.id}`)).json.error.issues[0].path).toBe('query.key');
    // The page's button (a POST to the link, as the form sends it) cancels and confirms.
    const cancelled = await call('POST', link[0], { rawBody: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.headers.get('content-type')).toContain('text/html');
    expect(cancelled.text).toContain('Din anmälan är avbokad');
    expect(await status()).toBe('cancelled');
    const again = await call('GET', link[0]);
    expect(again.text).toContain('redan avbokad');
    expect(again.text).not.toContain('<form');
    // The API's DELETE with the key stays (API v1): cancelling again answers the same.
    const deleted = await call('DELETE', `${base}/events/${ev.json.id}/public-registrations/${res.json.id}?key=${link[3]}`);
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.json.status).toBe('cancelled');
    await network.idle();
    await eventually(async () => (await mails()).some((m) => m.to.includes('olle@lansstyrelsen.se') && m.subject === 'Du har fått en plats: Öppen nätverksträff'));
  });

  it('refuses what is not open to the registrant, drafts and bad input, naming the field', async () => {
    const membersOnly = await event({ title: 'Bara för medlemmar', start: at('08:00'), end: at('09:00'), status: 'published' });
    const body = { name: 'Bo Företag', email: 'bo@northvolt.com', organisationName: 'Northvolt', organisationType: 'business' };
    const closed = await publicRegister(membersOnly.json.id, body);
    expect(closed.status).toBe(403);
    expect(closed.json.error.issues[0].path).toBe('body.organisationType');
    const business = await event({ title: 'Företagsträff', kind: 'business-joint', start: at('08:00'), end: at('09:00'), openToBusiness: true, status: 'published' });
    expect((await publicRegister(business.json.id, body)).status).toBe(201);
    expect((await publicRegister(business.json.id, { ...body, email: 'kommun@boden.se', organisationType: 'municipality' })).status).toBe(403);
    const draft = await event({ title: 'Utkast', start: at('08:00'), end: at('09:00'), openToNetwork: true });
    expect((await publicRegister(draft.json.id, { ...body, organisationType: 'region' })).status).toBe(404);
    for (const [bad, path] of [[{ ...body, email: 'not-an-address' }, 'body.email'], [{ ...body, organisationType: 'club' }, 'body.organisationType'], [{ ...body, name: '' }, 'body.name']] as const) {
      const res = await publicRegister(business.json.id, bad);
      expect(res.status).toBe(400);
      expect(res.json.error.issues[0].path).toBe(path);
    }
    expect((await call('POST', `/api/hubs/umea/events/${business.json.id}/public-registrations`, { body })).status).toBe(404);
  });

  it('covers public registrants and members in GDPR export and erasure', async () => {
    const ev = await event({ title: 'GDPR-dag', start: at('11:00'), end: at('12:00'), openToNetwork: true, status: 'published' });
    const body = { name: 'Greta Glömsk', email: 'greta@regionnorrbotten.se', organisationName: 'Region Norrbotten', organisationType: 'region' };
    const reg = await publicRegister(ev.json.id, body);
    expect(reg.status).toBe(201);
    expect((await publicRegister(ev.json.id, { ...body, name: 'Hugo Kvar', email: 'hugo@regionnorrbotten.se' })).status).toBe(201);
    const exported = await call('GET', `${base}/public-registrants?email=greta@regionnorrbotten.se`, { token: staff });
    expect(exported.status).toBe(200);
    expect(exported.json.registrations[0]).toMatchObject({ registration: { id: reg.json.id, name: 'Greta Glömsk', organisationName: 'Region Norrbotten' }, event: { id: ev.json.id, title: 'GDPR-dag' } });
    expect(JSON.stringify(exported.json)).not.toContain('cancelKey');
    expect((await call('GET', `${base}/public-registrants?email=nope`, { token: staff })).json.error.issues[0].path).toBe('query.email');
    expect((await call('GET', `${base}/public-registrants?email=greta@regionnorrbotten.se`)).status).toBe(401);
    // Her confirmation (name, address, cancellation key) is in the mail outbox until she is erased.
    await network.idle();
    const toGreta = async () => (await mails()).filter((m) => m.to.includes('greta@regionnorrbotten.se'));
    const toHugo = async () => (await mails()).filter((m) => m.to.includes('hugo@regionnorrbotten.se'));
    await eventually(async () => ((await toGreta()).length > 0 && (await toHugo()).length > 0 ? true : undefined));
    const erased = await call('DELETE', `${base}/public-registrants?email=greta@regionnorrbotten.se`, { token: staff });
    expect(erased.json).toEqual({ email: 'greta@regionnorrbotten.se', erased: 1 });
    expect(await toGreta()).toEqual([]);
    // The mails of others stay.
    expect(await toHugo()).toHaveLength(1);
    const after = (await call('GET', `${base}/events/${ev.json.id}/registrations`, { token: staff })).json.registrations;
    expect(JSON.stringify(after)).not.toMatch(/Greta|greta@/);
    expect(after).toHaveLength(2);
    expect((await call('GET', `${base}/events/${ev.json.id}`, { token: staff })).json.confirmed).toBe(2);

    const m = await newMember();
    const r = await register(ev.json.id, m.id);
    const memberExport = await call('GET', `${base}/members/${m.id}/export`, { token: staff });
    expect(memberExport.json.events).toEqual([expect.objectContaining({ registration: expect.objectContaining({ id: r.json.id, status: 'confirmed' }), event: expect.objectContaining({ title: 'GDPR-dag' }) })]);
    expect((await call('DELETE', `${base}/members/${m.id}`, { token: staff })).status).toBe(200);
    const regs = (await call('GET', `${base}/events/${ev.json.id}/registrations`, { token: staff })).json.registrations;
    expect(regs.find((x: { id: string }) => x.id === r.json.id).memberId).toBeUndefined();
  });

  it('serves a published event as an iCalendar file, with user text escaped', async () => {
    const ICAL = (await import('ical.js')).default;
    // A title is one line (control characters get 400); the description may hold line breaks.
    const tricky = 'Workshop; kod, data & "AI" – rad två\\slut';
    const ev = await event({ title: tricky, description: 'Beskrivning;\nmed, tecken', start: at('13:00'), end: at('14:30'), resourceId: 'rum-samtal', capacity: 3, status: 'published' });
    expect(ev.status, ev.text).toBe(201);
    const res = await call('GET', ev.json.calendarUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/calendar');
    const vevent = new ICAL.Component(ICAL.parse(res.text)).getFirstSubcomponent('vevent')!;
    const e = new ICAL.Event(vevent);
    expect(e.summary).toBe(tricky);
    expect(e.description).toBe('Beskrivning;\nmed, tecken');
    expect(e.location).toBe('Samtalsrummet, Boden Business Park, Samverkanshubb Boden');
    expect(e.startDate.toJSDate().toISOString()).toBe(new Date(at('13:00')).toISOString());
    const injected = await event({ title: 'X\r\nBEGIN:VEVENT\r\nSUMMARY:INJECTED', start: at('15:00'), end: at('16:00'), status: 'published' });
    expect(injected.status, injected.text).toBe(400);
    expect(injected.json.error.issues[0].path).toBe('body.title');
    const draft = await event({ title: 'Hemligt utkast', start: at('13:00'), end: at('14:00') });
    expect((await call('GET', `${base}/events/${draft.json.id}/calendar.ics`)).status).toBe(404);
  });
});
