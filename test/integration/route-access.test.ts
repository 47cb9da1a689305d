/**
 * Who may call what, for every route of API v1, generated from the route table: each route of
 * `hubRoutes` and `nationalRoutes` is called by every kind of caller, and only the auth outcome
 * is asserted (401 / 403 / neither). A handler may still answer 400 or 404 after auth: the ids
 * and bodies are plausible, not necessarily valid. A route added to the table is covered without
 * touching this file, unless it is public: public routes must be listed in PUBLIC_ROUTES below,
 * or the test fails, so that nobody makes a route public by accident.
 */
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubRoutes, nationalRoutes, type RouteSpec } from '../../functions/api/contract.ts';
import { LOCAL } from '../../local/cfn.ts';
import { LOCAL_ISSUER } from '../../local/idp.ts';
import type { LocalNetwork } from '../../local/network.ts';
import { api, startTestNetwork } from '../support/network.ts';

const HUB = 'umea';
const OTHER_HUB = 'boden';

type Caller = 'anonymous' | 'staffOfHub' | 'staffOfOtherHub' | 'national' | 'researcher' | 'expiredStaffOfHub' | 'badSignatureStaffOfHub';
const CALLERS: Caller[] = ['anonymous', 'staffOfHub', 'staffOfOtherHub', 'national', 'researcher', 'expiredStaffOfHub', 'badSignatureStaffOfHub'];

/** The auth outcome a caller must get: 401, 403, or past auth (any status but 401/403, and the route must exist). */
type Outcome = 401 | 403 | 'allowed';
type Expectations = Record<Caller, Outcome>;

const everyoneAllowed: Expectations = Object.fromEntries(CALLERS.map((c) => [c, 'allowed'])) as Expectations;

/**
 * Public routes, by operationId, each stated explicitly. A public route that is not here fails
 * the test: deciding who may call a new public route is a conscious choice.
 */
const PUBLIC_ROUTES: Record<string, Expectations> = {
  // The hub directory, the organisation directory and the OpenAPI document: anyone, and a token
  // (even a bad one) is not looked at.
  listHubs: everyoneAllowed,
  getHub: everyoneAllowed,
  organisationDirectory: everyoneAllowed,
  openapi: everyoneAllowed,
  // A hub's agency presence is public information (listed on the hub's web page).
  listAgencyPresence: everyoneAllowed,
  // Public in the route table because the member's private link (`?key=`) needs no token; without
  // a key it is a staff route of the hub: see also the key cases in the test below.
  // A published event's calendar file, public registration (the cancel link carries its key) and
  // the network calendar: anyone; a token is not looked at.
  hubEventCalendar: everyoneAllowed,
  registerPublicly: everyoneAllowed,
  cancelPublicRegistration: everyoneAllowed,
  // The page behind the e-mail's cancellation link, and its button: the key in the link is the credential.
  publicCancellationPage: everyoneAllowed,
  confirmPublicCancellation: everyoneAllowed,
  networkEvents: everyoneAllowed,
  networkCalendar: everyoneAllowed,
  // A member's consent page: the private link's token is the credential; a bearer token is not
  // looked at (an unknown or expired token is 404, see test/integration/consent.test.ts).
  consentsByLink: everyoneAllowed,
  changeConsentByLink: everyoneAllowed,
  // A member's survey: the invitation's token (from their e-mail) is the credential; a bearer
  // token is not looked at. API v1's routes redirect (307) to the hub's (test/integration/surveys.test.ts).
  survey: everyoneAllowed,
  answerSurvey: everyoneAllowed,
  hubSurvey: everyoneAllowed,
  answerHubSurvey: everyoneAllowed,
  memberCalendar: {
    anonymous: 401,
    staffOfHub: 'allowed',
    staffOfOtherHub: 403,
    national: 403,
    researcher: 403,
    expiredStaffOfHub: 401,
    badSignatureStaffOfHub: 401,
  },
};

/**
 * National routes that staff may also read, for their own hub only (the query asks for the test's
 * hub, so staff of another hub get 403).
 */
const STAFF_READABLE_NATIONAL = new Set(['nationalReport', 'reportView']);

/** What each caller must get on a route, from its `access` (and PUBLIC_ROUTES); throws for a route it cannot classify. */
function expectationsFor(route: RouteSpec, table: 'hub' | 'national'): Expectations {
  const invalid: Pick<Expectations, 'anonymous' | 'expiredStaffOfHub' | 'badSignatureStaffOfHub'> = { anonymous: 401, expiredStaffOfHub: 401, badSignatureStaffOfHub: 401 };
  switch (route.access) {
    case 'public': {
      const known = PUBLIC_ROUTES[route.operationId];
      if (!known) throw new Error(`Public route ${route.operationId} (${route.method} ${route.path}) is not classified: add it to PUBLIC_ROUTES with who may call it`);
      return known;
    }
    case 'staff':
      if (table !== 'hub') throw new Error(`Staff route ${route.operationId} outside the hub routes: which hub's staff?`);
      return { ...invalid, staffOfHub: 'allowed', staffOfOtherHub: 403, national: 403, researcher: 403 };
    case 'staff-or-national':
      // A hub's organisations (the member form's list): its staff, and national administrators for any hub.
      if (table !== 'hub') throw new Error(`Route ${route.operationId} for staff or national administrators outside the hub routes: which hub?`);
      return { ...invalid, staffOfHub: 'allowed', staffOfOtherHub: 403, national: 'allowed', researcher: 403 };
    case 'national':
      if (table !== 'national') throw new Error(`National route ${route.operationId} among the hub routes: not classified`);
      return { ...invalid, staffOfHub: STAFF_READABLE_NATIONAL.has(route.operationId) ? 'allowed' : 403, staffOfOtherHub: 403, national: 'allowed', researcher: 403 };
    case 'staff-any-hub':
      // The network directory: staff of every hub search it, and the national administrators.
      if (table !== 'national') throw new Error(`Route ${route.operationId} for staff of any hub among the hub routes: not classified`);
      return { ...invalid, staffOfHub: 'allowed', staffOfOtherHub: 'allowed', national: 'allowed', researcher: 403 };
    default:
      throw new Error(`Route ${(route as RouteSpec).operationId} has an access this test does not know: ${String((route as RouteSpec).access)}`);
  }
}

const ALL_ROUTES: Array<{ route: RouteSpec; table: 'hub' | 'national' }> = [
  ...hubRoutes.map((route) => ({ route, table: 'hub' as const })),
  ...nationalRoutes.map((route) => ({ route, table: 'national' as const })),
];

let network: LocalNetwork;
let call: ReturnType<typeof api>;
let memberId: string;
let calendarUrl: string;
const tokens = {} as Record<Exclude<Caller, 'anonymous'>, string>;

/** Plausible path parameters: realistic ids (`[A-Za-z0-9_-]`, ≤ 64), the member a real one. */
function pathOf(route: RouteSpec): string {
  const values: Record<string, string> = {
    hubId: HUB,
    organisationId: 'org_0123456789abcdef01234567',
    // A real member only for the calendar (its staff caller gets 200); elsewhere a made-up id, so
    // that DELETE …/members/{memberId} erases nobody this file needs.
    memberId: route.operationId === 'memberCalendar' ? memberId : 'mem_abc123',
    visitId: 'vis_abc123',
    bookingId: 'bkg_abc123',
    resourceId: 'rum-umealven',
    eventId: 'evt_abc123',
    registrationId: 'reg_abc123',
    token: 'AbCdEfGhIjKlMnOpQrStUvWxYz012345',
    invitationToken: `${HUB}_AbCdEfGhIjKlMnOpQrStUvWxYz012345`,
  };
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No value for path parameter {${name}} of ${route.operationId}: add one to pathOf`);
    return encodeURIComponent(value);
  });
}

/** A minimal query that passes validation where one is needed. */
function queryOf(route: RouteSpec): string {
  const today = new Date().toISOString().slice(0, 10);
  const queries: Record<string, string> = {
    searchMembers: 'q=anna',
    availability: `date=${today}`,
    listBookings: `date=${today}`,
    nationalReport: `from=${today}&to=${today}&hub=${HUB}`,
    reportView: `from=${today}&to=${today}&hub=${HUB}`,
    cancelPublicRegistration: 'key=abc',
    exportPublicRegistrant: 'email=access@example.se',
    erasePublicRegistrant: 'email=access@example.se',
  };
  return queries[route.operationId] ? `?${queries[route.operationId]}` : '';
}

/** A minimal, roughly valid body for routes that take one (only the auth outcome is asserted). */
function bodyOf(route: RouteSpec): unknown {
  if (!route.body) return undefined;
  const day = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  const slot = { resourceId: 'rum-umealven', memberId: 'mem_abc123', start: `${day}T10:00:00+01:00`, end: `${day}T11:00:00+01:00` };
  const bodies: Record<string, unknown> = {
    createOrganisation: { name: 'Access Test AB', type: 'business' },
    createAgreement: { seats: 1, validFrom: day, validTo: day },
    createNetworkAgreement: { seats: 1, validFrom: day, validTo: day },
    createMember: { name: 'Access Test', email: 'access@example.se', organisationId: 'org_0123456789abcdef01234567', membership: 'member' },
    registerVisitor: { name: 'Access Guest', organisationName: 'Gäst AB', hostMemberId: 'mem_abc123', expectedDate: day },
    checkIn: { memberId: 'mem_abc123' },
    createBooking: slot,
    createSeries: { ...slot, until: day },
    scheduleAgencyPresence: { ...slot, organisationId: 'org_0123456789abcdef01234567', until: day },
    publishDirectoryProfile: { role: 'Access', consentVersion: 'directory-2026-11' },
    changeConsent: { studyId: 'samverkanshubbar-i-norr', scope: 'usage', state: 'given', textVersion: '2026-01' },
    changeConsentByLink: { studyId: 'samverkanshubbar-i-norr', scope: 'usage', state: 'given', textVersion: '2026-01' },
  };
  return bodies[route.operationId] ?? {};
}

async function request(route: RouteSpec, caller: Caller) {
  const body = bodyOf(route);
  return call(route.method, `${pathOf(route)}${queryOf(route)}`, { ...(caller === 'anonymous' ? {} : { token: tokens[caller] }), ...(body !== undefined ? { body } : {}) });
}

function outcomeOf(res: { status: number; json: any }): Outcome | string {
  if (res.status === 401 || res.status === 403) return res.status;
  if (res.status === 404 && /^No route for/.test(res.json?.error?.message ?? '')) return 'route not served';
  if (res.status >= 500) return `${res.status} (server error)`;
  return 'allowed';
}

beforeAll(async () => {
  network = await startTestNetwork();
  call = api(network);
  tokens.staffOfHub = await network.token('staff', HUB);
  tokens.staffOfOtherHub = await network.token('staff', OTHER_HUB);
  tokens.national = await network.token('national');
  tokens.researcher = await network.token('researcher');
  tokens.expiredStaffOfHub = await network.idp.sign({ role: 'staff', hub: HUB, expiresInSeconds: -120 });
  // The same claims and key id as a real token of the hub's staff, signed by a key that is not the pool's.
  const { privateKey } = await generateKeyPair('RS256');
  tokens.badSignatureStaffOfHub = await new SignJWT({ 'cognito:groups': [`staff-${HUB}`], token_use: 'id', email: 'forger@example.se' })
    .setProtectedHeader({ alg: 'RS256', kid: network.idp.jwks.keys[0]!.kid! })
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL.userPoolClientId)
    .setSubject('forger')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);

  const org = await call('POST', `/api/hubs/${HUB}/organisations`, { token: tokens.staffOfHub, body: { name: 'Region Västerbotten', type: 'region' } });
  expect([200, 201], org.text).toContain(org.status);
  const member = await call('POST', `/api/hubs/${HUB}/members`, { token: tokens.staffOfHub, body: { name: 'Access Member', email: 'access.member@regionvasterbotten.se', organisationId: org.json.id, membership: 'member' } });
  expect(member.status, member.text).toBe(201);
  memberId = member.json.id;
  calendarUrl = member.json.calendarUrl;
});

afterAll(async () => {
  await network?.stop();
});

describe('the route table is fully classified', () => {
  it('knows who may call every route of hubRoutes and nationalRoutes', () => {
    const unclassified: string[] = [];
    for (const { route, table } of ALL_ROUTES) {
      try {
        expectationsFor(route, table);
        pathOf(route);
      } catch (e) {
        unclassified.push((e as Error).message);
      }
    }
    expect(unclassified).toEqual([]);
    // Every special case still names a route that exists.
    expect(Object.keys(PUBLIC_ROUTES).filter((op) => !ALL_ROUTES.some(({ route }) => route.operationId === op))).toEqual([]);
  });
});

describe.each(ALL_ROUTES.map(({ route, table }) => ({ name: `${route.method} ${route.path} (${route.operationId}, ${route.access})`, route, table })))('$name', ({ route, table }) => {
  it('gives each caller the auth outcome its role allows', async () => {
    const expected = expectationsFor(route, table);
    const actual: Record<string, Outcome | string> = {};
    const details: string[] = [];
    for (const caller of CALLERS) {
      const res = await request(route, caller);
      actual[caller] = outcomeOf(res);
      if (actual[caller] !== expected[caller]) details.push(`${caller}: ${res.status} ${res.text.slice(0, 200)}`);
    }
    expect(actual, details.join('\n')).toEqual(expected);
  });
});

describe('the member calendar: the private link or staff of the hub', () => {
  it('opens with the member’s key and no token, and refuses a wrong key', async () => {
    expect(calendarUrl).toMatch(/\?key=/);
    expect((await call('GET', calendarUrl)).status).toBe(200);
    expect((await call('GET', `/api/hubs/${HUB}/members/${memberId}/calendar.ics?key=wrong-key`)).status).toBe(403);
    // A wrong key does not become valid with a token of the wrong kind.
    for (const caller of ['national', 'researcher', 'staffOfOtherHub'] as const) {
      expect((await call('GET', `/api/hubs/${HUB}/members/${memberId}/calendar.ics?key=wrong-key`, { token: tokens[caller] })).status, caller).toBe(403);
    }
    // An empty key is no key.
    expect((await call('GET', `/api/hubs/${HUB}/members/${memberId}/calendar.ics?key=`)).status).toBe(403);
  });
});
