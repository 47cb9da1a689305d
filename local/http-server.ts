import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { extname, join, normalize, sep } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { COMMON_SECURITY_HEADERS, apiSecurityHeaders, appSecurityHeaders } from '../infra/security-headers.ts';
import { LOCAL } from './cfn.ts';

/** An HTTP API route taken from the templates: `GET /api/hubs/{hubId}` → function. */
export interface HttpRoute {
  method: string;
  path: string;
  functionName: string;
  stack: string;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * Largest request the front door passes on, as Lambda takes it: a synchronous invocation's
 * payload (the API Gateway event, body included; a base64 body counts 4/3) is at most 6 MB.
 * API Gateway itself would take 10 MB, but the function could not be invoked with it.
 */
export const MAX_EVENT_BYTES = 6 * 1024 * 1024;
/** Largest request line plus headers: API Gateway HTTP APIs take 10240 bytes. */
export const MAX_HEADER_BYTES = 10 * 1024;
/** A body over the limit is read and discarded up to this much, so that the client gets the 413; beyond it the connection is cut. */
const MAX_DISCARD_BYTES = 64 * 1024 * 1024;

/** A path segment whose percent-escapes do not decode (`%ff`, `%`, `%zz`); `param` names it. */
export class MalformedPath extends Error {
  constructor(readonly param: string | undefined) {
    super(`The path has a malformed percent-escape${param ? ` in {${param}}` : ''}`);
  }
}

function decodeSegment(segment: string, param?: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new MalformedPath(param);
  }
}

/**
 * Picks the route for a request the way API Gateway HTTP APIs do: same method and depth,
 * literal segments before `{param}` segments; returns the path parameters, decoded.
 * Throws {@link MalformedPath} when a parameter's percent-escapes do not decode.
 */
export function matchRoute(routes: HttpRoute[], method: string, path: string): { route: HttpRoute; params: Record<string, string> } | undefined {
  const segs = path.split('/').filter(Boolean);
  let best: { route: HttpRoute; params: Record<string, string>; score: number } | undefined;
  for (const route of routes) {
    if (route.method !== method && route.method !== 'ANY') continue;
    const rsegs = route.path.split('/').filter(Boolean);
    if (rsegs.length !== segs.length) continue;
    const params: Record<string, string> = {};
    let score = 0;
    let ok = true;
    for (let i = 0; i < rsegs.length; i++) {
      const r = rsegs[i] as string;
      const s = segs[i] as string;
      const param = /^\{(\w+)\}$/.exec(r);
      if (param) params[param[1] as string] = decodeSegment(s, param[1]);
      else if (r === s) score++;
      else {
        ok = false;
        break;
      }
    }
    if (ok && (!best || score > best.score)) best = { route, params, score };
  }
  return best && { route: best.route, params: best.params };
}

const errorBody = (code: string, message: string, issues: { path: string; message: string }[] = []) => JSON.stringify({ error: { code, message, issues } });

/** Answers with the contract's JSON error body. */
function sendError(res: ServerResponse, status: number, code: string, message: string, issues: { path: string; message: string }[] = [], headers: Record<string, string> = {}): void {
  res.writeHead(status, withApiHeaders({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }));
  res.end(errorBody(code, message, issues));
}

const tooLarge = (res: ServerResponse, headers: Record<string, string> = {}) =>
  sendError(res, 413, 'payload_too_large', `The request may be at most ${MAX_EVENT_BYTES} bytes (6 MB) as a Lambda event, body included`, [{ path: 'body', message: 'Too large' }], headers);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether the bytes are valid UTF-8. */
function isUtf8(body: Buffer): boolean {
  try {
    utf8.decode(body);
    return true;
  } catch {
    return false;
  }
}

/** Builds the API Gateway payload-format-2.0 event of a request. */
export function toApiGatewayEvent(req: IncomingMessage, url: URL, route: HttpRoute, params: Record<string, string>, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const now = new Date();
  // Text that is not valid UTF-8 goes base64-encoded, as binary does: the function decides (and refuses it).
  const isText = body.length === 0 || (/json|text|xml|x-www-form-urlencoded/.test(headers['content-type'] ?? 'application/json') && isUtf8(body));
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(params).length ? { pathParameters: params } : {}),
    requestContext: {
      accountId: LOCAL.account,
      apiId: route.stack,
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: '127',
      http: { method: req.method ?? 'GET', path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  } as APIGatewayProxyEventV2;
}

/**
 * The local-only controls of `--simulation` (not routes of the API, never deployed):
 * `GET /.local/simulation/status` (with the mail outbox folder), `POST /.local/simulation/token` `{role, hub?}`,
 * `POST /.local/simulation/schedules/fire` `{name, at}`, `POST /.local/simulation/idle`.
 */
async function simulationControl(sim: SimulationControls, url: URL, method: string, body: Buffer, res: ServerResponse): Promise<void> {
  const json = (status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(value));
  };
  let input: Record<string, unknown> = {};
  try {
    input = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
  } catch {
    return sendError(res, 400, 'validation_failed', 'The body is not JSON', [{ path: 'body', message: 'Not JSON' }]);
  }
  const action = url.pathname.slice('/.local/simulation/'.length);
  if (action === 'status' && method === 'GET') return json(200, { simulation: true, header: SIMULATED_NOW_HEADER, schedules: sim.schedules(), mailDir: sim.mailDir });
  if (method !== 'POST') return sendError(res, 405, 'method_not_allowed', `${method} is not allowed here`);
  if (action === 'token') {
    const role = input.role;
    if (role !== 'staff' && role !== 'national' && role !== 'researcher') return sendError(res, 400, 'validation_failed', 'role: staff, national or researcher', [{ path: 'body.role', message: 'Invalid' }]);
    if (role === 'staff' && typeof input.hub !== 'string') return sendError(res, 400, 'validation_failed', 'hub: required for staff', [{ path: 'body.hub', message: 'Required' }]);
    return json(200, { token: await sim.token(role, typeof input.hub === 'string' ? input.hub : undefined) });
  }
  if (action === 'schedules/fire') {
    const at = simulatedNow(typeof input.at === 'string' ? input.at : '');
    if (!(at instanceof Date)) return sendError(res, 400, 'validation_failed', `at: ${at}`, [{ path: 'body.at', message: String(at) }]);
    const name = String(input.name ?? '');
    if (!sim.schedules().some((s) => s === name || s.endsWith(`/${name}`))) return sendError(res, 404, 'not_found', `No schedule ${name}`, [{ path: 'body.name', message: 'Unknown' }]);
    await sim.fireSchedule(name, at);
    return json(200, { fired: name, at: at.toISOString() });
  }
  if (action === 'idle') {
    await sim.idle();
    return json(200, { idle: true });
  }
  return sendError(res, 404, 'not_found', `No simulation control ${action}`);
}

/** Writes a Lambda proxy result (structured or the 2.0 shorthand) as the HTTP response. */
function writeResult(res: ServerResponse, result: unknown): void {
  const structured = result && typeof result === 'object' && 'statusCode' in result;
  const r: APIGatewayProxyStructuredResultV2 = structured
    ? (result as APIGatewayProxyStructuredResultV2)
    : { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) };
  const body = r.body === undefined ? '' : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body;
  res.writeHead(r.statusCode ?? 200, withApiHeaders(r.headers as Record<string, string> | undefined));
  res.end(body);
}

/**
 * An API response's headers with the one origin's security headers (infra/security-headers.ts)
 * under them: a header the function sets itself (the report page's CSP) wins, as with the
 * CloudFront policy's `override: false` for the CSP.
 */
export function withApiHeaders(headers: Record<string, string> = {}): Record<string, string> {
  const own = new Set(Object.keys(headers).map((k) => k.toLowerCase()));
  const defaults = Object.entries(apiSecurityHeaders()).filter(([k]) => !own.has(k));
  return { ...Object.fromEntries(defaults), ...headers };
}

/**
 * The header that carries a request's simulated instant, honoured only by a local runtime
 * started with `--simulation` (docs/local-runtime.md, "Simulation clock"). API Gateway and the
 * deployed functions know nothing of it: there it is an ordinary header nobody reads.
 */
export const SIMULATED_NOW_HEADER = 'x-samverkan-simulated-now';

/** What the front door offers under `--simulation`: local-only controls for `npm run simulate`. */
export interface SimulationControls {
  /** Runs a schedule as if it was due at `at` (its function's clock at `at` too). */
  fireSchedule(name: string, at: Date): Promise<void>;
  /** The names of the schedules. */
  schedules(): string[];
  /** Signs a token of the local identity provider. */
  token(role: 'staff' | 'national' | 'researcher', hub?: string): Promise<string>;
  /** Resolves when every written event has left the outbox and every delivery has settled. */
  idle(): Promise<void>;
  /** The local mail outbox (`.eml` files): the simulated members read their invitations there. */
  mailDir?: string;
}

/** Reads the simulated instant of a request: undefined without the header, an error message when it is not an ISO 8601 instant. */
export function simulatedNow(value: string | undefined): Date | string | undefined {
  if (value === undefined) return undefined;
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? new Date(value) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at : 'Use an ISO 8601 instant with a zone, e.g. 2026-09-01T08:30:00Z';
}

/** The local HTTP front door: API routes from the templates, the staff app, the local JWKS. */
export function createHttpServer(options: {
  routes: HttpRoute[];
  invoke: (functionName: string, event: unknown, opts?: { simulatedNow?: Date }) => Promise<unknown>;
  /** The folder of the built app (infra/web-build.ts), asked per request: a change to `web/` is rebuilt. */
  webDir: () => string;
  jwks: () => unknown;
  /** The local OpenID provider, mounted at /oidc (set once the server's URL is known). */
  oidc?: () => ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  /** The staff app's settings, served as /config.json (the same shape as on AWS). */
  appConfig?: () => unknown;
  /** Local stand-ins of AWS services the functions call (`/.local-firehose`): JSON in, status and JSON out. */
  services?: Record<string, (body: unknown, headers: IncomingMessage['headers']) => { status: number; body: unknown }>;
  log: (message: string) => void;
  /** Present only under `--simulation`. */
  simulation?: SimulationControls;
  /** Origins the app may call besides its own (the CSP's connect-src), e.g. an identity provider on another port. */
  connectTo?: string[];
}): Server {
  const pageHeaders = appSecurityHeaders(options.connectTo);
  /**
   * The OpenID provider (the stand-in for Cognito's managed login, another origin on AWS) reads its own
   * request bodies and writes its own pages; they get the headers every response has, and a CSP that
   * keeps its sign-in form out of frames (its pages carry their own inline styles).
   */
  const toOidc = (req: IncomingMessage, res: ServerResponse): boolean => {
    const oidc = /^\/oidc(\/|\?|$)/.test(req.url ?? '') ? options.oidc?.() : undefined;
    if (!oidc) return false;
    for (const [k, v] of Object.entries({ ...COMMON_SECURITY_HEADERS, 'content-security-policy': "frame-ancestors 'none'; base-uri 'none'; object-src 'none'" })) res.setHeader(k, v);
    oidc(req, res);
    return true;
  };
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    if (!toOidc(req, res)) receive(req, res);
  });
  // "Expect: 100-continue": refuse an announced body over the limit before the client sends it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (/^\/oidc(\/|\?|$)/.test(req.url ?? '')) {
      // The provider sets its own body limit (its form-too-large page).
      res.writeContinue();
      if (!toOidc(req, res)) receive(req, res);
      return;
    }
    if (Number(req.headers['content-length']) > MAX_EVENT_BYTES) return tooLarge(res, { connection: 'close' });
    res.writeContinue();
    receive(req, res);
  });
  // Requests Node's parser refuses (headers over the limit, malformed) still get the JSON error body.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body =
      status === 431
        ? errorBody('headers_too_large', `The request line and headers may be at most ${MAX_HEADER_BYTES} bytes`, [{ path: 'header', message: 'Too large' }])
        : errorBody(status === 408 ? 'request_timeout' : 'bad_request', status === 408 ? 'The request took too long to arrive' : 'The HTTP request is malformed', [{ path: 'request', message: err.code ?? 'Malformed' }]);
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  return server;

  /** Reads the body, up to the limit; a larger one is read to its end and discarded, then answered 413. */
  function receive(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_DISCARD_BYTES) req.destroy();
      else if (size > MAX_EVENT_BYTES) chunks.length = 0;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_EVENT_BYTES) return tooLarge(res);
      void handle(req, res, Buffer.concat(chunks)).catch((e: Error) => {
        if (e instanceof MalformedPath) {
          return sendError(res, 400, 'validation_failed', e.message, [{ path: e.param ? `path.${e.param}` : 'path', message: 'Malformed percent-escape' }]);
        }
        options.log(`HTTP ${req.method} ${req.url}: ${e.message}`);
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(errorBody('bad_gateway', 'The function failed (see the runtime log)'));
      });
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const service = options.services?.[url.pathname.replace(/\/+$/, '')];
    if (service && method === 'POST') {
      const out = service(JSON.parse(body.toString('utf8') || '{}'), req.headers);
      res.writeHead(out.status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(out.body));
      return;
    }
    if (url.pathname === '/.local-idp/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(options.jwks()));
      return;
    }
    if (url.pathname.startsWith('/.local/simulation/')) {
      if (options.simulation) return simulationControl(options.simulation, url, method, body, res);
      return sendError(res, 404, 'not_found', 'The simulation controls exist only in a local runtime started with --simulation');
    }
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      const match = matchRoute(options.routes, method, url.pathname);
      if (!match) {
        res.writeHead(404, withApiHeaders({ 'content-type': 'application/json' }));
        res.end(errorBody('not_found', `No route for ${method} ${url.pathname}`));
        return;
      }
      const event = toApiGatewayEvent(req, url, match.route, match.params, body);
      if (Buffer.byteLength(JSON.stringify(event)) > MAX_EVENT_BYTES) return tooLarge(res);
      // Under --simulation the header sets the function's clock and is taken off the event;
      // otherwise it stays an ordinary header that no function reads, as on AWS.
      const at = options.simulation ? simulatedNow(event.headers[SIMULATED_NOW_HEADER]) : undefined;
      if (typeof at === 'string') return sendError(res, 400, 'validation_failed', `Header ${SIMULATED_NOW_HEADER}: ${at}`, [{ path: `header.${SIMULATED_NOW_HEADER}`, message: at }]);
      if (at) delete event.headers[SIMULATED_NOW_HEADER];
      writeResult(res, await options.invoke(match.route.functionName, event, at ? { simulatedNow: at } : {}));
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, withApiHeaders({ 'content-type': 'application/json' }));
      res.end(errorBody('method_not_allowed', `${method} is not allowed here`));
      return;
    }
    if (url.pathname === '/config.json' && options.appConfig) {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache', ...apiSecurityHeaders() });
      res.end(method === 'HEAD' ? undefined : JSON.stringify(options.appConfig()));
      return;
    }
    const rel = normalize(decodeSegment(url.pathname)).replace(/^([/\\])+/, '');
    const webDir = options.webDir();
    let file = join(webDir, rel || 'index.html');
    if (!file.startsWith(webDir + sep) && file !== webDir) file = join(webDir, 'index.html');
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(webDir, 'index.html');
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache', ...pageHeaders });
    res.end(method === 'HEAD' ? undefined : readFileSync(file));
  }
}
