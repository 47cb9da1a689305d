import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, UpdateTableCommand, UpdateTimeToLiveCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT, ENTRY_METADATA_KEY } from '../infra/constructs/function.ts';
import { LOCAL, parseArn, Resolver, type CfnTemplate } from './cfn.ts';
import { startEmulator, type RunningEmulator } from './dynamodb/emulator.ts';
import { fileDeliveries } from './delivery-queue.ts';
import { LocalEventBus, type ArchiveDef, type BusEvent, type RuleDef, type TargetDef } from './event-bus.ts';
import { checkTemplatePatterns } from './event-pattern.ts';
import { buildWebApp } from '../infra/web-build.ts';
import { createHttpServer, type HttpRoute } from './http-server.ts';
import { loadIdp, type LocalIdp, type Role } from './idp.ts';
import { type AppConfig, createLocalOidc, localAppConfig } from './oidc.ts';
import { FunctionError, LocalFunctions, type LocalFunctionDef } from './lambda.ts';
import { deliveryStreamDef, LocalDeliveryStreams } from './firehose.ts';
import { fileCheckpoints, LocalPipe, memoryCheckpoints, type PipeDef } from './pipes.ts';
import { LocalQueues } from './queues.ts';
import { LocalScheduler } from './schedules.ts';
import { synthTemplates } from './synth.ts';
import { backoff, DEFAULT_TIMING, sleep, type RetryTiming } from './timing.ts';
import { catchUpReports, NATIONAL_ARCHIVE } from './report-catchup.ts';
import { backfillOrganisationList } from '../functions/adapters/dynamo-hub-store.ts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Options of the local network. */
export interface NetworkOptions {
  /** HTTP port; 0 picks a free one. Default: $PORT or 3000. */
  port?: number;
  /** Keep nothing on disk (DynamoDB in memory, checkpoints in memory). */
  inMemory?: boolean;
  /** Where persistent data lives. Default `.data/`. */
  dataDir?: string;
  /** Templates to run; default: synthesize the CDK app now. */
  templates?: Record<string, CfnTemplate>;
  /** Use an already running DynamoDB Local instead of starting one. */
  dynamoEndpoint?: string;
  /** Prefix for table and function names, so several networks can share one emulator. */
  namePrefix?: string;
  /** Log level handed to the functions (Powertools). */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  timing?: RetryTiming;
  pollMs?: number;
  /** Run `rate()` schedules on their timers (default true; tests fire them by hand). */
  schedules?: boolean;
  /**
   * The simulation clock (`npm start -- --simulation`, docs/local-runtime.md): API requests may
   * carry `x-samverkan-simulated-now`, and `/.local/simulation/*` offers tokens, schedules fired
   * at a simulated time and "wait until idle" to `npm run simulate`. Local only; off by default.
   */
  simulation?: boolean;
  log?: (message: string) => void;
  /** The folder of study files the functions read (`STUDIES_DIR`); default `studies/`. Give the templates synthesized with the same folder. */
  studiesDir?: string;
  /** The longest wait between polls of an idle table stream (default 5000 ms; `pollMs` right after any invocation). */
  maxIdlePollMs?: number;
  /** How long the local delivery streams buffer records before writing Parquet (default 1000 ms). */
  lakeFlushMs?: number;
}

/** A running local network. */
export interface LocalNetwork {
  url: string;
  dynamoEndpoint: string;
  bus: LocalEventBus;
  functions: LocalFunctions;
  pipes: LocalPipe[];
  /** The research lake's delivery streams (Firehose), writing Parquet under `lakeDir`. */
  lake: LocalDeliveryStreams;
  lakeDir: string;
  scheduler: LocalScheduler;
  queues: LocalQueues;
  idp: LocalIdp;
  routes: HttpRoute[];
  tables: Map<string, string>;
  /** Where e-mail goes locally, as .eml files. */
  mailDir: string;
  /** Signs a token for a role (and hub, for staff). */
  token(role: Role, hub?: string): Promise<string>;
  /** Resolves when every written event has left the outbox and every delivery has settled. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const prop = <T>(r: { Properties?: Record<string, unknown> }, key: string) => r.Properties?.[key] as T;

function functionNameFromArn(arn: string): string {
  const { service, resource } = parseArn(arn);
  if (service !== 'lambda') throw new Error(`Not a function ARN: ${arn}`);
  return resource.replace(/^function:/, '').split(':')[0] as string;
}

function busNameFromArn(arn: string): string {
  const { service, resource } = parseArn(arn);
  if (service !== 'events') throw new Error(`Not an event bus ARN: ${arn}`);
  return resource.replace(/^event-bus\//, '');
}

/** How long a stop waits for running invocations before it ends them. */
const STOP_DRAIN_MS = 10_000;

/**
 * Starts the whole network locally from the synthesized templates: DynamoDB Local with the
 * templates' tables, the functions, the event buses with their rules and archives, the
 * outbox pipes, and one HTTP server for the API routes, the staff app and the local JWKS.
 */
export async function startNetwork(options: NetworkOptions = {}): Promise<LocalNetwork> {
  const log = options.log ?? ((m: string) => console.error(`[local] ${m}`));
  const dataDir = options.dataDir ?? join(ROOT, '.data');
  const timing = options.timing ?? DEFAULT_TIMING;
  const templates = options.templates ?? synthTemplates({ studiesDir: options.studiesDir });
  const resolver = new Resolver(templates, options.namePrefix ?? '');
  // Refuse, before anything starts, an event pattern that EventBridge would refuse at deployment.
  checkTemplatePatterns(templates, (stack, value) => resolver.resolve(stack, value));
  const idp = await loadIdp(join(dataDir, 'local-idp'));

  const emulator: RunningEmulator | undefined = options.dynamoEndpoint ? undefined : await startEmulator({ inMemory: options.inMemory, dbPath: join(dataDir, 'dynamodb'), log });
  const dynamoEndpoint = options.dynamoEndpoint ?? emulator?.endpoint ?? '';
  const awsConfig = { endpoint: dynamoEndpoint, region: LOCAL.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const ddb = new DynamoDBClient(awsConfig);
  const streams = new DynamoDBStreamsClient(awsConfig);
  const queues = new LocalQueues(options.inMemory ? undefined : join(dataDir, 'dlq'));

  const entries = Object.entries(templates).flatMap(([stack, t]) => Object.entries(t.Resources).map(([id, r]) => ({ stack, id, r })));
  const ofType = (type: string) => entries.filter((e) => e.r.Type === type);

  // Tables
  const tables = new Map<string, string>();
  for (const { stack, id, r } of ofType('AWS::DynamoDB::Table')) {
    const name = String(resolver.resolve(stack, { Ref: id }));
    tables.set(`${stack}/${id}`, name);
    const p = resolver.resolve(stack, r.Properties ?? {}) as Record<string, unknown>;
    const input: CreateTableCommandInput = {
      TableName: name,
      KeySchema: p.KeySchema as CreateTableCommandInput['KeySchema'],
      AttributeDefinitions: p.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
      BillingMode: 'PAY_PER_REQUEST',
      ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'] } : {}),
      ...(p.StreamSpecification ? { StreamSpecification: { StreamEnabled: true, StreamViewType: (p.StreamSpecification as { StreamViewType: 'NEW_IMAGE' }).StreamViewType } } : {}),
    };
    try {
      const existing = await ddb.send(new DescribeTableCommand({ TableName: name }));
      // A table kept in .data/ from an older template: add the indexes it lacks.
      const have = new Set((existing.Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
      for (const gsi of input.GlobalSecondaryIndexes ?? []) {
        if (have.has(gsi.IndexName)) continue;
        log(`adding index ${gsi.IndexName} to ${name}`);
        await ddb.send(
          new UpdateTableCommand({
            TableName: name,
            AttributeDefinitions: input.AttributeDefinitions,
            GlobalSecondaryIndexUpdates: [{ Create: { IndexName: gsi.IndexName, KeySchema: gsi.KeySchema, Projection: gsi.Projection } }],
          }),
        );
      }
    } catch (e) {
      if ((e as Error).name !== 'ResourceNotFoundException') throw e;
      await ddb.send(new CreateTableCommand(input));
      const ttl = p.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
      if (ttl?.Enabled) await ddb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true } }));
    }
  }

  // Research lake: the delivery streams of the templates, writing where S3 would (docs/research.md).
  const glueTables = ofType('AWS::Glue::Table').map(({ stack, r }) => resolver.resolve(stack, r.Properties ?? {}) as { DatabaseName: string; TableInput: { Name: string; StorageDescriptor?: { Columns?: Array<{ Name: string; Type: string }> } } });
  const lakeDir = join(dataDir, 'lake');
  const lake = new LocalDeliveryStreams(
    ofType('AWS::KinesisFirehose::DeliveryStream').flatMap(({ stack, r }) => {
      const def = deliveryStreamDef(resolver.resolve(stack, r.Properties ?? {}) as Record<string, unknown>, (db, name) =>
        glueTables.find((t) => t.DatabaseName === db && t.TableInput.Name === name)?.TableInput.StorageDescriptor?.Columns?.map((c) => ({ name: c.Name, type: c.Type })),
      );
      return def ? [def] : [];
    }),
    { lakeDir, flushMs: options.lakeFlushMs ?? 1000, log },
  );

  // The staff app, built by Vite into a folder named by its sources' hash (reused when unchanged);
  // the sources are hashed again at most every 2 s, so an edit under web/ is rebuilt on the next request.
  let built = { at: Date.now(), dir: buildWebApp() };
  const webBuild = () => {
    if (Date.now() - built.at > 2000) built = { at: Date.now(), dir: buildWebApp() };
    return built.dir;
  };

  // HTTP server first: the functions need its URL for the JWKS.
  const routes: HttpRoute[] = [];
  let functions!: LocalFunctions;
  let network!: LocalNetwork;
  let oidc: ReturnType<typeof createLocalOidc> | undefined;
  let appConfig: AppConfig | undefined;
  const server = createHttpServer({
    routes,
    invoke: (name, event, opts) => functions.invoke(name, event, opts),
    webDir: webBuild,
    jwks: () => idp.jwks,
    oidc: () => oidc,
    appConfig: () => appConfig,
    services: { '/.local-firehose': (body) => lake.putRecordBatch(body as Parameters<LocalDeliveryStreams['putRecordBatch']>[0]) },
    log,
    ...(options.simulation
      ? {
          simulation: {
            fireSchedule: (name: string, at: Date) => network.scheduler.fire(name, at, { simulated: true }),
            schedules: () => network.scheduler.schedules.map((s) => s.name),
            token: (role: Role, hub?: string) => idp.sign({ role, ...(hub ? { hub } : {}) }),
            idle: () => network.idle(),
            mailDir: join(dataDir, 'mail-outbox'),
          },
        }
      : {}),
  });
  const port = options.port ?? Number(process.env.PORT ?? 3000);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Sign-in: the stand-in OpenID provider on this origin, and the staff app's settings pointing at it.
  oidc = createLocalOidc({ url, idp });
  appConfig = localAppConfig(url);

  // Functions
  const invokeConfigs = new Map<string, number>();
  for (const { stack, r } of ofType('AWS::Lambda::EventInvokeConfig')) {
    invokeConfigs.set(String(resolver.resolve(stack, prop(r, 'FunctionName'))), Number(prop(r, 'MaximumRetryAttempts') ?? 2));
  }
  const defs = new Map<string, LocalFunctionDef>();
  for (const { stack, id, r } of ofType('AWS::Lambda::Function')) {
    const entry = r.Metadata?.[ENTRY_METADATA_KEY];
    if (typeof entry !== 'string') continue; // CDK-internal helpers (custom resources) do not run locally
    const name = String(resolver.resolve(stack, { Ref: id }));
    const env = (resolver.resolve(stack, prop<{ Variables?: unknown }>(r, 'Environment')?.Variables ?? {}) ?? {}) as Record<string, string>;
    const handler = String(prop(r, 'Handler') ?? 'index.handler');
    const dlq = prop<{ TargetArn?: unknown } | undefined>(r, 'DeadLetterConfig')?.TargetArn;
    defs.set(name, {
      name,
      entry,
      handlerName: handler.split('.').pop() ?? 'handler',
      environment: {
        ...env,
        // Local overrides: endpoints, and the JWKS of the local identity provider.
        AUTH_JWKS_URL: `${url}/.local-idp/jwks.json`,
        MAIL_OUTBOX_DIR: join(dataDir, 'mail-outbox'),
        // Links in mails (survey invitations, cancel links) point at this runtime, not the deployed origin.
        PUBLIC_BASE_URL: url,
        // The research consumer: delivery streams served here, study keys as files under .data/.
        AWS_ENDPOINT_URL_FIREHOSE: `${url}/.local-firehose`,
        RESEARCH_KEY_DIR: join(dataDir, 'research-keys'),
        ...(options.studiesDir ? { STUDIES_DIR: options.studiesDir } : {}),
        ...(options.logLevel ? { POWERTOOLS_LOG_LEVEL: options.logLevel } : {}),
        // No X-Ray daemon here: tracing off. Business metrics (EMF) go to stdout, unless the network is silent.
        POWERTOOLS_TRACE_ENABLED: 'false',
        ...(options.logLevel === 'SILENT' ? { POWERTOOLS_METRICS_DISABLED: 'true' } : {}),
      },
      timeoutMs: Number(prop(r, 'Timeout') ?? 3) * 1000,
      memorySize: Number(prop(r, 'MemorySize') ?? 128),
      asyncRetries: invokeConfigs.get(name) ?? 2,
      ...(dlq ? { deadLetterArn: String(resolver.resolve(stack, dlq)) } : {}),
    });
  }
  const baseEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    TMPDIR: process.env.TMPDIR ?? '/tmp',
    TZ: 'UTC',
    AWS_REGION: LOCAL.region,
    AWS_DEFAULT_REGION: LOCAL.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  functions = new LocalFunctions(defs, baseEnv, options.simulation ?? false);

  // Buses, rules, archives
  const buses = new Set(ofType('AWS::Events::EventBus').map(({ stack, r }) => String(resolver.resolve(stack, prop(r, 'Name')))));
  const rules: RuleDef[] = ofType('AWS::Events::Rule').map(({ stack, id, r }) => {
    const p = resolver.resolve(stack, r.Properties ?? {}) as Record<string, unknown>;
    const targets = ((p.Targets as Array<Record<string, unknown>>) ?? []).map((t): TargetDef => {
      const arn = String(t.Arn);
      const lambda = parseArn(arn).service === 'lambda';
      const retry = t.RetryPolicy as { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number } | undefined;
      const dlq = (t.DeadLetterConfig as { Arn?: string } | undefined)?.Arn;
      return {
        id: String(t.Id),
        kind: lambda ? 'lambda' : 'event-bus',
        name: lambda ? functionNameFromArn(arn) : busNameFromArn(arn),
        maximumRetryAttempts: retry?.MaximumRetryAttempts ?? 185,
        maximumEventAgeSeconds: retry?.MaximumEventAgeInSeconds ?? 86_400,
        ...(dlq ? { deadLetterArn: dlq } : {}),
      };
    });
    const pattern = typeof p.EventPattern === 'string' ? JSON.parse(p.EventPattern) : p.EventPattern;
    return { name: `${stack}/${id}`, busName: String(p.EventBusName ?? 'default'), pattern, enabled: (p.State ?? 'ENABLED') === 'ENABLED', targets };
  });
  const archives: ArchiveDef[] = ofType('AWS::Events::Archive').map(({ stack, id, r }) => {
    const p = resolver.resolve(stack, r.Properties ?? {}) as Record<string, unknown>;
    const pattern = typeof p.EventPattern === 'string' ? JSON.parse(p.EventPattern) : p.EventPattern;
    return { name: String(p.ArchiveName ?? id), busName: busNameFromArn(String(p.SourceArn)), ...(pattern ? { pattern } : {}) };
  });

  const asyncInFlight = new Set<Promise<void>>();
  let stopping = false;
  /** Lambda's asynchronous invocation: retries after function errors, then the function's DLQ. */
  const invokeAsync = async (name: string, event: BusEvent) => {
    const def = functions.def(name);
    for (let attempt = 1; ; attempt++) {
      try {
        await functions.invoke(name, event);
        return;
      } catch (e) {
        // Stopping ends the containers: the bus keeps the event pending for the next start.
        if (stopping) throw e;
        if (!(e instanceof FunctionError) || attempt > def.asyncRetries) {
          if (def.deadLetterArn) queues.send(def.deadLetterArn, event, { ErrorMessage: (e as Error).message, RequestID: event.id });
          else log(`async invocation of ${name} failed after ${attempt} attempts (no DLQ): ${(e as Error).message}`);
          return;
        }
        await sleep(backoff(timing, attempt));
      }
    }
  };
  const bus = new LocalEventBus(buses, rules, archives, {
    invokeAsync: (name, event) => {
      const p = invokeAsync(name, event);
      asyncInFlight.add(p);
      // then(f, f), not finally: a finally's promise would reject again (a stop ends invocations) with nobody to catch it.
      const done = () => asyncInFlight.delete(p);
      p.then(done, done);
      return p;
    },
    queues,
    timing,
    account: LOCAL.account,
    region: LOCAL.region,
    ...(options.inMemory ? {} : { archiveDir: join(dataDir, 'archive'), deliveries: fileDeliveries(join(dataDir, 'deliveries', options.namePrefix ?? ''), log) }),
    log,
  });

  // Pipes
  const checkpoints = options.inMemory ? memoryCheckpoints() : fileCheckpoints(join(dataDir, 'pipes', options.namePrefix ?? ''));
  const pipes = ofType('AWS::Pipes::Pipe').map(({ stack, id, r }) => {
    // biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON, read field by field
    const p = resolver.resolve(stack, r.Properties ?? {}) as Record<string, any>;
    const source = parseArn(String(p.Source));
    if (source.service !== 'dynamodb') throw new Error(`Pipe ${id}: only DynamoDB stream sources run locally (got ${p.Source})`);
    const ddbParams = p.SourceParameters?.DynamoDBStreamParameters ?? {};
    const busParams = p.TargetParameters?.EventBridgeEventBusParameters ?? {};
    const def: PipeDef = {
      name: String(p.Name ?? `${stack}-${id}`),
      tableName: source.resource.replace(/^table\//, '').split('/')[0] as string,
      filters: ((p.SourceParameters?.FilterCriteria?.Filters ?? []) as Array<{ Pattern: string }>).map((f) => JSON.parse(f.Pattern)),
      batchSize: Number(ddbParams.BatchSize ?? 100),
      maximumRetryAttempts: Number(ddbParams.MaximumRetryAttempts ?? -1),
      startingPosition: ddbParams.StartingPosition ?? 'TRIM_HORIZON',
      ...(ddbParams.DeadLetterConfig?.Arn ? { deadLetterArn: String(ddbParams.DeadLetterConfig.Arn) } : {}),
      ...(p.Enrichment ? { enrichmentFunction: functionNameFromArn(String(p.Enrichment)) } : {}),
      targetBus: busNameFromArn(String(p.Target)),
      detailType: String(busParams.DetailType ?? 'Event from aws:dynamodb.stream'),
      source: String(busParams.Source ?? 'Pipe'),
    };
    return new LocalPipe(def, { ddb, streams, functions, bus, queues, checkpoints, timing, region: LOCAL.region, pollMs: options.pollMs ?? 100, maxIdlePollMs: Math.max(options.pollMs ?? 100, options.maxIdlePollMs ?? 5000), log });
  });

  // Schedules
  const scheduler = new LocalScheduler(
    ofType('AWS::Scheduler::Schedule').map(({ stack, id, r }) => {
      // biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON, read field by field
    const p = resolver.resolve(stack, r.Properties ?? {}) as Record<string, any>;
      return {
        name: `${stack}/${id}`,
        expression: String(p.ScheduleExpression),
        functionName: functionNameFromArn(String(p.Target.Arn)),
        ...(p.Target.Input ? { input: String(p.Target.Input) } : {}),
        maximumRetryAttempts: Number(p.Target.RetryPolicy?.MaximumRetryAttempts ?? 185),
        ...(p.Target.DeadLetterConfig?.Arn ? { deadLetterArn: String(p.Target.DeadLetterConfig.Arn) } : {}),
      };
    }),
    { functions, queues, timing, log },
  );

  // HTTP routes
  for (const { stack, r } of ofType('AWS::ApiGatewayV2::Route')) {
    const routeKey = String(prop(r, 'RouteKey'));
    const target = String(resolver.resolve(stack, prop(r, 'Target')));
    const integration = resolver.resource(stack, target.replace(/^integrations\//, ''));
    const [method = 'GET', path = '/'] = routeKey.split(' ');
    routes.push({ method, path, stack, functionName: functionNameFromArn(String(resolver.resolve(stack, prop(integration, 'IntegrationUri')))) });
  }

  // A finished invocation may have written outbox items: the pipes poll at once instead of after their idle wait.
  functions.onSettled = () => {
    for (const p of pipes) p.wake();
  };
  bus.resume();
  for (const p of pipes) p.start();
  if (options.schedules !== false) scheduler.start();

  // A kept data directory from before the hubs' organisation lists: list the organisations it holds (docs/architecture.md).
  if (!options.inMemory) {
    const doc = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
    for (const [key, table] of tables) {
      if (!/\/HubTable/.test(key)) continue;
      const listed = await backfillOrganisationList(doc, table).catch((e: Error) => {
        log(`organisations: listing those of ${table} failed (tried again at the next start): ${e.message}`);
        return 0;
      });
      if (listed > 0) log(`organisations: ${listed} stored before the hub's list existed are now in ${table}'s list`);
    }
  }

  // A kept data directory from an older projection version: rebuild the current one from the national archive, once (docs/reporting.md).
  const reportTable = [...tables].find(([key]) => /^[^/]*[Nn]ational[^/]*\/ReportTable/.test(key))?.[1];
  const catchUp =
    options.inMemory || !reportTable
      ? Promise.resolve()
      : catchUpReports({ db: DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } }), tableName: reportTable, archiveFile: join(dataDir, 'archive', `${archives.find((a) => a.name.endsWith('-national-all'))?.name ?? NATIONAL_ARCHIVE}.jsonl`), log, stopped: () => stopping }).then(
          () => undefined,
          (e: Error) => log(`reports: the replay of the archive into the current projection failed (it is tried again at the next start): ${e.message}`),
        );

  network = {
    url,
    dynamoEndpoint,
    bus,
    functions,
    pipes,
    lake,
    lakeDir,
    scheduler,
    queues,
    idp,
    routes,
    tables,
    mailDir: join(dataDir, 'mail-outbox'),
    token: (role, hub) => idp.sign({ role, hub }),
    async idle() {
      for (let round = 0; round < 50; round++) {
        await scheduler.idle();
        await Promise.all(pipes.map((p) => p.caughtUp()));
        const busy = asyncInFlight.size > 0;
        await bus.idle();
        await Promise.allSettled([...asyncInFlight]);
        if (!busy && asyncInFlight.size === 0) {
          // Confirm: nothing new reached the streams while deliveries settled.
          const read = pipes.reduce((n, p) => n + p.stats.read, 0);
          await Promise.all(pipes.map((p) => p.caughtUp()));
          if (read === pipes.reduce((n, p) => n + p.stats.read, 0)) {
            await lake.flush();
            return;
          }
        }
      }
    },
    async stop() {
      stopping = true;
      await catchUp;
      scheduler.stop();
      bus.stop();
      await Promise.all(pipes.map((p) => p.stop()));
      // Nothing new is delivered; the invocations running finish (a function mid-write completes
      // its write; the delivery streams and the API it may call are still served), then the
      // server, the containers and, last, DynamoDB Local stop. The emulator runs in its own
      // process group, so a Ctrl-C in the terminal reaches only this runtime.
      if (!(await functions.drain(STOP_DRAIN_MS))) log(`stopping: invocations still running after ${STOP_DRAIN_MS / 1000} s are ended`);
      await lake.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await functions.close();
      ddb.destroy();
      streams.destroy();
      await emulator?.stop();
    },
  };
  return network;
}
