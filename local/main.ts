/**
 * `npm start` — the whole samverkan network on this machine: DynamoDB Local, the local event
 * bus, pipes and functions from the synthesized templates, the API and the staff app.
 * `npm run start:fresh` (or `--in-memory`) keeps nothing on disk. `--data-dir <dir>` (or
 * $SAMVERKAN_DATA_DIR) keeps the data somewhere other than `.data/`; `--templates <file>` runs
 * already synthesized templates (JSON, by stack name) instead of synthesizing the app.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CfnTemplate } from './cfn.ts';
import { startNetwork } from './network.ts';
import { LOCAL_PASSWORD } from './oidc.ts';

const { values } = parseArgs({ options: { 'in-memory': { type: 'boolean' }, port: { type: 'string' }, quiet: { type: 'boolean' }, 'data-dir': { type: 'string' }, templates: { type: 'string' }, simulation: { type: 'boolean' } } });
const dataDir = values['data-dir'] ?? process.env.SAMVERKAN_DATA_DIR;
const started = Date.now();
console.log('samverkan: synthesizing the CDK app and starting the local network…');
const network = await startNetwork({
  inMemory: values['in-memory'] ?? false,
  ...(values.port ? { port: Number(values.port) } : {}),
  ...(dataDir ? { dataDir: resolve(dataDir) } : {}),
  ...(values.templates ? { templates: JSON.parse(readFileSync(values.templates, 'utf8')) as Record<string, CfnTemplate> } : {}),
  logLevel: values.quiet ? 'ERROR' : 'WARN',
  simulation: values.simulation ?? false,
});
const hubs = [...new Set(network.routes.map((r) => /^\/api\/hubs\/([a-z0-9-]+)\//.exec(r.path)?.[1]).filter(Boolean))];
console.log(`
samverkan is running (${((Date.now() - started) / 1000).toFixed(1)} s)

  Staff app   ${network.url}/
  API         ${network.url}/api/hubs
  OpenAPI     ${network.url}/api/openapi.json
  DynamoDB    ${network.dynamoEndpoint} (${values['in-memory'] ? 'in memory' : `data in ${dataDir ?? '.data/'}`})
  Hubs        ${hubs.join(', ')}

  Sign in:    <hub>-staff (e.g. umea-staff), national or researcher; password ${LOCAL_PASSWORD} (local stand-in, README)
  Token:      npm run --silent token -- --role staff --hub umea${dataDir ? ` --data-dir ${resolve(dataDir)}` : ''}${
    values.simulation ? `\n  Simulation  on: requests may carry x-samverkan-simulated-now; npm run simulate -- --url ${network.url}` : `\n  Simulate:   restart with npm start -- --simulation, then npm run simulate`
  }
  Stop:       Ctrl-C
`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping (DynamoDB Local shuts down cleanly)…`);
  await network.stop();
  console.log('stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
