/**
 * `npm run bench` (`-- --quick` for about a minute): issue 13's measurements in one run — API
 * over the storage floor, cold starts, report read growth, the AWS cost model, the research query
 * and the idle CPU of the local runtime. Prints a table and writes `bench/results.json`
 * (not committed). `--only=throughput,cold-start,…` runs a subset (for working on one part).
 * docs/performance.md explains each number.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../infra/constructs/function.ts';
import { startEmulator } from '../local/dynamodb/emulator.ts';
import { machineLine } from './machine.ts';
import { measureColdStarts, type ColdStartResult } from './cold-start.ts';
import { countFixedResources, loadPrices, monthlyBill, total, variableCost } from './cost.ts';
import { synthTemplates } from '../local/synth.ts';
import { measureIdle, type IdleResult } from './idle.ts';
import { measureResearchQuery, type ResearchResult } from './research.ts';
import { measureReportGrowth, type ReportGrowthResult } from './report-growth.ts';
import { measureThroughput, type ThroughputResult } from './throughput.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const want = (part: string) => !only || only.includes(part);
const log = (line: string) => console.error(`[bench] ${line}`);

const machine = machineLine();
const started = Date.now();
const emulator = await startEmulator({ inMemory: true, log });
const results: Record<string, unknown> = { machine, quick };
let throughput: ThroughputResult | undefined;
let cold: ColdStartResult | undefined;
let growth: ReportGrowthResult | undefined;
let research: ResearchResult | undefined;
let idle: IdleResult | undefined;
try {
  if (want('throughput')) {
    throughput = await measureThroughput({ emulatorEndpoint: emulator.endpoint, quick, log });
    const ci = throughput.comparisons.filter((c) => c.operation === 'check-in');
    results.apiOverRawThroughput = Math.min(...ci.map((c) => c.ratio));
    results.apiP99Ms = Math.max(...ci.map((c) => c.api.p99Ms));
    results.rawP99Ms = Math.max(...ci.map((c) => c.raw.p99Ms));
    results.ddbCallsPerCheckIn = throughput.ddbCallsPerCheckIn;
    results.ddbCallsPerBooking = throughput.ddbCallsPerBooking;
    results.throughput = throughput;
  }
  if (want('cold-start')) {
    cold = await measureColdStarts({ emulatorEndpoint: emulator.endpoint, runs: quick ? 1 : 3, log });
    results.maxBundleKb = cold.maxBundleKb;
    results.maxFirstInvokeMs = cold.maxFirstInvokeMs;
    results.coldStart = cold;
  }
  if (want('report-growth')) {
    // 10^6 check-ins (the size) take more than ten minutes in DynamoDB Local: `--report-large=1000000`.
    const large = Number(args.find((a) => a.startsWith('--report-large='))?.slice('--report-large='.length) ?? (quick ? 20_000 : 100_000));
    growth = await measureReportGrowth({ emulatorEndpoint: emulator.endpoint, small: quick ? 1_000 : 10_000, large, log });
    results.reportReadGrowth = growth.reportReadGrowth;
    results.reportGrowth = growth;
  }
  if (want('research')) {
    research = await measureResearchQuery({ rows: 1_000_000, runs: quick ? 1 : 3, log });
    results.researchQueryMs = research.researchQueryMs;
    results.research = research;
  }
} finally {
  await emulator.stop();
}
// Last, with the bench's own emulator stopped: nothing else of the bench runs meanwhile.
if (want('idle')) {
  idle = await measureIdle({ seconds: quick ? 15 : 60, log });
  results.idleCpuPercent = idle.idleCpuPercent;
  results.idle = idle;
}
let cost: ReturnType<typeof costOf> | undefined;
/** The cost model over the throughput run's sequential phases and the templates' fixed resources. */
function costOf(t: ThroughputResult) {
  const { taken, prices } = loadPrices();
  const checkIn = variableCost(t.checkInUsage, prices);
  const booking = variableCost(t.bookingUsage, prices);
  const fixed = countFixedResources(synthTemplates());
  // The business metrics: the names of BusinessMetric (functions/shared/observability.ts), one series per hub.
  const bill = monthlyBill(fixed, total(checkIn), total(booking), prices, 3);
  return { pricesTaken: taken, per1000CheckIns: Object.fromEntries(Object.entries(checkIn).map(([k, v]) => [k, v * 1000])), per1000Bookings: Object.fromEntries(Object.entries(booking).map(([k, v]) => [k, v * 1000])), usdPer1000CheckIns: total(checkIn) * 1000, usdPer1000Bookings: total(booking) * 1000, fixed, bill };
}
if (throughput && want('cost')) {
  cost = costOf(throughput);
  results.usdPer1000CheckIns = Number(cost.usdPer1000CheckIns.toFixed(5));
  results.usdPer1000Bookings = Number(cost.usdPer1000Bookings.toFixed(5));
  results.usdPerMonthNetwork = cost.bill.total;
  results.cost = cost;
}
results.seconds = Math.round((Date.now() - started) / 1000);

writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`machine: ${machine}`);
if (throughput) {
  console.log('\n| operation | in flight | API /s | raw /s | API ÷ raw | API p50 / p99 ms | raw p50 / p99 ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const c of throughput.comparisons) {
    console.log(`| ${c.operation} | ${c.concurrency} | ${c.api.perSecond} | ${c.raw.perSecond} | ${c.ratio} | ${c.api.p50Ms} / ${c.api.p99Ms} | ${c.raw.p50Ms} / ${c.raw.p99Ms} |`);
  }
  console.log(`\nDynamoDB round trips per check-in: ${throughput.ddbCallsPerCheckIn} ${JSON.stringify(throughput.checkInCalls)}; per booking: ${throughput.ddbCallsPerBooking} ${JSON.stringify(throughput.bookingCalls)}`);
}
if (cold) {
  console.log(`\n| function | bundle KB | map KB | Node boot ms | import ms | first invoke ms | import + invoke ms | answer |`);
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const f of cold.functions) console.log(`| ${f.name} | ${f.bundleKb} | ${f.sourceMapKb} | ${f.bootMs} | ${f.importMs} | ${f.invokeMs} | ${f.firstInvokeMs} | ${f.answer} |`);
}
if (growth) {
  console.log(`\n| national report, 1 year by month | check-ins | hub-days | largest item KB | latency ms | of which reads ms | items read | read units | MB read |`);
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [label, r] of [['small', growth.small], ['large', growth.large]] as const) {
    console.log(`| ${label} | ${r.checkIns} | ${r.hubDays} | ${r.largestItemKb} | ${r.reportMs} | ${r.readMs} | ${r.itemsRead} | ${r.readUnits} | ${r.readMb} |`);
  }
  console.log(`read growth (units) ×${growth.reportReadGrowth}, items ×${growth.itemsReadGrowth}, latency ×${growth.latencyGrowth}`);
}
if (cost) {
  const fmt = (n: number) => `$${n.toFixed(5)}`;
  console.log(`\n| cost line (prices of ${cost.pricesTaken}) | per 1,000 check-ins | per 1,000 bookings |`);
  console.log('|---|---:|---:|');
  for (const k of Object.keys(cost.per1000CheckIns)) console.log(`| ${k} | ${fmt(cost.per1000CheckIns[k] ?? 0)} | ${fmt(cost.per1000Bookings[k] ?? 0)} |`);
  console.log(`| **total** | **${fmt(cost.usdPer1000CheckIns)}** | **${fmt(cost.usdPer1000Bookings)}** |`);
  console.log(`\n| monthly bill at the seed's scale (${JSON.stringify(cost.fixed)}) | USD |`);
  console.log('|---|---:|');
  for (const [k, v] of Object.entries(cost.bill.lines).sort((a, b) => b[1] - a[1])) console.log(`| ${k} | ${v.toFixed(2)} |`);
  console.log(`| **total** (dominant: ${cost.bill.dominant}) | **${cost.bill.total.toFixed(2)}** |`);
}
if (research) console.log(`\nresearch query (hub × ISO week × organisation type) over ${research.rows} visit rows in ${research.parquetFiles} Parquet files: ${research.researchQueryMs} ms (${research.withoutDedupMs} ms without the lake view's dedup by row_id; ${research.groups} groups; writing them took ${research.writeMs} ms)`);
if (idle) console.log(`\nidle npm start over ${idle.seconds} s: runtime ${idle.runtimeCpuPercent} % of a core, DynamoDB Local ${idle.dynamoCpuPercent} %`);
console.log(`\nresults: bench/results.json (${results.seconds} s)`);
