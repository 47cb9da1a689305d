import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { columnsOf } from '../../functions/research/columns.ts';
import { RESEARCH_CONSUMED } from '../../functions/research/project.ts';
import { buildApp } from '../../infra/app.ts';
import { ATHENA_BYTES_SCANNED_LIMIT } from '../../infra/research.ts';

const STUDY = 'samverkanshubbar-i-norr';
let national: Template;

beforeAll(() => {
  national = Template.fromStack(buildApp({ bundle: false }).nationalStack);
}, 300_000);

describe('the research datasets on AWS (per study)', () => {
  it('has a Firehose stream per table: encrypted, Parquet through the Glue table, partitioned by month under research/<study>/<table>/', () => {
    const streams = national.findResources('AWS::KinesisFirehose::DeliveryStream');
    expect(Object.values(streams).map((s) => s.Properties.DeliveryStreamName).sort()).toEqual(
      ['bookings', 'co_presence', 'consents', 'event_participation', 'survey_answers', 'survey_invitations', 'visits'].map((t) => `samverkan-${STUDY}-${t}`),
    );
    national.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: `samverkan-${STUDY}-visits`,
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'CUSTOMER_MANAGED_CMK', KeyARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StackKey'), 'Arn'] } },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: `research/${STUDY}/visits/month=!{partitionKeyFromQuery:month}/`,
        DynamicPartitioningConfiguration: { Enabled: true, RetryOptions: Match.anyValue() },
        ProcessingConfiguration: { Enabled: true, Processors: [Match.objectLike({ Type: 'MetadataExtraction', Parameters: Match.arrayWith([{ ParameterName: 'MetadataExtractionQuery', ParameterValue: '{month: .month}' }]) })] },
        DataFormatConversionConfiguration: Match.objectLike({
          Enabled: true,
          OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } },
          SchemaConfiguration: Match.objectLike({ TableName: 'samverkanshubbar_i_norr__visits', VersionId: 'LATEST' }),
        }),
      }),
    });
  });

  it('has Glue tables whose columns are generated from the row schemas, with month partition projection', () => {
    national.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'samverkanshubbar_i_norr__visits',
        PartitionKeys: [Match.objectLike({ Name: 'month', Type: 'string' })],
        Parameters: Match.objectLike({ 'projection.enabled': 'true', 'projection.month.type': 'date', 'projection.month.format': 'yyyy-MM', 'projection.month.range': '2026-01,NOW' }),
        StorageDescriptor: Match.objectLike({
          Columns: columnsOf('visits')
            .filter((c) => c.name !== 'month')
            .map((c) => Match.objectLike({ Name: c.name, Type: c.type })),
        }),
      }),
    });
  });

  it('has the survey_answers stream and Glue table like the others (columns from the row schema)', () => {
    national.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: `samverkan-${STUDY}-survey_answers`,
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: `research/${STUDY}/survey_answers/month=!{partitionKeyFromQuery:month}/`,
        DataFormatConversionConfiguration: Match.objectLike({ SchemaConfiguration: Match.objectLike({ TableName: 'samverkanshubbar_i_norr__survey_answers' }) }),
      }),
    });
    national.hasResourceProperties('AWS::Glue::Table', {
      TableInput: Match.objectLike({
        Name: 'samverkanshubbar_i_norr__survey_answers',
        StorageDescriptor: Match.objectLike({
          Columns: columnsOf('survey_answers')
            .filter((c) => c.name !== 'month')
            .map((c) => Match.objectLike({ Name: c.name, Type: c.type })),
        }),
      }),
    });
    expect(columnsOf('survey_answers').map((c) => c.name)).toEqual(['row_id', 'person', 'answer', 'study', 'hub', 'county', 'instrument', 'item', 'value', 'choice', 'trigger', 'week', 'month']);
    expect(RESEARCH_CONSUMED).toContain('SurveyAnswered');
  });

  it('has one Athena workgroup per study with a bytes-scanned limit and a results bucket of its own', () => {
    national.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: `samverkan-research-${STUDY}`,
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: ATHENA_BYTES_SCANNED_LIMIT,
        ResultConfiguration: Match.objectLike({
          OutputLocation: { 'Fn::Join': ['', Match.arrayWith([{ Ref: Match.stringLikeRegexp('ResearchResultssamverkanshubbarinorr') }])] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StackKey'), 'Arn'] } },
        }),
      }),
    });
    // The stack's key, not S3's: the results bucket like the lake.
    const results = Object.entries(national.findResources('AWS::S3::Bucket')).filter(([id]) => id.startsWith('ResearchResults'));
    expect(results).toHaveLength(1);
    expect(results[0]?.[1].Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^StackKey/), 'Arn'] } });
  });

  it("gives the study's Cognito group a role that reads that study only", () => {
    national.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: `research-${STUDY}`, RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ResearchRolesamverkanshubbarinorr'), 'Arn'] } });
    const policies = Object.values(national.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p.Properties.Roles).includes('ResearchRolesamverkanshubbarinorr'));
    const text = JSON.stringify(policies);
    expect(text).toContain(`research/${STUDY}/*`);
    expect(text).toContain('samverkanshubbar_i_norr__*');
    expect(text).toContain(`workgroup/samverkan-research-${STUDY}`);
    expect(text).not.toMatch(/"research\/\*"/);
    // The lake's objects are encrypted with the stack key: the role may decrypt through S3, for the lake only.
    const decrypt = policies.flatMap((p) => p.Properties.PolicyDocument.Statement).find((st: any) => st.Action === 'kms:Decrypt' && st.Condition);
    expect(decrypt?.Condition.StringEquals).toMatchObject({ 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] }, 'kms:EncryptionContext:aws:s3:arn': { 'Fn::GetAtt': [expect.stringMatching(/^ResearchLake/), 'Arn'] } });
    national.hasResourceProperties('AWS::Cognito::IdentityPoolRoleAttachment', { RoleMappings: { userPool: Match.objectLike({ Type: 'Token', AmbiguousRoleResolution: 'Deny' }) } });
  });

  it('runs the consumer on the national bus for the research events, with a DLQ, and keeps one pseudonym key per study in Secrets Manager', () => {
    national.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: [{ prefix: 'samverkan.hub.' }], 'detail-type': [...RESEARCH_CONSUMED] },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
    national.hasResourceProperties('AWS::SecretsManager::Secret', { Name: `samverkan/research/${STUDY}/pseudonym-key`, GenerateSecretString: Match.objectLike({ PasswordLength: 64 }), KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StackKey'), 'Arn'] } });
    national.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });

  it('expires a study in the lake the day after its retention ends (lifecycle rule on its prefix)', () => {
    national.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: `retention-${STUDY}`, Prefix: `research/${STUDY}/`, ExpirationDate: '2034-01-01T00:00:00Z', Status: 'Enabled' })]) },
    });
  });
});
