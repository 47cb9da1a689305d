import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ROOT } from '../infra/constructs/function.ts';

/** A Lambda function as the local runtime knows it from the template. */
export interface LocalFunctionDef {
  name: string;
  /** Handler source, relative to the repository root. */
  entry: string;
  handlerName: string;
  environment: Record<string, string>;
  timeoutMs: number;
  memorySize: number;
  /** Async invocations: retries after a function error (Lambda's default is 2). */
  asyncRetries: number;
  /** Async invocations: the queue that takes events that failed every attempt. */
  deadLetterArn?: string;
}

/** A function error, as Lambda reports it to the caller. */
export class FunctionError extends Error {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    message: string,
  ) {
    super(`${functionName}: ${errorType}: ${message}`);
    this.name = 'FunctionError';
  }
}

interface Container {
  worker: Worker;
  ready: Promise<void>;
  pending: Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>;
}

/**
 * Runs the project's Lambda handlers locally: one worker thread per function (a warm
 * container with the function's own environment), started on first use. Invocations may
 * overlap inside a container; a timed-out invocation restarts the container, as Lambda does.
 */
export class LocalFunctions {
  private readonly containers = new Map<string, Container>();
  private nextId = 1;
  /** Invocations by how they ended; `ended` counts those cut off because their container ended (a stop, a crash). */
  readonly stats = { started: 0, succeeded: 0, failed: 0, ended: 0 };
  /** Called after every invocation, however it ended: its writes are in DynamoDB (the pipes poll at once). */
  onSettled: () => void = () => {};

  constructor(
    readonly defs: Map<string, LocalFunctionDef>,
    readonly baseEnv: Record<string, string>,
    /** `--simulation`: invocations may carry a simulated "now" (docs/local-runtime.md). */
    readonly simulation = false,
  ) {}

  /** The definition of a function, by name. */
  def(name: string): LocalFunctionDef {
    const d = this.defs.get(name);
    if (!d) throw new Error(`No local function ${name}`);
    return d;
  }

  private container(name: string): Container {
    let c = this.containers.get(name);
    if (c) return c;
    const def = this.def(name);
    const worker = new Worker(new URL('./lambda-worker.ts', import.meta.url), {
      // SAMVERKAN_CPU_PROF_DIR: each container writes a V8 CPU profile there when it ends (docs/performance.md).
      execArgv: ['--import', 'tsx', ...(process.env.SAMVERKAN_CPU_PROF_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.SAMVERKAN_CPU_PROF_DIR] : [])],
      env: {
        ...this.baseEnv,
        ...def.environment,
        AWS_LAMBDA_FUNCTION_NAME: def.name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(def.memorySize),
        // The SDK puts `app/<id>` in its user agent: who made a DynamoDB request (npm run bench
        // counts them per function). At most 50 characters with Powertools' 25-character suffix:
        // the name's last 24 (the logical id and its hash).
        AWS_SDK_UA_APP_ID: def.name.slice(-24),
        LAMBDA_TASK_ROOT: ROOT,
      },
      workerData: { entryPath: join(ROOT, def.entry), handlerName: def.handlerName, functionName: def.name, memorySize: def.memorySize, simulation: this.simulation },
      stdout: false,
      stderr: false,
    });
    const pending: Container['pending'] = new Map();
    const ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (msg: { type: string; id?: number; ok?: boolean; result?: unknown; error?: { name: string; message: string; stack?: string } }) => {
        if (msg.type === 'ready') resolve();
        else if (msg.type === 'init-error') reject(new FunctionError(def.name, 'Runtime.InitError', `${msg.error?.message}\n${msg.error?.stack ?? ''}`));
        else if (msg.type === 'result' && msg.id !== undefined) {
          const p = pending.get(msg.id);
          if (!p) return;
          pending.delete(msg.id);
          clearTimeout(p.timer);
          if (msg.ok) p.resolve(msg.result);
          else p.reject(new FunctionError(def.name, msg.error?.name ?? 'Error', msg.error?.message ?? 'unknown error'));
        }
      });
      worker.on('error', (e) => {
        reject(e);
        for (const p of pending.values()) p.reject(new FunctionError(def.name, 'Runtime.ExitError', e.message));
        pending.clear();
        this.containers.delete(name);
      });
      worker.on('exit', () => {
        for (const p of pending.values()) p.reject(new FunctionError(def.name, 'Runtime.ExitError', 'container exited'));
        pending.clear();
        if (this.containers.get(name)?.worker === worker) this.containers.delete(name);
      });
    });
    ready.catch(() => this.containers.delete(name));
    c = { worker, ready, pending };
    this.containers.set(name, c);
    return c;
  }

  /**
   * Invokes a function synchronously (RequestResponse) and returns its result; throws FunctionError.
   * `simulatedNow` (only under `--simulation`) is the instant the function's clock starts at.
   */
  async invoke(name: string, event: unknown, options: { simulatedNow?: Date } = {}): Promise<unknown> {
    if (options.simulatedNow && !this.simulation) throw new Error('A simulated time needs the runtime started with --simulation');
    const def = this.def(name);
    const c = this.container(name);
    await c.ready;
    const id = this.nextId++;
    const deadline = Date.now() + def.timeoutMs;
    this.stats.started++;
    const result = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        c.pending.delete(id);
        reject(new FunctionError(def.name, 'Sandbox.Timedout', `Task timed out after ${def.timeoutMs / 1000} seconds`));
        void c.worker.terminate();
      }, def.timeoutMs);
      c.pending.set(id, { resolve, reject, timer });
      c.worker.postMessage({ id, event, deadline, requestId: randomUUID(), ...(options.simulatedNow ? { simulatedNow: options.simulatedNow.toISOString() } : {}) });
    });
    result.then(
      () => {
        this.stats.succeeded++;
        this.onSettled();
      },
      (e: unknown) => {
        if (e instanceof FunctionError && e.errorType === 'Runtime.ExitError') this.stats.ended++;
        else this.stats.failed++;
        this.onSettled();
      },
    );
    return result;
  }

  /**
   * Resolves when no invocation is running (invocations started meanwhile are awaited too), or
   * after `timeoutMs`; says whether it drained. A stop waits here before ending the containers.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while ([...this.containers.values()].some((c) => c.pending.size > 0)) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  /** Stops every container. */
  async close(): Promise<void> {
    await Promise.all([...this.containers.values()].map((c) => c.worker.terminate()));
    this.containers.clear();
  }
}
