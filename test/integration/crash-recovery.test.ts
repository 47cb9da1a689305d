import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../local/dynamodb/emulator.ts';
import { loadIdp } from '../../local/idp.ts';
import { eventually } from '../support/network.ts';

/**
 * `npm start` killed with SIGKILL (a power cut, the OOM killer) while events are on their way, then
 * started again on the same data: every check-in that was answered 201 is counted once nationally.
 * The runtime runs as a real child process, with its own data folder and DynamoDB Local.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const HUB = 'umea';
const N = 30;
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(new Date());

const groups: number[] = [];
const alive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

interface Runtime {
  url: string;
  child: ChildProcess;
  exited: Promise<void>;
  output: () => string;
}

/** Starts `local/main.ts` (what `npm start` runs) in its own process group. */
async function start(dataDir: string): Promise<Runtime> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts', '--port', String(port), '--data-dir', dataDir, '--templates', inject('templatesFile'), '--quiet'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  groups.push(child.pid!);
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000; // a loaded machine: DynamoDB Local alone may take 30 s
  while (!output.includes(`${url}/`)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the runtime exited while starting:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the runtime did not start within 120 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child, exited, output: () => output };
}

/** Deliveries the bus has accepted and not finished, per rule target, from its journals on disk. */
function pendingDeliveries(dataDir: string): Record<string, number> {
  const dir = join(dataDir, 'deliveries');
  const pending: Record<string, number> = {};
  if (!existsSync(dir)) return pending;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    const keys = new Set<string>();
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      try {
        const rec = JSON.parse(line) as { key?: string; ack?: string };
        if (rec.ack) keys.delete(rec.ack);
        else if (rec.key) keys.add(rec.key);
      } catch {
        /* empty or torn line */
      }
    }
    if (keys.size > 0) pending[decodeURIComponent(file.replace(/\.jsonl$/, ''))] = keys.size;
  }
  return pending;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** CheckedIn events of the hub that reached the national bus (its archive on disk). */
function archivedCheckIns(dataDir: string): number {
  const file = join(dataDir, 'archive', 'samverkan-national-all.jsonl');
  if (!existsSync(file)) return 0;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"detail-type":"CheckedIn"') && l.includes(`"source":"samverkan.hub.${HUB}"`)).length;
}

async function call(base: string, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

const dataDir = mkdtempSync(join(tmpdir(), 'samverkan-crash-'));

afterAll(async () => {
  for (const pgid of groups) {
    if (!alive(pgid)) continue;
    process.kill(-pgid, 'SIGTERM');
    try {
      await eventually(async () => !alive(pgid), 10_000, 100);
    } catch {
      if (alive(pgid)) process.kill(-pgid, 'SIGKILL');
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a runtime killed with SIGKILL', () => {
  it('counts every acknowledged check-in exactly once after a restart on the same data', async () => {
    const idp = await loadIdp(join(dataDir, 'local-idp'));
    const staff = await idp.sign({ role: 'staff', hub: HUB });
    const national = await idp.sign({ role: 'national' });

    const first = await start(dataDir);
    const org = await call(first.url, 'POST', `/api/hubs/${HUB}/organisations`, staff, { name: 'Kraschkommunen', type: 'municipality' });
    expect(org.status, org.text).toBe(201);
    const memberIds: string[] = [];
    for (let i = 0; i < N; i++) {
      const m = await call(first.url, 'POST', `/api/hubs/${HUB}/members`, staff, { name: `Person ${i}`, email: `p${i}@krasch.se`, organisationId: org.json.id, membership: 'member' });
      expect(m.status, m.text).toBe(201);
      memberIds.push(m.json.id);
    }

    // Check-ins ten at a time (the functions time out after 10 s, which a loaded machine can reach).
    let acknowledged = 0;
    for (let i = 0; i < N; i += 10) {
      const batch = await Promise.all(memberIds.slice(i, i + 10).map((memberId) => call(first.url, 'POST', `/api/hubs/${HUB}/check-ins`, staff, { memberId })));
      for (const r of batch) expect(r.status, r.text).toBe(201);
      acknowledged += batch.length;
    }

    // Kill as soon as the first check-in reached the national bus: the rest are on their way
    // (in the stream, on the hub bus, or waiting for the cold reporting consumer).
    await eventually(async () => archivedCheckIns(dataDir) > 0, 30_000, 10);
    const atKill = archivedCheckIns(dataDir);
    process.kill(first.child.pid!, 'SIGKILL');
    await first.exited;
    // DynamoDB Local's wrapper stops the JVM once the runtime is gone.
    await eventually(async () => !alive(first.child.pid!), 20_000, 100);
    const pending = pendingDeliveries(dataDir);
    console.log(`crash test: ${acknowledged} check-ins answered 201; at the kill ${atKill} had reached the national bus; ${total(pending)} deliveries pending on disk`, pending);

    const second = await start(dataDir);
    const report = async () => {
      const res = await call(second.url, 'GET', `/api/national/reports?from=${today()}&to=${today()}&hub=${HUB}`, national);
      expect(res.status, res.text).toBe(200);
      return res.json.totals.checkIns as number;
    };
    await eventually(async () => {
      const counted = await report();
      if (counted < acknowledged) throw new Error(`the national report counts ${counted} of ${acknowledged} check-ins`);
      return true;
    }, 60_000, 250);
    await eventually(async () => total(pendingDeliveries(dataDir)) === 0, 30_000, 100);
    expect(await report()).toBe(acknowledged);
  }, 300_000);
});
