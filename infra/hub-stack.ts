import { Aws, CfnOutput, Duration, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { StreamViewType, type CfnTable, type Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, type IRuleTarget } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { hubRoutes } from '../functions/api/contract.ts';
import { OUTBOX_ENTITY } from '../functions/adapters/outbox.ts';
import { MEMBER_VISITS_INDEX } from '../functions/adapters/dynamo-hub-store.ts';
import { BOOKINGS_BY_DAY_INDEX, BOOKINGS_BY_RESOURCE_INDEX } from '../functions/adapters/dynamo-booking-store.ts';
import { hubSource } from '../events/envelope.ts';
import type { HubConfig } from '../hubs/schema.ts';
import { deadLetterQueue } from './constructs/dlq.ts';
import { SamverkanFunction } from './constructs/function.ts';
import { SamverkanHttpApi } from './constructs/http-api.ts';
import { safeTable } from './constructs/table.ts';
import { EXPORTS, NATIONAL_BUS_NAME, hubBusName } from './names.ts';

/** Where the hub finds the national bus and the user pool. */
export interface NationalRefs {
  /** Account of the national stack; defaults to the hub's own account. */
  account?: string;
  /** Region of the national stack; defaults to the hub's own region. */
  region?: string;
  /** User pool id and client id, required when the hub lives in another account (no cross-account imports). */
  userPoolId?: string;
  userPoolClientId?: string;
  /** The national network table's name, required for a hub in another account. */
  networkTableName?: string;
}

/** The outbox pipe's filter: only inserted outbox items become events. */
export const OUTBOX_FILTER = { eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: [OUTBOX_ENTITY] } } } };

/**
 * One hub: its table (PITR, deletion protection, stream), its API, the outbox pipe
 * (stream → enrichment → hub bus) and the rule forwarding the hub's events to the national
 * bus, cross-account when the hub names its own account.
 */
export class HubStack extends Stack {
  readonly table: Table;
  readonly bus: EventBus;

  /** Lets a function of this hub read and write the hub table, its indexes included. */
  private useHubTable(fn: SamverkanFunction): void {
    this.table.grantReadWriteData(fn);
    Validations.of(fn).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.table.node.defaultChild as CfnTable)}.Arn>/index/*]`,
      reason: 'Access to the hub table’s own indexes (table/index/*), nothing else.',
    });
  }

  /**
   * A job of this hub run by EventBridge Scheduler every 15 minutes, told the time it was due
   * (`<aws.scheduler.scheduled-time>`), with retries and a DLQ.
   */
  private scheduledJob(hub: HubConfig, id: string, entry: string, description: string): SamverkanFunction {
    const dlq = deadLetterQueue(this, `${id}Dlq`);
    const fn = new SamverkanFunction(this, id, { entry, description, environment: { HUB_ID: hub.id, HUB_TABLE_NAME: this.table.tableName }, timeout: Duration.seconds(60) });
    this.useHubTable(fn);
    const role = new Role(this, `${id}SchedulerRole`, { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
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

  constructor(scope: Construct, id: string, props: StackProps & { hub: HubConfig; national: NationalRefs }) {
    super(scope, id, props);
    const { hub, national } = props;
    const source = hubSource(hub.id);

    this.table = safeTable(this, 'HubTable', { stream: StreamViewType.NEW_IMAGE, indexes: [MEMBER_VISITS_INDEX, BOOKINGS_BY_DAY_INDEX, BOOKINGS_BY_RESOURCE_INDEX] });

    const issuer = national.userPoolId
      ? `https://cognito-idp.${national.region ?? Aws.REGION}.${Aws.URL_SUFFIX}/${national.userPoolId}`
      : Fn.join('', [`https://cognito-idp.${Aws.REGION}.${Aws.URL_SUFFIX}/`, Fn.importValue(EXPORTS.userPoolId)]);
    const audience = national.userPoolClientId ?? Fn.importValue(EXPORTS.userPoolClientId);
    const networkTableName = national.networkTableName ?? Fn.importValue(EXPORTS.networkTableName);
    const networkTableArn = `arn:${Aws.PARTITION}:dynamodb:${national.region ?? Aws.REGION}:${national.account ?? Aws.ACCOUNT_ID}:table/${networkTableName}`;

    const api = new SamverkanFunction(this, 'HubApi', {
      entry: 'functions/hub-api/handler.ts',
      description: `Hub API of ${hub.name}`,
      environment: { HUB_ID: hub.id, HUB_TABLE_NAME: this.table.tableName, NETWORK_TABLE_NAME: networkTableName, AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience },
    });
    this.useHubTable(api);
    // Network-wide agreements: read them, and take and give back their seats.
    api.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'], resources: [networkTableArn] }),
    );
    new SamverkanHttpApi(this, 'Http', {
      name: `samverkan-hub-${hub.id}`,
      handler: api,
      routes: hubRoutes.map((r) => ({ method: r.method, path: r.path.replace('{hubId}', hub.id) })),
    });

    // Housekeeping every 15 minutes: close visits left open after closing time; release no-shows.
    this.scheduledJob(hub, 'CloseVisits', 'functions/hub-jobs/close-visits.ts', `Closes visits left open after closing time at ${hub.name}`);
    this.scheduledJob(hub, 'ReleaseNoShows', 'functions/hub-jobs/release-no-shows.ts', `Releases bookings nobody checked in for at ${hub.name}`);

    this.bus = new EventBus(this, 'HubBus', { eventBusName: hubBusName(hub.id), description: `Events of ${hub.name}` });

    // Outbox: DynamoDB stream → pipe (filter, enrichment) → hub bus. Retries, then a DLQ.
    const enricher = new SamverkanFunction(this, 'OutboxEnricher', {
      entry: 'functions/outbox/enrich.ts',
      description: `Turns outbox items of ${hub.name} into event details`,
    });
    const pipeDlq = deadLetterQueue(this, 'OutboxPipeDlq');
    const pipeRole = new Role(this, 'OutboxPipeRole', { assumedBy: new ServicePrincipal('pipes.amazonaws.com') });
    this.table.grantStreamRead(pipeRole);
    enricher.grantInvoke(pipeRole);
    this.bus.grantPutEventsTo(pipeRole);
    pipeDlq.grantSendMessages(pipeRole);
    Validations.of(pipeRole).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${this.getLogicalId(enricher.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason: 'grantInvoke also allows the versions and aliases of the enrichment function (ARN:*).',
    }, { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'dynamodb:ListStreams (from grantStreamRead) has no resource-level permissions.' });
    const streamArn = this.table.tableStreamArn;
    if (!streamArn) throw new Error(`The table of hub ${hub.id} needs its stream: the outbox pipe reads it`);
    new CfnPipe(this, 'OutboxPipe', {
      name: `samverkan-hub-${hub.id}-outbox`,
      description: 'Transactional outbox: every outbox item written with a state change becomes one event on the hub bus',
      roleArn: pipeRole.roleArn,
      source: streamArn,
      sourceParameters: {
        filterCriteria: { filters: [{ pattern: JSON.stringify(OUTBOX_FILTER) }] },
        dynamoDbStreamParameters: {
          startingPosition: 'TRIM_HORIZON',
          batchSize: 10,
          maximumBatchingWindowInSeconds: 1,
          maximumRetryAttempts: 185,
          maximumRecordAgeInSeconds: -1,
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: pipeDlq.queueArn },
        },
      },
      enrichment: enricher.functionArn,
      target: this.bus.eventBusArn,
      targetParameters: { eventBridgeEventBusParameters: { detailType: '$.metadata.eventType', source } },
    });

    // Forward every event of this hub to the national bus (cross-account when the hub has its own account).
    const nationalBusArn = `arn:${Aws.PARTITION}:events:${national.region ?? Aws.REGION}:${national.account ?? Aws.ACCOUNT_ID}:event-bus/${NATIONAL_BUS_NAME}`;
    const forwardRole = new Role(this, 'ForwardRole', { assumedBy: new ServicePrincipal('events.amazonaws.com') });
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
    forwardDlq.addToResourcePolicy(
      new PolicyStatement({
        actions: ['sqs:SendMessage'],
        principals: [new ServicePrincipal('events.amazonaws.com')],
        resources: [forwardDlq.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': forwardRule.ruleArn } },
      }),
    );

    // Guests' hosts are told by e-mail when their guest checks in.
    const mailFrom = String(this.node.tryGetContext('samverkan:mailFrom') ?? 'samverkan <noreply@samverkan.se>');
    const mailDomain = /@([^>\s]+)/.exec(mailFrom)?.[1] ?? 'samverkan.se';
    const notifierDlq = deadLetterQueue(this, 'HostNotifierDlq');
    const notifier = new SamverkanFunction(this, 'HostNotifier', {
      entry: 'functions/notifications/host-notifier.ts',
      description: `E-mails hosts at ${hub.name} when their guest checks in`,
      environment: { HUB_ID: hub.id, HUB_TABLE_NAME: this.table.tableName, MAIL_FROM: mailFrom },
      asyncDeadLetterQueue: notifierDlq,
    });
    this.useHubTable(notifier);
    notifier.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendEmail', 'ses:SendRawEmail'], resources: [`arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/${mailDomain}`] }));
    new Rule(this, 'GuestArrivalToHost', {
      eventBus: this.bus,
      description: `Guest check-ins at ${hub.name} to the host notifier`,
      eventPattern: { source: [source], detailType: ['CheckedIn'], detail: { data: { membership: ['guest'] } } },
      targets: [new LambdaFunction(notifier, { deadLetterQueue: notifierDlq, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });

    // Registrants are e-mailed a new time or place, a cancellation, a seat from the waitlist, a public confirmation.
    const publicUrl = String(this.node.tryGetContext('samverkan:publicUrl') ?? 'https://samverkan.se');
    const eventNotifierDlq = deadLetterQueue(this, 'EventNotifierDlq');
    const eventNotifier = new SamverkanFunction(this, 'EventNotifier', {
      entry: 'functions/notifications/event-notifier.ts',
      description: `E-mails registrants of events at ${hub.name}`,
      environment: { HUB_ID: hub.id, HUB_TABLE_NAME: this.table.tableName, MAIL_FROM: mailFrom, PUBLIC_BASE_URL: publicUrl },
      asyncDeadLetterQueue: eventNotifierDlq,
    });
    this.useHubTable(eventNotifier);
    eventNotifier.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendEmail', 'ses:SendRawEmail'], resources: [`arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/${mailDomain}`] }));
    new Rule(this, 'EventChangesToRegistrants', {
      eventBus: this.bus,
      description: `Event changes at ${hub.name} to the registrants' notifier`,
      eventPattern: {
        source: [source],
        detailType: ['HubEventUpdated', 'HubEventCancelled', 'EventWaitlistPromoted', 'EventRegistrationCreated'],
      },
      targets: [new LambdaFunction(eventNotifier, { deadLetterQueue: eventNotifierDlq, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });

    new CfnOutput(this, 'HubTableName', { value: this.table.tableName });
    new CfnOutput(this, 'HubBusName', { value: this.bus.eventBusName });

  }
}
