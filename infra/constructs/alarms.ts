import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from './function.ts';
import { stackKey } from './kms.ts';

/**
 * The alarms of the runbook (docs/operations.md § Alarms): the name of each kind is the
 * prefix of its alarm's description, so an e-mail names the runbook section to read.
 */
export const ALARM_KINDS = {
  dlq: 'DLQ messages',
  lambdaErrors: 'Lambda errors',
  lambdaThrottles: 'Lambda throttles',
  pipeFailures: 'Pipe failures',
  api5xx: 'API 5xx rate',
  apiLatency: 'API latency',
  dynamoThrottles: 'DynamoDB throttles',
} as const;

/** The business metrics the functions publish (Powertools Metrics, EMF), for the dashboards. */
export const BUSINESS_METRICS = ['CheckIns', 'BookingsCreated', 'BookingConflicts'] as const;

/**
 * Operations of one stack: the alarm topic (encrypted with the stack's key, TLS only, an e-mail
 * subscription from config), the alarms, and the stack's dashboard. Every `watch…` call adds
 * alarms that notify the topic and widgets to the dashboard.
 */
export class Operations extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;
  private readonly dlqDepth: IMetric[] = [];
  private readonly dlqSent: IMetric[] = [];

  constructor(scope: Construct, id: string, props: { topicName: string; dashboardName: string; email?: string; title: string; hubId?: string }) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', { topicName: props.topicName, displayName: `samverkan alarms: ${props.title}`, masterKey: stackKey(this), enforceSSL: true });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
    this.action = new SnsAction(this.topic);
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName, defaultInterval: Duration.hours(24) });
    this.dashboard.addWidgets(
      new TextWidget({ markdown: `# ${props.title}\nAlarms and what to do: docs/operations.md (runbook). Stack ${Stack.of(this).stackName}.`, width: 24, height: 2 }),
    );
    const business = BUSINESS_METRICS.map(
      (metricName) => new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: 'samverkan', ...(props.hubId ? { hubId: props.hubId } : {}) }, statistic: 'Sum', period: Duration.hours(1) }),
    );
    if (props.hubId) this.dashboard.addWidgets(new GraphWidget({ title: 'Check-ins, bookings, conflicts (per hour)', left: business, width: 24 }));
  }

  private alarm(id: string, kind: keyof typeof ALARM_KINDS, what: string, metric: IMetric, threshold: number, evaluationPeriods = 1, datapointsToAlarm = evaluationPeriods): Alarm {
    const alarm = new Alarm(this, id, {
      alarmDescription: `${ALARM_KINDS[kind]}: ${what}. Runbook: docs/operations.md#${ALARM_KINDS[kind].toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
      metric,
      threshold,
      evaluationPeriods,
      datapointsToAlarm,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }

  /** Any message visible in a dead-letter queue. */
  watchDeadLetterQueue(id: string, queue: IQueue, what: string): void {
    const depth = queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' });
    this.alarm(`${id}Alarm`, 'dlq', `${what} (queue ${id})`, depth, 1);
    this.dlqDepth.push(depth.with({ label: id }));
    this.dlqSent.push(queue.metricNumberOfMessagesSent({ period: Duration.hours(1), statistic: 'Sum', label: id }));
  }

  /** Errors and throttles of a function. */
  watchFunction(id: string, fn: IFunction): void {
    const errors = fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' });
    const throttles = fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' });
    this.alarm(`${id}ErrorsAlarm`, 'lambdaErrors', `function ${id} failed`, errors, 1);
    this.alarm(`${id}ThrottlesAlarm`, 'lambdaThrottles', `function ${id} was throttled`, throttles, 1);
    this.dashboard.addWidgets(
      new GraphWidget({ title: `${id}: invocations, errors, throttles`, left: [fn.metricInvocations({ period: Duration.minutes(5) }), errors, throttles], width: 12 }),
      new GraphWidget({ title: `${id}: duration p99`, left: [fn.metricDuration({ period: Duration.minutes(5), statistic: 'p99' })], width: 12 }),
    );
  }

  /** Failed executions of an EventBridge pipe (whole or partial). */
  watchPipe(id: string, pipeName: string): void {
    const m = (metricName: string) => new Metric({ namespace: 'AWS/EventBridge/Pipes', metricName, dimensionsMap: { PipeName: pipeName }, statistic: 'Sum', period: Duration.minutes(5) });
    const failures = new MathExpression({
      expression: 'FILL(failed, 0) + FILL(partial, 0) + FILL(timeout, 0)',
      usingMetrics: { failed: m('ExecutionFailed'), partial: m('ExecutionPartiallyFailed'), timeout: m('ExecutionTimeout') },
      label: `${id} failed executions`,
      period: Duration.minutes(5),
    });
    this.alarm(`${id}FailuresAlarm`, 'pipeFailures', `pipe ${pipeName} failed executions`, failures, 1);
    this.dashboard.addWidgets(new GraphWidget({ title: `${id}: executions and failures`, left: [m('ExecutionStarted'), failures], width: 24 }));
  }

  /** The 5xx rate (≥ 5 % of at least 10 requests) and the p99 latency (≥ 3 s, 3 of 5 minutes) of an HTTP API. */
  watchApi(id: string, api: HttpApi): void {
    const period = Duration.minutes(5);
    const rate = new MathExpression({
      expression: 'IF(requests >= 10, 100 * errors / requests, 0)',
      usingMetrics: { errors: api.metricServerError({ period, statistic: 'Sum' }), requests: api.metricCount({ period, statistic: 'Sum' }) },
      label: `${id} 5xx %`,
      period,
    });
    const latency = api.metricLatency({ period: Duration.minutes(1), statistic: 'p99' });
    this.alarm(`${id}5xxRateAlarm`, 'api5xx', `API ${id} answers 5 % or more of its requests with 5xx`, rate, 5);
    this.alarm(`${id}LatencyAlarm`, 'apiLatency', `API ${id} p99 latency at or above 3 s`, latency, 3000, 5, 3);
    this.dashboard.addWidgets(
      new GraphWidget({ title: `${id}: requests and 5xx %`, left: [api.metricCount({ period, statistic: 'Sum' })], right: [rate], width: 12 }),
      new GraphWidget({ title: `${id}: latency p50 / p99`, left: [api.metricLatency({ period: Duration.minutes(1), statistic: 'p50' }), latency], width: 12 }),
    );
  }

  /** Read and write throttle events of a table (on-demand tables throttle too, per partition). */
  watchTable(id: string, table: ITable): void {
    const m = (metricName: string) => new Metric({ namespace: 'AWS/DynamoDB', metricName, dimensionsMap: { TableName: table.tableName }, statistic: 'Sum', period: Duration.minutes(5) });
    const throttles = new MathExpression({
      expression: 'FILL(reads, 0) + FILL(writes, 0)',
      usingMetrics: { reads: m('ReadThrottleEvents'), writes: m('WriteThrottleEvents') },
      label: `${id} throttle events`,
      period: Duration.minutes(5),
    });
    this.alarm(`${id}ThrottlesAlarm`, 'dynamoThrottles', `table ${id} throttled requests`, throttles, 1);
    this.dashboard.addWidgets(new GraphWidget({ title: `${id}: consumed capacity and throttles`, left: [m('ConsumedReadCapacityUnits'), m('ConsumedWriteCapacityUnits')], right: [throttles], width: 24 }));
  }

  /** Adds the alarm status and the dead-letter widgets; call once, after every `watch…`. */
  finish(): void {
    if (this.dlqDepth.length) {
      this.dashboard.addWidgets(
        new GraphWidget({ title: 'Dead-letter queues: messages waiting', left: this.dlqDepth, width: 12 }),
        new GraphWidget({ title: 'Events dead-lettered (per hour)', left: this.dlqSent, width: 12 }),
      );
    }
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: Math.min(12, 2 + Math.ceil(this.alarms.length / 4)) }));
  }
}
