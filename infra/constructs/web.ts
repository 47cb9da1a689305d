import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  type BehaviorOptions,
  type HeadersFrameOption,
  type HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  S3OriginAccessControl,
  Signing,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { API_CSP, appCsp, COMMON_SECURITY_HEADERS, HSTS_MAX_AGE_SECONDS } from '../security-headers.ts';
import type { AppConfig } from '../../web/auth.ts';

/** The staff app's runtime configuration, `/config.json` (docs/architecture.md, "One origin"). */
/** `/config.json`: the staff app's sign-in settings, the shape the app reads (`AppConfig`, web/auth.ts). */
export type WebAppConfig = AppConfig;

export interface WebProps {
  /** The stage's name prefix (`samverkan`, `samverkan-dev`): CloudFront's policy and OAC names are per account. */
  namePrefix: string;
  /** The built app (infra/web-build.ts). */
  assetDir: string;
  key: IKey;
  /** Where S3 server access logs of the app bucket go (prefix `web/`). */
  accessLogs: IBucket;
  /** The national API: `/api/*` that no hub claims. */
  nationalApi: IHttpApi;
  /** Hub API domains by hub id (`<apiId>.execute-api.<region>.amazonaws.com`): `/api/hubs/<hubId>/*`. */
  hubApiDomains: Record<string, string>;
  /** Origins the app calls besides its own (the Cognito managed-login domain). */
  connectTo: string[];
}

/** A stack's account or region as cdk-nag writes it in a finding: the literal, or the pseudo parameter. */
const literal = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);

/** The header policy's values, from the one source (infra/security-headers.ts). */
function headersPolicy(scope: Construct, id: string, name: string, csp: string, overrideCsp: boolean, comment: string): ResponseHeadersPolicy {
  return new ResponseHeadersPolicy(scope, id, {
    responseHeadersPolicyName: name,
    comment,
    securityHeadersBehavior: {
      contentSecurityPolicy: { contentSecurityPolicy: csp, override: overrideCsp },
      strictTransportSecurity: { accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS), includeSubdomains: true, override: true },
      // CloudFront's enums hold the header values themselves ('DENY', 'no-referrer').
      frameOptions: { frameOption: COMMON_SECURITY_HEADERS['x-frame-options'] as HeadersFrameOption, override: true },
      contentTypeOptions: { override: true },
      referrerPolicy: { referrerPolicy: COMMON_SECURITY_HEADERS['referrer-policy'] as HeadersReferrerPolicy, override: true },
    },
  });
}

/**
 * The one origin on AWS: CloudFront in front of the built staff app in S3 (Origin Access
 * Control, KMS-encrypted, no public access) and of the APIs under `/api` — each hub's API under
 * `/api/hubs/<hubId>/*`, the national API for the rest of `/api/*` — as the local runtime serves
 * them on one port. HTTPS only (http redirects), security headers on every response, nothing
 * under `/api` cached. The deployment writes the app and its `/config.json` and invalidates the cache.
 */
export class WebApp extends Construct {
  readonly distribution: Distribution;
  readonly bucket: Bucket;
  /** `https://<distribution domain>/`: the app's URL, callback and logout URL. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'web/',
      // The built app only: every deploy writes it again.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const apiHeaders = headersPolicy(this, 'ApiHeaders', `${props.namePrefix}-api-headers`, API_CSP, false, 'samverkan API: security headers; a function’s own CSP (the report page) wins');
    const appHeaders = headersPolicy(this, 'AppHeaders', `${props.namePrefix}-app-headers`, appCsp(props.connectTo), true, 'samverkan staff app and pages: security headers, same-origin CSP plus Cognito');
    const apiBehavior = (domain: string): BehaviorOptions => ({
      origin: new HttpOrigin(domain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      // Every query string, cookie and header (Authorization, Idempotency-Key) but Host: API Gateway routes by its own host.
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: apiHeaders,
      compress: true,
    });

    const additionalBehaviors: Record<string, BehaviorOptions> = {};
    // First match wins, in this order: each hub's own paths, then the national API for the rest of /api.
    for (const [hubId, domain] of Object.entries(props.hubApiDomains).sort(([a], [b]) => a.localeCompare(b))) {
      additionalBehaviors[`/api/hubs/${hubId}/*`] = apiBehavior(domain);
    }
    const nationalDomain = `${props.nationalApi.apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`;
    additionalBehaviors['/api/*'] = apiBehavior(nationalDomain);

    this.distribution = new Distribution(this, 'Distribution', {
      comment: `samverkan one origin (${stack.stackName}): staff app, pages and APIs`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket, {
          originAccessControl: new S3OriginAccessControl(this, 'OriginAccessControl', { originAccessControlName: `${props.namePrefix}-web`, signing: Signing.SIGV4_ALWAYS }),
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: appHeaders,
        compress: true,
      },
      additionalBehaviors,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableIpv6: true,
      enableLogging: true,
      logBucket: props.accessLogs,
      logFilePrefix: 'cloudfront/',
    });
    this.url = `https://${this.distribution.distributionDomainName}/`;

    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: 'The staff app and the member pages serve the whole network; sign-in is the control, not the visitor’s country.' },
      { id: 'AwsSolutions-CFR2', reason: 'No WAF for now (the issue: WAF and certificates in us-east-1 are not required); API Gateway throttles each stage.' },
      { id: 'AwsSolutions-CFR4', reason: 'The default CloudFront certificate (*.cloudfront.net) fixes the viewer TLS policy; a custom domain with its own certificate (us-east-1) would set TLSv1.2_2021.' },
    );
    new CfnOutput(this, 'Url', { value: this.url, description: 'The staff app, its pages and the APIs under /api: one origin' });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });
    this.assetDir = props.assetDir;
  }

  private readonly assetDir: string;

  /**
   * Writes the built app and its `/config.json` into the bucket at deploy (the values are
   * CloudFormation references, resolved then) and invalidates CloudFront's copies.
   */
  deploy(config: WebAppConfig): BucketDeployment {
    const deployment = new BucketDeployment(this, 'Deploy', {
      sources: [Source.asset(this.assetDir), Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      // The app is small and changes with each release: browsers revalidate, CloudFront is invalidated.
      cacheControl: [CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
    });
    // The deployment's handler is CDK's own (one per stack and memory size, beside this construct).
    const stack = Stack.of(this);
    const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!handler) throw new Error('The bucket deployment’s handler was not found: the cdk-nag acknowledgements below name it');
    const bucketArn = stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    const why = 'CDK’s bucket deployment copies the built app from the CDK asset bucket into the app bucket and invalidates the distribution';
    Validations.of(handler).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: `${why}; it logs through the basic execution role.` },
      { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: `${why}: cloudfront:CreateInvalidation and GetInvalidation have no resource-level permissions here.` },
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((a) => ({ id: `AwsSolutions::AwsSolutions-IAM5[Action::${a}]`, reason: `${why}: CDK’s read and write grants on the two buckets only.` })),
      { id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucketArn}.Arn>/*]`, reason: `${why}: every object of the app bucket (a deploy replaces them all).` },
      { id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${literal(stack.account, 'AWS::AccountId')}-${literal(stack.region, 'AWS::Region')}/*]`, reason: `${why}: the asset is read from the bootstrap asset bucket.` },
      { id: 'AwsSolutions::AwsSolutions-L1', reason: 'CDK’s bucket deployment handler picks its own Python runtime (aws-cdk-lib 2.276); it runs only at deploy.' },
    );
    return deployment;
  }
}
