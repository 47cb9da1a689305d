/**
 * Issue 13 part 2 (measurement only): synthesizes the CDK app with bundling, exactly as `cdk deploy`
 * bundles (infra/constructs/function.ts: local esbuild, minified ESM, source maps), reads each
 * function's asset in the cloud assembly, and for every distinct function (one hub stands for all,
 * their code is the same) measures the minified bundle and a cold start: a fresh Node process with
 * the function's deployed environment (NODE_OPTIONS included) imports the bundle and answers one
 * invocation against DynamoDB Local (a local network started from the same templates).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../infra/app.ts';
import type { CfnTemplate } from '../local/cfn.ts';
import { startNetwork } from '../local/network.ts';
import { round } from './stats.ts';

/** One function's bundle and cold start. */
export interface ColdStart {
  /** Stack-less name: `national/ReportingConsumer`, `hub/HubApi`. */
  name: string;
  bundleKb: number;
  sourceMapKb: number;
  /** Node's own start, before the handler's import. */
  bootMs: number;
  importMs: number;
  invokeMs: number;
  /** Import + first invocation (`maxFirstInvokeMs` is the largest). */
  firstInvokeMs: number;
  /** What the first invocation answered: an HTTP status, or `ok` / the error's name. */
  answer: string;
}

export interface ColdStartResult {
  synthSeconds: number;
  functions: ColdStart[];
  maxBundleKb: number;
  maxFirstInvokeMs: number;
}

const HUB = 'lulea';

/** A GET route of the function that needs no id but the hub's, with a token that may call it. */
function httpEvent(route: { method: string; path: string; stack: string }, token: string) {
  const path = route.path.replace('{hubId}', HUB);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { authorization: `Bearer ${token}`, host: '127.0.0.1' },
    ...(route.path.includes('{hubId}') ? { pathParameters: { hubId: HUB } } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: route.stack,
      domainName: '127.0.0.1',
      http: { method: route.method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
}

/** A scheduler-style event: scheduled jobs do their work, bus consumers refuse or skip it. */
const scheduledEvent = () => ({ version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.scheduler', account: '000000000000', time: new Date().toISOString(), region: 'eu-north-1', resources: [], detail: {} });

/** Measures every function's bundle and cold start; `runs` cold starts each, the median kept. */
export async function measureColdStarts(options: { emulatorEndpoint: string; runs: number; log: (line: string) => void }): Promise<ColdStartResult> {
  const outdir = mkdtempSync(join(tmpdir(), 'samverkan-bench-synth-'));
  try {
    options.log('cold start: synthesizing with bundling (esbuild, as deployed)');
    const t0 = performance.now();
    // Bundle the national stack and one hub's (every hub runs the same code); the other hubs' assets are CDK's stand-ins.
    const { app } = buildApp({ outdir, bundle: true, context: { 'aws:cdk:bundling-stacks': ['samverkan-national', `samverkan-hub-${HUB}`] } });
    const assembly = app.synth();
    const synthSeconds = round((performance.now() - t0) / 1000, 1);
    const templates = Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.template as CfnTemplate]));
    const network = await startNetwork({ templates, inMemory: true, port: 0, logLevel: 'SILENT', log: () => {}, schedules: false, dynamoEndpoint: options.emulatorEndpoint, namePrefix: `cold${randomUUID().slice(0, 6)}-` });
    try {
      const tokens = { staff: await network.token('staff', HUB), national: await network.token('national') };
      const functions: ColdStart[] = [];
      for (const [stackName, template] of Object.entries(templates)) {
        const isHub = stackName.includes('-hub-');
        if (isHub && !stackName.endsWith(`-hub-${HUB}`)) continue;
        for (const [id, r] of Object.entries(template.Resources)) {
          if (r.Type !== 'AWS::Lambda::Function' || typeof r.Metadata?.['samverkan:entry'] !== 'string') continue;
          // The asset's folder in the cloud assembly is named by the hash the code's S3 key carries.
          const s3Key = (r.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
          const hash = typeof s3Key === 'string' ? /^([0-9a-f]{64})\.zip$/.exec(s3Key)?.[1] : undefined;
          if (!hash) throw new Error(`${stackName}/${id} has no bundled asset (S3Key ${JSON.stringify(s3Key)})`);
          const assetDir = join(outdir, `asset.${hash}`);
          const file = readdirSync(assetDir).find((f) => /^index\.m?js$/.test(f)) ?? 'index.mjs';
          const def = [...network.functions.defs.values()].find((d) => d.name.endsWith(`${stackName}-${id}`));
          if (!def) throw new Error(`No local function for ${stackName}/${id}`);
          // A read the token may make: the hub's presence list, else the first GET route with no id but the hub's.
          const gets = network.routes.filter((rt) => rt.functionName === def.name && rt.method === 'GET' && !/\{(?!hubId\})/.test(rt.path) && !/\.(ics|html)$/.test(rt.path));
          const route = gets.find((rt) => rt.path.endsWith('/presence')) ?? gets[0];
          const event = route ? httpEvent(route, route.path.includes('{hubId}') ? tokens.staff : tokens.national) : scheduledEvent();
          const eventFile = join(outdir, `event-${id}.json`);
          writeFileSync(eventFile, JSON.stringify(event));
          const env = { ...network.functions.baseEnv, ...def.environment, AWS_LAMBDA_FUNCTION_NAME: def.name, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(def.memorySize), LAMBDA_TASK_ROOT: assetDir };
          const samples: Array<{ bootMs: number; importMs: number; invokeMs: number; ok: boolean; status?: unknown }> = [];
          for (let i = 0; i < options.runs; i++) {
            // Asynchronously: the network in this process serves the JWKS the HTTP functions fetch.
            const { stdout: out } = await promisify(execFile)(process.execPath, [join(import.meta.dirname, 'cold-start-child.mjs'), assetDir, file, def.handlerName, eventFile], { cwd: assetDir, env, encoding: 'utf8', timeout: 30_000 });
            samples.push(JSON.parse(out.trim().split('\n').pop() ?? '{}'));
          }
          samples.sort((a, b) => a.importMs + a.invokeMs - (b.importMs + b.invokeMs));
          const m = samples[Math.floor(samples.length / 2)] ?? samples[0];
          if (!m) continue;
          const size = (f: string) => {
            try {
              return round(statSync(join(assetDir, f)).size / 1024, 0);
            } catch {
              return 0;
            }
          };
          const logical = id.replace(/[0-9A-F]{8}$/, '');
          functions.push({
            name: `${isHub ? 'hub' : 'national'}/${logical}`,
            bundleKb: size(file),
            sourceMapKb: size(`${file}.map`),
            bootMs: round(m.bootMs, 0),
            importMs: round(m.importMs, 0),
            invokeMs: round(m.invokeMs, 0),
            firstInvokeMs: round(m.importMs + m.invokeMs, 0),
            answer: m.ok ? String(m.status ?? 'ok') : `error ${m.status}`,
          });
          options.log(`cold start: ${functions.at(-1)?.name} ${functions.at(-1)?.bundleKb} KB, ${functions.at(-1)?.firstInvokeMs} ms`);
        }
      }
      functions.sort((a, b) => b.bundleKb - a.bundleKb);
      return { synthSeconds, functions, maxBundleKb: Math.max(...functions.map((f) => f.bundleKb)), maxFirstInvokeMs: Math.max(...functions.map((f) => f.firstInvokeMs)) };
    } finally {
      await network.stop();
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
