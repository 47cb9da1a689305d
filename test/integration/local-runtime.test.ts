import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { hubRoutes, nationalRoutes } from '../../functions/api/contract.ts';
import { answersHead, type RouteSpec } from '../../functions/api/route.ts';
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
      // Pages, calendars and files (a `produces` other than JSON) answer HEAD too.
      const keys = (r: RouteSpec, path: string) => [`${r.method} ${path}`, ...(answersHead(r) ? [`HEAD ${path}`] : [])];
      const expected = [...(nationalRoutes as readonly RouteSpec[]).flatMap((r) => keys(r, r.path)), ...HUBS.flatMap((h) => (hubRoutes as readonly RouteSpec[]).flatMap((r) => keys(r, r.path.replace('{hubId}', h))))].sort();
      expect(served).toEqual(expected);
      expect(network.bus.rules.filter((r) => /^samverkan-hub-[a-z]+\/ForwardToNational/.test(r.name)).map((r) => r.busName).sort()).toEqual(HUBS.map((h) => `samverkan-hub-${h}`));
      expect(network.pipes.map((p) => p.def.name).sort()).toEqual(HUBS.map((h) => `samverkan-hub-${h}-outbox`));
      // A path the templates do not route is not served, even if a handler could answer it.
      const res = await api(network)('DELETE', '/api/hubs/umea/organisations', { token: await network.token('staff', 'umea') });
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
  // Two emulators of its own start and stop here: more time than the default on a busy machine.
  it('keeps data between runs and does not forward an event twice after a restart', { timeout: 120_000 }, async () => {
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

describe('stopping', () => {
  it('lets running invocations finish before the containers end: nothing is left unhandled', async () => {
    const network = await startTestNetwork();
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const call = api(network);
      const staff = await network.token('staff', 'umea');
      const org = await call('POST', '/api/hubs/umea/organisations', { token: staff, body: { name: 'Umeå kommun', type: 'municipality' } });
      expect(org.status, org.text).toBe(201);
      // Members registered in a burst: their events flow through pipes, buses and consumers.
      const writes = Array.from({ length: 15 }, (_, i) =>
        call('POST', '/api/hubs/umea/members', { token: staff, body: { name: `Stopp ${i}`, email: `stopp.${i}@umea.se`, organisationId: org.json.id, membership: 'member' } }),
      );
      await Promise.all(writes);
      // Stop while invocations run: the consumers of those events, and a request to the API.
      const f = network.functions.stats;
      await eventually(async () => f.started > f.succeeded + f.failed + f.ended, 20_000, 1);
      const startedBefore = f.started;
      const inFlight = call('POST', '/api/hubs/umea/members', { token: staff, body: { name: 'Sist In', email: 'sist.in@umea.se', organisationId: org.json.id, membership: 'member' } });
      await eventually(async () => f.started > startedBefore, 5_000, 1);
      await network.stop();
      // The request got its answer, and every invocation finished (before the drain the
      // containers and connections ended under them) …
      expect((await inFlight).status).toBe(201);
      expect(f.started).toBe(f.succeeded + f.failed);
      expect(f.ended).toBe(0);
      // … and nothing rejected unseen.
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
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
    // 'close', not 'exit': npm may exit on the signal before the runtime it started has stopped;
    // the output ends when every process holding it (the runtime too) has.
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    try {
      await eventually(async () => output.includes(`http://127.0.0.1:${port}/`), 90_000, 200);
      const hubs = await fetch(`http://127.0.0.1:${port}/api/hubs`).then((r) => r.json());
      expect(hubs.hubs).toHaveLength(6);
      const ddbPort = /DynamoDB\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      expect(ddbPort).toBeDefined();
      process.kill(-child.pid!, 'SIGINT');
      await exited;
      expect(output).toContain('stopped.');
      expect(output).not.toMatch(/Unhandled|ECONNREFUSED|Error/);
      await expect(fetch(`http://127.0.0.1:${ddbPort}`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
  }, 120_000);
});

describe('idle pipes', () => {
  // With `npm start`'s timing an idle pipe polls its table stream only every 5 s (a poll costs CPU);
  // a finished invocation wakes it, so a check-in after a quiet spell is forwarded at once.
  it('forward a check-in promptly after idling at their longest wait', { timeout: 120_000 }, async () => {
    const network = await startTestNetwork({ pollMs: 100, maxIdlePollMs: 5_000 });
    try {
      const call = api(network);
      const staff = await network.token('staff', 'boden');
      const org = await call('POST', '/api/hubs/boden/organisations', { token: staff, body: { name: 'Bodens kommun', type: 'municipality' } });
      const members: string[] = [];
      for (const name of ['Ada Berg', 'Bo Ek', 'Cia Falk']) {
        const m = await call('POST', '/api/hubs/boden/members', { token: staff, body: { name, email: `${name.split(' ')[0]?.toLowerCase()}@boden.se`, organisationId: org.json.id, membership: 'member' } });
        members.push(m.json.id as string);
      }
      const pipe = network.pipes.find((p) => p.def.name === 'samverkan-hub-boden-outbox');
      if (!pipe) throw new Error('no outbox pipe for boden');
      // Watched through the pipe's own count: reading a report would invoke a function, and that wakes the pipe.
      const delays: number[] = [];
      for (const memberId of members) {
        await new Promise((r) => setTimeout(r, 7_000)); // 10 polls at 100 ms, then 0.2, 0.4, … up to 5 s between polls
        const before = pipe.stats.forwarded;
        expect((await call('POST', '/api/hubs/boden/check-ins', { token: staff, body: { memberId } })).status).toBe(201);
        const start = Date.now(); // from the answer: the outbox item is written by then
        await eventually(async () => pipe.stats.forwarded > before, 10_000, 10);
        delays.push(Date.now() - start);
      }
      // Without the wake, each would wait for the rest of a 5 s idle wait (all three under 1.5 s by chance: about 3 %).
      expect(Math.max(...delays), delays.join(', ')).toBeLessThan(1_500);
    } finally {
      await network.stop();
    }
  });
});
