/**
 * `npm run studies:check` — validates every study file (and that its hubs exist); exits 1
 * naming each bad file and field.
 */
import { HUBS_DIR, loadHubs } from '../../hubs/load.ts';
import { INSTRUMENTS } from '../instruments.ts';
import { STUDIES_DIR, loadStudies } from '../load.ts';

const dir = process.argv[2] ?? STUDIES_DIR;
try {
  const hubs = new Set(loadHubs(process.argv[3] ?? HUBS_DIR).map((h) => h.id));
  const studies = loadStudies(dir, hubs);
  console.log(`studies:check: ${INSTRUMENTS.length} survey instruments valid (${INSTRUMENTS.map((i) => i.id).join(', ')})`);
  console.log(`studies:check: ${studies.length} study files valid (${studies.map((s) => s.id).join(', ')})`);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
