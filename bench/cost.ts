/**
 * Issue 13 part 4: what the network costs on AWS, modelled from what the bench measured (capacity
 * units via ReturnConsumedCapacity, invocations and their durations at the configured memory on
 * arm64, bus events, pipe records, API requests) at the list prices of bench/prices-eu-north-1.json,
 * plus the fixed resources counted in the synthesized templates. Pure functions but `loadPrices`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnTemplate } from '../local/cfn.ts';
import { round } from './stats.ts';
import type { PhaseUsage } from './throughput.ts';

export type Prices = Record<string, { usd: number; source?: string; assumed?: string }>;

/** The price list kept beside this file. */
export function loadPrices(): { taken: string; prices: Prices } {
  return JSON.parse(readFileSync(join(import.meta.dirname, 'prices-eu-north-1.json'), 'utf8'));
}

/** Modelling assumptions that the local run cannot measure (docs/performance.md). */
export const ASSUMPTIONS = {
  /** CloudWatch Logs bytes per invocation as deployed (START/END/REPORT lines, one INFO line, EMF): not measured locally (the bench runs silent). */
  logBytesPerInvocation: 1024,
  /** Months of log retention (the functions' log groups keep three months). */
  logRetentionMonths: 3,
  /** Open days a month (weekdays). */
  openDaysPerMonth: 22,
  /** A check-out costs what a check-in costs (a transaction of visit + presence + outbox, the same consumers). */
  checkOutAsCheckIn: true,
  /** A hub event costs what this many bookings cost (registrations, reminders, attendance). */
  bookingsPerHubEvent: 20,
  /** Item bytes kept per check-in (hub table, reporting facts, research rows) — storage. */
  storedBytesPerCheckIn: 2048,
} as const;

/** The seed's scale (DESIGN.md): six hubs, 250 members each, a day's check-ins and bookings, events a week per hub. */
export const SEED_SCALE = { hubs: 6, membersPerHub: 250, checkInsPerDay: 60, bookingsPerDay: 20, eventsPerWeek: 2 } as const;

const p = (prices: Prices, key: string) => {
  const v = prices[key];
  if (!v) throw new Error(`No price ${key} in bench/prices-eu-north-1.json`);
  return v.usd;
};

/** Dollars per operation by line, from one measured phase. */
export function variableCost(usage: PhaseUsage, prices: Prices): Record<string, number> {
  const ops = usage.operations || 1;
  const callers = Object.values(usage.dynamo);
  const rru = callers.reduce((n, c) => n + c.readUnits, 0);
  const wru = callers.reduce((n, c) => n + c.writeUnits, 0);
  const invocations = Object.values(usage.invocations);
  const count = invocations.reduce((n, c) => n + c.count, 0);
  const gbSeconds = invocations.reduce((n, c) => n + (c.totalMs / 1000) * (c.memoryMb / 1024), 0);
  const logGb = (count * ASSUMPTIONS.logBytesPerInvocation) / 2 ** 30;
  return {
    dynamoWrites: (wru * p(prices, 'dynamoWriteRequestUnitPerMillion')) / 1e6 / ops,
    dynamoReads: (rru * p(prices, 'dynamoReadRequestUnitPerMillion')) / 1e6 / ops,
    lambdaRequests: (count * p(prices, 'lambdaRequestPerMillion')) / 1e6 / ops,
    lambdaDuration: (gbSeconds * p(prices, 'lambdaArmGbSecond')) / ops,
    eventBridge: (usage.busEvents * p(prices, 'eventBridgeEventsPerMillion')) / 1e6 / ops,
    pipes: (usage.pipeRecords * p(prices, 'pipesRequestsPerMillion')) / 1e6 / ops,
    apiGateway: (usage.apiRequests * p(prices, 'httpApiRequestsPerMillion')) / 1e6 / ops,
    xray: (usage.apiRequests * p(prices, 'xrayTracesPerMillion')) / 1e6 / ops,
    logs: (logGb * (p(prices, 'logsIngestGb') + ASSUMPTIONS.logRetentionMonths * p(prices, 'logsStorageGbMonth'))) / ops,
  };
}

/** Sum of the lines. */
export const total = (lines: Record<string, number>) => Object.values(lines).reduce((a, b) => a + b, 0);

/** Fixed resources that have a monthly price, counted in the synthesized templates. */
export function countFixedResources(templates: Record<string, CfnTemplate>): Record<string, number> {
  const count = (type: string) => Object.values(templates).reduce((n, t) => n + Object.values(t.Resources).filter((r) => r.Type === type).length, 0);
  return {
    kmsKeys: count('AWS::KMS::Key'),
    alarms: count('AWS::CloudWatch::Alarm'),
    dashboards: count('AWS::CloudWatch::Dashboard'),
    secrets: count('AWS::SecretsManager::Secret'),
    userPools: count('AWS::Cognito::UserPool'),
    distributions: count('AWS::CloudFront::Distribution'),
    tables: count('AWS::DynamoDB::Table'),
    logGroups: count('AWS::Logs::LogGroup'),
    busArchives: count('AWS::Events::Archive'),
    pipes: count('AWS::Pipes::Pipe'),
    functions: count('AWS::Lambda::Function'),
  };
}

/** The monthly bill of the network at the seed's scale: fixed lines from the templates, variable lines from the measured costs. */
export function monthlyBill(fixed: Record<string, number>, perCheckIn: number, perBooking: number, prices: Prices, businessMetrics: number): { lines: Record<string, number>; total: number; dominant: string } {
  const s = SEED_SCALE;
  const checkIns = s.hubs * s.checkInsPerDay * ASSUMPTIONS.openDaysPerMonth;
  const bookings = s.hubs * s.bookingsPerDay * ASSUMPTIONS.openDaysPerMonth;
  const events = s.hubs * s.eventsPerWeek * (52 / 12);
  const storedGb = (checkIns * 12 * ASSUMPTIONS.storedBytesPerCheckIn) / 2 ** 30; // a year kept
  const lines: Record<string, number> = {
    'check-ins and check-outs': checkIns * perCheckIn * (ASSUMPTIONS.checkOutAsCheckIn ? 2 : 1),
    bookings: bookings * perBooking,
    'hub events': events * ASSUMPTIONS.bookingsPerHubEvent * perBooking,
    'KMS keys': (fixed.kmsKeys ?? 0) * p(prices, 'kmsKeyMonth'),
    'CloudWatch alarms': (fixed.alarms ?? 0) * p(prices, 'alarmMonth'),
    'CloudWatch dashboards': Math.max(0, (fixed.dashboards ?? 0) - 3) * p(prices, 'dashboardMonth'),
    'business metrics (EMF)': businessMetrics * s.hubs * p(prices, 'customMetricMonth'),
    'Secrets Manager': (fixed.secrets ?? 0) * p(prices, 'secretMonth'),
    'Cognito (staff inside the free MAU)': (fixed.userPools ?? 0) * 0,
    CloudFront: (fixed.distributions ?? 0) * p(prices, 'cloudFrontMonth'),
    'DynamoDB storage + PITR (a year of data)': storedGb * (p(prices, 'dynamoStorageGbMonth') + p(prices, 'dynamoPitrGbMonth')),
  };
  for (const k of Object.keys(lines)) lines[k] = round(lines[k] as number, 4);
  const dominant = Object.entries(lines).sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  return { lines, total: round(total(lines), 2), dominant };
}
