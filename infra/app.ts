import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HUBS_DIR, loadHubs } from '../hubs/load.ts';
import { STUDIES_DIR, loadStudies } from '../studies/load.ts';
import { HubStack, type NationalRefs } from './hub-stack.ts';
import { NATIONAL_STACK, hubStackName } from './names.ts';
import { NationalStack } from './national-stack.ts';

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
 * Builds the samverkan CDK app: the national stack and one hub stack per `hubs/<id>.json`,
 * with cdk-nag AwsSolutions checks that fail synthesis on unacknowledged findings.
 */
export function buildApp(options: BuildOptions = {}) {
  const context: Record<string, unknown> = { ...options.context };
  if (options.bundle === false) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({ outdir: options.outdir, context });
  const hubs = loadHubs(options.hubsDir ?? HUBS_DIR);
  const studies = loadStudies(options.studiesDir ?? STUDIES_DIR, new Set(hubs.map((h) => h.id)));
  const national = (app.node.tryGetContext('samverkan:national') ?? {}) as NationalRefs;

  const nationalStack = new NationalStack(app, NATIONAL_STACK, {
    hubs,
    studies,
    description: 'samverkan: national event bus, reporting, national API, identity and research lake',
    ...(national.account ? { env: { account: national.account, region: national.region } } : {}),
  });
  const hubStacks = hubs.map((hub) => {
    if (hub.aws && (!national.account || !national.userPoolId || !national.userPoolClientId || !national.networkTableName)) {
      throw new Error(
        `hubs/${hub.id}.json names its own AWS account: set context "samverkan:national" with account, region, userPoolId, userPoolClientId and networkTableName of the deployed national stack (cdk.json or -c)`,
      );
    }
    const stack = new HubStack(app, hubStackName(hub.id), {
      hub,
      national,
      description: `samverkan hub ${hub.name} (${hub.city})`,
      ...(hub.aws ? { env: { account: hub.aws.account, region: hub.aws.region } } : {}),
    });
    if (!hub.aws) stack.addStackDependency(nationalStack);
    Tags.of(stack).add('samverkan:hub', hub.id);
    return stack;
  });
  Tags.of(app).add('project', 'samverkan');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, nationalStack, hubStacks, hubs };
}
