/**
 * Progress of `npm run simulate` where no progress bar can be drawn (stdout or stderr is not a
 * terminal: a log file, CI): one plain line every `step` per cent, and at the end.
 */
export function progressLines(total: number, log: (line: string) => void, o: { step?: number; now?: () => number } = {}) {
  const step = o.step ?? 5;
  const now = o.now ?? (() => performance.now());
  const started = now();
  let done = 0;
  let printed = -1;
  return function increment(hub?: string) {
    done++;
    const percent = total > 0 ? Math.floor((done * 100) / total) : 100;
    const due = Math.floor(percent / step) * step;
    if (due <= printed) return;
    printed = due;
    const seconds = (now() - started) / 1000;
    // No estimate on the first line: the first requests include setting up (tokens, the first morning).
    const left = due > 0 && done < total ? ` | about ${Math.round((seconds / done) * (total - done))} s left` : '';
    log(`simulate: ${String(due).padStart(3)} % | ${done}/${total} actions | ${Math.round(seconds)} s${left}${hub ? ` | ${hub}` : ''}`);
  };
}
