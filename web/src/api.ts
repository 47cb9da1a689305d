// The API client, typed from API v1's contract: each call names a route by its operationId, and its
// path parameters, query, body and response take their types from the route's zod schemas
// (functions/api/contract.ts). Only types are imported: zod and the schemas stay out of the bundle.
import type { z } from 'zod';
import type { hubRoutes, nationalRoutes } from '../../functions/api/contract.ts';
import type { Auth } from '../auth.ts';

type AllRoutes = (typeof hubRoutes)[number] | (typeof nationalRoutes)[number];
export type Op = AllRoutes['operationId'];
type RouteOf<O extends Op> = Extract<AllRoutes, { operationId: O }>;
export type Output<O extends Op> = z.output<RouteOf<O>['response']>;
type BodyOf<O extends Op> = RouteOf<O> extends { body: infer B extends z.ZodType } ? { body: z.input<B> } : { body?: never };
type QueryOf<O extends Op> = RouteOf<O> extends { query: infer Q extends z.ZodType } ? { query: z.input<Q> } : { query?: never };
type ParamsOf<O extends Op> = { params: z.input<RouteOf<O>['params']> };
export type Input<O extends Op> = ParamsOf<O> & BodyOf<O> & QueryOf<O>;

/** The routes the app calls: method and path, checked against the contract by the type checker. */
const ROUTES = {
  listHubs: ['GET', '/api/hubs'],
  getHub: ['GET', '/api/hubs/{hubId}'],
  organisationDirectory: ['GET', '/api/organisations'],
  listOrganisations: ['GET', '/api/hubs/{hubId}/organisations'],
  createOrganisation: ['POST', '/api/hubs/{hubId}/organisations'],
  createMember: ['POST', '/api/hubs/{hubId}/members'],
  searchMembers: ['GET', '/api/hubs/{hubId}/members'],
  updateMember: ['PATCH', '/api/hubs/{hubId}/members/{memberId}'],
  exportMember: ['GET', '/api/hubs/{hubId}/members/{memberId}/export'],
  eraseMember: ['DELETE', '/api/hubs/{hubId}/members/{memberId}'],
  checkIn: ['POST', '/api/hubs/{hubId}/check-ins'],
  checkOut: ['POST', '/api/hubs/{hubId}/check-ins/{visitId}/check-out'],
  presence: ['GET', '/api/hubs/{hubId}/presence'],
  kioskCheck: ['POST', '/api/hubs/{hubId}/kiosk/check'],
  listBookings: ['GET', '/api/hubs/{hubId}/bookings'],
  availability: ['GET', '/api/hubs/{hubId}/availability'],
  createBooking: ['POST', '/api/hubs/{hubId}/bookings'],
  createSeries: ['POST', '/api/hubs/{hubId}/booking-series'],
  cancelBooking: ['DELETE', '/api/hubs/{hubId}/bookings/{bookingId}'],
  nationalReport: ['GET', '/api/national/reports'],
  listHubEvents: ['GET', '/api/hubs/{hubId}/events'],
  createHubEvent: ['POST', '/api/hubs/{hubId}/events'],
  markAttendance: ['POST', '/api/hubs/{hubId}/events/{eventId}/attendance'],
  updateHubEvent: ['PATCH', '/api/hubs/{hubId}/events/{eventId}'],
  listRegistrations: ['GET', '/api/hubs/{hubId}/events/{eventId}/registrations'],
  registerForEvent: ['POST', '/api/hubs/{hubId}/events/{eventId}/registrations'],
  cancelRegistration: ['DELETE', '/api/hubs/{hubId}/events/{eventId}/registrations/{registrationId}'],
  getMember: ['GET', '/api/hubs/{hubId}/members/{memberId}'],
} as const satisfies { [O in Op]?: readonly [RouteOf<O>['method'], RouteOf<O>['path']] };
export type AppOp = keyof typeof ROUTES;

/** One field the API refused: `path` as the API names it (`body.email`, `query.q`, `path.hubId`). */
export interface FieldIssue {
  path: string;
  message: string;
}

/** A 4xx or 5xx from the API: its code, message and the fields at fault. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[],
  ) {
    super(message);
  }

  /** The issues by field name (`body.email` → `email`), for showing each next to its field. */
  fields(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const i of this.issues) {
      const name = i.path.replace(/^(body|query|path)\./, '');
      out[name] ??= i.message;
    }
    return out;
  }
}

/** A client of API v1 for the signed-in person: 401 renews the token once, then sends them to sign-in. */
export function apiClient(auth: Auth | undefined) {
  async function call<O extends AppOp>(op: O, input: Input<O>): Promise<{ status: number; json: Output<O> }> {
    const [method, template] = ROUTES[op];
    const params = (input.params ?? {}) as Record<string, string>;
    let path: string = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
    const query = input.query as Record<string, unknown> | undefined;
    if (query) {
      const search = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') search.set(k, String(v));
      if ([...search].length > 0) path += `?${search}`;
    }
    const body = input.body as unknown;
    const send = async () => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (auth?.user) headers.authorization = `Bearer ${await auth.token()}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      return fetch(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    };
    let res = await send();
    if (res.status === 401 && auth?.user) {
      if (await auth.renew()) res = await send();
      if (res.status === 401) await auth.expired();
    }
    const json: unknown = await res.json().catch(() => ({}));
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string; issues?: FieldIssue[] } }).error;
      throw new ApiError(res.status, error?.code ?? 'error', error?.message ?? `${res.status}`, error?.issues ?? []);
    }
    return { status: res.status, json: json as Output<O> };
  }
  /** The bearer token, for a download the client does not parse (CSV). */
  call.token = async () => (auth?.user ? auth.token() : '');
  return call;
}
export type Api = ReturnType<typeof apiClient>;
