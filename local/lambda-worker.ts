/**
 * One local "Lambda container": a worker thread with the function's own environment that
 * imports the handler source once and answers invocations, like a warm Lambda.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { SIMULATED_NOW_HOOK } from '../functions/shared/clock.ts';

interface Init {
  entryPath: string;
  handlerName: string;
  functionName: string;
  memorySize: number;
  /** The runtime was started with `--simulation`: invocations may carry a simulated "now". */
  simulation?: boolean;
}

const init = workerData as Init;
const port = parentPort;
if (!port) throw new Error('lambda-worker must run in a worker thread');

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * The simulation clock (docs/local-runtime.md): under `--simulation` an invocation may carry
 * the instant it happens at; the functions' `clock()` then answers that instant plus the time
 * the invocation has run, for that invocation only (overlapping invocations keep their own).
 */
const simulated = new AsyncLocalStorage<{ at: number; since: number }>();
if (init.simulation) {
  (globalThis as Record<symbol, unknown>)[SIMULATED_NOW_HOOK] = () => {
    const s = simulated.getStore();
    return s ? new Date(s.at + (performance.now() - s.since)) : undefined;
  };
}

let handler: Handler;
try {
  const mod = (await import(pathToFileURL(init.entryPath).href)) as Record<string, unknown>;
  const fn = mod[init.handlerName];
  if (typeof fn !== 'function') throw new Error(`${init.entryPath} does not export a function "${init.handlerName}"`);
  handler = fn as Handler;
  port.postMessage({ type: 'ready' });
} catch (e) {
  const err = e as Error;
  port.postMessage({ type: 'init-error', error: { name: err.name, message: err.message, stack: err.stack } });
  throw e;
}

port.on('message', async (msg: { id: number; event: unknown; deadline: number; requestId: string; simulatedNow?: string }) => {
  const context = {
    functionName: init.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${init.functionName}`,
    memoryLimitInMB: String(init.memorySize),
    awsRequestId: msg.requestId,
    logGroupName: `/aws/lambda/${init.functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, msg.deadline - Date.now()),
  };
  try {
    const at = init.simulation && msg.simulatedNow ? Date.parse(msg.simulatedNow) : Number.NaN;
    const result = Number.isNaN(at) ? await handler(msg.event, context) : await simulated.run({ at, since: performance.now() }, () => handler(msg.event, context));
    port.postMessage({ type: 'result', id: msg.id, ok: true, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (e) {
    const err = e as Error;
    port.postMessage({ type: 'result', id: msg.id, ok: false, error: { name: err?.name ?? 'Error', message: err?.message ?? String(e), stack: err?.stack } });
  }
});
