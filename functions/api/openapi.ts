import * as z from 'zod';
import { answersHead, ErrorBody, hubRoutes, nationalRoutes, pathParams, type RouteSpec } from './contract.ts';

const errorResponses = {
  '400': 'Invalid input; `issues` name each field',
  '401': 'Missing, invalid or expired bearer token',
  '403': 'Not allowed for this role or hub',
  '404': 'Unknown hub or entity',
  '409': 'Conflicts with the current state',
};

function toSchema(schema: z.ZodType, io: 'input' | 'output') {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function operation(route: RouteSpec) {
  const path = toSchema(route.params ?? pathParams(route.path), 'input') as { properties?: Record<string, unknown> };
  const params = Object.entries(path.properties ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema: schema as { type: string } }));
  if (route.query) {
    const q = toSchema(route.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) params.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema: schema as { type: string } });
  }
  const errors = Object.fromEntries(
    Object.entries(errorResponses)
      .filter(([code]) => route.access !== 'public' || code === '400' || code === '404')
      .map(([code, description]) => [code, { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]),
  );
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.access === 'public' ? { security: [] } : { 'x-samverkan-access': route.access }),
    ...(params.length ? { parameters: params } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body, 'input') } } } } : {}),
    responses: {
      [String(route.status)]: { description: route.status === 201 ? 'Created' : 'OK', content: { [route.produces ?? 'application/json']: { schema: toSchema(route.response, 'output') } } },
      ...errors,
    },
  };
}

/** The OpenAPI 3.1 document of API v1, generated from the zod schemas of the routes. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of [...nationalRoutes, ...hubRoutes] as RouteSpec[]) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route) };
    // A page, calendar or file answers HEAD as its GET does, without the body.
    if (answersHead(route)) {
      const get = operation(route);
      paths[route.path] = { ...paths[route.path], head: { ...get, operationId: `${route.operationId}Head`, summary: `Headers only of: ${route.summary}`, responses: Object.fromEntries(Object.entries(get.responses).map(([code, r]) => [code, { description: r.description }])) } };
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'samverkan API',
      version: '1.0.0',
      description: 'API v1 of the samverkan hub network. Hub routes are served per hub; staff tokens carry the group `staff-<hubId>`, national administrators `national`. `x-samverkan-access` names who may call an operation: `staff` (of the hub in the path), `national`, `staff-any-hub` (staff of any hub and national administrators), or `staff-or-national` (staff of the hub in the path and national administrators).',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: toSchema(ErrorBody, 'output') },
    },
    paths,
  };
}
