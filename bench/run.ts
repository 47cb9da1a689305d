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
    growth = await measureReportGrowth({ emulatorEndpoint: emulator.endpoint, small: quick ? 1_000 : 10_000, large: quick ? 100_000 : 1_000_000, log });
    results.reportReadGrowth = growth.reportReadGrowth;
    results.reportGrowth = growth;
  }
} finally {
  await emulator.stop();
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
console.log(`\nresults: bench/results.json (${results.seconds} s)`);
