import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { hubRoutes, nationalRoutes } from '../../functions/api/contract.ts';
import type { CfnTemplate } from '../../local/cfn.ts';
import { freePort } from '../../local/dynamodb/emulator.ts';
import { startNetwork } from '../../local/network.ts';
import { SHIPPED_HUBS } from '../support/expected.ts';
import { api, eventually, startTestNetwork } from '../support/network.ts';

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(new Date());
const HUBS = SHIPPED_HUBS;

describe('the local runtime follows the synthesized templates', () => {
  it('serves exactly the API Gateway routes of the templates: national routes plus the hub routes per hub', async () => {
    const network = await startTestNetwork();
    try {
      const served = network.routes.map((r) => `${r.method} ${r.path}`).sort();
      const expected = [...nationalRoutes.map((r) => `${r.method} ${r.path}`), ...HUBS.flatMap((h) => hubRoutes.map((r) => `${r.method} ${r.path.replace('{hubId}', h)}`))].sort();
      expect(served).toEqual(expected);
      expect(network.bus.rules.filter((r) => /^samverkan-hub-[a-z]+\/ForwardToNational/.test(r.name)).map((r) => r.busName).sort()).toEqual(HUBS.map((h) => `samverkan-hub-${h}`));
      expect(network.pipes.map((p) => p.def.name).sort()).toEqual(HUBS.map((h) => `samverkan-hub-${h}-outbox`));
      // A path the templates do not route is not served, even if a handler could answer it.
      const res = await api(network)('GET', '/api/hubs/umea/organisations', { token: await network.token('staff', 'umea') });
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    } finally {
      await network.stop();
    }
  });

  it('serves the staff app at /', async () => {
    const network = await startTestNetwork();
    try {
      const res = await fetch(`${network.url}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(await res.text()).toContain('samverkan');
    } finally {
      await network.stop();
    }
  });
});

describe('persistence', () => {
  it('keeps data between runs and does not forward an event twice after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'samverkan-data-'));
    const templates = JSON.parse(readFileSync(inject('templatesFile'), 'utf8')) as Record<string, CfnTemplate>;
    const options = { templates, dataDir, port: 0, logLevel: 'SILENT' as const, log: () => {}, pollMs: 25, timing: { baseDelayMs: 20, maxDelayMs: 200 } };

    let network = await startNetwork(options);
    let call = api(network);
    const staff = await network.token('staff', 'lulea');
    const org = await call('POST', '/api/hubs/lulea/organisations', { token: staff, body: { name: 'Svenska kraftnät', type: 'state-agency' } });
    const member = await call('POST', '/api/hubs/lulea/members', { token: staff, body: { name: 'Eva Lind', email: 'eva@svk.se', organisationId: org.json.id, membership: 'member' } });
    expect((await call('POST', '/api/hubs/lulea/check-ins', { token: staff, body: { memberId: member.json.id } })).status).toBe(201);
    const national = await network.token('national');
    const report = async () => (await call('GET', `/api/national/reports?from=${today()}&to=${today()}&hub=lulea`, { token: national })).json.totals.checkIns;
    await eventually(async () => (await report()) === 1);
    await network.idle();
    await network.stop();

    network = await startNetwork(options);
    call = api(network);
    try {
      const again = await call('POST', '/api/hubs/lulea/check-ins', { token: staff, body: { memberCode: member.json.memberCode } });
      expect(again.status).toBe(200); // the open visit survived the restart
      expect(again.json.memberId).toBe(member.json.id);
      await network.idle();
      expect(network.pipes.reduce((n, p) => n + p.stats.forwarded, 0)).toBe(0);
      expect(await report()).toBe(1);
    } finally {
      await network.stop();
    }
  });
});

describe('npm start', () => {
  it('prints the URL, serves the network, and shuts DynamoDB Local down on Ctrl-C', async () => {
    const port = await freePort();
    // Its own process group, so that SIGINT reaches every process as Ctrl-C in a terminal does.
    const child = spawn('npm', ['run', 'start:fresh', '--', '--port', String(port), '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await eventually(async () => output.includes(`http://127.0.0.1:${port}/`), 90_000, 200);
      const hubs = await fetch(`http://127.0.0.1:${port}/api/hubs`).then((r) => r.json());
      expect(hubs.hubs).toHaveLength(6);
      const ddbPort = /DynamoDB\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      expect(ddbPort).toBeDefined();
      process.kill(-child.pid!, 'SIGINT');
      await exited;
      expect(output).toContain('stopped.');
      await expect(fetch(`http://127.0.0.1:${ddbPort}`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  }, 120_000);
});
