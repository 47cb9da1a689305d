import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { api, eventually, startTestNetwork } from '../support/network.ts';

let network: LocalNetwork;
let call: ReturnType<typeof api>;
const tokens: Record<string, string> = {};

/** A date some days from now (hub-local enough: noon UTC), and a time on it with Swedish offset. */
const dayIn = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const offsetOn = (date: string) => (new Intl.DateTimeFormat('en', { timeZone: 'Europe/Stockholm', timeZoneName: 'longOffset' }).format(new Date(`${date}T12:00:00Z`)).endsWith('+02:00') ? '+02:00' : '+01:00');
const at = (date: string, time: string) => `${date}T${time}:00${offsetOn(date)}`;

const create = (hub: string, body: Record<string, unknown>) =>
  call('POST', `/api/hubs/${hub}/events`, { token: tokens[hub]!, body: { kind: 'workshop', capacity: 20, status: 'published', ...body } });
const calendar = async (query: string) => {
  const res = await call('GET', `/api/events?${query}`);
  expect(res.status, res.text).toBe(200);
  return res.json as { events: Array<Record<string, any>>; nextCursor?: string };
};

// Three days in a row, ten to twelve days ahead, spanning whatever months they fall in.
const d1 = dayIn(10);
const d2 = dayIn(11);
const d3 = dayIn(40);
let ids: Record<string, string> = {};

beforeAll(async () => {
  network = await startTestNetwork();
  call = api(network);
  for (const hub of ['boden', 'umea']) tokens[hub] = await network.token('staff', hub);
  const results = await Promise.all([
    create('boden', { title: 'Vätgas i Boden', start: at(d1, '09:00'), end: at(d1, '11:00'), openToNetwork: true }),
    create('umea', { title: 'Träff i Umeå', kind: 'network-meeting', start: at(d1, '13:00'), end: at(d1, '14:00') }),
    create('umea', { title: 'Utbildning i Umeå', kind: 'training', start: at(d2, '10:00'), end: at(d2, '12:00') }),
    create('boden', { title: 'Senare i Boden', start: at(d3, '10:00'), end: at(d3, '11:00') }),
    create('boden', { title: 'Utkast i Boden', start: at(d1, '10:00'), end: at(d1, '11:00'), status: 'draft' }),
  ]);
  for (const r of results) expect(r.status, r.text).toBe(201);
  ids = Object.fromEntries(results.map((r) => [r.json.title, r.json.id]));
  await network.idle();
});

afterAll(async () => {
  await network?.stop();
});

describe('the network calendar', () => {
  it('lists the published events of every hub, by start, with public fields only, to anyone', async () => {
    const page = await eventually(async () => {
      const p = await calendar(`from=${d1}&to=${d3}`);
      return p.events.length === 4 ? p : undefined;
    });
    expect(page.events.map((e) => e.title)).toEqual(['Vätgas i Boden', 'Träff i Umeå', 'Utbildning i Umeå', 'Senare i Boden']);
    expect(page.events[0]).toMatchObject({ id: ids['Vätgas i Boden'], hubId: 'boden', hubName: 'Samverkanshubb Boden', kind: 'workshop', start: at(d1, '09:00'), openToNetwork: true, status: 'published', capacity: 20 });
    expect(page.events[0]).not.toHaveProperty('confirmed');
    expect(page.events[0]).not.toHaveProperty('version');
    expect(page.nextCursor).toBeUndefined();

    expect((await calendar(`from=${d1}&to=${d3}&hub=umea`)).events.map((e) => e.title)).toEqual(['Träff i Umeå', 'Utbildning i Umeå']);
    expect((await calendar(`from=${d1}&to=${d3}&kind=training`)).events.map((e) => e.title)).toEqual(['Utbildning i Umeå']);
    expect((await calendar(`from=${d2}&to=${d2}`)).events.map((e) => e.title)).toEqual(['Utbildning i Umeå']);
  });

  it('pages with a cursor, across months, without losing or repeating an event', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await calendar(`from=${d1}&to=${d3}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.events.map((e) => e.title));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen.filter(Boolean)).toEqual(['Vätgas i Boden', 'Träff i Umeå', 'Utbildning i Umeå', 'Senare i Boden']);
  });

  it('refuses bad queries naming the field', async () => {
    for (const [query, status, path] of [
      ['from=tomorrow', 400, 'query.from'],
      [`from=${d2}&to=${d1}`, 400, 'query.to'],
      ['kind=party', 400, 'query.kind'],
      ['cursor=not-a-cursor', 400, 'query.cursor'],
      // Forged cursors: a key of another shape or item would reach DynamoDB (a 500 before).
      ...[
        { m: d1.slice(0, 7), k: {} },
        { m: d1.slice(0, 7), k: { pk: 'MEMBER#x', sk: 'x' } },
        { m: d1.slice(0, 7), k: { pk: 'CALEVENT#umea#evt_1', sk: 'CALEVENT', gsi1pk: `CALMONTH#${d1.slice(0, 7)}`, gsi1sk: 'x', extra: 'y' } },
        { m: d1.slice(0, 7), k: { pk: 'CALEVENT#umea#evt_1', sk: 'CALEVENT', gsi1pk: 'CALMONTH#1999-01', gsi1sk: 'x' } },
        { m: '1999-01' },
      ].map((c) => [`from=${d1}&to=${d3}&cursor=${Buffer.from(JSON.stringify(c)).toString('base64url')}`, 400, 'query.cursor'] as const),
      ['limit=0', 400, 'query.limit'],
      ['hub=gotland', 404, 'query.hub'],
      ['colour=red', 400, 'query'],
    ] as const) {
      const res = await call('GET', `/api/events?${query}`);
      expect(res.status, query).toBe(status);
      expect(res.json.error.issues.map((i: { path: string }) => i.path), query).toContain(path);
    }
  });

  it('follows updates and cancellations, keeps the newest version whatever the order of delivery, and ignores duplicates', async () => {
    const id = ids['Träff i Umeå']!;
    const renamed = await call('PATCH', `/api/hubs/umea/events/${id}`, { token: tokens.umea!, body: { title: 'Nätverksträff i Umeå', start: at(d1, '14:00'), end: at(d1, '15:00') } });
    expect(renamed.status, renamed.text).toBe(200);
    await network.idle();
    await eventually(async () => (await calendar(`from=${d1}&to=${d1}&hub=umea`)).events[0]?.title === 'Nätverksträff i Umeå');

    // The older HubEventScheduled delivered again, late: the newer version stays.
    const archive = network.bus.archived.get('samverkan-national-all') ?? [];
    const scheduled = archive.find((e) => e['detail-type'] === 'HubEventScheduled' && (e.detail as any).data.eventId === id)!;
    network.bus.putEvents('samverkan-national', [{ source: scheduled.source, detailType: 'HubEventScheduled', detail: scheduled.detail }]);
    await network.idle();
    expect((await calendar(`from=${d1}&to=${d1}&hub=umea`)).events.map((e) => [e.title, e.start])).toEqual([['Nätverksträff i Umeå', at(d1, '14:00')]]);

    const cancelled = await call('PATCH', `/api/hubs/umea/events/${id}`, { token: tokens.umea!, body: { status: 'cancelled' } });
    expect(cancelled.status).toBe(200);
    await network.idle();
    await eventually(async () => (await calendar(`from=${d1}&to=${d1}&hub=umea`)).events.length === 0);
    // The update delivered again after the cancellation does not bring the event back.
    const updated = (network.bus.archived.get('samverkan-national-all') ?? []).find((e) => e['detail-type'] === 'HubEventUpdated' && (e.detail as any).data.eventId === id)!;
    network.bus.putEvents('samverkan-national', [{ source: updated.source, detailType: 'HubEventUpdated', detail: updated.detail }]);
    await network.idle();
    expect((await calendar(`from=${d1}&to=${d1}&hub=umea`)).events).toEqual([]);
  });

  it('serves the network calendar as iCalendar with the same filters, text escaped', async () => {
    // A title is one line (control characters get 400); the description may hold line breaks.
    const tricky = 'Möte; om, "allt"\\ och mer';
    const res = await create('boden', { title: tricky, description: 'Rad 1\nRad 2; slut', start: at(d2, '15:00'), end: at(d2, '16:00') });
    expect(res.status).toBe(201);
    await network.idle();
    const ics = await eventually(async () => {
      const r = await call('GET', `/api/events/calendar.ics?from=${d2}&to=${d2}&hub=boden`);
      return r.text.includes('BEGIN:VEVENT') ? r : undefined;
    });
    expect(ics.headers.get('content-type')).toContain('text/calendar');
    const events = new ICAL.Component(ICAL.parse(ics.text)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    expect(events.map((e) => e.summary)).toEqual([tricky]);
    expect(events[0]!.description).toBe('Rad 1\nRad 2; slut');
    expect(events[0]!.location).toContain('Samverkanshubb Boden');
    expect(events[0]!.uid).toBe(`${res.json.id}.boden@samverkan`);
    const all = await call('GET', `/api/events/calendar.ics?from=${d1}&to=${d3}&kind=training`);
    expect(new ICAL.Component(ICAL.parse(all.text)).getAllSubcomponents('vevent').map((v) => new ICAL.Event(v).summary)).toEqual(['Utbildning i Umeå']);
    expect((await call('GET', '/api/events/calendar.ics?kind=party')).status).toBe(400);
  });
});
