// One cold start (bench/cold-start.ts runs this in a fresh Node process per function): imports
// the bundled handler from its asset folder and answers one invocation, then prints the timings
// as JSON on stdout. performance.now() counts from the process's start, so `bootMs` is Node's own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [assetDir, file, handlerName, eventFile] = process.argv.slice(2);
const bootMs = performance.now();
const t0 = performance.now();
const mod = await import(pathToFileURL(join(assetDir, file)).href);
const importMs = performance.now() - t0;
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  awsRequestId: 'bench-cold-start',
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  getRemainingTimeInMillis: () => 10_000,
};
const t1 = performance.now();
let ok = true;
let status;
try {
  const result = await mod[handlerName](event, context);
  status = result?.statusCode;
} catch (e) {
  ok = false;
  status = String(e?.name ?? e);
}
const invokeMs = performance.now() - t1;
process.stdout.write(`${JSON.stringify({ bootMs, importMs, invokeMs, ok, status })}\n`);
process.exit(0);
