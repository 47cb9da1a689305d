/**
 * `npm start` — the whole samverkan network on this machine: DynamoDB Local, the local event
 * bus, pipes and functions from the synthesized templates, the API and the staff app.
 * `npm run start:fresh` (or `--in-memory`) keeps nothing on disk.
 */
import { parseArgs } from 'node:util';
import { startNetwork } from './network.ts';

const { values } = parseArgs({ options: { 'in-memory': { type: 'boolean' }, port: { type: 'string' }, quiet: { type: 'boolean' } } });
const started = Date.now();
console.log('samverkan: synthesizing the CDK app and starting the local network…');
const network = await startNetwork({
  inMemory: values['in-memory'] ?? false,
  ...(values.port ? { port: Number(values.port) } : {}),
  logLevel: values.quiet ? 'ERROR' : 'WARN',
});
const hubs = [...new Set(network.routes.map((r) => /^\/api\/hubs\/([a-z0-9-]+)\//.exec(r.path)?.[1]).filter(Boolean))];
console.log(`
samverkan is running (${((Date.now() - started) / 1000).toFixed(1)} s)

  Staff app   ${network.url}/
  API         ${network.url}/api/hubs
  OpenAPI     ${network.url}/api/openapi.json
  DynamoDB    ${network.dynamoEndpoint} (${values['in-memory'] ? 'in memory' : 'data in .data/'})
  Hubs        ${hubs.join(', ')}

  Token:      npm run --silent token -- --role staff --hub umea
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
