import type { Clock } from '../domain/time.ts';

/**
 * The one clock the handlers give the domain ("now" for check-ins, bookings, events, report
 * ranges). On AWS it is the system clock and nothing else: no request can change it.
 *
 * The local runtime started with `--simulation` (docs/local-runtime.md, "Simulation clock")
 * installs a hook under this global symbol in its Lambda worker threads only
 * (local/lambda-worker.ts), which answers the simulated instant of the invocation in progress.
 * No code under functions/ installs the hook or reads any request header for it
 * (test/unit/simulation-clock.test.ts), so a deployed function cannot be told another time.
 */
export const SIMULATED_NOW_HOOK = Symbol.for('samverkan.local.simulated-now');

type Hook = () => Date | undefined;

/** Now: the system time, or locally under `--simulation` the simulated time of this invocation. */
export const clock: Clock = () => {
  const hook = (globalThis as Record<symbol, Hook | undefined>)[SIMULATED_NOW_HOOK];
  return hook?.() ?? new Date();
};
