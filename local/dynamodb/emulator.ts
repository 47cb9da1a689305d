import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../infra/constructs/function.ts';

/** The npm package that ships the official DynamoDB Local under `emulator/`. */
export const EMULATOR_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
/** Where the emulator is unpacked (inside node_modules, so `npm ci` starts clean). */
export const EMULATOR_DIR = join(ROOT, 'node_modules', '.cache', 'dynamodb-local');

/**
 * Makes sure DynamoDB Local is unpacked: `npm pack` of the package and extraction of only
 * its `emulator/` folder (the package's own dependency tree is not needed). Idempotent.
 */
export function ensureEmulator(log: (line: string) => void = () => {}): string {
  const jar = join(EMULATOR_DIR, 'DynamoDBLocal.jar');
  if (existsSync(jar)) return EMULATOR_DIR;
  log(`Fetching DynamoDB Local (${EMULATOR_PACKAGE}) from the npm registry…`);
  const work = mkdtempSync(join(tmpdir(), 'ddb-local-'));
  try {
    execFileSync('npm', ['pack', EMULATOR_PACKAGE, '--silent', '--pack-destination', work], { stdio: ['ignore', 'pipe', 'inherit'] });
    const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`npm pack ${EMULATOR_PACKAGE} produced no tarball`);
    execFileSync('tar', ['-xzf', join(work, tgz), '-C', work, 'package/emulator']);
    mkdirSync(join(EMULATOR_DIR, '..'), { recursive: true });
    rmSync(EMULATOR_DIR, { recursive: true, force: true });
    renameSync(join(work, 'package', 'emulator'), EMULATOR_DIR);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log(`DynamoDB Local ready in ${EMULATOR_DIR}`);
  return EMULATOR_DIR;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** A running DynamoDB Local. */
export interface RunningEmulator {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local (telemetry off) on a free port: in memory, or persisting to `dbPath`.
 * Resolves once it answers requests.
 */
export async function startEmulator(options: { inMemory?: boolean; dbPath?: string; port?: number; log?: (line: string) => void } = {}): Promise<RunningEmulator> {
  const dir = ensureEmulator(options.log);
  const port = options.port ?? (await freePort());
  // Serial GC and no perf-data sampling: an idle emulator then uses less CPU (npm run bench, docs/performance.md).
  const args = ['-XX:+UseSerialGC', '-XX:-UsePerfData', `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`, '-jar', join(dir, 'DynamoDBLocal.jar'), '-port', String(port), '-disableTelemetry'];
  // -sharedDb: one database whatever the region or access key of the caller, as an account is.
  if (options.inMemory || !options.dbPath) args.push('-inMemory', '-sharedDb');
  else {
    mkdirSync(options.dbPath, { recursive: true });
    args.push('-dbPath', options.dbPath, '-sharedDb');
  }
  // A small bash wrapper owns the JVM: it stops it on SIGTERM/SIGINT and also when our stdin
  // closes, so DynamoDB Local never outlives this process, even one killed with SIGKILL. It runs
  // in its own process group (`detached`): a Ctrl-C in the terminal reaches only the runtime,
  // which lets running invocations finish and then stops the emulator (`stop()`).
  const wrapper = 'exec 3<&0; java "$@" </dev/null & j=$!; trap \'kill -TERM $j 2>/dev/null; wait $j; exit 0\' TERM INT; (cat <&3 >/dev/null; kill -TERM $j 2>/dev/null) & wait $j';
  const child = spawn('bash', ['-c', wrapper, 'dynamodb-local', ...args], { cwd: dir, env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' }, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', (e) => (output += `\n${e.message}`));
  const endpoint = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`DynamoDB Local exited early (is Java 17+ installed?):\n${output}`);
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables', authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/eu-north-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x' },
        body: '{}',
      });
      if (res.status < 500) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    port,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
