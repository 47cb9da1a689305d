/** Retry timing of the local bus and pipes (AWS waits minutes; locally we wait milliseconds). */
export interface RetryTiming {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The default local retry timing. */
export const DEFAULT_TIMING: RetryTiming = { baseDelayMs: 100, maxDelayMs: 5_000 };

/** Exponential backoff with full jitter for the given attempt (1-based). */
export function backoff(timing: RetryTiming, attempt: number): number {
  const cap = Math.min(timing.maxDelayMs, timing.baseDelayMs * 2 ** Math.min(attempt - 1, 20));
  return cap / 2 + Math.random() * (cap / 2);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
