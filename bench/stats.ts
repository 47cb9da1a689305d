/** Small statistics helpers of the bench (pure). */

/** The q-quantile (0..1) of a list of numbers, nearest rank; NaN for an empty list. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Rounds to `digits` decimals. */
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The outcome of running `count` operations with at most `concurrency` in flight. */
export interface LoadResult {
  count: number;
  concurrency: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
}

/**
 * Runs `op(i)` for i in 0..count-1 with exactly `concurrency` workers pulling from one counter
 * (a closed loop: sustained throughput at fixed concurrency). An op that throws or returns false is a failure.
 */
export async function runLoad(count: number, concurrency: number, op: (i: number) => Promise<boolean>): Promise<LoadResult> {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= count) return;
        const s = performance.now();
        let ok = false;
        try {
          ok = await op(i);
        } catch {
          ok = false;
        }
        latencies.push(performance.now() - s);
        if (!ok) failures++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { count, concurrency, seconds: round(seconds, 3), perSecond: round(count / seconds, 1), p50Ms: round(quantile(latencies, 0.5)), p99Ms: round(quantile(latencies, 0.99)), failures };
}
