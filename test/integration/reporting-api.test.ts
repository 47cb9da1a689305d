import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalNetwork } from '../../local/network.ts';
import { addDays, datesBetween } from '../../functions/reporting/periods.ts';
import { openInterval, zonedInstant } from '../../functions/reporting/measures.ts';
import { hub } from '../support/report-events.ts';
import { api, eventually, startTestNetwork } from '../support/network.ts';

let network: LocalNetwork;
let call: ReturnType<typeof api>;
let staff: string;
let national: string;

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(new Date());

beforeAll(async () => {
  network = await startTestNetwork();
  call = api(network);
  staff = await network.token('staff', 'skelleftea');
  national = await network.token('national');
});

afterAll(async () => {
  await network?.stop();
});

async function org(name: string, type: string) {
  const res = await call('POST', '/api/hubs/skelleftea/organisations', { token: staff, body: { name, type } });
  expect([200, 201], res.text).toContain(res.status);
  return res.json.id as string;
}

async function member(organisationId: string, email: string, extra: Record<string, unknown> = {}) {
  const res = await call('POST', '/api/hubs/skelleftea/members', { token: staff, body: { name: 'Test Person', email, organisationId, membership: 'member', ...extra } });
  expect(res.status, res.text).toBe(201);
  return res.json.id as string;
}

describe("members' employer municipality", () => {
  it('takes an SCB municipality code and answers 400 naming body.employerMunicipality for anything else', async () => {
    const agency = await org('Lantmäteriet', 'state-agency');
    const bad = await call('POST', '/api/hubs/skelleftea/members', { token: staff, body: { name: 'X Y', email: 'x@lm.se', organisationId: agency, membership: 'member', employerMunicipality: '2499' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues.map((i: { path: string }) => i.path)).toEqual(['body.employerMunicipality']);
    const ok = await call('POST', '/api/hubs/skelleftea/members', { token: staff, body: { name: 'X Y', email: 'x@lm.se', organisationId: agency, membership: 'member', employerMunicipality: '2180', employerLocation: 'Gävle' } });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.json).toMatchObject({ employerMunicipality: '2180', employerLocation: 'Gävle' });
  });
});

describe('GET /api/national/reports', () => {
  it('reports visits, visitors and co-presence over the last 30 days by default, with counts of people suppressed', async () => {
    // Prepare: two organisations present together.
    const kommun = await org('Skellefteå kommun', 'municipality');
    const agency = await org('Skatteverket', 'state-agency');
    const a = await member(kommun, 'a@skelleftea.se');
    const b = await member(agency, 'b@skatteverket.se');
    for (const memberId of [a, b]) expect((await call('POST', '/api/hubs/skelleftea/check-ins', { token: staff, body: { memberId } })).status).toBe(201);
    // Act
    await network.idle();
    const report = await eventually(async () => {
      const res = await call('GET', '/api/national/reports?hub=skelleftea', { token: national });
      return res.status === 200 && res.json.totals.checkIns >= 2 ? res.json : undefined;
    }, 90_000);
    // Assess
    expect(report.to).toBe(today());
    expect(report.from).toBe(addDays(today(), -29));
    expect(report.period).toBe('day');
    const total = report.hubs[0].total;
    // Two visitors: "<5", and the counts that would bound them (2 check-ins from 2 organisations) are withheld beside it.
    expect(total).toMatchObject({ checkIns: '..', visits: '..', organisations: '..', uniqueVisitors: '<5', newOrganisations: '..', visitHours: 0, membersByOrgType: {} });
    expect(total.coPresence).toEqual({ pairDays: '..', distinctPairs: '..', byTypePair: { 'municipality×state-agency': '..' }, bySectorPair: { 'public×public': '..' } });
    expect(report.network.total.checkIns).toBe('..');
    // The first version's operational fields stay exact (docs/reporting.md, "Bounds": not for publication).
    expect(report.hubs[0].days).toEqual([{ date: today(), checkIns: 2, organisations: 2, businessCheckIns: 0 }]);
    expect(report.totals.checkIns).toBe(2);
  }, 180_000);

  it('rolls days up to weeks, months, quarters and years', async () => {
    const res = await call('GET', `/api/national/reports?from=${addDays(today(), -40)}&to=${today()}&period=month&hub=skelleftea`, { token: national });
    expect(res.status, res.text).toBe(200);
    expect(res.json.hubs[0].periods.map((p: { period: string }) => p.period)).toEqual([...new Set(datesBetween(addDays(today(), -40), today()).map((d) => d.slice(0, 7)))]);
    const bad = await call('GET', '/api/national/reports?period=fortnight', { token: national });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues[0].path).toBe('query.period');
    // One hub per report: a repeated hub is named as such (not as a malformed id); the page is HTML only.
    const two = await call('GET', '/api/national/reports?hub=skelleftea&hub=umea', { token: national });
    expect(two.status).toBe(400);
    expect(two.json.error.issues).toEqual([{ path: 'query.hub', message: expect.stringMatching(/^One hub per report/) }]);
    // So are a repeated period, format or date (they arrive joined by commas).
    for (const [q, path] of [['period=week&period=month', 'query.period'], ['format=csv&format=json', 'query.format'], [`from=${today()}&from=${today()}`, 'query.from']] as const) {
      const res = await call('GET', `/api/national/reports?${q}`, { token: national });
      expect(res.status, q).toBe(400);
      expect(res.json.error.issues, q).toEqual([{ path, message: expect.stringContaining('was given more than once') }]);
    }
    const pageCsv = await call('GET', '/api/national/reports/view?format=csv', { token: national });
    expect(pageCsv.status).toBe(400);
    expect(pageCsv.json.error.issues).toEqual([{ path: 'query.format', message: expect.stringContaining('/api/national/reports?format=csv') }]);
    expect((await call('GET', '/api/national/reports/view?format=html&hub=skelleftea', { token: national })).status).toBe(200);
    // Dates far out are refused before any work (year 9999 timed the function out: a 502), and a
    // range holds at most 366 days, both ends included.
    for (const [q, path] of [
      ['from=9999-12-31', 'query.from'],
      ['from=9999-12-01&to=9999-12-31', 'query.from'],
      ['to=0000-01-01', 'query.to'],
      [`from=${addDays(today(), -366)}&to=${today()}`, 'query.to'],
    ] as const) {
      const res = await call('GET', `/api/national/reports?${q}`, { token: national });
      expect(res.status, q).toBe(400);
      expect(res.json.error.issues.map((i: { path: string }) => i.path), q).toContain(path);
    }
    // A bad date is named alone: no range errors computed from it.
    for (const [q, paths] of [
      [`from=2026-13-01&to=${today()}`, ['query.from']],
      [`from=yesterday&to=${today()}`, ['query.from']],
      [`from=${today()}&to=2026-02-30`, ['query.to']],
    ] as const) {
      const res = await call('GET', `/api/national/reports?${q}`, { token: national });
      expect(res.status, q).toBe(400);
      expect(res.json.error.issues.map((i: { path: string }) => i.path), q).toEqual(paths);
    }
    expect((await call('GET', `/api/national/reports?from=${addDays(today(), -365)}&to=${today()}&period=year&hub=skelleftea`, { token: national })).status).toBe(200);
  });

  it('gives CSV for Excel with Swedish settings: BOM, semicolons, decimal commas, CRLF', async () => {
    const res = await call('GET', '/api/national/reports?format=csv&hub=skelleftea', { token: national });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    // Each report its own file name: hub (or natverket), period, range.
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="samverkan-skelleftea-day-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv"$/);
    const bytes = new Uint8Array(await (await fetch(`${network.url}/api/national/reports?format=csv&hub=skelleftea`, { headers: { authorization: `Bearer ${national}` } })).arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = res.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toMatch(/^Hubb \/ Hub;Namn \/ Name;Period;/);
    expect(lines.at(-1)).toBe('');
    const header = lines[0]!.split(';');
    const total = lines.find((l) => l.startsWith('skelleftea;') && l.includes(';total;'))!.split(';');
    expect(total[header.indexOf('Incheckningar / Check-ins')]).toBe('..');
    expect(total[header.indexOf('Unika besökare / Unique visitors')]).toBe('<5');
  });
});

describe('suppression over HTTP: what subtraction cannot undo', () => {
  it('publishes each hub cell alike whatever the period or hub filter, and a network count of people only where every hub count is shown', async () => {
    // Prepare: today, 7 members registered at Umeå (2 from a business, 5 from an agency) and 3 at Luleå.
    const register = async (hubId: string, type: string, n: number) => {
      const token = await network.token('staff', hubId);
      const org = await call('POST', `/api/hubs/${hubId}/organisations`, { token, body: { name: `${type} ${hubId}`, type } });
      expect([200, 201], org.text).toContain(org.status);
      for (let i = 0; i < n; i++) {
        const res = await call('POST', `/api/hubs/${hubId}/members`, { token, body: { name: 'Test Person', email: `p${i}.${type}@${hubId}.example.se`, organisationId: org.json.id, membership: 'member' } });
        expect(res.status, res.text).toBe(201);
      }
    };
    await register('umea', 'business', 2);
    await register('umea', 'state-agency', 5);
    await register('lulea', 'municipality', 3);
    const range = `from=${addDays(today(), -9)}&to=${today()}`;
    const get = async (query: string, token = national) => {
      const res = await call('GET', `/api/national/reports?${range}&${query}`, { token });
      expect(res.status, res.text).toBe(200);
      return res.json;
    };
    await eventually(async () => {
      const hubs = (await get('period=day')).hubs as { hubId: string; total: { registrations: unknown } }[];
      return hubs.find((h) => h.hubId === 'umea')?.total.registrations === 7 && hubs.find((h) => h.hubId === 'lulea')?.total.registrations === '<5';
    });
    // Act: every period, the whole network, one hub, and that hub's staff.
    const umeaStaff = await network.token('staff', 'umea');
    const reports = [];
    for (const period of ['day', 'week', 'month', 'quarter', 'year']) {
      reports.push(await get(`period=${period}`), await get(`period=${period}&hub=umea`), await get(`period=${period}`, umeaStaff));
    }
    // Assess: a hub's cell is the same in every report of the range.
    type Row = { from: string; to: string; measures: { registrations: unknown; events: Record<string, unknown> } };
    const seen = new Map<string, unknown>();
    for (const r of reports) {
      for (const h of r.hubs) {
        for (const row of [...h.periods, { from: r.from, to: r.to, measures: h.total }] as Row[]) {
          const key = `${h.hubId} ${row.from}..${row.to}`;
          const cell = JSON.stringify([row.measures.registrations, row.measures.events]);
          expect(seen.get(key) ?? cell, key).toBe(cell);
          seen.set(key, cell);
        }
      }
      // The network's count is shown only where every hub's is: otherwise network − shown hubs = the small one.
      if (r.hubs.length > 1) {
        for (const row of [...r.network.periods, { from: r.from, to: r.to, measures: r.network.total }] as Row[]) {
          const hubsRows = r.hubs.map((h: { periods: Row[]; total: Row['measures'] }) => (row.from === r.from && row.to === r.to ? h.total : h.periods.find((p) => p.from === row.from)?.measures));
          if (typeof row.measures.registrations === 'number') expect(hubsRows.every((m: Row['measures']) => typeof m.registrations === 'number'), `${row.from}..${row.to}`).toBe(true);
        }
      }
    }
    const full = reports[0];
    const total = (id: string) => full.hubs.find((h: { hubId: string }) => h.hubId === id).total;
    expect(total('umea').registrations).toBe(7);
    expect(total('lulea').registrations).toBe('<5');
    expect(full.network.total.registrations).toBe('..');
    // By type in the total row: the 2 from a business are "<5", so the 5 agency members (7 − 5 = 2) are withheld too.
    expect(total('umea').registrationsByOrgType).toEqual({ business: '<5', 'state-agency': '..' });
    expect(full.hubs[0].periods.every((p: Row & { measures: { registrationsByOrgType: object } }) => Object.keys(p.measures.registrationsByOrgType).length === 0)).toBe(true);
  }, 300_000);
});

describe('hub events in the national report (JSON, CSV, HTML)', () => {
  it('counts a published event and its registrations, in the CSV and in the printable HTML view', async () => {
    // Prepare: a workshop on an open weekday ahead, six members registered (published events go on the bus).
    let day = addDays(today(), 2);
    while (!openInterval(hub('skelleftea'), day)) day = addDays(day, 1);
    const offset = zonedInstant(day, '10:00', 'Europe/Stockholm').toISOString();
    const agency = await org('Trafikverket', 'state-agency');
    const created = await call('POST', '/api/hubs/skelleftea/events', { token: staff, body: { title: 'Workshop: vätgas', titleEn: 'Workshop: hydrogen', kind: 'workshop', capacity: 10, start: offset, end: new Date(Date.parse(offset) + 3_600_000).toISOString(), status: 'published' } });
    expect(created.status, created.text).toBe(201);
    for (let i = 0; i < 6; i++) {
      const memberId = await member(agency, `deltagare${i}@trafikverket.se`);
      const reg = await call('POST', `/api/hubs/skelleftea/events/${created.json.id}/registrations`, { token: staff, body: { memberId } });
      expect(reg.status, reg.text).toBe(201);
    }
    const q = `from=${addDays(today(), -3)}&to=${day}&hub=skelleftea`;
    // Act + Assess: JSON
    const report = await eventually(async () => {
      const res = await call('GET', `/api/national/reports?${q}&period=week`, { token: national });
      return res.json?.hubs?.[0]?.total.events.registrations === 6 && res.json;
    });
    expect(report.hubs[0].total.events).toMatchObject({ held: 1, heldByKind: { workshop: 1 }, cancelled: 0, registrations: 6, waitlisted: 0, confirmed: 6, attended: 0, attendanceRate: 0 });
    // CSV
    const csv = await call('GET', `/api/national/reports?${q}&period=week&format=csv`, { token: national });
    const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n');
    const header = lines[0]!.split(';');
    const total = lines.find((l) => l.startsWith('skelleftea;') && l.includes(';total;'))!.split(';');
    expect(total[header.indexOf('Evenemang genomförda / Events held')]).toBe('1');
    expect(total[header.indexOf('Evenemang workshop / Events workshop')]).toBe('1');
    expect(total[header.indexOf('Anmälningar / Event registrations')]).toBe('6');
    expect(total[header.indexOf('Närvarograd / Attendance rate')]).toBe('0');
    // HTML
    const view = await call('GET', `/api/national/reports/view?${q}`, { token: national });
    expect(view.status).toBe(200);
    expect(view.headers.get('content-type')).toMatch(/^text\/html/);
    const html = view.text;
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<html lang="sv">');
    // Five charts as inline SVG (use over time, sector mix, co-presence, utilisation, events by kind), each
    // replaced by a short note when it would show no number (here the people by type are all "<5").
    expect((html.match(/<svg/g)?.length ?? 0) + (html.match(/class="note empty"/g)?.length ?? 0)).toBe(5);
    expect(html.slice(html.indexOf('<h2>Evenemang'))).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src="|href="http|url\((?!#)/); // url(#clip) is an in-page reference
    expect(html).toContain('@page { size: A4');
    expect(html).toMatch(/break-before: page/);
    expect(html).toMatch(/Nationell rapport.*National report/s);
    expect(html).toMatch(/<h2>Evenemang <span class="en">\/ Events<\/span><\/h2>/);
    expect(html).toContain('Närvarograd / Attendance rate');
    // The event section's chart names the kind, and its table the registrations.
    const events = html.slice(html.indexOf('<h2>Evenemang'));
    expect(events).toContain('Workshop');
    expect(events).toMatch(/<td>6<\/td>/);
    // HEAD: the page and the report (a file with format=csv) answer as their GET does, without the body.
    // An HTTP API route is a method and a path, so each has its own HEAD route (docs/reporting.md, "HEAD").
    for (const [path, type] of [
      [`/api/national/reports/view?${q}`, /^text\/html/],
      [`/api/national/reports?${q}&format=csv`, /^text\/csv/],
      [`/api/national/reports?${q}`, /^application\/json/],
    ] as const) {
      const head = await fetch(`${network.url}${path}`, { method: 'HEAD', headers: { authorization: `Bearer ${national}` } });
      expect(head.status, path).toBe(200);
      expect(head.headers.get('content-type'), path).toMatch(type);
      expect(await head.text(), path).toBe('');
    }
    const anonymous = await fetch(`${network.url}/api/national/reports?${q}&format=csv`, { method: 'HEAD' });
    expect(anonymous.status).toBe(401);
    // The registrants' confirmation e-mails are still on their way: let them finish before the network stops.
    await network.idle();
  }, 300_000);
});
