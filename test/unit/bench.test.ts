import { describe, expect, it } from 'vitest';
import { ASSUMPTIONS, countFixedResources, loadPrices, monthlyBill, SEED_SCALE, total, variableCost } from '../../bench/cost.ts';
import { capacityOf, diffCounts } from '../../bench/ddb-proxy.ts';
import { processes, tree } from '../../bench/idle.ts';
import { quantile, runLoad } from '../../bench/stats.ts';
import type { PhaseUsage } from '../../bench/throughput.ts';
import type { CfnTemplate } from '../../local/cfn.ts';

const { prices } = loadPrices();

describe('bench statistics', () => {
  it('takes nearest-rank quantiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('runs exactly count operations with at most `concurrency` in flight, counting failures', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    const r = await runLoad(20, 4, async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((res) => setTimeout(res, 1));
      inFlight--;
      seen.push(i);
      if (i === 3) throw new Error('boom');
      return i % 5 !== 0;
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(most).toBe(4);
    expect(r.failures).toBe(5); // 0, 5, 10, 15 refused and 3 thrown
    expect(r.count).toBe(20);
  });
});

describe('the counting proxy', () => {
  it('sums capacity units of single answers, batches and transactions', () => {
    expect(capacityOf({ ConsumedCapacity: { TableName: 't', CapacityUnits: 1.5 } })).toBe(1.5);
    expect(capacityOf({ ConsumedCapacity: [{ CapacityUnits: 6 }, { CapacityUnits: 2 }] })).toBe(8);
    expect(capacityOf({})).toBe(0);
  });

  it('subtracts counters per caller and operation, leaving out callers with nothing new', () => {
    const c = (requests: number, get: number) => ({ requests, byOperation: { GetItem: get }, readUnits: get, writeUnits: 0, itemsRead: get, bytesRead: 10 * get });
    expect(diffCounts({ a: c(5, 5), b: c(2, 2) }, { a: c(3, 3), b: c(2, 2) })).toEqual({ a: { requests: 2, byOperation: { GetItem: 2 }, readUnits: 2, writeUnits: 0, itemsRead: 2, bytesRead: 20 } });
  });
});

describe('the cost model', () => {
  const usage: PhaseUsage = {
    operations: 1000,
    dynamo: {
      fn: { requests: 5000, byOperation: {}, readUnits: 2000, writeUnits: 10_000, itemsRead: 0, bytesRead: 0 },
      runtime: { requests: 100, byOperation: {}, readUnits: 0, writeUnits: 0, itemsRead: 0, bytesRead: 0 },
    },
    invocations: { api: { count: 1000, totalMs: 100_000, memoryMb: 512 } },
    busEvents: 2000,
    pipeRecords: 1000,
    apiRequests: 1000,
  };

  it('prices each line from the measured usage at the listed prices', () => {
    const lines = variableCost(usage, prices);
    const price = (k: string) => prices[k]?.usd ?? Number.NaN;
    expect(lines.dynamoWrites).toBeCloseTo((10_000 * price('dynamoWriteRequestUnitPerMillion')) / 1e6 / 1000, 12);
    expect(lines.dynamoReads).toBeCloseTo((2000 * price('dynamoReadRequestUnitPerMillion')) / 1e6 / 1000, 12);
    // 100 s at 0.5 GB = 50 GB-s over 1,000 operations.
    expect(lines.lambdaDuration).toBeCloseTo((50 * price('lambdaArmGbSecond')) / 1000, 12);
    expect(lines.lambdaRequests).toBeCloseTo(price('lambdaRequestPerMillion') / 1e6, 12);
    expect(lines.eventBridge).toBeCloseTo((2 * price('eventBridgeEventsPerMillion')) / 1e6, 12);
    expect(lines.apiGateway).toBeCloseTo(price('httpApiRequestsPerMillion') / 1e6, 12);
    const logGb = ASSUMPTIONS.logBytesPerInvocation / 2 ** 30;
    expect(lines.logs).toBeCloseTo(logGb * (price('logsIngestGb') + ASSUMPTIONS.logRetentionMonths * price('logsStorageGbMonth')), 14);
    expect(total(lines)).toBeCloseTo(Object.values(lines).reduce((a, b) => a + b, 0), 14);
  });

  it('counts the priced resources of the templates', () => {
    const t = (types: string[]): CfnTemplate => ({ Resources: Object.fromEntries(types.map((Type, i) => [`R${i}`, { Type }])) }) as CfnTemplate;
    const fixed = countFixedResources({ a: t(['AWS::KMS::Key', 'AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Alarm']), b: t(['AWS::KMS::Key', 'AWS::CloudWatch::Dashboard', 'AWS::Lambda::Function']) });
    expect(fixed).toMatchObject({ kmsKeys: 2, alarms: 2, dashboards: 1, functions: 1, secrets: 0 });
  });

  it('bills the seed scale: fixed lines from the counts, variable ones from the volume, and names the largest', () => {
    const bill = monthlyBill({ kmsKeys: 7, alarms: 100, dashboards: 5, secrets: 1, userPools: 1, distributions: 0 }, 0.0001, 0.0002, prices, 3);
    const days = ASSUMPTIONS.openDaysPerMonth;
    expect(bill.lines['KMS keys']).toBeCloseTo(7 * (prices.kmsKeyMonth?.usd ?? 0), 4);
    expect(bill.lines['CloudWatch alarms']).toBeCloseTo(100 * (prices.alarmMonth?.usd ?? 0), 4);
    expect(bill.lines['CloudWatch dashboards']).toBeCloseTo(2 * (prices.dashboardMonth?.usd ?? 0), 4); // the first three are free
    expect(bill.lines['check-ins and check-outs']).toBeCloseTo(SEED_SCALE.hubs * SEED_SCALE.checkInsPerDay * days * 0.0001 * 2, 4);
    expect(bill.lines.bookings).toBeCloseTo(SEED_SCALE.hubs * SEED_SCALE.bookingsPerDay * days * 0.0002, 4);
    expect(bill.dominant).toBe('CloudWatch alarms');
    expect(bill.total).toBeCloseTo(total(bill.lines), 1);
  });

  it('keeps a date and a source or an assumption with every price', () => {
    const file = loadPrices();
    expect(file.taken).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const [name, p] of Object.entries(file.prices)) {
      expect(typeof p.usd, name).toBe('number');
      expect(Boolean(p.source || p.assumed), name).toBe(true);
    }
  });
});

describe('idle CPU sampling', () => {
  it('finds this process and its descendants in /proc', () => {
    const all = processes();
    const me = all.find((p) => p.pid === process.pid);
    expect(me?.ticks).toBeGreaterThan(0);
    expect(tree(process.pid, all).has(process.pid)).toBe(true);
    expect(tree(process.pid, all).has(1)).toBe(false);
  });
});
