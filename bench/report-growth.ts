/**
 * Issue 13 part 3: how the national report's reads grow with traffic. The reporting table's
 * hub-day items (functions/reporting/store.ts: a hub-day's facts over up to 16 shard items, one
 * `in:<visitId>` and one `out:<visitId>` attribute per visit) are written directly with BatchWriteItem for N check-ins
 * spread over the open days of one year at every hub; then the national report over that year
 * (by month, all hubs) is built with the API's own code (`buildReport` over `ReportStore`)
 * through the counting proxy: latency, items read, capacity units and bytes read.
 */
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ROOT } from '../infra/constructs/function.ts';
import { DEFAULT_VERSION, ReportStore } from '../functions/reporting/store.ts';
import { P, shardOf, type VisitIn, type VisitOut } from '../functions/reporting/facts.ts';
import { buildReport } from '../functions/reporting/report.ts';
import { openInterval } from '../functions/reporting/measures.ts';
import { addDays, datesBetween } from '../functions/reporting/periods.ts';
import { loadAllHubs } from '../functions/shared/hub-config.ts';
import { LOCAL } from '../local/cfn.ts';
import { startDdbProxy } from './ddb-proxy.ts';
import { round } from './stats.ts';

/** The report at one traffic level. */
export interface ReportAt {
  checkIns: number;
  hubDays: number;
  /** Largest hub-day shard item written (DynamoDB's limit is 400 KB). */
  largestItemKb: number;
  reportMs: number;
  /** Of reportMs: waiting for DynamoDB (the reads); the rest is computing the measures. */
  readMs: number;
  itemsRead: number;
  readUnits: number;
  readMb: number;
}

export interface ReportGrowthResult {
  small: ReportAt;
  large: ReportAt;
  /** large ÷ small read capacity units (what a report costs; the target is ≤ 1.5). */
  reportReadGrowth: number;
  itemsReadGrowth: number;
  latencyGrowth: number;
}

const TYPES = ['business', 'municipality', 'state-agency', 'region', 'university', 'association'];

async function measureAt(emulatorEndpoint: string, checkIns: number, log: (line: string) => void): Promise<ReportAt> {
  const hubs = loadAllHubs(join(ROOT, 'hubs'));
  const config = { region: LOCAL.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 8 };
  const raw = new DynamoDBClient({ ...config, endpoint: emulatorEndpoint });
  const table = `bench-report-${randomUUID().slice(0, 8)}`;
  await raw.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const proxy = await startDdbProxy(emulatorEndpoint);
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ ...config, endpoint: proxy.endpoint }));
  const rawDoc = DynamoDBDocumentClient.from(raw);
  try {
    const to = addDays(new Date().toISOString().slice(0, 10), -1);
    const from = addDays(to, -364);
    const hubDays = hubs.flatMap((hub) => datesBetween(from, to).flatMap((date) => (openInterval(hub, date) ? [{ hub, date }] : [])));
    const perDay = Math.floor(checkIns / hubDays.length);
    let extra = checkIns - perDay * hubDays.length;
    let largest = 0;
    let written = 0;
    let batch: Array<Record<string, unknown>> = [];
    const flush = async () => {
      let items = batch.map((Item) => ({ PutRequest: { Item } }));
      batch = [];
      while (items.length) {
        const res = await rawDoc.send(new BatchWriteCommand({ RequestItems: { [table]: items } }));
        items = (res.UnprocessedItems?.[table] ?? []) as typeof items;
      }
    };
    for (const { hub, date } of hubDays) {
      const n = perDay + (extra-- > 0 ? 1 : 0);
      // The store's layout: a hub-day's facts over up to SHARDS items, by a hash of the fact's name.
      const shards = new Map<string, Record<string, unknown>>();
      const put = (attr: string, fact: unknown) => {
        const sk = `${date}#${shardOf(attr)}`;
        const item = shards.get(sk) ?? { pk: `${DEFAULT_VERSION}#DAY#${hub.id}`, sk };
        item[attr] = fact;
        shards.set(sk, item);
      };
      for (let i = 0; i < n; i++) {
        const visitId = `vis_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
        const v = `p${(written + i) % 1500}`.padEnd(16, '0');
        const org = `org_${(written + i) % 120}`;
        const at = `${date}T0${8 + (i % 2)}:${String(i % 60).padStart(2, '0')}:00.000Z`;
        const inFact: VisitIn = { v, org, type: TYPES[i % TYPES.length] as string, ms: i % 3 ? 'member' : 'guest', at };
        const outFact: VisitOut = { v, org, at, out: `${date}T14:00:00.000Z`, min: 300 };
        put(`${P.in}${visitId}`, inFact);
        put(`${P.out}${visitId}`, outFact);
      }
      written += n;
      for (const item of shards.values()) {
        const size = Buffer.byteLength(JSON.stringify(item));
        largest = Math.max(largest, size);
        batch.push(item);
        // BatchWriteItem: at most 25 items and 16 MB a request.
        if (batch.length === 25 || (batch.length + 1) * size > 12 * 2 ** 20) await flush();
      }
    }
    await flush();
    log(`report growth: ${written} check-ins in ${hubDays.length} hub-days written; building the national report`);
    const store = new ReportStore(doc, table, hubs);
    let readMs = 0;
    const timed =
      <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
      async (...a: A) => {
        const t = performance.now();
        try {
          return await f(...a);
        } finally {
          readMs += performance.now() - t;
        }
      };
    const source = { hubDays: timed(store.hubDays.bind(store)), presences: timed(store.presences.bind(store)), hubEvents: timed(store.hubEvents.bind(store)) };
    const before = proxy.snapshot();
    const t0 = performance.now();
    const report = await buildReport(source, hubs, { from, to, period: 'month' });
    const reportMs = performance.now() - t0;
    if (!report) throw new Error('no report');
    const after = proxy.snapshot();
    const c = after.runtime;
    const b = before.runtime;
    return {
      checkIns: written,
      hubDays: hubDays.length,
      largestItemKb: round(largest / 1024, 1),
      reportMs: round(reportMs, 0),
      // The hubs' reads run concurrently: this is their summed time, an upper bound of the wait.
      readMs: round(readMs, 0),
      itemsRead: (c?.itemsRead ?? 0) - (b?.itemsRead ?? 0),
      readUnits: round((c?.readUnits ?? 0) - (b?.readUnits ?? 0), 1),
      readMb: round(((c?.bytesRead ?? 0) - (b?.bytesRead ?? 0)) / 2 ** 20, 2),
    };
  } finally {
    await raw.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    raw.destroy();
    await proxy.close();
  }
}

/** The national report at `small` and `large` check-ins (default 10^4 and 10^6). */
export async function measureReportGrowth(options: { emulatorEndpoint: string; small: number; large: number; log: (line: string) => void }): Promise<ReportGrowthResult> {
  const small = await measureAt(options.emulatorEndpoint, options.small, options.log);
  const large = await measureAt(options.emulatorEndpoint, options.large, options.log);
  return {
    small,
    large,
    reportReadGrowth: round(large.readUnits / small.readUnits, 2),
    itemsReadGrowth: round(large.itemsRead / small.itemsRead, 2),
    latencyGrowth: round(large.reportMs / small.reportMs, 2),
  };
}
