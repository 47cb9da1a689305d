import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EXPECTED_STACKS } from '../support/expected.ts';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = (name: string) => join(process.cwd(), 'node_modules', '.bin', name);
// Offline, no credentials: the CLI must neither phone home nor need an account.
const env = { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', AWS_EC2_METADATA_DISABLED: 'true' };

describe('the CDK CLI, offline and without credentials', () => {
  it('`cdk ls` lists the national stack and one stack per hub', async () => {
    const out = await run(bin('cdk'), ['ls', '--output', mkdtempSync(join(tmpdir(), 'cdk-ls-'))], { env, timeout: 120_000 });
    expect(out.stdout.trim().split('\n').sort()).toEqual(EXPECTED_STACKS);
  });

  let outdir: string;
  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'cdk-synth-'));
    // Every function of seven stacks is bundled (the hub-event notifier and the calendar consumer too): minutes on a shared CI box.
    await run(bin('cdk'), ['synth', '--quiet', '--output', outdir], { env, timeout: 420_000 });
  }, 450_000);

  it('`cdk synth` bundles every handler with local esbuild, hub files included', async () => {
    const template = JSON.parse(readFileSync(join(outdir, 'samverkan-hub-umea.template.json'), 'utf8'));
    const fn = Object.values(template.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Lambda::Function' && r.Metadata['samverkan:entry'] === 'functions/hub-api/handler.ts');
    const assetDir = join(outdir, fn.Metadata['aws:asset:path']);
    expect(existsSync(join(assetDir, 'index.mjs'))).toBe(true);
    expect(readdirSync(join(assetDir, 'hubs')).sort()).toEqual(['_organisations.json', 'boden.json', 'lulea.json', 'ostersund.json', 'skelleftea.json', 'stockholm.json', 'umea.json']);
  });

  it('bundles only what runs on Lambda: no nodemailer (local .eml files only), no STS/SSO clients (credentials come from the environment), maps without sources', async () => {
    const bundles = new Set<string>();
    for (const file of readdirSync(outdir).filter((f) => f.endsWith('.template.json'))) {
      const template = JSON.parse(readFileSync(join(outdir, file), 'utf8'));
      for (const r of Object.values(template.Resources as Record<string, any>)) {
        if (r.Type === 'AWS::Lambda::Function' && r.Metadata?.['samverkan:entry']) bundles.add(join(outdir, r.Metadata['aws:asset:path'], 'index.mjs'));
      }
    }
    expect(bundles.size).toBeGreaterThanOrEqual(9);
    let mailers = 0;
    for (const bundle of bundles) {
      const code = readFileSync(bundle, 'utf8');
      expect(code, bundle).not.toMatch(/AssumeRoleWithWebIdentity|sso-oidc|GetRoleCredentials/);
      // zod without its 40 locales (a named `import { z }` pulls them all in; `import * as z` does not): no Hebrew, Thai or Armenian messages.
      expect(code, bundle).not.toMatch(/[\u0590-\u05FF\u0E00-\u0E7F\u0530-\u058F]/);
      // The one mention of nodemailer left is the import the local outbox makes at run time.
      const mentions = code.match(/nodemailer[^;]{0,12}/g) ?? [];
      expect(mentions.every((m) => m.startsWith('nodemailer").then(')), bundle).toBe(true);
      mailers += mentions.length;
      const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8'));
      expect(map.sourcesContent ?? [], bundle).toEqual([]);
    }
    expect(mailers).toBeGreaterThan(0); // the notifiers and the survey inviter still send mail
  });

  it('the bundled national API loads on its own and answers like the source it was built from', async () => {
    const template = JSON.parse(readFileSync(join(outdir, 'samverkan-national.template.json'), 'utf8'));
    const fn = Object.values(template.Resources as Record<string, any>).find((r) => r.Metadata?.['samverkan:entry'] === 'functions/national-api/handler.ts');
    const assetDir = join(outdir, fn.Metadata['aws:asset:path']);
    const script = `
      const { handler } = await import(${JSON.stringify(join(assetDir, 'index.mjs'))});
      const res = await handler({ version: '2.0', routeKey: 'GET /api/hubs', rawPath: '/api/hubs', rawQueryString: '', headers: {}, requestContext: { http: { method: 'GET', path: '/api/hubs' }, requestId: 'r' }, isBase64Encoded: false }, {});
      console.log(JSON.stringify(res));`;
    const out = await run(bin('node'), ['--input-type=module', '-e', script], {
      env: { ...env, LAMBDA_TASK_ROOT: assetDir, REPORT_TABLE_NAME: 't', NETWORK_TABLE_NAME: 'n', AUTH_ISSUER: 'https://issuer.example', AUTH_AUDIENCE: 'a', AWS_REGION: 'eu-north-1', POWERTOOLS_LOG_LEVEL: 'SILENT' },
      timeout: 30_000,
    });
    const res = JSON.parse(out.stdout.trim().split('\n').pop()!);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).hubs).toHaveLength(6);
  });
});
