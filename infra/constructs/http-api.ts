import { Aws, CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpIntegrationType,
  HttpMethod,
  HttpRouteIntegration,
  HttpStage,
  LogGroupLogDestination,
  PayloadFormatVersion,
  type HttpRouteIntegrationConfig,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { stackKey } from './kms.ts';
import { answersHead } from '../../functions/api/route.ts';

/** One route: method and path as API Gateway takes them (`/api/hubs/umea/members`). */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** The media type of a route that answers something other than JSON (a page, a calendar, a CSV). */
  produces?: string | undefined;
  /** Answers HEAD too though its default answer is JSON (a route that is also a file download); see `answersHead`. */
  head?: boolean | undefined;
  /** The function that serves this route, when it is not the API's own handler. */
  handler?: IFunction | undefined;
}

/**
 * The fields of every access-log line (JSON): who asked what, how it ended, and why it failed
 * when it did — API Gateway's own error and the integration's (the function's) error.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  errorMessage: '$context.error.message',
  errorResponseType: '$context.error.responseType',
  integrationError: '$context.integration.error',
  integrationErrorMessage: '$context.integrationErrorMessage',
} as const;

/**
 * A Lambda proxy integration (payload 2.0) that adds no permission of its own: the API adds one
 * permission for all its routes, instead of one per route (~47 statements in the function policy).
 */
class LambdaProxy extends HttpRouteIntegration {
  constructor(
    private readonly handler: IFunction,
    id = 'Integration',
  ) {
    super(id);
  }
  bind(): HttpRouteIntegrationConfig {
    return { type: HttpIntegrationType.AWS_PROXY, uri: this.handler.functionArn, payloadFormatVersion: PayloadFormatVersion.VERSION_2_0 };
  }
}

/**
 * An HTTP API whose explicit routes go to one function (or, per route, another). Authorization happens in the
 * function (Cognito JWT verified there), so that every 401 and 403 carries the contract's
 * JSON error body; the stage has JSON access logs (encrypted) and throttling.
 */
export class SamverkanHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: { name: string; handler: IFunction; routes: ApiRoute[] }) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', { apiName: props.name, createDefaultStage: false });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.RETAIN, encryptionKey: stackKey(this) });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)) },
      throttle: { rateLimit: 200, burstLimit: 400 },
    });
    const integrations = new Map<IFunction, LambdaProxy>();
    for (const route of props.routes) {
      const fn = route.handler ?? props.handler;
      // The API's own handler keeps the id it always had (no replacement on deploy); others are named by function.
      const integration = integrations.get(fn) ?? new LambdaProxy(fn, fn === props.handler ? 'Integration' : `Integration${fn.node.id}`);
      integrations.set(fn, integration);
      // A page, calendar or file also answers HEAD (link checkers and mail scanners ask it first).
      const methods = answersHead(route) ? [HttpMethod.GET, HttpMethod.HEAD] : [HttpMethod[route.method]];
      this.api.addRoutes({ path: route.path, methods, integration });
    }
    // One permission per function for every route of this API (and only this API).
    for (const fn of integrations.keys()) {
      fn.addPermission(`${id}InvokeByApi`, {
        principal: new ServicePrincipal('apigateway.amazonaws.com'),
        sourceArn: Stack.of(this).formatArn({ service: 'execute-api', resource: this.api.apiId, resourceName: '*/*' }),
        sourceAccount: Aws.ACCOUNT_ID,
      });
    }
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'Every route verifies the Cognito JWT in the function (issuer, audience, expiry, groups) so that 401/403 carry the API v1 JSON error body; public routes are public by design.',
    });
    new CfnOutput(this, 'Url', { value: this.api.apiEndpoint });
  }
}
