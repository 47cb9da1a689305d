import * as z from 'zod';
import { HubId } from '../../hubs/schema.ts';

/**
 * Who may call a route: anyone; staff of the hub in the path; national administrators; staff of any hub
 * and national administrators; staff of the hub in the path and national administrators (`staff-or-national`).
 */
export type Access = 'public' | 'staff' | 'national' | 'staff-any-hub' | 'staff-or-national';

/**
 * A path parameter other than `hubId`: the API's ids (`mem_…`, `org_…`, resource slugs) are
 * short ASCII tokens, so anything else is refused before it reaches a key (DynamoDB takes 2 KB).
 */
export const PathId = z
  .string()
  .min(1, 'Required, must not be empty')
  .max(64, 'At most 64 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'Only letters a–z, digits, "_" and "-"');

/** The `{param}` names of a path, as a union of string literals. */
export type PathParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}` ? Name | PathParamNames<Rest> : never;

/** The zod schema of a path's parameters: each a string. */
export type PathParamsSchema<P extends string> = z.ZodObject<{ [K in PathParamNames<P>]: z.ZodString }>;

/** The schema of a path's `{param}`s: `hubId` as in the hub files ({@link HubId}), every other one a {@link PathId}. */
export function pathParams<P extends string>(path: P): PathParamsSchema<P> {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  // The shape is built from the names at run time; its type is the one PathParamNames reads from the literal.
  return z.object(Object.fromEntries(names.map((name) => [name, name === 'hubId' ? HubId : PathId]))) as unknown as PathParamsSchema<P>;
}

/** One route of API v1. `path` uses `{param}`; hub routes start with `/api/hubs/{hubId}/`. */
export interface RouteSpec {
  operationId: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  summary: string;
  access: Access;
  /** The path parameters' schema; {@link route} derives it from the path. Without one, {@link pathParams} of the path applies. */
  params?: z.ZodType;
  body?: z.ZodType;
  query?: z.ZodType;
  response: z.ZodType;
  status: 200 | 201;
  /** The response's media type when it is not JSON. */
  produces?: string;
  /**
   * Answers HEAD as its GET does, without the body, though its default answer is JSON: a route
   * that is also a file download (`format=csv`). Routes with `produces` answer HEAD anyway.
   */
  head?: boolean;
}

/**
 * Whether a route also answers HEAD: pages, calendars and files (link checkers and mail scanners
 * ask HEAD first). API Gateway routes by method and path, so each needs its own HEAD route.
 */
export function answersHead(r: { method: string; produces?: string | undefined; head?: boolean | undefined }): boolean {
  return r.method === 'GET' && (r.produces !== undefined || r.head === true);
}

/**
 * Declares a route: keeps its literal operationId and its schemas' types (so that handlers get
 * typed input, see `RouteHandlers`) and adds the schema of its path parameters.
 */
export function route<const R extends Omit<RouteSpec, 'params'>>(spec: R): R & { params: PathParamsSchema<R['path']> } {
  return { ...spec, params: pathParams<R['path']>(spec.path) };
}

/**
 * The routes of a contract that one function serves, when an API's routes are split over more
 * than one function (the national report page is its own function: it alone needs the chart
 * library). Typed, so that the function's handlers must cover exactly these routes.
 */
export function routesWithout<const Routes extends readonly RouteSpec[], const Op extends Routes[number]['operationId']>(routes: Routes, ...operationIds: Op[]): Exclude<Routes[number], { operationId: Op }>[] {
  return routes.filter((r) => !(operationIds as string[]).includes(r.operationId)) as Exclude<Routes[number], { operationId: Op }>[];
}

/** The routes of a contract with these operation ids (see `routesWithout`). */
export function routesWith<const Routes extends readonly RouteSpec[], const Op extends Routes[number]['operationId']>(routes: Routes, ...operationIds: Op[]): Extract<Routes[number], { operationId: Op }>[] {
  return routes.filter((r) => (operationIds as string[]).includes(r.operationId)) as Extract<Routes[number], { operationId: Op }>[];
}
