import type { RouteSpec } from '../functions/api/route.ts';
import { Aws, CfnOutput, Duration, Fn, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { StreamViewType, type CfnTable, type Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, type IRuleTarget } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal, type Role } from 'aws-cdk-lib/aws-iam';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { hubRoutes } from '../functions/api/contract.ts';
import { OUTBOX_ENTITY } from '../functions/adapters/outbox.ts';
import { MEMBER_VISITS_INDEX } from '../functions/adapters/dynamo-hub-store.ts';
import { BOOKINGS_BY_DAY_INDEX, BOOKINGS_BY_RESOURCE_INDEX } from '../functions/adapters/dynamo-booking-store.ts';
import { hubSource } from '../events/envelope.ts';
import type { HubConfig } from '../hubs/schema.ts';
import { Operations } from './constructs/alarms.ts';
import { deadLetterQueue, deadLetterQueuesOf, functionArnByName, redriveTo } from './constructs/dlq.ts';
import { SamverkanFunction } from './constructs/function.ts';
import { SamverkanHttpApi } from './constructs/http-api.ts';
import { serviceRole } from './constructs/roles.ts';
import { stackKey } from './constructs/kms.ts';
import { safeTable } from './constructs/table.ts';
import { mailSender, type AppConfig } from './config.ts';

/** Where the hub finds the national bus, the user pool and the network table. */
export interface NationalRefs {
  /** Account of the national stack; defaults to the hub's own account. */
  account?: string;
  /** Region of the national stack; defaults to the configured region (`samverkan:region`). */
  region?: string;
  /** User pool id and client id, required when the hub lives in another account (no cross-account imports). */
  userPoolId?: string;
  userPoolClientId?: string;
  /** The national network table's ARN, required for a hub in another account (it reaches the table by ARN). */
  networkTableArn?: string;
}

/** The outbox pipe's filter: only inserted outbox items become events. */
export const OUTBOX_FILTER = { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: [OUTBOX_ENTITY] } } } };

/** How the outbox pipe gives up on a record: a few retries (halving the batch), at most this old, then its DLQ. */
export const OUTBOX_RETRY = { maximumRetryAttempts: 10, maximumRecordAgeInSeconds: 3600 } as const;

/** The DynamoDB actions the hub's jobs and notifiers use (transactions need the per-item actions); no Scan, batch or stream reads. */
export const HUB_WORKER_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];

/** The network table actions of the hub API: read agreements, take and give back their seats. */
export const NETWORK_TABLE_ACTIONS = ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];

/**
 * One hub: its table (PITR, deletion protection, stream), its API, the outbox pipe
 * (stream → enrichment → hub bus) and the rule forwarding the hub's events to the national
 * bus, cross-account when the hub names its own account; its key, alarms and dashboard.
 */
export class HubStack extends Stack {
  readonly table: Table;
  readonly bus: EventBus;
  readonly operations: Operations;

  private acknowledgeIndexes(fn: SamverkanFunction): void {
    Validations.of(fn).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.table.node.defaultChild as CfnTable)}.Arn>/index/*]`,
      reason: 'Access to the hub table’s own indexes (table/index/*), nothing else.',
    });
  }

  /** Lets a function of this hub read and write the hub table, its indexes included. */
  private useHubTable(fn: SamverkanFunction): void {
    this.table.grantReadWriteData(fn);
    this.acknowledgeIndexes(fn);
  }

  /** Least privilege for jobs and notifiers: only the item actions they call, and the key. */
  private useHubTableItems(fn: SamverkanFunction): void {
    this.table.grant(fn, ...HUB_WORKER_TABLE_ACTIONS);
    stackKey(this).grantEncryptDecrypt(fn);
    this.acknowledgeIndexes(fn);
  }

  /**
   * A job of this hub run by EventBridge Scheduler every 15 minutes, told the time it was due
   * (`<aws.scheduler.scheduled-time>`), with retries and a DLQ — the same DLQ takes the runs
   * whose code failed after Lambda's asynchronous retries, so no failed run goes unseen.
   */
  private scheduledJob(hub: HubConfig, id: string, entry: string, description: string): SamverkanFunction {
    const dlq = deadLetterQueue(this, `${id}Dlq`);
    const functionName = `${this.stackName}-${id}`;
    const fn = new SamverkanFunction(this, id, {
      entry,
      description,
      functionName,
      environment: { HUB_ID: hub.id, HUB_TABLE_NAME: this.table.tableName },
      timeout: Duration.seconds(60),
      asyncDeadLetterQueue: dlq,
    });
    this.useHubTableItems(fn);
    redriveTo(dlq, 'lambda', functionArnByName(functionName));
    const role = serviceRole(this, `${id}SchedulerRole`, 'scheduler.amazonaws.com');
    fn.grantInvoke(role);
    dlq.grantSendMessages(role);
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${this.getLogicalId(fn.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason: 'grantInvoke also allows the versions and aliases of the job function (ARN:*).',
    });
    new CfnSchedule(this, `${id}Schedule`, {
      description,
      scheduleExpression: 'rate(15 minutes)',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: fn.functionArn,
        roleArn: role.roleArn,
        input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 3600 },
        deadLetterConfig: { arn: dlq.queueArn },
      },
    });
    return fn;
  }

  constructor(scope: Construct, id: string, props: StackProps & { hub: HubConfig; national: NationalRefs; config: AppConfig }) {
    super(scope, id, props);
    const { hub, national, config } = props;
    const names = config.names;
    const source = hubSource(hub.id);
    const nationalRegion = national.region ?? config.region;
    const nationalAccount = national.account ?? Aws.ACCOUNT_ID;

    this.table = safeTable(this, 'HubTable', { stream: StreamViewType.NEW_IMAGE, indexes: [MEMBER_VISITS_INDEX, BOOKINGS_BY_DAY_INDEX, BOOKINGS_BY_RESOURCE_INDEX] });

    const issuer = national.userPoolId
      ? `https://cognito-idp.${nationalRegion}.${Aws.URL_SUFFIX}/${national.userPoolId}`
      : Fn.join('', [`https://cognito-idp.${nationalRegion}.${Aws.URL_SUFFIX}/`, Fn.importValue(names.exports.userPoolId)]);
    const audience = national.userPoolClientId ?? Fn.importValue(names.exports.userPoolClientId);
    // A hub in another account reaches the network table by ARN (DynamoDB takes an ARN as table name), in the national region.
    const networkTable = national.networkTableArn ?? Fn.importValue(names.exports.networkTableName);
    const networkTableArn = national.networkTableArn ?? `arn:${Aws.PARTITION}:dynamodb:${nationalRegion}:${nationalAccount}:table/${networkTable}`;

    const api = new SamverkanFunction(this, 'HubApi', {
      entry: 'functions/hub-api/handler.ts',
      description: `Hub API of ${hub.name}`,
      // An erasure walks every holder of personal data (bookings, events, directory, consents):
      // up to API Gateway's 30 s integration limit, not the 10 s default.
      timeout: Duration.seconds(29),
      environment: { HUB_ID: hub.id, HUB_TABLE_NAME: this.table.tableName, NETWORK_TABLE_NAME: networkTable, NETWORK_TABLE_REGION: nationalRegion, AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience },
    });
    this.useHubTable(api);
    // Network-wide agreements: read them, and take and give back their seats.
    api.addToRolePolicy(new PolicyStatement({ actions: NETWORK_TABLE_ACTIONS, resources: [networkTableArn] }));
    // The network table is encrypted with the national stack's key, used only through DynamoDB.
    api.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: [national.networkTableArn ? `arn:${Aws.PARTITION}:kms:${nationalRegion}:${nationalAccount}:key/*` : Fn.importValue(names.exports.networkKeyArn)],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${nationalRegion}.amazonaws.com` } },
      }),
    );
    if (national.networkTableArn) {
      Validations.of(api).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:${nationalRegion}:${nationalAccount}:key/*]`,
        reason: 'The national key’s id is not known in the hub’s account; the statement holds only through DynamoDB in the national region (kms:ViaService), and the national key policy names this account.',
      });
    }
    const http = new SamverkanHttpApi(this, 'Http', {
      name: names.hubApi(hub.id),
      handler: api,
      routes: hubRoutes.map((r) => ({ method: r.method, path: r.path.replace('{hubId}', hub.id), produces: (r as RouteSpec).produces, head: (r as RouteSpec).head })),
    });

    // Housekeeping every 15 minutes: close visits left open after closing time; release no-shows.
    this.scheduledJob(hub, 'CloseVisits', 'functions/hub-jobs/close-visits.ts', `Closes visits left open after closing time at ${hub.name}`);
    this.scheduledJob(hub, 'ReleaseNoShows', 'functions/hub-jobs/release-no-shows.ts', `Releases bookings nobody checked in for at ${hub.name}`);

    this.bus = new EventBus(this, 'HubBus', { eventBusName: names.hubBus(hub.id), description: `Events of ${hub.name}`, kmsKey: stackKey(this) });

    // Outbox: DynamoDB stream → pipe (filter, enrichment) → hub bus. A few retries, a maximum age, then a DLQ.
    const enricher = new SamverkanFunction(this, 'OutboxEnricher', {
      entry: 'functions/outbox/enrich.ts',
      description: `Turns outbox items of ${hub.name} into event details`,
    });
    const pipeName = names.hubPipe(hub.id);
    const pipeDlq = deadLetterQueue(this, 'OutboxPipeDlq');
    const pipeRole: Role = serviceRole(this, 'OutboxPipeRole', 'pipes.amazonaws.com');
    const pipeLogs = new LogGroup(this, 'OutboxPipeLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.RETAIN, encryptionKey: stackKey(this) });
    this.table.grantStreamRead(pipeRole);
    enricher.grantInvoke(pipeRole);
    this.bus.grantPutEventsTo(pipeRole);
    pipeDlq.grantSendMessages(pipeRole);
    pipeLogs.grantWrite(pipeRole);
    Validations.of(pipeRole).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${this.getLogicalId(enricher.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason: 'grantInvoke also allows the versions and aliases of the enrichment function (ARN:*).',
    }, { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'dynamodb:ListStreams (from grantStreamRead) has no resource-level permissions.' });
    const streamArn = this.table.tableStreamArn;
    if (!streamArn) throw new Error(`The table of hub ${hub.id} needs its stream: the outbox pipe reads it`);
    const pipe = new CfnPipe(this, 'OutboxPipe', {
      name: pipeName,
      description: 'Transactional outbox: every outbox item written with a state change becomes one event on the hub bus',
      roleArn: pipeRole.roleArn,
      source: streamArn,
      sourceParameters: {
        filterCriteria: { filters: [{ pattern: JSON.stringify(OUTBOX_FILTER) }] },
        dynamoDbStreamParameters: {
          startingPosition: 'TRIM_HORIZON',
          batchSize: 10,
          maximumBatchingWindowInSeconds: 1,
          maximumRetryAttempts: OUTBOX_RETRY.maximumRetryAttempts,
          maximumRecordAgeInSeconds: OUTBOX_RETRY.maximumRecordAgeInSeconds,
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: pipeDlq.queueArn },
        },
      },
      enrichment: enricher.functionArn,
      target: this.bus.eventBusArn,
      targetParameters: { eventBridgeEventBusParameters: { detailType: '$.metadata.eventType', source } },
      // Errors only, without execution data (event payloads name people).
      logConfiguration: { level: 'ERROR', cloudwatchLogsLogDestination: { logGroupArn: pipeLogs.logGroupArn } },
    });
    // The pipe must not exist before its role may read the stream (aws/aws-cdk#31211): depend on the role and its policy.
    pipe.node.addDependency(pipeRole);
    // `npm run redrive` reads the dead-lettered batch back from the stream and puts its events on this bus.
    redriveTo(pipeDlq, 'pipe', `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/${names.hubBus(hub.id)}`);

    // Forward every event of this hub to the national bus (cross-account when the hub has its own account).
    const nationalBusArn = `arn:${Aws.PARTITION}:events:${nationalRegion}:${nationalAccount}:event-bus/${names.nationalBus}`;
    const forwardRole = serviceRole(this, 'ForwardRole', 'events.amazonaws.com');
    forwardRole.addToPolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [nationalBusArn] }));
    const forwardDlq = deadLetterQueue(this, 'ForwardDlq');
    const forwardRule = new Rule(this, 'ForwardToNational', {
      eventBus: this.bus,
      description: `All events of ${hub.name} to the national bus`,
      eventPattern: { source: [source] },
    });
    const toNational: IRuleTarget = {
      bind: () => ({
        arn: nationalBusArn,
        role: forwardRole,
        deadLetterConfig: { arn: forwardDlq.queueArn },
        retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: Duration.hours(24).toSeconds() },
      }),
    };
    forwardRule.addTarget(toNational);
    redriveTo(forwardDlq, 'event-bus', nationalBusArn);
    forwardDlq.addToResourcePolicy(
      new PolicyStatement({
        actions: ['sqs:SendMessage'],
        principals: [new ServicePrincipal('events.amazonaws.com')],
        resources: [forwardDlq.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': forwardRule.ruleArn } },
      }),
    );

    // Guests' hosts are told by e-mail when their guest checks in.
    const mailFrom = config.mailFrom;
    const mailDomain = mailSender(mailFrom).domain;
    const sesIdentity = `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/${mailDomain}`;
    const notifierDlq = deadLetterQueue(this, 'HostNotifierDlq');
    const notifier = new SamverkanFunction(this, 'HostNotifier', {
      functionName: `${this.stackName}-HostNotifier`,
      entry: 'functions/notifications/host-notifier.ts',
      description: `E-mails hosts at ${hub.name} when their guest checks in`,
      environment: { HUB_ID: hub.id, HUB_TABLE_NAME: this.table.tableName, MAIL_FROM: mailFrom },
      asyncDeadLetterQueue: notifierDlq,
    });
    this.useHubTableItems(notifier);
    redriveTo(notifierDlq, 'lambda', functionArnByName(`${this.stackName}-HostNotifier`));
    notifier.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendEmail'], resources: [sesIdentity] }));
    new Rule(this, 'GuestArrivalToHost', {
      eventBus: this.bus,
      description: `Guest check-ins at ${hub.name} to the host notifier`,
      eventPattern: { source: [source], detailType: ['CheckedIn'], detail: { data: { membership: ['guest'] } } },
      targets: [new LambdaFunction(notifier, { deadLetterQueue: notifierDlq, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });

    // Registrants are e-mailed a new time or place, a cancellation, a seat from the waitlist, a public confirmation.
    // Links in e-mails: the configured public URL; else, for a hub in the national account, the one
    // origin's URL (the national stack's WebUrl export); a hub in another account cannot import it.
    const configuredUrl = this.node.tryGetContext('samverkan:publicUrl') as string | undefined;
    const publicUrl = configuredUrl !== undefined ? String(configuredUrl) : hub.aws ? 'https://samverkan.se' : Fn.importValue(names.exports.webUrl);
    const eventNotifierDlq = deadLetterQueue(this, 'EventNotifierDlq');
    const eventNotifier = new SamverkanFunction(this, 'EventNotifier', {
      functionName: `${this.stackName}-EventNotifier`,
      entry: 'functions/notifications/event-notifier.ts',
      description: `E-mails registrants of events at ${hub.name}`,
      environment: { HUB_ID: hub.id, HUB_TABLE_NAME: this.table.tableName, MAIL_FROM: mailFrom, PUBLIC_BASE_URL: publicUrl },
      asyncDeadLetterQueue: eventNotifierDlq,
    });
    this.useHubTableItems(eventNotifier);
    redriveTo(eventNotifierDlq, 'lambda', functionArnByName(`${this.stackName}-EventNotifier`));
    eventNotifier.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendEmail'], resources: [sesIdentity] }));
    new Rule(this, 'EventChangesToRegistrants', {
      eventBus: this.bus,
      description: `Event changes at ${hub.name} to the registrants' notifier`,
      eventPattern: {
        source: [source],
        detailType: ['HubEventUpdated', 'HubEventCancelled', 'EventWaitlistPromoted', 'EventRegistrationCreated'],
      },
      targets: [new LambdaFunction(eventNotifier, { deadLetterQueue: eventNotifierDlq, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });

    // Research surveys: consenting members are invited by e-mail after a visit or an attended event (docs/research.md, "Surveys").
    const surveyInviterDlq = deadLetterQueue(this, 'SurveyInviterDlq');
    const surveyInviter = new SamverkanFunction(this, 'SurveyInviter', {
      functionName: `${this.stackName}-SurveyInviter`,
      entry: 'functions/surveys/invite.ts',
      description: `Invites consenting members of ${hub.name} to research surveys`,
      environment: { HUB_ID: hub.id, HUB_TABLE_NAME: this.table.tableName, MAIL_FROM: mailFrom, PUBLIC_BASE_URL: publicUrl },
      asyncDeadLetterQueue: surveyInviterDlq,
    });
    this.useHubTableItems(surveyInviter);
    redriveTo(surveyInviterDlq, 'lambda', functionArnByName(`${this.stackName}-SurveyInviter`));
    surveyInviter.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendEmail'], resources: [sesIdentity] }));
    new Rule(this, 'SurveyTriggers', {
      eventBus: this.bus,
      description: `Visits and attended events at ${hub.name} to the survey inviter`,
      eventPattern: { source: [source], detailType: ['CheckedOut', 'EventAttended'] },
      targets: [new LambdaFunction(surveyInviter, { deadLetterQueue: surveyInviterDlq, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });

    // Operations: every DLQ, function, the pipe, the API and the table alarm to the topic; one dashboard for the hub.
    this.operations = new Operations(this, 'Operations', {
      topicName: `${names.alarmTopic}-hub-${hub.id}`,
      dashboardName: names.hubDashboard(hub.id),
      title: `samverkan hub ${hub.name} (${config.stage})`,
      hubId: hub.id,
      ...(config.alarmEmail ? { email: config.alarmEmail } : {}),
    });
    this.operations.watchApi('HubApi', http.api);
    this.operations.watchPipe('OutboxPipe', pipeName);
    this.operations.watchTable('HubTable', this.table);
    for (const fn of this.node.findAll().filter((c): c is SamverkanFunction => c instanceof SamverkanFunction)) this.operations.watchFunction(fn.node.id, fn);
    for (const q of deadLetterQueuesOf(this)) this.operations.watchDeadLetterQueue(q.node.id, q, `dead-lettered at hub ${hub.id}`);
    this.operations.finish();

    new CfnOutput(this, 'HubTableName', { value: this.table.tableName });
    new CfnOutput(this, 'HubBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.operations.topic.topicArn });
  }
}
