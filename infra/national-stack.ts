import type { RouteSpec } from '../functions/api/route.ts';
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { AccountRecovery, CfnManagedLoginBranding, CfnUserPoolGroup, FeaturePlan, ManagedLoginVersion, Mfa, OAuthScope, StandardThreatProtectionMode, UserPool, UserPoolClientIdentityProvider, UserPoolEmail } from 'aws-cdk-lib/aws-cognito';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { CfnEventBusPolicy, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { CfnDatabase } from 'aws-cdk-lib/aws-glue';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { AccountPrincipal, PolicyDocument, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { nationalRoutes, REPORT_VIEW_OPERATIONS } from '../functions/api/contract.ts';
import { NETWORK_CALENDAR_INDEX } from '../functions/network-calendar/store.ts';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { CONSUMED } from '../functions/reporting/facts.ts';
import type { HubConfig } from '../hubs/schema.ts';
import type { StudyConfig } from '../studies/schema.ts';
import { ResearchDatasets } from './research.ts';
import { deadLetterQueue } from './constructs/dlq.ts';
import { SamverkanFunction } from './constructs/function.ts';
import { SamverkanHttpApi } from './constructs/http-api.ts';
import { WebApp } from './constructs/web.ts';
import { safeTable } from './constructs/table.ts';
import { mailSender, type AppConfig } from './config.ts';
import { Operations } from './constructs/alarms.ts';
import { deadLetterQueuesOf, functionArnByName, redriveTo } from './constructs/dlq.ts';
import { allowAccountsViaService, stackKey } from './constructs/kms.ts';
import { NATIONAL_GROUP, RESEARCHER_GROUP, staffGroup } from './names.ts';
import { hubSource } from '../events/envelope.ts';
import { NETWORK_TABLE_ACTIONS } from './hub-stack.ts';

/** What the national stack needs to host the staff app (the one origin, infra/constructs/web.ts). */
export interface NationalWebProps {
  /** The built app (infra/web-build.ts). */
  assetDir: string;
  /** Hub API domains by hub id, from context `samverkan:hubApiDomains` (infra/config.ts). */
  hubApiDomains: Record<string, string>;
  /** The managed-login domain prefix (`<prefix>.auth.<region>.amazoncognito.com`). */
  authDomainPrefix: string;
}

/** How long the national bus archive keeps events for replay. */
export const ARCHIVE_RETENTION_DAYS = 365;

/**
 * The national stack: the national event bus (with archive), the reporting store and its
 * consumer, the national API, the user pool, and the research lake placeholders; its key,
 * alarms and the national dashboard.
 */
export class NationalStack extends Stack {
  readonly bus: EventBus;
  readonly reportTable: Table;
  readonly networkTable: Table;
  readonly userPool: UserPool;
  readonly operations: Operations;

  constructor(scope: Construct, id: string, props: StackProps & { hubs: HubConfig[]; studies?: StudyConfig[]; config: AppConfig; web: NationalWebProps }) {
    super(scope, id, props);
    const { config } = props;
    const names = config.names;
    const key = stackKey(this);

    this.bus = new EventBus(this, 'NationalBus', { eventBusName: names.nationalBus, description: 'National bus of the samverkan network: every hub forwards its events here.', kmsKey: key });
    this.bus.archive('NationalArchive', {
      archiveName: names.nationalArchive,
      kmsKey: key,
      description: 'Every event of the network, for replay into new consumers and the research lake.',
      eventPattern: { source: [{ prefix: 'samverkan.' }] as unknown as string[] },
      retention: Duration.days(ARCHIVE_RETENTION_DAYS),
    });
    // Hubs in their operators' own accounts: each account may publish only as its own hubs, exactly.
    const hubsByAccount = new Map<string, string[]>();
    for (const h of props.hubs) if (h.aws) hubsByAccount.set(h.aws.account, [...(hubsByAccount.get(h.aws.account) ?? []), h.id]);
    const hubAccounts = [...hubsByAccount.keys()].sort();
    for (const account of hubAccounts) {
      new CfnEventBusPolicy(this, `AllowHubAccount${account}`, {
        eventBusName: this.bus.eventBusName,
        statementId: `allow-hub-account-${account}`,
        statement: {
          Effect: 'Allow',
          Principal: { AWS: `arn:${Aws.PARTITION}:iam::${account}:root` },
          Action: 'events:PutEvents',
          Resource: this.bus.eventBusArn,
          Condition: { 'ForAllValues:StringEquals': { 'events:source': (hubsByAccount.get(account) ?? []).sort().map(hubSource) } },
        },
      });
    }
    if (hubAccounts.length) {
      // Events put on the bus from the hubs' accounts are encrypted with this key by EventBridge, for this bus only.
      key.addToResourcePolicy(
        new PolicyStatement({
          sid: 'EventBridgeNationalBusFromHubAccounts',
          principals: [new ServicePrincipal('events.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
          resources: ['*'],
          // The bus's ARN by name: its attribute would make the key and the bus depend on each other.
          conditions: { StringEquals: { 'kms:EncryptionContext:aws:events:event-bus:arn': this.formatArn({ service: 'events', resource: 'event-bus', resourceName: names.nationalBus }) } },
        }),
      );
    }

    this.reportTable = safeTable(this, 'ReportTable');
    // Network-wide state every hub shares: agreements that hold at every hub, and their seats.
    // Hubs in other accounts reach it by ARN: the table's resource policy names exactly their accounts.
    const hubAccountPrincipals = hubAccounts.map((a) => new AccountPrincipal(a));
    this.networkTable = safeTable(this, 'NetworkTable', {
      // The network calendar: published hub events by month and start (functions/network-calendar).
      indexes: [NETWORK_CALENDAR_INDEX],
      ...(hubAccountPrincipals.length
        ? {
            resourcePolicy: new PolicyDocument({
              statements: [
                new PolicyStatement({
                  sid: 'HubAccountsUseNetworkAgreements',
                  principals: hubAccountPrincipals,
                  actions: NETWORK_TABLE_ACTIONS,
                  resources: ['*'],
                }),
              ],
            }),
          }
        : {}),
    });
    allowAccountsViaService(key, hubAccounts, 'dynamodb', ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey']);
    new CfnOutput(this, 'NetworkTableArn', { value: this.networkTable.tableArn, exportName: names.exports.networkTableArn });
    new CfnOutput(this, 'NetworkKeyArn', { value: key.keyArn, exportName: names.exports.networkKeyArn });
    new CfnOutput(this, 'NetworkTableName', { value: this.networkTable.tableName, exportName: names.exports.networkTableName });

    const consumerDlq = deadLetterQueue(this, 'ReportingConsumerDlq');
    const consumer = new SamverkanFunction(this, 'ReportingConsumer', {
      functionName: `${this.stackName}-ReportingConsumer`,
      entry: 'functions/reporting/consume.ts',
      description: 'Records the facts of visits, bookings, registrations, erasures, agency presence and hub events, once per eventId',
      environment: { REPORT_TABLE_NAME: this.reportTable.tableName },
      // A few sequential reads and transactions per event (first sightings, erasure): 10 s was passed
      // under load locally (npm run simulate), and a timed-out invocation is retried, then dead-lettered.
      timeout: Duration.seconds(30),
      asyncDeadLetterQueue: consumerDlq,
    });
    this.reportTable.grantReadWriteData(consumer);
    redriveTo(consumerDlq, 'lambda', functionArnByName(`${this.stackName}-ReportingConsumer`));
    new Rule(this, 'CheckedInToReporting', {
      eventBus: this.bus,
      description: 'The events national reports are made of, from every hub, to the national reporting store',
      eventPattern: { source: [{ prefix: 'samverkan.hub.' }] as unknown as string[], detailType: [...CONSUMED] },
      targets: [new LambdaFunction(consumer, { deadLetterQueue: consumerDlq, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });

    // The network calendar: every hub's published events, projected from the national bus.
    const calendarDlq = deadLetterQueue(this, 'NetworkCalendarConsumerDlq');
    const calendarConsumer = new SamverkanFunction(this, 'NetworkCalendarConsumer', {
      functionName: `${this.stackName}-NetworkCalendarConsumer`,
      entry: 'functions/network-calendar/consume.ts',
      description: 'Projects published hub events into the network calendar, newest version wins',
      environment: { NETWORK_TABLE_NAME: this.networkTable.tableName },
      asyncDeadLetterQueue: calendarDlq,
    });
    this.networkTable.grantReadWriteData(calendarConsumer);
    redriveTo(calendarDlq, 'lambda', functionArnByName(`${this.stackName}-NetworkCalendarConsumer`));
    new Rule(this, 'HubEventsToNetworkCalendar', {
      eventBus: this.bus,
      description: 'Hub events scheduled, updated and cancelled at every hub to the network calendar',
      eventPattern: { source: [{ prefix: 'samverkan.hub.' }] as unknown as string[], detailType: ['HubEventScheduled', 'HubEventUpdated', 'HubEventCancelled'] },
      targets: [new LambdaFunction(calendarConsumer, { deadLetterQueue: calendarDlq, retryAttempts: 185, maxEventAge: Duration.hours(24) })],
    });

    const sender = mailSender(config.mailFrom);
    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: names.userPool,
      deletionProtection: true,
      // Invitations and codes are sent through SES from the configured, verified address.
      email: UserPoolEmail.withSES({
        fromEmail: sender.address,
        ...(sender.name ? { fromName: sender.name } : {}),
        sesRegion: this.region,
        sesVerifiedDomain: sender.domain,
      }),
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 14, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Managed login (the newer pages, Cognito's own branding): sign-in, MFA and password reset as the pool says.
    const authDomain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.web.authDomainPrefix }, managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN });
    const authDomainUrl = authDomain.baseUrl();
    const issuer = `https://cognito-idp.${Aws.REGION}.${Aws.URL_SUFFIX}/${this.userPool.userPoolId}`;

    // The national API comes first: the one origin sends /api/* to it; the functions learn the client id below.
    const nationalApi = new SamverkanFunction(this, 'NationalApi', {
      entry: 'functions/national-api/handler.ts',
      description: 'National API: hub directory, national reports, OpenAPI document',
      environment: { REPORT_TABLE_NAME: this.reportTable.tableName, NETWORK_TABLE_NAME: this.networkTable.tableName, AUTH_ISSUER: issuer },
    });
    this.reportTable.grantReadData(nationalApi);
    this.networkTable.grantReadWriteData(nationalApi);
    for (const fn of [nationalApi, calendarConsumer]) {
      Validations.of(fn).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.networkTable.node.defaultChild as CfnTable)}.Arn>/index/*]`,
        reason: 'Access to the network table’s own indexes (table/index/*), nothing else.',
      });
    }
    // The report page is its own function: it alone needs the chart library (Vega, ~750 KB).
    const reportView = new SamverkanFunction(this, 'ReportView', {
      entry: 'functions/report-view/handler.ts',
      description: 'National report as a printable HTML page with server-rendered charts',
      memorySize: 1024, // Lambda's CPU grows with memory: laying out and drawing the charts is CPU work
      environment: { REPORT_TABLE_NAME: this.reportTable.tableName, AUTH_ISSUER: issuer },
    });
    this.reportTable.grantReadData(reportView);
    const viewOperations: ReadonlySet<string> = new Set(REPORT_VIEW_OPERATIONS);
    const http = new SamverkanHttpApi(this, 'Http', {
      name: names.nationalApi,
      handler: nationalApi,
      routes: nationalRoutes.map((r) => ({ method: r.method, path: r.path, produces: (r as RouteSpec).produces, head: (r as RouteSpec).head, ...(viewOperations.has(r.operationId) ? { handler: reportView } : {}) })),
    });

    // S3 server access logs (the research lake's and the app bucket's) and CloudFront's standard logs.
    const accessLogs = new Bucket(this, 'LakeAccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    // S3 server access logs can only be delivered to a bucket with SSE-S3, not SSE-KMS: the one exception to the stack key.
    Validations.of(accessLogs).acknowledge({ id: 'AwsSolutions-S1', reason: 'This is the access-log bucket; logging it into itself would loop.' });

    // The one origin: the staff app and pages from S3, the APIs under /api (infra/constructs/web.ts).
    // It lives here, not in a stack of its own: the app client below is every API's audience (the hubs
    // import its id), and its callback URL is the distribution's — in two stacks they would need each other.
    const web = new WebApp(this, 'Web', {
      namePrefix: names.prefix,
      assetDir: props.web.assetDir,
      key,
      accessLogs,
      nationalApi: http.api,
      hubApiDomains: props.web.hubApiDomains,
      // The app's OIDC client reads the issuer's discovery document (cognito-idp) and redeems the code at the managed-login domain.
      connectTo: [`https://cognito-idp.${Aws.REGION}.${Aws.URL_SUFFIX}`, authDomainUrl],
    });
    // The staff app signs in with the authorization code flow and PKCE (a public client: no secret, no implicit flow).
    // `adminUserPassword` is for `npm run smoke` only: AdminInitiateAuth needs IAM credentials, no browser can call it.
    const client = this.userPool.addClient('StaffApp', {
      authFlows: { userSrp: true, adminUserPassword: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      // A working day at a shared front desk, not Cognito's 30 days; the app revokes it at sign-out.
      refreshTokenValidity: Duration.hours(12),
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [web.url],
        logoutUrls: [web.url],
      },
    });
    new CfnManagedLoginBranding(this, 'ManagedLoginBranding', { userPoolId: this.userPool.userPoolId, clientId: client.userPoolClientId, useCognitoProvidedValues: true });
    for (const fn of [nationalApi, reportView]) fn.addEnvironment('AUTH_AUDIENCE', client.userPoolClientId);
    web.deploy({ oidc: { authority: issuer, clientId: client.userPoolClientId, redirectUri: web.url, postLogoutRedirectUri: web.url, scope: 'openid email profile', logoutEndpoint: `${authDomainUrl}/logout`, revocationEndpoint: `${authDomainUrl}/oauth2/revoke` } });
    new CfnOutput(this, 'WebUrl', { value: web.url, exportName: names.exports.webUrl, description: 'The staff app, its pages and the APIs: one origin' });
    new CfnOutput(this, 'AuthDomain', { value: authDomainUrl, description: 'Cognito managed login' });
    const groups = [NATIONAL_GROUP, RESEARCHER_GROUP, ...props.hubs.map((h) => staffGroup(h.id))];
    for (const groupName of groups) new CfnUserPoolGroup(this, `Group-${groupName}`, { userPoolId: this.userPool.userPoolId, groupName });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId, exportName: names.exports.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId, exportName: names.exports.userPoolClientId });
    // Research lake placeholders, filled by the research issue: Firehose → S3 Parquet → Glue → Athena.
    const lake = new Bucket(this, 'ResearchLake', {
      encryption: BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'research-lake/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const database = new CfnDatabase(this, 'ResearchDatabase', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: names.researchDatabase, description: 'Pseudonymised usage and survey datasets of the samverkan network' },
    });
    new CfnWorkGroup(this, 'ResearchWorkGroup', {
      name: names.researchWorkGroup,
      description: 'Research teams query the pseudonymised datasets here',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        resultConfiguration: { outputLocation: lake.s3UrlForObject('athena-results/'), encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: key.keyArn } },
      },
    });
    // Per study: consumer, pseudonym keys, Firehose → Parquet → Glue (infra/research.ts).
    const research = new ResearchDatasets(this, 'Research', { bus: this.bus, lake, databaseName: database.ref, databaseRefId: this.getLogicalId(database), studies: props.studies ?? [], userPool: this.userPool, client, accessLogs, stage: config.stage });
    new CfnOutput(this, 'ResearchLakeBucket', { value: lake.bucketName });
    new CfnOutput(this, 'ResearchDatabaseName', { value: database.ref });

    // Operations: every DLQ, function, the API and the tables alarm to the topic; the national dashboard.
    this.operations = new Operations(this, 'Operations', {
      topicName: `${names.alarmTopic}-national`,
      dashboardName: names.nationalDashboard,
      title: `samverkan national (${config.stage})`,
      ...(config.alarmEmail ? { email: config.alarmEmail } : {}),
    });
    this.operations.watchApi('NationalApi', http.api);
    this.operations.watchTable('ReportTable', this.reportTable);
    this.operations.watchTable('NetworkTable', this.networkTable);
    this.operations.watchTable('ResearchStateTable', research.state);
    for (const fn of this.node.findAll().filter((c): c is SamverkanFunction => c instanceof SamverkanFunction)) this.operations.watchFunction(fn.node.id, fn);
    for (const q of deadLetterQueuesOf(this)) this.operations.watchDeadLetterQueue(q.node.id, q, 'dead-lettered at the national stack');
    this.operations.finish();
    new CfnOutput(this, 'AlarmTopicArn', { value: this.operations.topic.topicArn });

  }
}
