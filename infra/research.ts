import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnTable as CfnDynamoTable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { type EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { CfnTable } from 'aws-cdk-lib/aws-glue';
import { Effect, FederatedPrincipal, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnIdentityPool, CfnIdentityPoolRoleAttachment, CfnUserPoolGroup, type UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { BlockPublicAccess, Bucket as S3Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { CfnDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { columnsOf } from '../functions/research/columns.ts';
import { RESEARCH_CONSUMED } from '../functions/research/project.ts';
import { tablesOf } from '../functions/research/tables.ts';
import { type StudyConfig, retentionEnds } from '../studies/schema.ts';
import { deadLetterQueue, functionArnByName, redriveTo } from './constructs/dlq.ts';
import { SamverkanFunction } from './constructs/function.ts';
import { stackKey } from './constructs/kms.ts';
import { safeTable } from './constructs/table.ts';
import { DEFAULT_STAGE, researchGlueTable, researchGroup, researchKeySecretName, researchPrefix, researchStreamName, researchWorkGroupName } from './names.ts';

/** The most a query of a study's workgroup may scan (10 GiB): a runaway query is cancelled, not billed on. */
export const ATHENA_BYTES_SCANNED_LIMIT = 10 * 1024 ** 3;

/**
 * The research datasets on AWS: the consumer on the national bus (with its own state table), one
 * pseudonym key per study in Secrets Manager, and per study and table a Firehose delivery stream
 * that converts the JSON records to Parquet through a Glue table (schema generated from the row
 * schemas) and partitions them by month under `research/<study>/<table>/month=YYYY-MM/`; the
 * Glue tables use partition projection (no crawler, no MSCK REPAIR).
 */
export class ResearchDatasets extends Construct {
  /** The delivery stream of each `<study>/<table>`. */
  readonly streams = new Map<string, CfnDeliveryStream>();
  /** The consumer's state table (consent states by pseudonym, co-presence of the day). */
  readonly state: Table;

  constructor(scope: Construct, id: string, props: { bus: EventBus; lake: Bucket; databaseName: string; /** The logical id of the Glue database when `databaseName` is its Ref (for cdk-nag findings). */ databaseRefId?: string; studies: StudyConfig[]; userPool: UserPool; client: UserPoolClient; accessLogs: Bucket; /** The stage (`-c stage=…`): in the stream, secret and workgroup names. */ stage?: string }) {
    super(scope, id);
    const { lake, databaseName, databaseRefId, studies } = props;
    const stage = props.stage ?? DEFAULT_STAGE;
    for (const study of studies) {
      for (const table of tablesOf(study)) {
        const name = researchStreamName(study.id, table, stage);
        if (name.length > 64) throw new Error(`studies/${study.id}.json: the delivery stream name "${name}" is longer than Firehose's 64 characters in stage "${stage}": use a shorter study id (or stage)`);
      }
    }

    // The stack's one key encrypts the pseudonym keys, the delivery streams and the results buckets too
    // (the lake already uses it); only the access-log bucket is SSE-S3 (S3 cannot log to SSE-KMS).
    const key = stackKey(this);
    const state = safeTable(this, 'StateTable');
    this.state = state;
    const dlq = deadLetterQueue(this, 'ConsumerDlq');
    const consumerName = `${Stack.of(this).stackName}-ResearchConsumer`;
    const consumer = new SamverkanFunction(this, 'Consumer', {
      functionName: consumerName,
      entry: 'functions/research/consume.ts',
      description: 'Writes the rows of each active research study, about participating members only, under the study pseudonym',
      environment: { RESEARCH_STATE_TABLE_NAME: state.tableName, SAMVERKAN_STAGE: stage },
      asyncDeadLetterQueue: dlq,
      timeout: Duration.seconds(30),
    });
    state.grantReadWriteData(consumer);
    redriveTo(dlq, 'lambda', functionArnByName(consumerName));
    new Rule(this, 'EventsToResearch', {
      eventBus: props.bus,
      description: 'The events the research datasets are made of, from every hub',
      eventPattern: { source: [{ prefix: 'samverkan.hub.' }] as unknown as string[], detailType: [...RESEARCH_CONSUMED] },
      targets: [new LambdaFunction(consumer, { deadLetterQueue: dlq, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });

    const firehoseRole = new Role(this, 'DeliveryRole', { assumedBy: new ServicePrincipal('firehose.amazonaws.com'), description: 'Firehose writes research Parquet files to the lake, reading the Glue schema' });
    lake.grantPut(firehoseRole, 'research/*');
    lake.grantPut(firehoseRole, 'research-errors/*');
    firehoseRole.addToPolicy(new PolicyStatement({ actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads', 's3:AbortMultipartUpload'], resources: [lake.bucketArn, lake.arnForObjects('research*')] }));
    const glueArn = (resource: string) => `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
    firehoseRole.addToPolicy(
      new PolicyStatement({
        actions: ['glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions'],
        resources: [glueArn('catalog'), glueArn(`database/${databaseName}`), glueArn(`table/${databaseName}/*`)],
      }),
    );

    // Researchers sign in to the user pool; the identity pool gives a member of `research-<study>` that
    // study's role only (the token's preferred role; anything ambiguous is denied).
    const identityPool = new CfnIdentityPool(this, 'ResearchIdentityPool', {
      allowUnauthenticatedIdentities: false,
      cognitoIdentityProviders: [{ clientId: props.client.userPoolClientId, providerName: props.userPool.userPoolProviderName, serverSideTokenCheck: true }],
    });
    const federated = (extra: Record<string, unknown> = {}) =>
      new FederatedPrincipal(
        'cognito-identity.amazonaws.com',
        { StringEquals: { 'cognito-identity.amazonaws.com:aud': identityPool.ref }, 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' }, ...extra },
        'sts:AssumeRoleWithWebIdentity',
      );
    const noAccess = new Role(this, 'ResearchDefaultRole', { assumedBy: federated(), description: 'Signed-in users without a study group: no permissions' });
    new CfnIdentityPoolRoleAttachment(this, 'ResearchRoles', {
      identityPoolId: identityPool.ref,
      roles: { authenticated: noAccess.roleArn },
      roleMappings: { userPool: { identityProvider: `${props.userPool.userPoolProviderName}:${props.client.userPoolClientId}`, type: 'Token', ambiguousRoleResolution: 'Deny' } },
    });

    for (const study of studies) {
      const secret = new Secret(this, `Key-${study.id}`, {
        secretName: researchKeySecretName(study.id, stage),
        description: `Pseudonym key of research study ${study.id}: HMAC-SHA256(key, member id). Never given to researchers.`,
        generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
        encryptionKey: key,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      secret.grantRead(consumer);
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'A pseudonym key is not rotated: a new key would give every member a new pseudonym mid-study and break the longitudinal data. It never leaves the platform.',
      });

      // Retention: the study's objects expire the day after its retention ends (docs/research.md).
      const lastDay = retentionEnds(study);
      lake.addLifecycleRule({ id: `retention-${study.id}`, prefix: `research/${study.id}/`, expirationDate: new Date(Date.parse(`${lastDay}T00:00:00Z`) + 86_400_000) });

      for (const table of tablesOf(study)) {
        const glueName = researchGlueTable(study.id, table);
        const location = lake.s3UrlForObject(researchPrefix(study.id, table));
        const glueTable = new CfnTable(this, `Table-${study.id}-${table}`, {
          catalogId: Aws.ACCOUNT_ID,
          databaseName,
          tableInput: {
            name: glueName,
            description: `Study ${study.id}: ${table} (codebook: npm run research:codebook -- --study ${study.id})`,
            tableType: 'EXTERNAL_TABLE',
            partitionKeys: [{ name: 'month', type: 'string', comment: 'YYYY-MM' }],
            parameters: {
              classification: 'parquet',
              'projection.enabled': 'true',
              'projection.month.type': 'date',
              'projection.month.format': 'yyyy-MM',
              'projection.month.range': `${study.start.slice(0, 7)},NOW`,
              'projection.month.interval': '1',
              'projection.month.interval.unit': 'MONTHS',
              'storage.location.template': `${location}month=\${month}/`,
            },
            storageDescriptor: {
              location,
              columns: columnsOf(table)
                .filter((c) => c.name !== 'month')
                .map((c) => ({ name: c.name, type: c.type, comment: c.description.slice(0, 255) })),
              inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
              outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
              serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
            },
          },
        });
        const stream = new CfnDeliveryStream(this, `Stream-${study.id}-${table}`, {
          deliveryStreamName: researchStreamName(study.id, table, stage),
          deliveryStreamType: 'DirectPut',
          deliveryStreamEncryptionConfigurationInput: { keyType: 'CUSTOMER_MANAGED_CMK', keyArn: key.keyArn },
          extendedS3DestinationConfiguration: {
            bucketArn: lake.bucketArn,
            roleArn: firehoseRole.roleArn,
            prefix: `${researchPrefix(study.id, table)}month=!{partitionKeyFromQuery:month}/`,
            errorOutputPrefix: `research-errors/${study.id}/${table}/!{firehose:error-output-type}/`,
            bufferingHints: { intervalInSeconds: 300, sizeInMBs: 64 },
            dynamicPartitioningConfiguration: { enabled: true, retryOptions: { durationInSeconds: 300 } },
            processingConfiguration: {
              enabled: true,
              processors: [
                {
                  type: 'MetadataExtraction',
                  parameters: [
                    { parameterName: 'MetadataExtractionQuery', parameterValue: '{month: .month}' },
                    { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
                  ],
                },
              ],
            },
            dataFormatConversionConfiguration: {
              enabled: true,
              inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
              outputFormatConfiguration: { serializer: { parquetSerDe: { compression: 'SNAPPY' } } },
              schemaConfiguration: { catalogId: Aws.ACCOUNT_ID, databaseName, tableName: glueName, region: Aws.REGION, roleArn: firehoseRole.roleArn, versionId: 'LATEST' },
            },
          },
        });
        stream.addResourceDependency(glueTable);
        stream.node.addDependency(firehoseRole);
        this.streams.set(`${study.id}/${table}`, stream);
        consumer.addToRolePolicy(new PolicyStatement({ actions: ['firehose:PutRecordBatch'], resources: [stream.attrArn] }));
      }

      // Athena: a workgroup of the study's own, with a bytes-scanned limit and a results bucket of its own.
      const results = new S3Bucket(this, `Results-${study.id}`, {
        encryption: BucketEncryption.KMS,
        encryptionKey: key,
        bucketKeyEnabled: true,
        enforceSSL: true,
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
        serverAccessLogsBucket: props.accessLogs,
        serverAccessLogsPrefix: `athena-results/${study.id}/`,
        lifecycleRules: [{ expiration: Duration.days(30) }],
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const workgroup = new CfnWorkGroup(this, `WorkGroup-${study.id}`, {
        name: researchWorkGroupName(study.id, stage),
        description: `Research study ${study.id}: ${study.title}`.slice(0, 1024),
        state: 'ENABLED',
        workGroupConfiguration: {
          enforceWorkGroupConfiguration: true,
          publishCloudWatchMetricsEnabled: true,
          bytesScannedCutoffPerQuery: ATHENA_BYTES_SCANNED_LIMIT,
          resultConfiguration: { outputLocation: results.s3UrlForObject('results/'), encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: key.keyArn } },
        },
      });
      const workgroupArn = `arn:${Aws.PARTITION}:athena:${Aws.REGION}:${Aws.ACCOUNT_ID}:workgroup/${workgroup.name}`;
      const studyTables = glueArn(`table/${databaseName}/${researchGlueTable(study.id, '*')}`);
      const role = new Role(this, `Role-${study.id}`, {
        assumedBy: federated(),
        description: `Researchers of study ${study.id}: query its tables in its Athena workgroup, nothing else`,
      });
      role.addToPolicy(new PolicyStatement({ actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup', 'athena:ListQueryExecutions'], resources: [workgroupArn] }));
      role.addToPolicy(new PolicyStatement({ actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartitions'], resources: [glueArn('catalog'), glueArn(`database/${databaseName}`), studyTables] }));
      role.addToPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [lake.arnForObjects(`research/${study.id}/*`)] }));
      role.addToPolicy(new PolicyStatement({ actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [lake.bucketArn], conditions: { StringLike: { 's3:prefix': [`research/${study.id}/*`] } } }));
      // The lake's objects are encrypted with the stack key (S3 bucket keys: the context is the bucket).
      role.addToPolicy(
        new PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': lake.bucketArn } },
        }),
      );
      role.addToPolicy(new PolicyStatement({ effect: Effect.DENY, actions: ['secretsmanager:*', 'firehose:*'], resources: ['*'] }));
      results.grantReadWrite(role);
      new CfnUserPoolGroup(this, `Group-${study.id}`, { userPoolId: props.userPool.userPoolId, groupName: researchGroup(study.id), roleArn: role.roleArn, description: `Researchers of study ${study.id}` });
      const stack = Stack.of(this);
      const resultsId = stack.getLogicalId(results.node.defaultChild as CfnBucket);
      const lakeIdHere = stack.getLogicalId(lake.node.defaultChild as CfnBucket);
      Validations.of(role).acknowledge(
        ...[
          `Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/${databaseRefId ? `<${databaseRefId}>` : databaseName}/${researchGlueTable(study.id, '*')}`,
          `Resource::<${lakeIdHere}.Arn>/research/${study.id}/*`,
          `Resource::<${resultsId}.Arn>/*`,
          'Action::s3:GetObject*',
          'Action::s3:GetBucket*',
          'Action::s3:List*',
          'Action::s3:DeleteObject*',
          'Action::s3:Abort*',
          'Action::secretsmanager:*',
          'Action::firehose:*',
          'Resource::*',
        ].map((finding) => ({ id: `AwsSolutions::AwsSolutions-IAM5[${finding}]`, reason: `Only study ${study.id}: its Glue tables (${researchGlueTable(study.id, '*')}), its objects under research/${study.id}/, its own results bucket; the wildcards in the Deny statement take keys and streams away.` })),
      );
    }

    const stack = Stack.of(this);
    const lakeId = stack.getLogicalId(lake.node.defaultChild as CfnBucket);
    const why = 'Firehose writes objects under the research prefixes of the lake only (object keys are made per month and file) and reads the Glue tables of the research database (one per study and table).';
    Validations.of(firehoseRole).acknowledge(
      ...[
        'Action::s3:Abort*',
        `Resource::<${lakeId}.Arn>/research/*`,
        `Resource::<${lakeId}.Arn>/research-errors/*`,
        `Resource::<${lakeId}.Arn>/research*`,
        `Resource::arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/${databaseRefId ? `<${databaseRefId}>` : databaseName}/*`,
      ].map((finding) => ({ id: `AwsSolutions::AwsSolutions-IAM5[${finding}]`, reason: why })),
    );
    Validations.of(consumer).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${stack.getLogicalId(state.node.defaultChild as CfnDynamoTable)}.Arn>/index/*]`,
      reason: 'Access to the research state table’s own indexes (table/index/*), nothing else.',
    });
  }
}
