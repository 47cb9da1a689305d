/**
 * `npm run hubs:check` — validates every hub file; exits 1 naming each bad file and field.
 */
import { HUBS_DIR, loadHubs } from '../load.ts';

const dir = process.argv[2] ?? HUBS_DIR;
try {
  const hubs = loadHubs(dir);
  console.log(`hubs:check: ${hubs.length} hub files valid (${hubs.map((h) => h.id).join(', ')})`);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
