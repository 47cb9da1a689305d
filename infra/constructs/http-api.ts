import { CfnOutput, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** One route: method and path as API Gateway takes them (`/api/hubs/umea/members`). */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
}

/**
 * An HTTP API whose explicit routes all go to one function. Authorization happens in the
 * function (Cognito JWT verified there), so that every 401 and 403 carries the contract's
 * JSON error body; the stage has access logs and throttling.
 */
export class SamverkanHttpApi extends Construct {
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: { name: string; handler: IFunction; routes: ApiRoute[] }) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', { apiName: props.name, createDefaultStage: false });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.RETAIN });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
      throttle: { rateLimit: 200, burstLimit: 400 },
    });
    const integration = new HttpLambdaIntegration('Integration', props.handler);
    for (const route of props.routes) {
      this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
    }
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'Every route verifies the Cognito JWT in the function (issuer, audience, expiry, groups) so that 401/403 carry the API v1 JSON error body; public routes are public by design.',
    });
    new CfnOutput(this, 'Url', { value: this.api.apiEndpoint });
  }
}
