import { Annotations, App, Aws, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HUBS_DIR, loadHubs } from '../hubs/load.ts';
import { STUDIES_DIR, loadStudies } from '../studies/load.ts';
import { checkRegion, readConfig } from './config.ts';
import { HubStack, type NationalRefs } from './hub-stack.ts';
import { NationalStack } from './national-stack.ts';
import { buildWebApp } from './web-build.ts';

/** Resource types whose Tags cfn-lint 1.51's schema does not know yet (E3002): left untagged. */
const UNTAGGED = ['AWS::CloudWatch::Dashboard'];

/** Options for building the CDK app (tests and the local runtime skip bundling). */
export interface BuildOptions {
  hubsDir?: string;
  /** The study files (`studies/`): each gets its research datasets (infra/research.ts). */
  studiesDir?: string;
  outdir?: string;
  /** Bundle the Lambda code with esbuild (default true; `false` for fast local synth). */
  bundle?: boolean;
  context?: Record<string, unknown>;
}

/**
 * Builds the samverkan CDK app for one stage (`-c stage=dev`, default `prod`): the national
 * stack and one hub stack per `hubs/<id>.json`, each in an allowed region (default
 * eu-north-1), with cdk-nag AwsSolutions checks that fail synthesis on unacknowledged findings.
 */
export function buildApp(options: BuildOptions = {}) {
  const context: Record<string, unknown> = { ...options.context };
  if (options.bundle === false) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({ outdir: options.outdir, context });
  const config = readConfig(app.node);
  const { names } = config;
  const hubs = loadHubs(options.hubsDir ?? HUBS_DIR);
  const studies = loadStudies(options.studiesDir ?? STUDIES_DIR, new Set(hubs.map((h) => h.id)));
  const national = (app.node.tryGetContext('samverkan:national') ?? {}) as NationalRefs;
  if (national.region) checkRegion(national.region, config.regions, 'context "samverkan:national"');
  for (const hub of hubs) if (hub.aws) checkRegion(hub.aws.region, config.regions, `hubs/${hub.id}.json (aws.region)`);
  const nationalEnv = { region: national.region ?? config.region, ...(national.account ? { account: national.account } : {}) };

  const unknownHubs = Object.keys(config.hubApiDomains).filter((id) => !hubs.some((h) => h.id === id));
  if (unknownHubs.length) throw new Error(`Context "samverkan:hubApiDomains" names hubs without a file in hubs/: ${unknownHubs.join(', ')}`);
  const nationalStack = new NationalStack(app, names.nationalStack, {
    hubs,
    studies,
    config,
    web: {
      // Built offline at synth with esbuild; uploaded by the deployment (infra/constructs/web.ts).
      assetDir: buildWebApp(),
      hubApiDomains: config.hubApiDomains,
      authDomainPrefix: config.authDomainPrefix ?? `${names.prefix}-${national.account ?? Aws.ACCOUNT_ID}`,
    },
    description: `samverkan (${config.stage}): national event bus, reporting, national API, identity and research lake`,
    env: nationalEnv,
  });
  const hubStacks = hubs.map((hub) => {
    if (hub.aws && (!national.account || !national.userPoolId || !national.userPoolClientId || !national.networkTableArn)) {
      throw new Error(
        `hubs/${hub.id}.json names its own AWS account: set context "samverkan:national" with account, region, userPoolId, userPoolClientId and networkTableArn of the deployed national stack (cdk.json or -c)`,
      );
    }
    const stack = new HubStack(app, names.hubStack(hub.id), {
      hub,
      national,
      config,
      description: `samverkan (${config.stage}) hub ${hub.name} (${hub.city})`,
      env: hub.aws ? { account: hub.aws.account, region: hub.aws.region } : nationalEnv,
    });
    if (!hub.aws) stack.addStackDependency(nationalStack);
    Tags.of(stack).add('samverkan:hub', hub.id, { excludeResourceTypes: UNTAGGED });
    return stack;
  });
  const unrouted = hubs.filter((h) => !config.hubApiDomains[h.id]).map((h) => h.id);
  if (unrouted.length) {
    Annotations.of(nationalStack).addWarningV2(
      'samverkan:hubApiDomains',
      `The one origin has no route to the API of hub ${unrouted.join(', ')}: once deployed, put each hub stack's HttpUrl host into context "samverkan:hubApiDomains" and deploy ${names.nationalStack} again (docs/operations.md)`,
    );
  }
  Tags.of(app).add('project', 'samverkan', { excludeResourceTypes: UNTAGGED });
  Tags.of(app).add('samverkan:stage', config.stage, { excludeResourceTypes: UNTAGGED });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, nationalStack, hubStacks, hubs, config };
}
