/**
 * Synthesizes the app into `<outdir>/default` and `<outdir>/cross-account` (hubs lulea and boden
 * in their operators' own account, skelleftea in another) without bundling, for cfn-lint in CI.
 * Usage: tsx scripts/synth-variants.ts <outdir>
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HUBS_DIR } from '../hubs/load.ts';
import { buildApp } from '../infra/app.ts';

/** A copy of the hub files with some hubs in other accounts. */
export function crossAccountHubs(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hubs-xacct-'));
  const accounts: Record<string, string> = { lulea: '222233334444', boden: '222233334444', skelleftea: '555566667777' };
  for (const file of readdirSync(HUBS_DIR).filter((f) => f.endsWith('.json'))) {
    const hub = JSON.parse(readFileSync(join(HUBS_DIR, file), 'utf8'));
    const account = accounts[file.replace(/\.json$/, '')];
    writeFileSync(join(dir, file), JSON.stringify(account ? { ...hub, aws: { account, region: 'eu-north-1' } } : hub));
  }
  cpSync(join(HUBS_DIR, '_organisations.json'), join(dir, '_organisations.json'));
  return dir;
}

/** The context of a deployed national stack, as an operator would set it for hubs in other accounts. */
export const CROSS_ACCOUNT_CONTEXT = {
  'samverkan:national': {
    account: '111122223333',
    region: 'eu-north-1',
    userPoolId: 'eu-north-1_abcdefghi',
    userPoolClientId: 'client1234567890',
    networkTableArn: 'arn:aws:dynamodb:eu-north-1:111122223333:table/samverkan-national-NetworkTable-ABC',
  },
  'samverkan:alarmEmail': 'drift@example.se',
};

/** Synthesizes both variants; returns the template files. */
export function synthVariants(outdir: string): string[] {
  const files: string[] = [];
  for (const [name, options] of [
    ['default', { context: { 'samverkan:alarmEmail': 'drift@example.se' } }],
    ['cross-account', { hubsDir: crossAccountHubs(), context: CROSS_ACCOUNT_CONTEXT }],
  ] as const) {
    const dir = join(outdir, name);
    mkdirSync(dir, { recursive: true });
    buildApp({ bundle: false, outdir: dir, ...options }).app.synth();
    files.push(...readdirSync(dir).filter((f) => f.endsWith('.template.json')).map((f) => join(dir, f)));
  }
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outdir = process.argv[2];
  if (!outdir) throw new Error('Usage: tsx scripts/synth-variants.ts <outdir>');
  for (const f of synthVariants(outdir)) console.log(f);
}
