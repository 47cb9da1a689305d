/**
 * `npm run hubs:check` — validates every hub file; exits 1 naming each bad file and field.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalOrgNumber } from '../../functions/domain/orgnumber.ts';
import { HUBS_DIR, loadHubs } from '../load.ts';
import { STARTER_FILE, loadStarterOrganisations } from '../organisations.ts';

const dir = process.argv[2] ?? HUBS_DIR;
try {
  const hubs = loadHubs(dir);
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
