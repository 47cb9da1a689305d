import type { LocalFunctions } from './lambda.ts';
import type { LocalQueues } from './queues.ts';
import { backoff, sleep, type RetryTiming } from './timing.ts';

/** An EventBridge Scheduler schedule as the template declares it. */
export interface ScheduleDef {
  name: string;
  expression: string;
  functionName: string;
  input?: string;
  maximumRetryAttempts: number;
  deadLetterArn?: string;
}

/** Parses `rate(15 minutes)`; other expressions (cron, at) run only when fired by hand. */
export function rateMs(expression: string): number | undefined {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (!m) return undefined;
  const name = m[2] ?? '';
  const unit = name.startsWith('minute') ? 60_000 : name.startsWith('hour') ? 3_600_000 : 86_400_000;
  return Number(m[1]) * unit;
}

/**
 * The local EventBridge Scheduler: runs `rate()` schedules on a timer and lets tests fire a
 * schedule as of any time. The target input's `<aws.scheduler.scheduled-time>` and
 * `<aws.scheduler.execution-id>` placeholders are filled in as on AWS; failures are retried,
 * then dead-lettered.
 */
export class LocalScheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private seq = 0;

  constructor(
    readonly schedules: ScheduleDef[],
    private readonly deps: { functions: LocalFunctions; queues: LocalQueues; timing: RetryTiming; log(message: string): void },
  ) {}

  /** Starts the timers of the rate schedules. */
  start(): void {
    for (const s of this.schedules) {
      const every = rateMs(s.expression);
      if (every === undefined) {
        this.deps.log(`schedule ${s.name}: "${s.expression}" runs only when fired by hand locally`);
        continue;
      }
      const timer = setInterval(() => void this.fire(s.name, new Date()), every);
      timer.unref();
      this.timers.push(timer);
    }
  }

  /**
   * Runs one schedule now, as if it was due at `at`; resolves when the invocation has settled.
   * `simulated` (runtime under `--simulation`): the function's clock is at `at` too.
   */
  fire(name: string, at: Date = new Date(), opts: { simulated?: boolean } = {}): Promise<void> {
    const s = this.schedules.find((x) => x.name === name || x.name.endsWith(`/${name}`));
    if (!s) throw new Error(`No schedule ${name}`);
    const executionId = `local-${++this.seq}`;
    const input = (s.input ?? '{}').replaceAll('<aws.scheduler.scheduled-time>', at.toISOString().replace(/\.\d{3}Z$/, 'Z')).replaceAll('<aws.scheduler.execution-id>', executionId);
    const run = this.invoke(s, JSON.parse(input), opts.simulated ? at : undefined);
    this.inFlight.add(run);
    // then(f, f), not finally: a finally's promise rejects again with nobody to catch it.
    const done = () => this.inFlight.delete(run);
    run.then(done, done);
    return run;
  }

  private async invoke(s: ScheduleDef, event: unknown, simulatedNow?: Date): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.functions.invoke(s.functionName, event, simulatedNow ? { simulatedNow } : {});
        return;
      } catch (e) {
        if (attempt > s.maximumRetryAttempts) {
          if (s.deadLetterArn) this.deps.queues.send(s.deadLetterArn, event, { SCHEDULE: s.name, ERROR_MESSAGE: (e as Error).message });
          else this.deps.log(`schedule ${s.name}: gave up after ${attempt} attempts: ${(e as Error).message}`);
          return;
        }
        await sleep(backoff(this.deps.timing, attempt));
      }
    }
  }

  /** Resolves when no scheduled invocation is running. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  stop(): void {
    this.timers.forEach(clearInterval);
  }
}
