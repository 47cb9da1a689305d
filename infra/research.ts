import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnTable as CfnDynamoTable } from 'aws-cdk-lib/aws-dynamodb';
import { type EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { CfnTable } from 'aws-cdk-lib/aws-glue';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { columnsOf } from '../functions/research/columns.ts';
import { RESEARCH_CONSUMED } from '../functions/research/project.ts';
import { tablesOf } from '../functions/research/tables.ts';
import { type StudyConfig, retentionEnds } from '../studies/schema.ts';
import { deadLetterQueue } from './constructs/dlq.ts';
import { SamverkanFunction } from './constructs/function.ts';
import { safeTable } from './constructs/table.ts';
import { researchGlueTable, researchKeySecretName, researchPrefix, researchStreamName } from './names.ts';

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

  constructor(scope: Construct, id: string, props: { bus: EventBus; lake: Bucket; databaseName: string; /** The logical id of the Glue database when `databaseName` is its Ref (for cdk-nag findings). */ databaseRefId?: string; studies: StudyConfig[] }) {
    super(scope, id);
    const { lake, databaseName, databaseRefId, studies } = props;

    const state = safeTable(this, 'StateTable');
    const dlq = deadLetterQueue(this, 'ConsumerDlq');
    const consumer = new SamverkanFunction(this, 'Consumer', {
      entry: 'functions/research/consume.ts',
      description: 'Writes the rows of each active research study, about participating members only, under the study pseudonym',
      environment: { RESEARCH_STATE_TABLE_NAME: state.tableName },
      asyncDeadLetterQueue: dlq,
      timeout: Duration.seconds(30),
    });
    state.grantReadWriteData(consumer);
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

    for (const study of studies) {
      const secret = new Secret(this, `Key-${study.id}`, {
        secretName: researchKeySecretName(study.id),
        description: `Pseudonym key of research study ${study.id}: HMAC-SHA256(key, member id). Never given to researchers.`,
        generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
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
          deliveryStreamName: researchStreamName(study.id, table),
          deliveryStreamType: 'DirectPut',
          deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
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
