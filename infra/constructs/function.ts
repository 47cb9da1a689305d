import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { stackKey } from './kms.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The CloudWatch namespace of the business metrics (Powertools Metrics, EMF). */
export const METRICS_NAMESPACE = 'samverkan';

/** The template metadata key that tells the local runtime which source file a function runs. */
export const ENTRY_METADATA_KEY = 'samverkan:entry';

/** Props of a samverkan Lambda function. */
export interface SamverkanFunctionProps {
  /** Handler source file, relative to the repository root (exports `handler`). */
  entry: string;
  description: string;
  environment?: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
  /** An explicit physical name (≤ 64 characters), for a function others must name without referring to it. */
  functionName?: string;
  /** For functions invoked asynchronously (rule targets): where events go after Lambda's retries. */
  asyncDeadLetterQueue?: IQueue;
}

/**
 * The one Lambda function construct of the project, with safe defaults: nodejs22.x on arm64,
 * X-Ray tracing, a retained log group encrypted with the stack's key, ESM bundling by local esbuild (minified, source maps)
 * and the hub files copied into the bundle. Its template carries the source entry so the
 * local runtime runs the same handler.
 */
export class SamverkanFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: SamverkanFunctionProps) {
    if (props.functionName && props.functionName.length > 64) throw new Error(`Function name ${props.functionName} is longer than 64 characters: use a shorter stage or hub id`);
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.RETAIN, encryptionKey: stackKey(scope) });
    super(scope, id, {
      entry: join(ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      ...(props.functionName ? { functionName: props.functionName } : {}),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      tracing: Tracing.ACTIVE,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      logGroup,
      ...(props.asyncDeadLetterQueue ? { deadLetterQueue: props.asyncDeadLetterQueue, retryAttempts: 2, maxEventAge: Duration.hours(6) } : {}),
      projectRoot: ROOT,
      depsLockFilePath: join(ROOT, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        HUBS_DIR: 'hubs',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        // Business metrics (EMF) land in this CloudWatch namespace; traces go to X-Ray.
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_SERVICE_NAME: id,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        // Bundle the AWS SDK too: the version we test is the version that runs. nodemailer only
        // composes the local runtime's .eml files (functions/shared/mail.ts imports it there, never on AWS).
        externalModules: ['nodemailer'],
        // Smaller bundles, faster cold starts (docs/performance.md): on Lambda the credentials are in
        // the environment, so the SDK's default chain (STS, SSO, sign-in clients) is replaced by the
        // environment provider; the X-Ray SDK's one `semver.gte` needs no 28 KB library.
        esbuildArgs: {
          // Source maps map stack traces to file and line; the sources themselves stay out of them
          // (a third of the map's size, parsed at start-up with --enable-source-maps).
          '--sources-content': 'false',
          '--alias': [`@aws-sdk/credential-provider-node=${join(ROOT, 'infra/bundling/credentials-from-env.ts')}`, `semver=${join(ROOT, 'infra/bundling/semver-gte.ts')}`],
        },
        banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            `mkdir -p "${outputDir}/hubs" "${outputDir}/studies"`,
            `cp "${inputDir}"/hubs/*.json "${outputDir}/hubs/"`,
            `cp "${inputDir}"/studies/*.json "${outputDir}/studies/"`,
          ],
        },
      },
    });
    (this.node.defaultChild as CfnFunction).addMetadata(ENTRY_METADATA_KEY, props.entry);
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The managed basic execution role only lets the function write its own logs.',
      },
      { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions.' },
      { id: 'AwsSolutions-L1', reason: 'nodejs22.x is the runtime this project targets (Node 22 pinned for the toolchain); nodejs24.x is a deliberate, tracked upgrade.' },
    );
  }
}
