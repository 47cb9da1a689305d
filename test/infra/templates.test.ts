import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXPECTED_STACKS } from '../support/expected.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { hubRoutes, nationalRoutes } from '../../functions/api/contract.ts';
import { HUBS_DIR } from '../../hubs/load.ts';
import { buildApp } from '../../infra/app.ts';
import { OUTBOX_FILTER, OUTBOX_RETRY } from '../../infra/hub-stack.ts';
import { answersHead, type RouteSpec } from '../../functions/api/route.ts';

let national: Template;
let umea: Template;
let built: ReturnType<typeof buildApp>;

beforeAll(() => {
  built = buildApp({ bundle: false });
  national = Template.fromStack(built.nationalStack);
  umea = Template.fromStack(built.hubStacks.find((s) => s.stackName === 'samverkan-hub-umea')!);
});

describe('the app', () => {
  it('has the national stack and one stack per hub file (7 stacks)', () => {
    expect([built.nationalStack, ...built.hubStacks].map((s) => s.stackName).sort()).toEqual(EXPECTED_STACKS);
  });

  it('passes cdk-nag AwsSolutions checks (findings fail synthesis)', () => {
    expect(() => buildApp({ bundle: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) }).app.synth()).not.toThrow();
  });

  it('fails synthesis on an unacknowledged cdk-nag finding', () => {
    const { app, nationalStack } = buildApp({ bundle: false, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });
    new Queue(nationalStack, 'PlainQueue'); // no TLS enforcement, no DLQ
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });

  it('runs every function on nodejs22.x, arm64, with tracing and its source recorded for the local runtime', () => {
    for (const t of [national, umea]) {
      // CDK's own handler of the app's bucket deployment (infra/constructs/web.ts) runs only at deploy, on CDK's runtime.
      const fns = Object.fromEntries(Object.entries(t.findResources('AWS::Lambda::Function')).filter(([id]) => !id.startsWith('CustomCDKBucketDeployment')));
      expect(Object.keys(fns).length).toBeGreaterThan(0);
      for (const fn of Object.values(fns)) {
        expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
        expect(fn.Metadata['samverkan:entry']).toMatch(/^functions\/.+\.ts$/);
      }
    }
  });
});

describe('the national stack', () => {
  it('has the national bus with an archive of every samverkan event', () => {
    national.hasResourceProperties('AWS::Events::EventBus', { Name: 'samverkan-national' });
    national.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('NationalBus'), 'Arn'] },
      EventPattern: { source: [{ prefix: 'samverkan.' }] },
      RetentionDays: 365,
    });
  });

  it('routes the events reports are made of from every hub to the reporting consumer, with retries and a DLQ', () => {
    national.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('NationalBus') },
      EventPattern: { source: [{ prefix: 'samverkan.hub.' }], 'detail-type': Match.arrayWith(['CheckedIn', 'CheckedOut', 'BookingCreated', 'BookingCancelled', 'BookingNoShowReleased', 'MemberRegistered', 'MemberErased', 'AgencyPresenceScheduled']) },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReportingConsumer'), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReportingConsumerDlq'), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
        }),
      ],
    });
    national.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
    national.hasResourceProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReportingConsumerDlq'), 'Arn'] } },
    });
  });

  it('keeps the reporting table safe: PITR, deletion protection, retained', () => {
    national.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('serves the national routes of API v1', () => {
    const keys = Object.values(national.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey).sort();
    expect(keys).toEqual(nationalRoutes.flatMap((r) => withHead(r, r.path)).sort());
    expect(keys).toContain('HEAD /api/national/reports/view');
    expect(keys).toContain('HEAD /api/national/reports'); // a CSV download with format=csv
  });

  it('has a user pool with MFA and a group per role and hub', () => {
    national.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON', AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
    const groups = Object.values(national.findResources('AWS::Cognito::UserPoolGroup')).map((g) => g.Properties.GroupName).sort();
    expect(groups).toEqual(['national', 'research-samverkanshubbar-i-norr', 'researcher', 'staff-boden', 'staff-lulea', 'staff-ostersund', 'staff-skelleftea', 'staff-stockholm', 'staff-umea']);
    national.hasOutput('UserPoolId', { Export: { Name: 'samverkan-national-UserPoolId' } });
  });

  it('has the research lake placeholders: encrypted, logged bucket, Glue database, Athena workgroup', () => {
    national.hasResourceProperties('AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' }, LoggingConfiguration: Match.anyValue() });
    national.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'samverkan_research' } });
    national.hasResourceProperties('AWS::Athena::WorkGroup', { Name: 'samverkan-research', WorkGroupConfiguration: Match.objectLike({ EnforceWorkGroupConfiguration: true }) });
  });
});

/** A route's keys in the API: pages, calendars and files (a `produces` other than JSON) answer HEAD too. */
const withHead = (r: RouteSpec, path: string) => [`${r.method} ${path}`, ...(answersHead(r) ? [`HEAD ${path}`] : [])];

describe('a hub stack', () => {
  it('has a hub table with PITR, deletion protection, a new-image stream and TTL, retained', () => {
    umea.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('serves the hub routes for its own hub id only', () => {
    const keys = Object.values(umea.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey).sort();
    expect(keys).toEqual(hubRoutes.flatMap((r) => withHead(r, r.path.replace('{hubId}', 'umea'))).sort());
    expect(keys).toContain('HEAD /api/hubs/umea/events/{eventId}/public-registrations/{registrationId}/cancel');
    expect(keys).not.toContain('HEAD /api/hubs/umea/bookings');
    umea.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: '$default', AccessLogSettings: Match.anyValue(), DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 } });
  });

  it('passes hub id, table and the user pool (imported from the national stack) to the hub API', () => {
    umea.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          HUB_ID: 'umea',
          HUB_TABLE_NAME: { Ref: Match.stringLikeRegexp('HubTable') },
          AUTH_AUDIENCE: { 'Fn::ImportValue': 'samverkan-national-UserPoolClientId' },
        }),
      },
    });
  });

  it('publishes through the outbox: stream → filtered pipe → enrichment → hub bus, with retries and a DLQ', () => {
    umea.hasResourceProperties('AWS::Events::EventBus', { Name: 'samverkan-hub-umea' });
    umea.hasResourceProperties('AWS::Pipes::Pipe', {
      Source: { 'Fn::GetAtt': [Match.stringLikeRegexp('HubTable'), 'StreamArn'] },
      SourceParameters: {
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify(OUTBOX_FILTER) }] },
        DynamoDBStreamParameters: Match.objectLike({ StartingPosition: 'TRIM_HORIZON', MaximumRetryAttempts: OUTBOX_RETRY.maximumRetryAttempts, DeadLetterConfig: { Arn: Match.anyValue() } }),
      },
      Enrichment: { 'Fn::GetAtt': [Match.stringLikeRegexp('OutboxEnricher'), 'Arn'] },
      Target: { 'Fn::GetAtt': [Match.stringLikeRegexp('HubBus'), 'Arn'] },
      TargetParameters: { EventBridgeEventBusParameters: { DetailType: '$.metadata.eventType', Source: 'samverkan.hub.umea' } },
    });
  });

  it('forwards its events to the national bus with a role, retries and a DLQ', () => {
    umea.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('HubBus') },
      EventPattern: { source: ['samverkan.hub.umea'] },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':event-bus/samverkan-national$')])] },
          RoleArn: Match.anyValue(),
          DeadLetterConfig: { Arn: Match.anyValue() },
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
        }),
      ],
    });
  });

  it('has no handler that publishes directly: only the pipe may put events on the hub bus', () => {
    const policies = Object.values(umea.findResources('AWS::IAM::Policy'));
    const putters = policies.filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('events:PutEvents'));
    expect(putters.map((p) => p.Properties.PolicyName.Ref ?? JSON.stringify(p.Properties.Roles))).toHaveLength(2); // pipe role + forward role
    for (const p of putters) expect(JSON.stringify(p.Properties.Roles)).toMatch(/OutboxPipeRole|ForwardRole/);
  });
});

describe('a hub in its operator’s own AWS account', () => {
  function hubsWithAccount() {
    const dir = mkdtempSync(join(tmpdir(), 'hubs-'));
    cpSync(join(HUBS_DIR, 'umea.json'), join(dir, 'umea.json'));
    const lulea = JSON.parse(readFileSync(join(HUBS_DIR, 'lulea.json'), 'utf8'));
    writeFileSync(join(dir, 'lulea.json'), JSON.stringify({ ...lulea, aws: { account: '222233334444', region: 'eu-north-1' } }));
    return dir;
  }

  it('needs the national stack’s account and user pool in the context, and says so', () => {
    expect(() => buildApp({ bundle: false, hubsDir: hubsWithAccount() })).toThrow(/lulea\.json names its own AWS account[\s\S]*samverkan:national/);
  });

  it('forwards cross-account to the national bus, which allows that account', () => {
    const app = buildApp({
      bundle: false,
      hubsDir: hubsWithAccount(),
      context: { 'samverkan:national': { account: '111122223333', region: 'eu-north-1', userPoolId: 'eu-north-1_abc', userPoolClientId: 'client123', networkTableArn: 'arn:aws:dynamodb:eu-north-1:111122223333:table/network-table' } },
    });
    const lulea = app.hubStacks.find((s) => s.stackName === 'samverkan-hub-lulea')!;
    expect(lulea.account).toBe('222233334444');
    const t = Template.fromStack(lulea);
    t.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: { 'Fn::Join': ['', Match.arrayWith([':events:eu-north-1:111122223333:event-bus/samverkan-national'])] } })],
    });
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ AUTH_AUDIENCE: 'client123', NETWORK_TABLE_NAME: 'arn:aws:dynamodb:eu-north-1:111122223333:table/network-table', NETWORK_TABLE_REGION: 'eu-north-1' }) } });
    Template.fromStack(app.nationalStack).hasResourceProperties('AWS::DynamoDB::Table', {
      ResourcePolicy: { PolicyDocument: { Statement: [Match.objectLike({ Principal: { AWS: { 'Fn::Join': ['', Match.arrayWith([':iam::222233334444:root'])] } } })] } },
    });
    Template.fromStack(app.nationalStack).hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: Match.objectLike({ Principal: { AWS: { 'Fn::Join': ['', Match.arrayWith([':iam::222233334444:root'])] } }, Action: 'events:PutEvents' }),
    });
  });
});
