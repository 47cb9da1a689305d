/**
 * Sends a simulation plan through the real HTTP API of a local runtime started with
 * `--simulation`: each request carries its simulated instant (`x-samverkan-simulated-now`),
 * the hubs' jobs are fired at their simulated times, and the tally says what the API accepted.
 */
import { SIMULATED_NOW_HEADER } from '../http-server.ts';
import { hubStackName } from '../../infra/names.ts';
import type { Action, HubPlan, Plan } from './plan.ts';
import type { ResearchLane } from './research.ts';

/** What the API accepted for one hub: the numbers the national report must show. */
export interface HubTally {
  organisations: number;
  members: number;
  checkIns: number;
  checkOuts: number;
  bookings: number;
  bookingsCancelled: number;
  /** Agency presence schedules accepted (their weekly bookings are counted in `bookings`). */
  agencyPresences: number;
  eventsPublished: number;
  eventsCancelled: number;
  registrations: number;
  waitlisted: number;
  registrationsCancelled: number;
  attended: number;
  /** Refused requests by action and status (a room already booked, a full event, …): realistic, and counted. */
  refused: Record<string, number>;
  /** The first error message of each refusal, to see why. */
  reasons: Record<string, string>;
}

export interface RunResult {
  tallies: Record<string, HubTally>;
  /** The plan's actions done (the progress bar's total): a refused earlier step can make one send nothing. */
  actions: number;
  /** Requests made to the APIs: the actions' (some send two or three) and the research simulation's. */
  requests: number;
  seconds: number;
  /** Of those, waiting for the events to reach the national reports. */
  idleSeconds: number;
}

/** Requests a hub sends before the runner waits for their events to be delivered. */
const CHUNK = 20;

const emptyTally = (): HubTally => ({ organisations: 0, members: 0, checkIns: 0, checkOuts: 0, bookings: 0, bookingsCancelled: 0, agencyPresences: 0, eventsPublished: 0, eventsCancelled: 0, registrations: 0, waitlisted: 0, registrationsCancelled: 0, attended: 0, refused: {}, reasons: {} });

/** A small client of the runtime; `sent` counts the requests made to the APIs (not the runtime's own `/.local/` routes). */
function client(url: string, sent: { api: number } = { api: 0 }) {
  return async function call(method: string, path: string, o: { token?: string; body?: unknown; at?: string } = {}): Promise<{ status: number; json: Record<string, unknown> }> {
    if (!path.startsWith('/.local/')) sent.api++;
    const headers: Record<string, string> = {};
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.at) headers[SIMULATED_NOW_HEADER] = o.at;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${url}${path}`, { method, headers, ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}) });
        const text = await res.text();
        let json: Record<string, unknown> = {};
        try {
          json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          json = { text };
        }
        // A container restarted under load answers 502: try again, as a client would.
        if (res.status >= 502 && attempt < 3) continue;
        return { status: res.status, json };
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
  };
}

/** Asks the runtime whether it runs with `--simulation`; throws a clear error when not. */
export async function simulationStatus(url: string): Promise<{ schedules: string[]; mailDir?: string }> {
  let res: Response;
  try {
    res = await fetch(`${url}/.local/simulation/status`);
  } catch {
    throw new Error(`Nothing answers at ${url}. Start the local runtime first: npm start -- --simulation`);
  }
  const json = (await res.json().catch(() => ({}))) as { simulation?: boolean; schedules?: string[]; mailDir?: string };
  if (!res.ok || !json.simulation) throw new Error(`The runtime at ${url} does not run with --simulation. Restart it: npm start -- --simulation`);
  return { schedules: json.schedules ?? [], ...(json.mailDir ? { mailDir: json.mailDir } : {}) };
}

/** Runs the plan: a day at a time, the hubs side by side, each hub's actions in time order. */
export async function runPlan(
  plan: Plan,
  o: {
    url: string;
    onAction?: (hubId: string) => void;
    log?: (m: string) => void;
    /** After each day's events were delivered (the research simulation, `research.ts`): returns the requests it sent. */
    afterDay?: (day: string, lanes: ResearchLane[], call: ReturnType<typeof client>) => Promise<number>;
  },
): Promise<RunResult> {
  const started = performance.now();
  const sentCount = { api: 0 };
  const call = client(o.url, sentCount);
  const { schedules } = await simulationStatus(o.url);
  const tallies: Record<string, HubTally> = {};
  let actions = 0;

  const lanes = await Promise.all(
    plan.hubs.map(async (hp) => {
      const tally = emptyTally();
      tallies[hp.hubId] = tally;
      const { json } = await call('POST', '/.local/simulation/token', { body: { role: 'staff', hub: hp.hubId } });
      const job = (name: string) => schedules.find((s) => s.startsWith(`${hubStackName(hp.hubId)}/`) && s.includes(name));
      return { hp, ctx: { call, token: String(json.token), ids: new Map<string, string>(), tally, job } satisfies Ctx };
    }),
  );
  // Three simulated hours at a time, at most CHUNK requests a hub: the hubs side by side, each
  // hub's requests in time order; then wait until those requests' events are delivered, so the
  // consumers are never flooded (a consumer timing out under load would dead-letter events, and
  // the report would miss them). The first morning (organisations, members, events) is hundreds.
  const chunks = lanes.map(({ hp }) => {
    const counts = new Map<string, number>();
    return hp.actions.map((a) => {
      const slot = `${a.at.slice(0, 11)}${Math.floor(Number(a.at.slice(11, 13)) / 3)}`;
      const n = counts.get(slot) ?? 0;
      counts.set(slot, n + 1);
      return `${slot}#${String(Math.floor(n / CHUNK)).padStart(4, '0')}`;
    });
  });
  const order = [...new Set(chunks.flat())].sort();
  for (const [k, current] of order.entries()) {
    const day = current.slice(0, 10);
    await Promise.all(
      lanes.map(async ({ hp, ctx }, lane) => {
        for (const [i, a] of hp.actions.entries()) {
          if (chunks[lane]?.[i] !== current) continue;
          actions++;
          await perform(hp, a, ctx);
          o.onAction?.(hp.hubId);
        }
      }),
    );
    await call('POST', '/.local/simulation/idle');
    // After a day's last chunk: what members do with that day's mail (research, local/simulate/research.ts).
    if (o.afterDay && order[k + 1]?.slice(0, 10) !== day) {
      const sent = await o.afterDay(day, lanes.map(({ hp, ctx }) => ({ hubId: hp.hubId, people: hp.people, ids: ctx.ids, token: ctx.token })), call);
      if (sent > 0) await call('POST', '/.local/simulation/idle');
    }
  }
  // Let every event reach the national projection before anyone reads a report.
  const sent = performance.now();
  await call('POST', '/.local/simulation/idle');
  return { tallies, actions, requests: sentCount.api, seconds: (performance.now() - started) / 1000, idleSeconds: (performance.now() - sent) / 1000 };
}

interface Ctx {
  call: ReturnType<typeof client>;
  token: string;
  ids: Map<string, string>;
  tally: HubTally;
  job: (name: string) => string | undefined;
}

async function perform(hp: HubPlan, a: Action, c: Ctx): Promise<void> {
  const base = `/api/hubs/${hp.hubId}`;
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await c.call(method, path, { token: c.token, at: a.at, ...(body !== undefined ? { body } : {}) });
    if (res.status >= 400) refuse(res);
    return res;
  };
  function refuse(res: { status: number; json: Record<string, unknown> }) {
    const k = `${a.t} ${res.status}`;
    c.tally.refused[k] = (c.tally.refused[k] ?? 0) + 1;
    c.tally.reasons[k] ??= JSON.stringify((res.json.error as { issues?: unknown; message?: unknown } | undefined)?.issues ?? res.json).slice(0, 300);
  }
  /** An id created by an earlier action; a missing one (that action was refused) skips this one. */
  const id = (key: string) => c.ids.get(key);
  const skip = () => {
    c.tally.refused[`${a.t} skipped`] = (c.tally.refused[`${a.t} skipped`] ?? 0) + 1;
  };
  switch (a.t) {
    case 'organisation': {
      const org = hp.organisations.find((x) => x.key === a.org);
      if (!org) return;
      const res = await send('POST', `${base}/organisations`, { name: org.name, type: org.type, ...(org.orgNumber ? { orgNumber: org.orgNumber } : {}) });
      if (res.status < 300) {
        c.ids.set(a.org, String(res.json.id));
        c.tally.organisations++;
      }
      return;
    }
    case 'agreement': {
      const orgId = id(a.org);
      if (!orgId) return skip();
      await send('POST', `${base}/organisations/${orgId}/agreements`, { seats: a.seats, validFrom: a.validFrom, validTo: a.validTo });
      return;
    }
    case 'member': {
      const p = hp.people.find((x) => x.key === a.person);
      const orgId = p && id(p.org);
      if (!p || !orgId) return skip();
      const res = await send('POST', `${base}/members`, {
        name: p.name,
        email: p.email,
        organisationId: orgId,
        membership: p.membership,
        ...(p.employerMunicipality ? { employerMunicipality: p.employerMunicipality } : {}),
        ...(p.employerLocation ? { employerLocation: p.employerLocation } : {}),
      });
      if (res.status === 201) {
        c.ids.set(a.person, String(res.json.id));
        c.tally.members++;
      }
      return;
    }
    case 'checkIn': {
      const memberId = id(a.person);
      if (!memberId) return skip();
      const res = await send('POST', `${base}/check-ins`, { memberId });
      if (res.status === 201) {
        c.ids.set(a.visit, String(res.json.id));
        c.tally.checkIns++;
      }
      return;
    }
    case 'checkOut': {
      const visitId = id(a.visit);
      if (!visitId) return skip();
      const res = await send('POST', `${base}/check-ins/${visitId}/check-out`);
      if (res.status === 200) c.tally.checkOuts++;
      return;
    }
    case 'book': {
      const memberId = id(a.person);
      if (!memberId) return skip();
      const res = await send('POST', `${base}/bookings`, { resourceId: a.resourceId, memberId, start: a.start, end: a.end });
      if (res.status === 201) {
        c.ids.set(a.booking, String(res.json.id));
        c.tally.bookings++;
      }
      return;
    }
    case 'cancelBooking': {
      const bookingId = id(a.booking);
      if (!bookingId) return skip();
      const res = await send('DELETE', `${base}/bookings/${bookingId}`);
      if (res.status === 200) c.tally.bookingsCancelled++;
      return;
    }
    case 'agencyPresence': {
      const organisationId = id(a.org);
      const memberId = id(a.person);
      if (!organisationId || !memberId) return skip();
      const res = await send('POST', `${base}/agency-presence`, { organisationId, memberId, resourceId: a.resourceId, start: a.start, end: a.end, until: a.until, description: a.description });
      if (res.status === 201) {
        c.ids.set(a.presence, String(res.json.id));
        c.tally.agencyPresences++;
        c.tally.bookings += (res.json.bookings as unknown[]).length;
      }
      return;
    }
    case 'event': {
      const body = { title: a.title, titleEn: a.titleEn, kind: a.kind, start: a.start, end: a.end, capacity: a.capacity, openToNetwork: true, openToBusiness: a.openToBusiness, status: 'published' };
      let res = await send('POST', `${base}/events`, a.resourceId ? { ...body, resourceId: a.resourceId } : body);
      if (res.status === 409 && a.resourceId) res = await send('POST', `${base}/events`, body); // the room is taken: held elsewhere in the hub
      if (res.status === 201) {
        c.ids.set(a.event, String(res.json.id));
        c.tally.eventsPublished++;
      }
      return;
    }
    case 'cancelEvent': {
      const eventId = id(a.event);
      if (!eventId) return skip();
      const res = await send('PATCH', `${base}/events/${eventId}`, { status: 'cancelled' });
      if (res.status === 200) c.tally.eventsCancelled++;
      return;
    }
    case 'register':
    case 'registerPublic': {
      const eventId = id(a.event);
      const memberId = a.t === 'register' ? id(a.person) : undefined;
      if (!eventId || (a.t === 'register' && !memberId)) return skip();
      const res =
        a.t === 'register'
          ? await send('POST', `${base}/events/${eventId}/registrations`, { memberId })
          : await c.call('POST', `${base}/events/${eventId}/public-registrations`, { at: a.at, body: { name: a.name, email: a.email, organisationName: a.organisationName, organisationType: a.organisationType } });
      if (res.status === 201) {
        c.ids.set(a.reg, String(res.json.id));
        c.tally.registrations++;
        if (res.json.status === 'waitlisted') c.tally.waitlisted++;
      } else if (a.t === 'registerPublic') refuse(res);
      return;
    }
    case 'cancelRegistration': {
      const eventId = id(a.event);
      const regId = id(a.reg);
      if (!eventId || !regId) return skip();
      const res = await send('DELETE', `${base}/events/${eventId}/registrations/${regId}`);
      if (res.status === 200) c.tally.registrationsCancelled++;
      return;
    }
    case 'attend':
    case 'walkIn': {
      const eventId = id(a.event);
      const who = a.t === 'attend' ? { registrationId: id(a.reg) } : { memberId: id(a.person) };
      if (!eventId || !Object.values(who)[0]) return skip();
      const res = await send('POST', `${base}/events/${eventId}/attendance`, who);
      if (res.status === 201 || res.status === 200) {
        c.tally.attended++;
        if (a.t === 'walkIn') c.tally.registrations++;
      }
      return;
    }
    case 'job': {
      const name = c.job(a.job === 'close-visits' ? 'CloseVisits' : 'ReleaseNoShows');
      if (!name) return skip();
      await c.call('POST', '/.local/simulation/schedules/fire', { body: { name, at: a.at } });
      return;
    }
  }
}
