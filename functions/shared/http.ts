import { Logger } from '@aws-lambda-powertools/logger';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { answersHead, pathParams, type RouteSpec } from '../api/contract.ts';
import type { Principal } from './auth.ts';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { tracer } from './observability.ts';
import { ApiError, badRequest, notFound, parseOr400 } from './errors.ts';

/** What a schema of a route gives a handler: its parsed output, or `fallback` when the route has none. */
type Parsed<R, K extends 'params' | 'body' | 'query', Fallback> = R extends { [P in K]: infer S extends z.ZodType } ? z.output<S> : Fallback;

/** What a route handler gets: input validated by the route's schemas, typed from them, and the caller. */
export interface RouteInput<R extends RouteSpec = RouteSpec> {
  event: APIGatewayProxyEventV2;
  principal: Principal | undefined;
  params: Parsed<R, 'params', Record<string, string>>;
  body: Parsed<R, 'body', undefined>;
  query: Parsed<R, 'query', undefined>;
  correlationId: string;
}

/** What a route handler returns: a body, and a status when it differs from the route's. */
export interface RouteResult {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Send `body` (a string) as is with this content type instead of as JSON. */
  contentType?: string;
}

/** One handler for each route, by operationId, each getting the input its route's schemas describe. */
export type RouteHandlers<Routes extends readonly RouteSpec[]> = {
  [R in Routes[number] as R['operationId']]: (input: RouteInput<R>) => Promise<RouteResult>;
};

/** Verifies the Authorization header; throws 401. */
export type Verify = (authorization: string | undefined) => Promise<Principal>;

/** A JSON response. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }, body: JSON.stringify(body) };
}

function errorResponse(err: ApiError) {
  return json(err.status, { error: { code: err.code, message: err.message, issues: err.issues } });
}

/** Maps every thrown error to the contract's JSON error body; unexpected ones are logged and become 500. */
function apiErrors(logger: Logger): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const err = request.error as (Error & { statusCode?: number; expose?: boolean }) | null;
      if (err instanceof ApiError) {
        request.response = errorResponse(err);
        return;
      }
      if (err?.statusCode === 404) {
        request.response = errorResponse(notFound(`No route for ${request.event.requestContext.http.method} ${request.event.rawPath}`));
        return;
      }
      if (err?.statusCode === 415) {
        request.response = errorResponse(
          new ApiError(415, 'unsupported_media_type', 'Send the body as JSON with "Content-Type: application/json"', [{ path: 'header.content-type', message: 'Must be application/json' }]),
        );
        return;
      }
      if (err?.statusCode === 422 || err?.statusCode === 400) {
        request.response = errorResponse(badRequest('The body is not valid JSON', [{ path: 'body', message: 'Malformed JSON' }]));
        return;
      }
      logger.error('Unhandled error', { error: err as Error, path: request.event.rawPath });
      request.response = json(500, { error: { code: 'internal', message: 'Internal error', issues: [] } });
    },
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a JSON body when there is one; a request without a body gets `undefined`. A body that
 * arrives base64-encoded (API Gateway's binary payloads; the local front door sends text that is
 * not valid UTF-8 this way) must decode as UTF-8 exactly, or it is 400: never U+FFFD in storage.
 */
function optionalJsonBody(): MiddlewareObj<APIGatewayProxyEventV2> {
  const parser = httpJsonBodyParser();
  return {
    before: (request) => {
      const body = request.event.body;
      if (body === undefined || body === null || body === '') {
        request.event.body = undefined;
        return;
      }
      if (request.event.isBase64Encoded && /json/.test(request.event.headers?.['content-type'] ?? '')) {
        try {
          request.event.body = utf8.decode(Buffer.from(body, 'base64'));
        } catch {
          throw badRequest('The body is not valid UTF-8', [{ path: 'body', message: 'Not valid UTF-8' }]);
        }
        request.event.isBase64Encoded = false;
      }
      return parser.before?.(request as never);
    },
  };
}

/**
 * Builds a middy HTTP API handler for API Gateway (payload 2.0) from route specs and
 * handlers: header normalising, JSON body, routing, auth (401/403 before validation),
 * zod validation of path parameters, body and query (400 naming the field) and the
 * contract's JSON errors. Each handler's input is typed from its route's schemas.
 */
export function httpApi<const Routes extends readonly RouteSpec[]>(options: {
  service: string;
  routes: Routes;
  handlers: NoInfer<RouteHandlers<Routes>>;
  verify: Verify;
  authorize?: (route: RouteSpec, principal: Principal, params: Record<string, string>) => void;
}) {
  const logger = new Logger({ serviceName: options.service });
  // Each handler is typed for its own route; here they are looked up by operationId.
  type AnyInput = Omit<RouteInput, 'body' | 'query'> & { body: unknown; query: unknown };
  const handlers = options.handlers as unknown as Record<string, ((input: AnyInput) => Promise<RouteResult>) | undefined>;
  const routes = options.routes.flatMap((route) => {
    const impl = handlers[route.operationId];
    if (!impl) throw new Error(`No handler for ${route.operationId}`);
    const get = {
      method: route.method,
      path: route.path,
      handler: async (event: APIGatewayProxyEventV2, _context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
        const rawParams = (event.pathParameters ?? {}) as Record<string, string>;
        let principal: Principal | undefined;
        if (route.access !== 'public') {
          principal = await options.verify(event.headers?.authorization);
          options.authorize?.(route, principal, rawParams);
        }
        const params = parseOr400(route.params ?? pathParams(route.path), 'path', rawParams) as Record<string, string>;
        const body = route.body ? parseOr400(route.body, 'body', event.body ?? null) : undefined;
        const query = route.query ? parseOr400(route.query, 'query', event.queryStringParameters ?? {}) : undefined;
        const correlationId = event.headers?.['x-correlation-id'] ?? event.requestContext.requestId;
        const result = await impl({ event, principal, params, body, query, correlationId });
        if (result.contentType) {
          return { statusCode: result.status ?? route.status, headers: { 'content-type': result.contentType, 'cache-control': 'no-store', ...result.headers }, body: String(result.body) };
        }
        return json(result.status ?? route.status, result.body, result.headers);
      },
    };
    // A page, calendar or file answers HEAD as its GET does, without the body (the API routes
    // HEAD here for these routes only, see infra/constructs/http-api.ts).
    if (!answersHead(route)) return [get];
    return [get, { method: 'HEAD' as const, path: route.path, handler: async (event: APIGatewayProxyEventV2, context: Context) => ({ ...(await get.handler(event, context)), body: '' }) }];
  });
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    // X-Ray: a subsegment per request (responses not recorded: they name people); off locally.
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(httpHeaderNormalizer())
    .use(apiErrors(logger))
    .use(optionalJsonBody())
    .handler(httpRouterHandler({ routes }) as never);
}
