/**
 * A counting proxy in front of DynamoDB Local (bench only): every request is forwarded as is,
 * except that data-plane operations ask for `ReturnConsumedCapacity: TOTAL`. It counts round
 * trips per caller (the SDK's `app/<id>` user-agent part, which the local runtime sets to the
 * function's name) and operation, and sums the capacity units DynamoDB reports.
 */
import { createServer, request, Agent, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Operations that accept ReturnConsumedCapacity. */
const CAPACITY_OPS = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem', 'TransactWriteItems', 'TransactGetItems']);
const READ_OPS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

/** Counters of one caller. */
export interface CallerCounts {
  requests: number;
  byOperation: Record<string, number>;
  readUnits: number;
  writeUnits: number;
  /** Items returned by reads (GetItem: 0 or 1; Query/Scan: Count). */
  itemsRead: number;
  /** Bytes of the answers to reads. */
  bytesRead: number;
}

/**
 * What the proxy saw, by caller: the app id as the SDK sent it (the function's name, possibly followed
 * by Powertools' own suffix), or `runtime` for requests without one (the pipes' stream reads).
 */
export type ProxyCounts = Record<string, CallerCounts>;

/** A running counting proxy. */
export interface DdbProxy {
  endpoint: string;
  /** A deep copy of the counters so far. */
  snapshot(): ProxyCounts;
  close(): Promise<void>;
}

const read = (msg: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    msg.on('data', (d: Buffer) => parts.push(d));
    msg.on('end', () => resolve(Buffer.concat(parts)));
    msg.on('error', reject);
  });

function callerOf(headers: IncomingMessage['headers']): string {
  const ua = `${headers['x-amz-user-agent'] ?? ''} ${headers['user-agent'] ?? ''}`;
  return /(?:^|\s)app\/(\S+)/.exec(ua)?.[1] ?? 'runtime';
}

/** Capacity units of one answer (`ConsumedCapacity` is an object or, for batches and transactions, a list). */
export function capacityOf(body: unknown): number {
  const cc = (body as { ConsumedCapacity?: unknown } | undefined)?.ConsumedCapacity;
  const list = Array.isArray(cc) ? cc : cc ? [cc] : [];
  return list.reduce((n: number, c: { CapacityUnits?: number }) => n + (Number(c.CapacityUnits) || 0), 0);
}

/** Starts the proxy on a free loopback port, forwarding to `target` (http://127.0.0.1:port). */
export async function startDdbProxy(target: string): Promise<DdbProxy> {
  const url = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const counts: ProxyCounts = {};
  const server: Server = createServer(async (req, res) => {
    try {
      let body = await read(req);
      const op = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const isDynamo = String(req.headers['x-amz-target'] ?? '').startsWith('DynamoDB_');
      if (isDynamo && CAPACITY_OPS.has(op)) {
        const json = JSON.parse(body.toString('utf8') || '{}');
        json.ReturnConsumedCapacity ??= 'TOTAL';
        body = Buffer.from(JSON.stringify(json));
      }
      const caller = callerOf(req.headers);
      const c = counts[caller] ?? { requests: 0, byOperation: {}, readUnits: 0, writeUnits: 0, itemsRead: 0, bytesRead: 0 };
      counts[caller] = c;
      c.requests++;
      c.byOperation[op || 'unknown'] = (c.byOperation[op || 'unknown'] ?? 0) + 1;
      const headers = { ...req.headers, 'content-length': String(body.length), host: url.host };
      const upstream = request({ host: url.hostname, port: url.port, method: req.method, path: req.url, headers, agent }, async (up) => {
        const answer = await read(up);
        if (isDynamo && CAPACITY_OPS.has(op) && (up.statusCode ?? 500) < 300) {
          try {
            const json = JSON.parse(answer.toString('utf8'));
            const units = capacityOf(json);
            if (READ_OPS.has(op)) {
              c.readUnits += units;
              c.itemsRead += op === 'GetItem' ? (json.Item ? 1 : 0) : Number(json.Count ?? json.Responses?.length ?? 0);
              c.bytesRead += answer.length;
            } else c.writeUnits += units;
          } catch {
            /* not JSON: nothing to add */
          }
        }
        res.writeHead(up.statusCode ?? 500, up.headers);
        res.end(answer);
      });
      upstream.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      upstream.end(body);
    } catch (e) {
      res.writeHead(500);
      res.end(String(e));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    snapshot: () => structuredClone(counts),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}

/** The counters of `after` minus those of `before`. */
export function diffCounts(after: ProxyCounts, before: ProxyCounts): ProxyCounts {
  const out: ProxyCounts = {};
  for (const [caller, a] of Object.entries(after)) {
    const b = before[caller];
    const byOperation: Record<string, number> = {};
    for (const [op, n] of Object.entries(a.byOperation)) {
      const d = n - (b?.byOperation[op] ?? 0);
      if (d) byOperation[op] = d;
    }
    const requests = a.requests - (b?.requests ?? 0);
    const d = (k: 'readUnits' | 'writeUnits' | 'itemsRead' | 'bytesRead') => a[k] - (b?.[k] ?? 0);
    if (requests) out[caller] = { requests, byOperation, readUnits: d('readUnits'), writeUnits: d('writeUnits'), itemsRead: d('itemsRead'), bytesRead: d('bytesRead') };
  }
  return out;
}
