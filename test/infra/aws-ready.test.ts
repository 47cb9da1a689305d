import { Match, Template } from 'aws-cdk-lib/assertions';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HUBS_DIR } from '../../hubs/load.ts';
import { buildApp } from '../../infra/app.ts';
import { ACCESS_LOG_FIELDS } from '../../infra/constructs/http-api.ts';
import { HUB_WORKER_TABLE_ACTIONS, OUTBOX_RETRY } from '../../infra/hub-stack.ts';
import { SHIPPED_HUBS } from '../support/expected.ts';

type Resources = Record<string, any>;

const NATIONAL_CONTEXT = {
  account: '111122223333',
  region: 'eu-north-1',
  userPoolId: 'eu-north-1_abc',
  userPoolClientId: 'client123',
  networkTableArn: 'arn:aws:dynamodb:eu-north-1:111122223333:table/network-table',
};

/** The shipped hubs, with lulea and boden in account 222233334444 and skelleftea in 555566667777. */
function hubsInOtherAccounts(overrides: Record<string, { account: string; region: string }> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hubs-'));
  const accounts: Record<string, { account: string; region: string }> = {
    lulea: { account: '222233334444', region: 'eu-north-1' },
    boden: { account: '222233334444', region: 'eu-north-1' },
    skelleftea: { account: '555566667777', region: 'eu-north-1' },
    ...overrides,
  };
  for (const id of SHIPPED_HUBS) {
    const hub = JSON.parse(readFileSync(join(HUBS_DIR, `${id}.json`), 'utf8'));
    writeFileSync(join(dir, `${id}.json`), JSON.stringify(accounts[id] ? { ...hub, aws: accounts[id] } : hub));
  }
  cpSync(join(HUBS_DIR, '_organisations.json'), join(dir, '_organisations.json'));
  return dir;
}

let built: ReturnType<typeof buildApp>;
let national: Template;
let umea: Template;
let all: Template[];

beforeAll(() => {
  built = buildApp({ bundle: false, context: { 'samverkan:alarmEmail': 'drift@example.se' } });
  national = Template.fromStack(built.nationalStack);
  umea = Template.fromStack(built.hubStacks.find((s) => s.stackName === 'samverkan-hub-umea')!);
  all = [national, umea];
});

const logicalIdOf = (t: Template, type: string, pattern: RegExp) => Object.keys(t.findResources(type)).find((id) => pattern.test(id))!;

describe('first deploy: the outbox pipe', () => {
  it('depends on its role and the role’s policy, so it cannot start before it may read the stream (aws/aws-cdk#31211)', () => {
    const policy = logicalIdOf(umea, 'AWS::IAM::Policy', /^OutboxPipeRoleDefaultPolicy/);
    const role = logicalIdOf(umea, 'AWS::IAM::Role', /^OutboxPipeRole/);
    const pipe = Object.values(umea.findResources('AWS::Pipes::Pipe'))[0]!;
    expect(pipe.DependsOn).toEqual(expect.arrayContaining([policy, role]));
  });

  it('gives up on a record after a few retries or an hour, into its DLQ, and logs errors (no payloads) to an encrypted log group', () => {
    umea.hasResourceProperties('AWS::Pipes::Pipe', {
      SourceParameters: {
        DynamoDBStreamParameters: Match.objectLike({
          MaximumRetryAttempts: OUTBOX_RETRY.maximumRetryAttempts,
          MaximumRecordAgeInSeconds: OUTBOX_RETRY.maximumRecordAgeInSeconds,
          OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OutboxPipeDlq'), 'Arn'] } },
        }),
      },
      LogConfiguration: { Level: 'ERROR', CloudwatchLogsLogDestination: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OutboxPipeLogs'), 'Arn'] } } },
    });
    expect(OUTBOX_RETRY.maximumRetryAttempts).toBeLessThanOrEqual(10);
    const pipe = Object.values(umea.findResources('AWS::Pipes::Pipe'))[0]!;
    expect(pipe.Properties.LogConfiguration.IncludeExecutionData).toBeUndefined();
    umea.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^OutboxPipeRoleDefaultPolicy'),
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OutboxPipeLogs'), 'Arn'] } })]) },
    });
  });
});

describe('first deploy: hubs in their operators’ own accounts', () => {
  let app: ReturnType<typeof buildApp>;
  let nat: Template;
  beforeAll(() => {
    app = buildApp({ bundle: false, hubsDir: hubsInOtherAccounts(), context: { 'samverkan:national': NATIONAL_CONTEXT } });
    nat = Template.fromStack(app.nationalStack);
  });

  it('reach the network table by ARN, with a DynamoDB client in the national region, and may use the national key only through DynamoDB', () => {
    const lulea = Template.fromStack(app.hubStacks.find((s) => s.stackName === 'samverkan-hub-lulea')!);
    lulea.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NETWORK_TABLE_NAME: NATIONAL_CONTEXT.networkTableArn, NETWORK_TABLE_REGION: 'eu-north-1' }) },
    });
    lulea.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem']), Resource: NATIONAL_CONTEXT.networkTableArn }),
          Match.objectLike({ Resource: { 'Fn::Join': ['', Match.arrayWith([':kms:eu-north-1:111122223333:key/*'])] }, Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-north-1.amazonaws.com' } } }),
        ]),
      },
    });
  });

  it('the network table’s resource policy allows exactly the hub accounts, and the national key lets them in through DynamoDB only', () => {
    const table = Object.values(nat.findResources('AWS::DynamoDB::Table', { Properties: { ResourcePolicy: Match.anyValue() } }))[0]!;
    const [statement] = table.Properties.ResourcePolicy.PolicyDocument.Statement;
    const principals = [statement.Principal.AWS].flat().map((p: Resources) => JSON.stringify(p).match(/iam::(\d{12}):root/)?.[1]).sort();
    expect(principals).toEqual(['222233334444', '555566667777']);
    expect(statement.Action).not.toContain('dynamodb:Scan');
    const key = Object.values(nat.findResources('AWS::KMS::Key'))[0]!;
    const viaDynamo = key.Properties.KeyPolicy.Statement.find((s: Resources) => s.Condition?.StringEquals?.['kms:ViaService']);
    expect(viaDynamo.Condition.StringEquals['kms:ViaService']).toEqual({ 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] });
    expect(JSON.stringify(viaDynamo.Principal)).toMatch(/222233334444[\s\S]*555566667777/);
  });

  it('the national bus lets each account publish only as its own hubs, exactly', () => {
    const policies = Object.values(nat.findResources('AWS::Events::EventBusPolicy')).map((p) => p.Properties.Statement);
    const byAccount = Object.fromEntries(policies.map((s) => [JSON.stringify(s.Principal).match(/iam::(\d{12}):root/)?.[1], s.Condition]));
    expect(byAccount).toEqual({
      '222233334444': { 'ForAllValues:StringEquals': { 'events:source': ['samverkan.hub.boden', 'samverkan.hub.lulea'] } },
      '555566667777': { 'ForAllValues:StringEquals': { 'events:source': ['samverkan.hub.skelleftea'] } },
    });
    expect(JSON.stringify(policies)).not.toMatch(/StringLike|samverkan\.hub\.\*/);
  });
});

describe('data residency: regions', () => {
  it('puts every stack in eu-north-1 unless configured otherwise', () => {
    for (const stack of [built.nationalStack, ...built.hubStacks]) expect(stack.region).toBe('eu-north-1');
  });

  it('rejects at synth a hub file whose region is not listed in config, naming the file and the allowed regions', () => {
    expect(() => buildApp({ bundle: false, hubsDir: hubsInOtherAccounts({ lulea: { account: '222233334444', region: 'us-east-1' } }), context: { 'samverkan:national': NATIONAL_CONTEXT } })).toThrow(
      /Region "us-east-1" of hubs\/lulea\.json \(aws\.region\) is not allowed: data stays in eu-north-1/,
    );
  });

  it('rejects a national region not listed, and accepts a region once it is listed', () => {
    expect(() => buildApp({ bundle: false, context: { 'samverkan:region': 'us-east-1' } })).toThrow(/Region "us-east-1" of context "samverkan:region"/);
    const ok = buildApp({ bundle: false, context: { 'samverkan:regions': ['eu-north-1', 'eu-west-1'], 'samverkan:region': 'eu-west-1' } });
    expect(ok.nationalStack.region).toBe('eu-west-1');
  });
});

describe('keys: one customer-managed key per stack', () => {
  it('has exactly one key per stack, rotated, retained, with statements for CloudWatch Logs, EventBridge and CloudWatch alarms', () => {
    for (const t of all) {
      const keys: Resources[] = Object.values(t.findResources('AWS::KMS::Key'));
      expect(keys).toHaveLength(1);
      expect(keys[0]!.Properties.EnableKeyRotation).toBe(true);
      expect(keys[0]!.DeletionPolicy).toBe('Retain');
      const services = keys[0]!.Properties.KeyPolicy.Statement.map((s: Resources) => JSON.stringify(s.Principal?.Service ?? ''));
      expect(services.join()).toMatch(/logs\./);
      expect(services.join()).toMatch(/events\.amazonaws\.com/);
      expect(services.join()).toMatch(/cloudwatch\.amazonaws\.com/);
    }
  });

  it('encrypts tables, buses, the archive, queues, the topic and log groups with it', () => {
    for (const t of all) {
      const key = Object.keys(t.findResources('AWS::KMS::Key'))[0]!;
      const keyArn = { 'Fn::GetAtt': [key, 'Arn'] };
      for (const table of Object.values(t.findResources('AWS::DynamoDB::Table'))) expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn });
      for (const bus of Object.values(t.findResources('AWS::Events::EventBus'))) expect(bus.Properties.KmsKeyIdentifier).toEqual(keyArn);
      for (const q of Object.values(t.findResources('AWS::SQS::Queue'))) expect(q.Properties.KmsMasterKeyId).toEqual(keyArn);
      for (const topic of Object.values(t.findResources('AWS::SNS::Topic'))) expect(topic.Properties.KmsMasterKeyId).toEqual(keyArn);
      for (const lg of Object.values(t.findResources('AWS::Logs::LogGroup'))) expect(lg.Properties.KmsKeyId).toEqual(keyArn);
    }
    national.hasResourceProperties('AWS::Events::Archive', { KmsKeyIdentifier: Match.anyValue() });
  });

  it('encrypts the research lake with it (the access-log bucket keeps SSE-S3: S3 cannot deliver access logs to SSE-KMS)', () => {
    national.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } })] },
    });
    national.hasResourceProperties('AWS::Athena::WorkGroup', { WorkGroupConfiguration: Match.objectLike({ ResultConfiguration: Match.objectLike({ EncryptionConfiguration: Match.objectLike({ EncryptionOption: 'SSE_KMS' }) }) }) });
  });
});

describe('Cognito', () => {
  it('has deletion protection and sends mail through SES from the configured address', () => {
    national.hasResourceProperties('AWS::Cognito::UserPool', {
      DeletionProtection: 'ACTIVE',
      EmailConfiguration: Match.objectLike({ EmailSendingAccount: 'DEVELOPER', From: 'samverkan <noreply@samverkan.se>', SourceArn: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':identity/samverkan\\.se$')])] }) }),
    });
    const t = Template.fromStack(buildApp({ bundle: false, context: { 'samverkan:mailFrom': 'Hubben <hubb@kommun.se>' } }).nationalStack);
    t.hasResourceProperties('AWS::Cognito::UserPool', { EmailConfiguration: Match.objectLike({ From: 'Hubben <hubb@kommun.se>' }) });
  });
});

describe('operations: trouble is seen', () => {
  const alarmsOf = (t: Template) => Object.values(t.findResources('AWS::CloudWatch::Alarm'));
  const refersTo = (alarm: Resources, logicalId: string) => JSON.stringify(alarm.Properties).includes(`"${logicalId}"`);

  it('alarms on every dead-letter queue (messages visible) and on every function’s errors and throttles', () => {
    for (const t of all) {
      const alarms = alarmsOf(t);
      for (const q of Object.keys(t.findResources('AWS::SQS::Queue'))) {
        expect(alarms.some((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' && refersTo(a, q)), q).toBe(true);
      }
      // CDK's handler of the app's bucket deployment runs only during a deploy: a failure there fails the deploy itself.
      for (const fn of Object.keys(t.findResources('AWS::Lambda::Function')).filter((id) => !id.startsWith('CustomCDKBucketDeployment'))) {
        for (const metric of ['Errors', 'Throttles']) expect(alarms.some((a) => a.Properties.MetricName === metric && refersTo(a, fn)), `${fn} ${metric}`).toBe(true);
      }
    }
  });

  it('alarms on pipe failures, API 5xx rate and latency, and DynamoDB throttles', () => {
    const metricsIn = (a: Resources) => JSON.stringify(a.Properties);
    const umeaAlarms = alarmsOf(umea).map(metricsIn);
    expect(umeaAlarms.some((a) => a.includes('AWS/EventBridge/Pipes') && a.includes('ExecutionFailed') && a.includes('samverkan-hub-umea-outbox'))).toBe(true);
    for (const t of all) {
      const alarms = alarmsOf(t).map(metricsIn);
      expect(alarms.some((a) => a.includes('"5xx"') && a.includes('"Count"'))).toBe(true);
      expect(alarms.some((a) => a.includes('"Latency"') && a.includes('p99'))).toBe(true);
      expect(alarms.filter((a) => a.includes('ReadThrottleEvents') && a.includes('WriteThrottleEvents')).length).toBe(Object.keys(t.findResources('AWS::DynamoDB::Table')).length);
    }
  });

  it('sends every alarm (and its recovery) to the stack’s encrypted topic, with the configured e-mail subscribed', () => {
    for (const t of all) {
      const [topic] = Object.keys(t.findResources('AWS::SNS::Topic'));
      for (const a of alarmsOf(t)) {
        expect(a.Properties.AlarmActions).toEqual([{ Ref: topic }]);
        expect(a.Properties.OKActions).toEqual([{ Ref: topic }]);
        expect(a.Properties.AlarmDescription).toMatch(/Runbook: docs\/operations\.md#/);
      }
      t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'drift@example.se', TopicArn: { Ref: topic } });
    }
  });

  it('has one dashboard per hub and one national', () => {
    national.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    national.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'samverkan-national' });
    for (const stack of built.hubStacks) {
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      t.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: stack.stackName });
    }
  });

  it('runs scheduled jobs with an asynchronous DLQ (the schedule’s own), so a failing run is dead-lettered and alarmed', () => {
    for (const job of ['CloseVisits', 'ReleaseNoShows']) {
      const fn = logicalIdOf(umea, 'AWS::Lambda::Function', new RegExp(`^${job}[0-9A-F]{8}$`));
      const dlq = logicalIdOf(umea, 'AWS::SQS::Queue', new RegExp(`^${job}Dlq`));
      const props = umea.findResources('AWS::Lambda::Function')[fn]!.Properties;
      expect(props.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] } });
      umea.hasResourceProperties('AWS::Scheduler::Schedule', { Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [fn, 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } } }) });
    }
  });

  it('tags every dead-letter queue with where `npm run redrive` sends its messages back', () => {
    const tagsOf = (t: Template, pattern: RegExp) => {
      const q = Object.entries(t.findResources('AWS::SQS::Queue')).find(([id]) => pattern.test(id))![1];
      return Object.fromEntries((q.Properties.Tags as Array<{ Key: string; Value: unknown }>).map((tag) => [tag.Key, tag.Value]));
    };
    for (const t of all) {
      for (const q of Object.values(t.findResources('AWS::SQS::Queue'))) {
        const keys = (q.Properties.Tags as Array<{ Key: string }>).map((tag) => tag.Key);
        expect(keys).toEqual(expect.arrayContaining(['samverkan:redrive-kind', 'samverkan:redrive-target']));
      }
    }
    expect(tagsOf(umea, /^ForwardDlq/)['samverkan:redrive-kind']).toBe('event-bus');
    expect(JSON.stringify(tagsOf(umea, /^ForwardDlq/)['samverkan:redrive-target'])).toMatch(/event-bus\/samverkan-national/);
    expect(tagsOf(umea, /^OutboxPipeDlq/)).toMatchObject({ 'samverkan:redrive-kind': 'pipe' });
    expect(JSON.stringify(tagsOf(umea, /^OutboxPipeDlq/)['samverkan:redrive-target'])).toMatch(/event-bus\/samverkan-hub-umea"/);
    expect(tagsOf(national, /^ReportingConsumerDlq/)).toMatchObject({ 'samverkan:redrive-kind': 'lambda', 'samverkan:redrive-target': { 'Fn::Join': ['', expect.arrayContaining([':function:samverkan-national-ReportingConsumer'])] } });
    national.hasResourceProperties('AWS::Lambda::Function', { FunctionName: 'samverkan-national-ReportingConsumer', DeadLetterConfig: Match.anyValue() });
  });

  it('writes API access logs as JSON with the error and the integration error', () => {
    for (const t of all) {
      const stage = Object.values(t.findResources('AWS::ApiGatewayV2::Stage'))[0]!;
      const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
      expect(format).toEqual(ACCESS_LOG_FIELDS);
      expect(format).toMatchObject({ errorMessage: '$context.error.message', integrationErrorMessage: '$context.integrationErrorMessage', integrationError: '$context.integration.error' });
    }
  });
});

describe('least privilege', () => {
  it('gives each API function one permission for all its routes, not one per route', () => {
    for (const t of all) {
      const perms: Resources[] = Object.values(t.findResources('AWS::Lambda::Permission')).filter((p) => p.Properties.Principal === 'apigateway.amazonaws.com');
      const integrations: Resources[] = Object.values(t.findResources('AWS::ApiGatewayV2::Integration'));
      const functionsBehind = new Set(integrations.map((i) => JSON.stringify(i.Properties.IntegrationUri)));
      // One function per hub API; the national API and its report page (functions/report-view).
      expect(functionsBehind.size).toBe(t === national ? 2 : 1);
      expect(perms).toHaveLength(functionsBehind.size);
      expect(new Set(perms.map((p) => JSON.stringify(p.Properties.FunctionName))).size).toBe(perms.length);
      for (const p of perms) expect(JSON.stringify(p.Properties.SourceArn)).toMatch(/execute-api[\s\S]*\/\*\/\*/);
    }
  });

  it('gives the jobs and notifiers only the table actions they call (no Scan, batch or stream reads)', () => {
    const policies = umea.findResources('AWS::IAM::Policy');
    for (const role of ['CloseVisits', 'ReleaseNoShows', 'HostNotifier', 'EventNotifier', 'SurveyInviter']) {
      const id = Object.keys(policies).find((k) => new RegExp(`^${role}ServiceRoleDefaultPolicy`).test(k))!;
      const actions = policies[id]!.Properties.PolicyDocument.Statement.flatMap((s: Resources) => [s.Action].flat()).filter((a: string) => a.startsWith('dynamodb:'));
      expect([...new Set(actions)].sort(), role).toEqual([...HUB_WORKER_TABLE_ACTIONS].sort());
    }
  });

  it('routes visits and attended events of the hub to the survey inviter, with retries and a DLQ, and lets it send mail', () => {
    const rule = Object.values(umea.findResources('AWS::Events::Rule')).find((r) => JSON.stringify(r.Properties.EventPattern?.['detail-type']) === JSON.stringify(['CheckedOut', 'EventAttended']));
    expect(rule, 'the SurveyTriggers rule').toBeDefined();
    const target = rule!.Properties.Targets[0];
    expect(JSON.stringify(target.Arn)).toMatch(/SurveyInviter/);
    expect(target.DeadLetterConfig).toBeDefined();
    expect(target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 185 });
    const fn = Object.values(umea.findResources('AWS::Lambda::Function')).find((f) => JSON.stringify(f.Properties.FunctionName ?? '').includes('SurveyInviter'));
    expect(fn?.Metadata?.['samverkan:entry']).toBe('functions/surveys/invite.ts');
    expect(Object.keys(fn!.Properties.Environment.Variables)).toEqual(expect.arrayContaining(['HUB_ID', 'HUB_TABLE_NAME', 'MAIL_FROM', 'PUBLIC_BASE_URL']));
  });

  it('trusts the scheduler, pipes and EventBridge roles only for this account (aws:SourceAccount)', () => {
    const roles = umea.findResources('AWS::IAM::Role');
    const services = new Set<string>();
    for (const role of Object.values(roles)) {
      for (const s of role.Properties.AssumeRolePolicyDocument.Statement) {
        const service = s.Principal?.Service as string;
        if (['scheduler.amazonaws.com', 'pipes.amazonaws.com', 'events.amazonaws.com'].includes(service)) {
          services.add(service);
          expect(s.Condition, service).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
        }
      }
    }
    expect([...services].sort()).toEqual(['events.amazonaws.com', 'pipes.amazonaws.com', 'scheduler.amazonaws.com']);
  });
});

describe('stages', () => {
  /** Every explicit physical name in an app's templates. */
  function physicalNames(app: ReturnType<typeof buildApp>): string[] {
    const names: string[] = [];
    const nameKeys = /^(Name|TopicName|DashboardName|UserPoolName|ArchiveName|QueueName|TableName|FunctionName|RoleName|LogGroupName|AliasName)$/;
    const walk = (v: unknown, key = '') => {
      if (typeof v === 'string' && nameKeys.test(key)) names.push(v);
      else if (Array.isArray(v)) for (const x of v) walk(x, key);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (!['Dimensions', 'Metrics', 'RecoveryMechanisms', 'TableInput', 'SchemaConfiguration'].includes(k)) walk(x, k); // Glue tables are named (and referred to) inside their database, which carries the stage
    };
    for (const stack of [app.nationalStack, ...app.hubStacks]) {
      const t = Template.fromStack(stack).toJSON();
      walk(t.Resources);
      for (const out of Object.values((t.Outputs ?? {}) as Resources)) if (out.Export) names.push(JSON.stringify(out.Export.Name));
      names.push(stack.stackName);
    }
    return names;
  }

  it('puts the stage in every stack and physical name: dev and prod synthesize side by side in one account', () => {
    const dev = buildApp({ bundle: false, context: { stage: 'dev' } });
    expect([dev.nationalStack, ...dev.hubStacks].map((s) => s.stackName).sort()).toEqual([...SHIPPED_HUBS.map((h) => `samverkan-dev-hub-${h}`), 'samverkan-dev-national']);
    const devNames = physicalNames(dev);
    const prodNames = physicalNames(built);
    expect(devNames.length).toBeGreaterThan(20);
    expect(devNames.filter((n) => prodNames.includes(n))).toEqual([]);
    for (const n of devNames) expect(n, n).toMatch(/samverkan[-_]dev/);
    const t = Template.fromStack(dev.nationalStack);
    t.hasResourceProperties('AWS::Events::EventBus', { Name: 'samverkan-dev-national' });
    t.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: Match.objectLike({ Name: 'samverkan_dev_research' }) });
    Template.fromStack(dev.hubStacks[0]!).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ AUTH_AUDIENCE: { 'Fn::ImportValue': 'samverkan-dev-national-UserPoolClientId' } }) },
    });
  });

  it('rejects a stage that cannot be part of a name', () => {
    expect(() => buildApp({ bundle: false, context: { stage: 'Dev_1' } })).toThrow(/Stage "Dev_1" is not valid/);
  });
});
