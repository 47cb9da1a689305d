/**
 * `npm run hubs:check` — validates every hub file; exits 1 naming each bad file and field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalOrgNumber } from '../../functions/domain/orgnumber.ts';
import { HUBS_DIR, loadHubs } from '../load.ts';
import { checkRegion, DEFAULT_REGION } from '../../infra/config.ts';
import { ROOT } from '../../infra/constructs/function.ts';
import { STARTER_FILE, loadStarterOrganisations } from '../organisations.ts';

const dir = process.argv[2] ?? HUBS_DIR;
try {
  const hubs = loadHubs(dir);
  // Data residency: a hub in its own account must be in a region cdk.json allows (as at synth).
  const cdkJson = join(ROOT, 'cdk.json');
  const regions = ((existsSync(cdkJson) ? JSON.parse(readFileSync(cdkJson, 'utf8')).context?.['samverkan:regions'] : undefined) ?? [DEFAULT_REGION]) as string[];
  for (const hub of hubs) if (hub.aws) checkRegion(hub.aws.region, regions, `${join(dir, `${hub.id}.json`)} (aws.region)`);
  console.log(`hubs:check: ${hubs.length} hub files valid (${hubs.map((h) => h.id).join(', ')})`);
  if (existsSync(join(dir, STARTER_FILE))) {
    const orgs = loadStarterOrganisations(dir);
    const bad = orgs.filter((o) => o.orgNumber && canonicalOrgNumber(o.orgNumber) !== o.orgNumber);
    if (bad.length) throw new Error(`${join(dir, STARTER_FILE)}: organisation numbers failing the check digit: ${bad.map((o) => `${o.name} (${o.orgNumber})`).join(', ')}`);
    console.log(`hubs:check: ${orgs.length} starter organisations valid`);
  }
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
