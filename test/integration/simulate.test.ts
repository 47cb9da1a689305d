import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../infra/constructs/function.ts';
import { addDays } from '../../functions/reporting/periods.ts';
import { loadStarterOrganisations } from '../../hubs/organisations.ts';
import { SIMULATED_NOW_HEADER } from '../../local/http-server.ts';
import type { LocalNetwork } from '../../local/network.ts';
import { buildPlan } from '../../local/simulate/plan.ts';
import { runPlan, type RunResult } from '../../local/simulate/run.ts';
import { HUBS, openDay } from '../support/report-events.ts';
import { api, eventually, startTestNetwork } from '../support/network.ts';

/**
 * `npm run simulate` against a local runtime with `--simulation`: a short, small simulation in
 * the past, then the national report must count exactly what the API accepted, per hub.
 */
describe('npm run simulate through the real API', () => {
  let network: LocalNetwork;
  let result: RunResult;
  const to = openDay(20);
  const from = addDays(to, -4);

  beforeAll(async () => {
    network = await startTestNetwork({ simulation: true });
    const plan = buildPlan({ seed: 3, from, to, hubs: HUBS, organisations: loadStarterOrganisations('hubs'), volume: 0.25 });
    result = await runPlan(plan, { url: network.url });
    await network.idle();
  }, 600_000);
  afterAll(() => network?.stop());

  it('gets national report totals equal to what the simulation did, per hub: visits, bookings (agency presence series too), events, waitlist', async () => {
    const call = api(network);
    const national = await network.token('national');
    // Nothing dead-lettered on the way (a failed consumer would lose a count), and the projection caught up.
    expect(network.queues.list().map((m) => m.attributes)).toEqual([]);
    const expected = Object.values(result.tallies).reduce((n, t) => n + t.checkIns, 0);
    const res = await eventually(async () => {
      const r = await call('GET', `/api/national/reports?from=${from}&to=${to}&period=day`, { token: national });
      return r.status === 200 && r.json.totals.checkIns === expected && r;
    }, 60_000, 1000).catch(() => call('GET', `/api/national/reports?from=${from}&to=${to}&period=day`, { token: national }));
    expect(res.status).toBe(200);
    let visits = 0;
    // Check-ins from the first version's exact fields: the measures' check-ins are ".." where a hub's unique
    // visitors are not shown (docs/reporting.md, "Bounds"), which a few days of light traffic often are.
    for (const h of res.json.hubs as { hubId: string; checkIns: number; total: { checkIns: number | string; visits: number; bookings: { made: number; cancelled: number }; events: { held: number; cancelled: number; registrations: number | string } } }[]) {
      const t = result.tallies[h.hubId]!;
      if (typeof h.total.checkIns === 'number') expect(h.total.checkIns, h.hubId).toBe(h.checkIns);
      expect({ hub: h.hubId, checkIns: h.checkIns, made: h.total.bookings.made, cancelled: h.total.bookings.cancelled, held: h.total.events.held }).toEqual({
        hub: h.hubId,
        checkIns: t.checkIns,
        made: t.bookings,
        cancelled: t.bookingsCancelled,
        held: t.eventsPublished - t.eventsCancelled,
      });
      if (typeof h.total.events.registrations === 'number') expect(h.total.events.registrations).toBe(t.registrations);
      visits += t.checkIns;
    }
    // The traffic happened in the simulated days, not today: every visit is dated in the range.
    expect(visits).toBeGreaterThan(20);
    expect(res.json.totals.checkIns).toBe(visits);
    // Agency presence at every hub (scheduled through the staff route, as staff do), and popular events
    // whose waitlist moved: counts of people, so shown as "<5" from 1 to 4, or ".." where a total would
    // reveal a suppressed cell (only ever a count above 0) — either way not 0.
    for (const h of res.json.hubs as { hubId: string; total: { agencyPresenceHours: Record<string, number> } }[]) {
      expect(result.tallies[h.hubId]!.agencyPresences, h.hubId).toBeGreaterThan(0);
      expect(Object.values(h.total.agencyPresenceHours).reduce((a, b) => a + b, 0), h.hubId).toBeGreaterThan(0);
    }
    const nonZero = (v: unknown) => v === '<5' || v === '..' || (typeof v === 'number' && v > 0);
    const { waitlisted, promoted } = res.json.network.total.events as { waitlisted: number | string; promoted: number | string };
    expect({ waitlisted, promoted, ok: nonZero(waitlisted) && nonZero(promoted) }).toMatchObject({ ok: true });
    const tallied = Object.values(result.tallies).reduce((n, t) => n + t.waitlisted, 0);
    if (typeof waitlisted === 'number') expect(waitlisted).toBe(tallied);
  });

  it('dates what a request does at its simulated instant, and refuses a malformed instant naming the header', async () => {
    const call = api(network);
    const staff = await network.token('staff', 'umea');
    const at = `${addDays(to, 1)}T09:15:00.000Z`;
    const org = await call('POST', '/api/hubs/umea/organisations', { token: staff, body: { name: 'Klocktest AB', type: 'business' }, headers: { [SIMULATED_NOW_HEADER]: at } });
    // The clock starts at the instant and runs while the invocation does.
    expect(Date.parse(org.json.createdAt) - Date.parse(at)).toBeGreaterThanOrEqual(0);
    expect(Date.parse(org.json.createdAt) - Date.parse(at)).toBeLessThan(30_000);
    const bad = await call('POST', '/api/hubs/umea/organisations', { token: staff, body: { name: 'Klocktest 2 AB', type: 'business' }, headers: { [SIMULATED_NOW_HEADER]: 'yesterday' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.issues[0].path).toBe(`header.${SIMULATED_NOW_HEADER}`);
    // Without the header the clock is the system's.
    const now = await call('POST', '/api/hubs/umea/organisations', { token: staff, body: { name: 'Klocktest 3 AB', type: 'business' } });
    expect(Math.abs(Date.parse(now.json.createdAt) - Date.now())).toBeLessThan(60_000);
  });
});

describe('without --simulation, as on AWS', () => {
  it('ignores the header: the local runtime by default, and the handler invoked as Lambda invokes it (no local worker)', async () => {
    const network = await startTestNetwork();
    try {
      const call = api(network);
      const staff = await network.token('staff', 'umea');
      const past = '2020-01-15T09:00:00.000Z';
      const viaRuntime = await call('POST', '/api/hubs/umea/organisations', { token: staff, body: { name: 'Utan simulering AB', type: 'business' }, headers: { [SIMULATED_NOW_HEADER]: past } });
      expect(viaRuntime.status).toBe(201);
      expect(Math.abs(Date.parse(viaRuntime.json.createdAt) - Date.now())).toBeLessThan(60_000);
      expect((await fetch(`${network.url}/.local/simulation/status`)).status).toBe(404);

      // The deployed path: the handler module imported into a plain Node process with its function's
      // environment, called with an API Gateway event that carries the header.
      const route = network.routes.find((r) => r.method === 'POST' && r.path === '/api/hubs/umea/organisations')!;
      const def = network.functions.def(route.functionName);
      Object.assign(process.env, network.functions.baseEnv, def.environment);
      const { handler } = (await import(/* @vite-ignore */ pathToFileURL(join(ROOT, def.entry)).href)) as { handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }> };
      const event = {
        version: '2.0',
        routeKey: 'POST /api/hubs/umea/organisations',
        rawPath: '/api/hubs/umea/organisations',
        rawQueryString: '',
        headers: { authorization: `Bearer ${staff}`, 'content-type': 'application/json', [SIMULATED_NOW_HEADER]: past },
        requestContext: { http: { method: 'POST', path: '/api/hubs/umea/organisations', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' }, requestId: 'r1', routeKey: 'POST /api/hubs/umea/organisations', stage: '$default', time: new Date().toUTCString(), timeEpoch: Date.now() },
        body: JSON.stringify({ name: 'Direkt anrop AB', type: 'business' }),
        isBase64Encoded: false,
      };
      const direct = await handler(event, { functionName: def.name, awsRequestId: 'r1', getRemainingTimeInMillis: () => 10_000 });
      expect(direct.statusCode).toBe(201);
      expect(Math.abs(Date.parse(JSON.parse(direct.body).createdAt) - Date.now())).toBeLessThan(60_000);
    } finally {
      await network.stop();
    }
  }, 300_000);
});
