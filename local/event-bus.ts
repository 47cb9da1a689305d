import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { memoryDeliveries, type DeliveryStore, type PendingDelivery } from './delivery-queue.ts';
import { matches } from './event-pattern.ts';
import type { LocalQueues } from './queues.ts';
import { backoff, sleep, type RetryTiming } from './timing.ts';

/** An event as EventBridge delivers it to targets. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** One entry of a PutEvents call. */
export interface PutEntry {
  source: string;
  detailType: string;
  detail: unknown;
  time?: string;
  resources?: string[];
}

/** A rule target as the template declares it. */
export interface TargetDef {
  id: string;
  kind: 'lambda' | 'event-bus';
  /** Function name or bus name. */
  name: string;
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
  deadLetterArn?: string;
}

/** A rule as the template declares it. */
export interface RuleDef {
  name: string;
  busName: string;
  pattern: unknown;
  enabled: boolean;
  targets: TargetDef[];
}

/** An archive as the template declares it. */
export interface ArchiveDef {
  name: string;
  busName: string;
  pattern?: unknown;
}

/** The bus refused a PutEvents call (injected fault). */
export class BusUnavailableError extends Error {
  constructor(readonly busName: string) {
    super(`Event bus ${busName} is unavailable (injected fault)`);
    this.name = 'ServiceUnavailable';
  }
}

/** What the bus needs from the rest of the local runtime. */
export interface BusDeps {
  /** Invokes a function asynchronously (Event): Lambda's own retries and DLQ apply. */
  invokeAsync(functionName: string, event: BusEvent): Promise<void>;
  queues: LocalQueues;
  timing: RetryTiming;
  account: string;
  region: string;
  archiveDir?: string;
  /** Where accepted deliveries wait for their targets; default: in memory only. */
  deliveries?: DeliveryStore;
  log(message: string): void;
}

/** Counters for tests and the console. */
export interface BusStats {
  put: number;
  matched: number;
  delivered: number;
  retries: number;
  deadLettered: number;
  rejectedPuts: number;
}

/**
 * The local EventBridge: buses, rules and targets taken from the synthesized templates.
 * A rule's targets get every matching event with the target's retry policy (exponential
 * backoff until MaximumRetryAttempts or MaximumEventAgeInSeconds) and then its DLQ;
 * forwarding to another bus gives the event a new id, as on AWS. Faults can be injected
 * per bus to test that nothing is lost.
 *
 * Deliveries are durable when the bus has a file-backed DeliveryStore: PutEvents records every
 * (event, rule target) pair before it returns, a delivery is acknowledged only once its target
 * succeeded or it was dead-lettered, and `resume()` restarts what an earlier run left pending.
 * Delivery is at least once; a crash can repeat a delivery, never lose one.
 */
export class LocalEventBus {
  readonly stats: BusStats = { put: 0, matched: 0, delivered: 0, retries: 0, deadLettered: 0, rejectedPuts: 0 };
  readonly archived = new Map<string, BusEvent[]>();
  private readonly faults = new Map<string, { until?: number; remaining?: number }>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly deliveries: DeliveryStore;
  private stopped = false;

  constructor(
    readonly buses: Set<string>,
    readonly rules: RuleDef[],
    readonly archives: ArchiveDef[],
    private readonly deps: BusDeps,
  ) {
    if (deps.archiveDir) mkdirSync(deps.archiveDir, { recursive: true });
    this.deliveries = deps.deliveries ?? memoryDeliveries();
  }

  /** Restarts the deliveries an earlier run accepted and did not finish (after a crash or a stop). */
  resume(): number {
    let resumed = 0;
    for (const d of this.deliveries.pending()) {
      const rule = this.rules.find((r) => r.name === d.rule);
      const target = rule?.targets.find((t) => t.id === d.target);
      if (!rule || !target) {
        this.deps.log(`pending delivery ${d.key} to ${d.rule}/${d.target}: no such rule target any more, kept`);
        continue;
      }
      resumed++;
      this.track(this.deliver(rule, target, d as PendingDelivery<BusEvent>));
    }
    if (resumed > 0) this.deps.log(`resuming ${resumed} pending deliveries`);
    return resumed;
  }

  /** Makes PutEvents to a bus fail: for a duration, or for a number of calls. */
  injectFault(busName: string, fault: { forMs?: number; calls?: number }): void {
    this.faults.set(busName, { until: fault.forMs !== undefined ? Date.now() + fault.forMs : undefined, remaining: fault.calls });
  }

  /** Ends every injected fault. */
  clearFaults(): void {
    this.faults.clear();
  }

  private faulted(busName: string): boolean {
    const f = this.faults.get(busName);
    if (!f) return false;
    if (f.until !== undefined && Date.now() >= f.until) {
      this.faults.delete(busName);
      return false;
    }
    if (f.remaining !== undefined) {
      if (f.remaining <= 0) {
        this.faults.delete(busName);
        return false;
      }
      f.remaining--;
    }
    return true;
  }

  /** PutEvents: accepts the entries (or throws when the bus is unavailable) and routes them. */
  putEvents(busName: string, entries: PutEntry[]): { eventIds: string[] } {
    if (!this.buses.has(busName)) throw new Error(`No event bus named ${busName}`);
    if (this.faulted(busName)) {
      this.stats.rejectedPuts++;
      throw new BusUnavailableError(busName);
    }
    const eventIds: string[] = [];
    const events: BusEvent[] = [];
    const accepted: Array<{ rule: RuleDef; target: TargetDef; delivery: PendingDelivery<BusEvent> }> = [];
    const now = Date.now();
    for (const entry of entries) {
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.detailType,
        source: entry.source,
        account: this.deps.account,
        time: entry.time ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: this.deps.region,
        resources: entry.resources ?? [],
        detail: entry.detail,
      };
      eventIds.push(event.id);
      events.push(event);
      for (const rule of this.rules) {
        if (!rule.enabled || rule.busName !== busName || !matches(rule.pattern, event)) continue;
        this.stats.matched++;
        for (const target of rule.targets) accepted.push({ rule, target, delivery: { key: event.id, rule: rule.name, target: target.id, enqueuedAt: now, event } });
      }
    }
    // Durable before PutEvents answers: a crash after this point redelivers, never loses.
    this.deliveries.enqueue(accepted.map((a) => a.delivery));
    this.stats.put += events.length;
    for (const event of events) this.archive(busName, event);
    for (const { rule, target, delivery } of accepted) this.track(this.deliver(rule, target, delivery));
    return { eventIds };
  }

  private archive(busName: string, event: BusEvent): void {
    for (const a of this.archives) {
      if (a.busName !== busName || (a.pattern && !matches(a.pattern, event))) continue;
      const list = this.archived.get(a.name) ?? [];
      list.push(event);
      this.archived.set(a.name, list);
      if (this.deps.archiveDir) appendFileSync(join(this.deps.archiveDir, `${a.name}.jsonl`), `${JSON.stringify(event)}\n`);
    }
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    // then(f, f), not finally: a finally's promise rejects again with nobody to catch it.
    const done = () => this.inFlight.delete(p);
    p.then(done, done);
  }

  /** Delivers until the target takes the event or the retry policy gives up; then acknowledges. Left pending when the bus stops. */
  private async deliver(rule: RuleDef, target: TargetDef, delivery: PendingDelivery<BusEvent>): Promise<void> {
    const { event } = delivery;
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) return;
      try {
        if (target.kind === 'lambda') await this.deps.invokeAsync(target.name, event);
        else this.putEvents(target.name, [{ source: event.source, detailType: event['detail-type'], detail: event.detail, time: event.time, resources: event.resources }]);
        this.stats.delivered++;
        this.deliveries.ack(delivery);
        return;
      } catch (e) {
        if (this.stopped) return; // failed because the runtime is stopping: stays pending for the next start
        const tooOld = (Date.now() - delivery.enqueuedAt) / 1000 > target.maximumEventAgeSeconds;
        if (attempt > target.maximumRetryAttempts || tooOld) {
          this.stats.deadLettered++;
          if (target.deadLetterArn) {
            this.deps.queues.send(target.deadLetterArn, event, { RULE_ARN: rule.name, TARGET_ARN: target.name, ERROR_MESSAGE: (e as Error).message });
          } else this.deps.log(`event ${event.id} dropped after ${attempt} attempts to ${target.name} (no DLQ): ${(e as Error).message}`);
          this.deliveries.ack(delivery);
          return;
        }
        this.stats.retries++;
        await sleep(backoff(this.deps.timing, attempt));
      }
    }
  }

  /** Resolves when no delivery is in flight (deliveries started meanwhile are awaited too). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops retrying; pending deliveries end at their next attempt. */
  stop(): void {
    this.stopped = true;
  }
}
