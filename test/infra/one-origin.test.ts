import { Match, Template } from 'aws-cdk-lib/assertions';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { API_CSP, appCsp, HSTS_MAX_AGE_SECONDS } from '../../infra/security-headers.ts';
import { buildWebApp } from '../../infra/web-build.ts';
import { CROSS_ACCOUNT_CONTEXT, crossAccountHubs } from '../../scripts/synth-variants.ts';

/** Sign-in and the one origin on AWS (issue 11): template assertions on the national stack. */

const UMEA_API = 'abc123defg.execute-api.eu-north-1.amazonaws.com';
const LULEA_API = 'https://zyx987wvut.execute-api.eu-north-1.amazonaws.com/';

let national: Template;
let built: ReturnType<typeof buildApp>;

beforeAll(() => {
  built = buildApp({ bundle: false, context: { 'samverkan:hubApiDomains': { umea: UMEA_API, lulea: LULEA_API } } });
  national = Template.fromStack(built.nationalStack);
});

const resource = (t: Template, type: string) => {
  const all = Object.entries(t.findResources(type));
  expect(all, type).toHaveLength(1);
  return all[0] as [string, { Properties: Record<string, any> }];
};
const distributionUrl = (distributionId: string) => ({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/']] });

describe('sign-in on AWS', () => {
  it('gives the user pool a managed-login domain (the newer pages, Cognito-provided branding)', () => {
    const [domainId, domain] = resource(national, 'AWS::Cognito::UserPoolDomain');
    expect(domain.Properties).toMatchObject({ ManagedLoginVersion: 2, UserPoolId: { Ref: expect.stringMatching(/^UserPool[0-9A-F]+$/) } });
    expect(domain.Properties.Domain).toEqual({ 'Fn::Join': ['', ['samverkan-', { Ref: 'AWS::AccountId' }]] });
    national.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', { UseCognitoProvidedValues: true, ClientId: { Ref: Match.stringLikeRegexp('StaffApp') } });
    expect(domainId).toMatch(/Domain/);
  });

  it('keeps MFA required (TOTP only) on the pool', () => {
    national.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON', EnabledMfas: ['SOFTWARE_TOKEN_MFA'] });
  });

  it('signs the staff app in with the code flow (PKCE, public client): no secret, no implicit flow, the distribution’s URL as callback and logout URL', () => {
    const [distributionId] = resource(national, 'AWS::CloudFront::Distribution');
    const [, client] = resource(national, 'AWS::Cognito::UserPoolClient');
    expect(client.Properties).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      GenerateSecret: false,
      SupportedIdentityProviders: ['COGNITO'],
      CallbackURLs: [distributionUrl(distributionId)],
      LogoutURLs: [distributionUrl(distributionId)],
    });
    expect(client.Properties.AllowedOAuthFlows).not.toContain('implicit');
    expect(client.Properties.AllowedOAuthFlows).not.toContain('client_credentials');
    // Password sign-in only through the admin API (IAM credentials: the smoke test), never the public USER_PASSWORD_AUTH.
    expect([...client.Properties.ExplicitAuthFlows].sort()).toEqual(['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH']);
  });

  it('a stage or the context names the domain prefix; a prefix Cognito refuses fails synthesis, naming the setting', () => {
    const dev = Template.fromStack(buildApp({ bundle: false, context: { stage: 'dev' } }).nationalStack);
    dev.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: { 'Fn::Join': ['', ['samverkan-dev-', { Ref: 'AWS::AccountId' }]] } });
    const own = Template.fromStack(buildApp({ bundle: false, context: { 'samverkan:authDomainPrefix': 'hubbarna-login' } }).nationalStack);
    own.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'hubbarna-login' });
    expect(() => buildApp({ bundle: false, context: { 'samverkan:authDomainPrefix': 'my-cognito-login' } })).toThrow(/samverkan:authDomainPrefix/);
    expect(() => buildApp({ bundle: false, context: { 'samverkan:authDomainPrefix': 'Has Spaces' } })).toThrow(/samverkan:authDomainPrefix/);
  });
});

describe('one origin on AWS: CloudFront', () => {
  it('serves the app from S3 through Origin Access Control (no OAI), redirects http to https everywhere, index.html at /', () => {
    const [, d] = resource(national, 'AWS::CloudFront::Distribution');
    const config = d.Properties.DistributionConfig;
    expect(config.DefaultRootObject).toBe('index.html');
    const s3 = config.Origins.find((o: any) => o.S3OriginConfig);
    expect(s3.DomainName['Fn::GetAtt'][0]).toMatch(/^WebBucket/);
    expect(s3.S3OriginConfig.OriginAccessIdentity).toBe('');
    expect(s3.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/OriginAccessControl/), 'Id'] });
    national.hasResourceProperties('AWS::CloudFront::OriginAccessControl', { OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' }) });
    for (const b of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) expect(b.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultCacheBehavior.TargetOriginId).toBe(s3.Id);
  });

  it('sends /api/hubs/<hubId>/* to each configured hub API and the rest of /api/* to the national API, in that order, uncached with every viewer header but Host', () => {
    const [, d] = resource(national, 'AWS::CloudFront::Distribution');
    const config = d.Properties.DistributionConfig;
    const behaviors = config.CacheBehaviors as any[];
    expect(behaviors.map((b) => b.PathPattern)).toEqual(['/api/hubs/lulea/*', '/api/hubs/umea/*', '/api/*']);
    const originOf = (pattern: string) => config.Origins.find((o: any) => o.Id === behaviors.find((b) => b.PathPattern === pattern).TargetOriginId);
    expect(originOf('/api/hubs/umea/*').DomainName).toBe(UMEA_API);
    expect(originOf('/api/hubs/lulea/*').DomainName).toBe('zyx987wvut.execute-api.eu-north-1.amazonaws.com');
    expect(originOf('/api/*').DomainName).toEqual({ 'Fn::Join': ['', [{ Ref: expect.stringMatching(/^HttpApi/) }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] });
    for (const b of behaviors) {
      expect(originOf(b.PathPattern).CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
      expect(b).toMatchObject({
        AllowedMethods: expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']),
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
        OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // Managed-AllViewerExceptHostHeader
      });
    }
    // The app itself: GET and HEAD only, cached (each deploy invalidates it).
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
  });

  it('sends the security headers from infra/security-headers.ts: the app’s CSP allows Cognito’s domain; an API function’s own CSP wins', () => {
    const policies = Object.values(national.findResources('AWS::CloudFront::ResponseHeadersPolicy')).map((p: any) => p.Properties.ResponseHeadersPolicyConfig);
    expect(policies).toHaveLength(2);
    const common = {
      StrictTransportSecurity: { AccessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS, IncludeSubdomains: true, Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ContentTypeOptions: { Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    };
    const api = policies.find((p) => p.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy === API_CSP);
    expect(api.SecurityHeadersConfig).toMatchObject({ ...common, ContentSecurityPolicy: { ContentSecurityPolicy: API_CSP, Override: false } });
    const app = policies.find((p) => p !== api);
    expect([api.Name, app.Name]).toEqual(['samverkan-api-headers', 'samverkan-app-headers']); // per account: the stage is in the name
    expect(app.SecurityHeadersConfig).toMatchObject({ ...common, ContentSecurityPolicy: { Override: true } });
    const [domainId] = resource(national, 'AWS::Cognito::UserPoolDomain');
    // connect-src: the issuer (its discovery document) and the managed-login domain (the token endpoint).
    const [before, after] = appCsp(['https://ISSUER', 'https://COGNITO']).split('https://ISSUER https://COGNITO');
    expect(app.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy).toEqual({
      'Fn::Join': ['', [`${before}https://cognito-idp.`, { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, ' https://', { Ref: domainId }, `.auth.eu-north-1.amazoncognito.com${after}`]],
    });
    expect(appCsp()).toMatch(/script-src 'self';.*style-src 'self';.*frame-ancestors 'none'/);

    const [, d] = resource(national, 'AWS::CloudFront::Distribution');
    const config = d.Properties.DistributionConfig;
    const [apiId] = Object.entries(national.findResources('AWS::CloudFront::ResponseHeadersPolicy')).find(([, p]: any) => p.Properties.ResponseHeadersPolicyConfig === api) as [string, unknown];
    for (const b of config.CacheBehaviors) expect(b.ResponseHeadersPolicyId).toEqual({ Ref: apiId });
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).not.toEqual({ Ref: apiId });
  });

  it('logs requests to the access-log bucket, serves HTTP/2 and 3', () => {
    const [, d] = resource(national, 'AWS::CloudFront::Distribution');
    expect(d.Properties.DistributionConfig).toMatchObject({ HttpVersion: 'http2and3', Logging: { Bucket: { 'Fn::GetAtt': [expect.stringMatching(/^LakeAccessLogs/), 'RegionalDomainName'] }, Prefix: 'cloudfront/' } });
  });

  it('without hub API domains in the context, routes only the national API and warns at synth, naming the hubs and the setting', () => {
    const plain = buildApp({ bundle: false });
    const t = Template.fromStack(plain.nationalStack);
    const [, d] = resource(t, 'AWS::CloudFront::Distribution');
    expect(d.Properties.DistributionConfig.CacheBehaviors.map((b: any) => b.PathPattern)).toEqual(['/api/*']);
    const warnings = plain.app.synth({ force: true }).getStackByName('samverkan-national').messages.filter((m) => m.level === 'warning').map((m) => String(m.entry.data));
    expect(warnings.some((w) => /boden, lulea, ostersund, skelleftea, stockholm, umea/.test(w) && /samverkan:hubApiDomains/.test(w))).toBe(true);
  });

  it('refuses a hub API domain that is not a host name, or a hub without a file, naming the setting', () => {
    expect(() => buildApp({ bundle: false, context: { 'samverkan:hubApiDomains': { umea: 'not a host' } } })).toThrow(/samverkan:hubApiDomains[\s\S]*umea/);
    expect(() => buildApp({ bundle: false, context: { 'samverkan:hubApiDomains': { kiruna: UMEA_API } } })).toThrow(/samverkan:hubApiDomains[\s\S]*kiruna/);
  });

  it('routes hubs in other accounts by their configured domain too (cross-account synth variant)', () => {
    const app = buildApp({ bundle: false, hubsDir: crossAccountHubs(), context: { ...CROSS_ACCOUNT_CONTEXT, 'samverkan:hubApiDomains': { lulea: LULEA_API } } });
    const t = Template.fromStack(app.nationalStack);
    const [, d] = resource(t, 'AWS::CloudFront::Distribution');
    expect(d.Properties.DistributionConfig.CacheBehaviors.map((b: any) => b.PathPattern)).toEqual(['/api/hubs/lulea/*', '/api/*']);
    t.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'samverkan-111122223333' });
  });
});

describe('one origin on AWS: the app bucket and its deployment', () => {
  it('blocks public access, enforces TLS, encrypts with the stack’s key, logs access; only CloudFront (this account’s distributions) may read it and decrypt', () => {
    const [bucketId, bucket] = Object.entries(national.findResources('AWS::S3::Bucket')).find(([id]) => id.startsWith('WebBucket')) as [string, any];
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^StackKey/), 'Arn'] } } }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^LakeAccessLogs/) }, LogFilePrefix: 'web/' },
    });
    const [distributionId] = resource(national, 'AWS::CloudFront::Distribution');
    const policy = Object.values(national.findResources('AWS::S3::BucketPolicy')).find((p: any) => p.Properties.Bucket.Ref === bucketId) as any;
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    const read = statements.find((s) => s.Principal?.Service === 'cloudfront.amazonaws.com');
    expect(read).toMatchObject({ Effect: 'Allow', Action: 's3:GetObject' });
    expect(JSON.stringify(read.Condition)).toContain(distributionId);
    const key = Object.values(national.findResources('AWS::KMS::Key'))[0] as any;
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 'kms:Decrypt', Condition: { ArnLike: { 'AWS:SourceArn': expect.anything() } } }),
    );
  });

  it('deploys the built app and /config.json (values resolved at deploy) into the bucket, and invalidates the distribution', () => {
    const [distributionId] = resource(national, 'AWS::CloudFront::Distribution');
    const [, deployment] = resource(national, 'Custom::CDKBucketDeployment');
    expect(deployment.Properties).toMatchObject({
      DestinationBucketName: { Ref: expect.stringMatching(/^WebBucket/) },
      DistributionId: { Ref: distributionId },
      DistributionPaths: ['/*'],
      Prune: true,
      SystemMetadata: { 'cache-control': 'no-cache' },
    });
    expect(deployment.Properties.SourceObjectKeys).toHaveLength(2);
    // config.json: the markers are the user pool, the client, the distribution's domain and the Cognito domain.
    const markers = JSON.stringify(deployment.Properties.SourceMarkers);
    for (const ref of [/"Ref":"UserPool[0-9A-F]+"/, /"Ref":"UserPoolStaffApp[0-9A-F]+"/, new RegExp(`"Fn::GetAtt":\\["${distributionId}","DomainName"\\]`), /"Ref":"UserPoolDomain[0-9A-F]+"/]) expect(markers).toMatch(ref);
  });

  it('builds the app offline with Vite: the pages, hashed scripts and styles, the member pages as they are (no TypeScript shipped)', () => {
    const dir = buildWebApp();
    for (const f of ['index.html', 'legacy.html', 'consent.html', 'consent.js', 'consent.css', 'survey.html', 'survey.js', 'survey.css']) expect(existsSync(join(dir, f)), f).toBe(true);
    const assets = readdirSync(join(dir, 'assets'));
    expect(assets.filter((f) => f.endsWith('.js')).length).toBeGreaterThan(0);
    expect(assets.filter((f) => f.endsWith('.css')).length).toBeGreaterThan(0);
    expect(assets.filter((f) => /\.tsx?$/.test(f))).toEqual([]);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    // Scripts and styles from files only (the CSP allows no inline code): no module-preload polyfill inlined.
    expect(html).not.toMatch(/<style|\sstyle=|<script(?![^>]*\ssrc=)/i);
    const entry = /<script type="module" crossorigin src="\/assets\/([^"]+)"/.exec(html)?.[1];
    expect(entry).toBeDefined();
    const js = readFileSync(join(dir, 'assets', entry!), 'utf8');
    expect(js).not.toMatch(/^import .* from ['"]#?hubs\//m);
    expect(js.length).toBeGreaterThan(10_000);
    expect(buildWebApp()).toBe(dir); // same sources, same folder
  });

  it('links in hub e-mails start at the one origin: hubs in the national account import its URL; the context or a hub in another account keeps a configured one', () => {
    const urlsOf = (t: Template) => Object.values(t.findResources('AWS::Lambda::Function')).map((f: any) => f.Properties.Environment?.Variables?.PUBLIC_BASE_URL).filter((v) => v !== undefined);
    const umea = Template.fromStack(built.hubStacks.find((s) => s.stackName === 'samverkan-hub-umea')!);
    expect(urlsOf(umea).length).toBeGreaterThan(0);
    for (const url of urlsOf(umea)) expect(url).toEqual({ 'Fn::ImportValue': 'samverkan-national-WebUrl' });
    const configured = buildApp({ bundle: false, context: { 'samverkan:publicUrl': 'https://hubbarna.se' } });
    for (const url of urlsOf(Template.fromStack(configured.hubStacks.find((s) => s.stackName === 'samverkan-hub-umea')!))) expect(url).toBe('https://hubbarna.se');
    const cross = buildApp({ bundle: false, hubsDir: crossAccountHubs(), context: CROSS_ACCOUNT_CONTEXT });
    for (const url of urlsOf(Template.fromStack(cross.hubStacks.find((s) => s.stackName === 'samverkan-hub-lulea')!))) expect(url).toBe('https://samverkan.se');
  });

  it('exports the app’s URL and the managed-login domain', () => {
    const [distributionId] = resource(national, 'AWS::CloudFront::Distribution');
    national.hasOutput('WebUrl', { Value: distributionUrl(distributionId), Export: { Name: 'samverkan-national-WebUrl' } });
    national.hasOutput('AuthDomain', {});
  });
});
