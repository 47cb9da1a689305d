import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../infra/app.ts';
import type { CfnTemplate } from './cfn.ts';

/**
 * Synthesizes the CDK app in-process without bundling (the local runtime runs the handler
 * sources) and returns every stack's template by stack name. cdk-nag runs here as well.
 */
export function synthTemplates(options: { hubsDir?: string; studiesDir?: string } = {}): Record<string, CfnTemplate> {
  const outdir = mkdtempSync(join(tmpdir(), 'samverkan-synth-'));
  try {
    const { app } = buildApp({ hubsDir: options.hubsDir, studiesDir: options.studiesDir, outdir, bundle: false });
    const assembly = app.synth();
    return Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.template as CfnTemplate]));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
