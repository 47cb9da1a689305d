import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { LOCAL } from './cfn.ts';
import { webAppScript } from './web-app.ts';

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
 * Picks the route for a request the way API Gateway HTTP APIs do: same method and depth,
 * literal segments before `{param}` segments; returns the path parameters.
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
      if (param) params[param[1] as string] = decodeURIComponent(s);
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

const errorBody = (code: string, message: string) => JSON.stringify({ error: { code, message, issues: [] } });

/** Builds the API Gateway payload-format-2.0 event of a request. */
export function toApiGatewayEvent(req: IncomingMessage, url: URL, route: HttpRoute, params: Record<string, string>, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const now = new Date();
  const isText = body.length === 0 || /json|text|xml|x-www-form-urlencoded/.test(headers['content-type'] ?? 'application/json');
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

/** Writes a Lambda proxy result (structured or the 2.0 shorthand) as the HTTP response. */
function writeResult(res: ServerResponse, result: unknown): void {
  const structured = result && typeof result === 'object' && 'statusCode' in result;
  const r: APIGatewayProxyStructuredResultV2 = structured
    ? (result as APIGatewayProxyStructuredResultV2)
    : { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) };
  const body = r.body === undefined ? '' : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body;
  res.writeHead(r.statusCode ?? 200, { ...(r.headers as Record<string, string>) });
  res.end(body);
}

/** The local HTTP front door: API routes from the templates, the staff app, the local JWKS. */
export function createHttpServer(options: {
  routes: HttpRoute[];
  invoke: (functionName: string, event: unknown) => Promise<unknown>;
  webDir: string;
  jwks: () => unknown;
  log: (message: string) => void;
}): Server {
  const appScript = webAppScript(options.webDir);
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 6 * 1024 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks)).catch((e: Error) => {
        options.log(`HTTP ${req.method} ${req.url}: ${e.message}`);
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(errorBody('bad_gateway', 'The function failed (see the runtime log)'));
      });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    if (url.pathname === '/.local-idp/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(options.jwks()));
      return;
    }
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      const match = matchRoute(options.routes, method, url.pathname);
      if (!match) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(errorBody('not_found', `No route for ${method} ${url.pathname}`));
        return;
      }
      const event = toApiGatewayEvent(req, url, match.route, match.params, body);
      writeResult(res, await options.invoke(match.route.functionName, event));
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'application/json' });
      res.end(errorBody('method_not_allowed', `${method} is not allowed here`));
      return;
    }
    if (url.pathname === '/app.js') {
      res.writeHead(200, { 'content-type': MIME['.js'] ?? 'text/javascript', 'cache-control': 'no-cache' });
      res.end(method === 'HEAD' ? undefined : appScript());
      return;
    }
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    let file = join(options.webDir, rel || 'index.html');
    if (!file.startsWith(options.webDir + sep) && file !== options.webDir) file = join(options.webDir, 'index.html');
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(options.webDir, 'index.html');
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    res.end(method === 'HEAD' ? undefined : readFileSync(file));
  }
}
