/**
 * `npm run reporting:rebuild` — replays the national archive into a fresh projection and checks
 * that it gives the same numbers as the live one (docs/reporting.md, "Rebuild").
 *
 *   npm run reporting:rebuild                       # replay .data/archive, compare with http://127.0.0.1:3000
 *   npm run reporting:rebuild -- --archive <file.jsonl> --url <base> --from <date> --to <date>
 *   npm run reporting:rebuild -- --no-compare       # just replay and print the totals
 *
 * The live report is read over HTTP from the running local network (`npm start`), with a
 * national token from the local identity provider; the replay goes into a fresh in-memory
 * projection built by the same fact operations as the DynamoDB one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadIdp } from '../../local/idp.ts';
import { loadAllHubs } from '../shared/hub-config.ts';
import { MemoryProjection } from './memory.ts';
import { addDays } from './periods.ts';
import { buildReport, type Report } from './report.ts';

/** Replays an archive file (one EventBridge event per line) into a fresh projection. */
export function replay(file: string, projection: MemoryProjection): { events: number; applied: number; dates: string[] } {
  let events = 0;
  let applied = 0;
  const dates = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as { 'detail-type': string; source: string; detail: { metadata: { eventId: string }; data: { localDate?: string } } };
    if (!event.source.startsWith('samverkan.hub.')) continue;
    events++;
    if (projection.apply(event['detail-type'], event.detail)) applied++;
    if (event.detail.data.localDate) dates.add(event.detail.data.localDate);
  }
  return { events, applied, dates: [...dates].sort() };
}

/** The numbers two reports must agree on: every published measure of every hub and of the network. */
const comparable = (r: Report) => ({ hubs: r.hubs.map((h) => ({ hubId: h.hubId, total: h.total, periods: h.periods, days: h.days })), network: r.network, totals: r.totals });

/** JSON with object keys sorted: the live report (over HTTP) and the rebuilt one may list keys in another order. */
export function canonicalJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, sorted(x)])) : v;
  return JSON.stringify(sorted(JSON.parse(JSON.stringify(value))));
}

/** Whether two reports hold the same numbers (whatever the order of their keys). */
export const sameNumbers = (live: Report, rebuilt: Report) => canonicalJson(comparable(live)) === canonicalJson(comparable(rebuilt));

const USAGE = `Usage: npm run reporting:rebuild -- [--archive <file>] [--url <running network>] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--no-compare]
Replays the national archive (default .data/archive/samverkan-national-all.jsonl: kept by a network
started with persistent data, npm start or npm start -- --simulation, not by start:fresh or
start:simulation, which keep everything in memory) into a fresh projection and compares its report
with the live one.`;

async function main() {
  const options = {
    archive: { type: 'string', default: join('.data', 'archive', 'samverkan-national-all.jsonl') },
    url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? 3000}` },
    from: { type: 'string' },
    to: { type: 'string' },
    'no-compare': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  } as const;
  let values: ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];
  try {
    values = parseArgs({ options }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    process.exit(1);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!existsSync(values.archive)) {
    console.error(`No archive at ${values.archive}: start the network (npm start) with persistent data and make some traffic first.`);
    process.exit(1);
  }
  const hubs = loadAllHubs();
  const projection = new MemoryProjection(hubs);
  const { events, applied, dates } = replay(values.archive, projection);
  const to = values.to ?? dates.at(-1);
  // The API serves at most 366 days at a time: compare the last year of the history.
  const from = values.from ?? (dates[0] && to && dates[0] < addDays(to, -365) ? addDays(to, -365) : dates[0]);
  console.log(`Replayed ${events} archived events (${applied} distinct) into a fresh projection.`);
  if (!from || !to) return;
  const rebuilt = await buildReport(projection, hubs, { from, to, period: 'month' });
  console.table(rebuilt.hubs.map((h) => ({ hub: h.hubId, checkIns: h.total.checkIns, visitors: h.total.uniqueVisitors, hours: h.total.visitHours, bookings: h.total.bookings.made, pairDays: h.total.coPresence.pairDays })));
  if (values['no-compare']) return;
  const idp = await loadIdp(join('.data', 'local-idp'));
  const token = await idp.sign({ role: 'national' });
  const res = await fetch(`${values.url}/api/national/reports?from=${from}&to=${to}&period=month`, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
  if (!res?.ok) {
    console.error(`Could not read the live report from ${values.url} (${res?.status ?? 'not running'}); start the network or pass --no-compare.`);
    process.exit(1);
  }
  const live = (await res.json()) as Report;
  if (sameNumbers(live, rebuilt)) {
    console.log(`The rebuilt projection gives the same numbers as the live one, ${from} – ${to}.`);
    return;
  }
  console.error('The rebuilt projection differs from the live one:');
  for (const h of rebuilt.hubs) {
    const l = live.hubs.find((x) => x.hubId === h.hubId);
    if (canonicalJson(l?.total ?? null) !== canonicalJson(h.total)) console.error(`  ${h.hubId}: live    ${JSON.stringify(l?.total)}\n  ${h.hubId}: rebuilt ${JSON.stringify(h.total)}`);
  }
  process.exit(2);
}

if (process.argv[1]?.endsWith('rebuild-cli.ts')) await main();
