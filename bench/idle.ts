/**
 * Issue 13 part 6: the idle cost of the local runtime. Starts `npm start -- --in-memory` (its own
 * process tree, a free port), waits until it is running and a few seconds more, then reads the CPU
 * time of every process of the tree from /proc/<pid>/stat over `seconds` with no traffic:
 * DynamoDB Local (the JVM) apart from the rest (npm, tsx, the runtime and its workers).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../infra/constructs/function.ts';
import { freePort } from '../local/dynamodb/emulator.ts';
import { round } from './stats.ts';

export interface IdleResult {
  seconds: number;
  /** Percent of one core used by the runtime's processes (without DynamoDB Local). */
  runtimeCpuPercent: number;
  /** Percent of one core used by DynamoDB Local. */
  dynamoCpuPercent: number;
  /** The larger of the two (`idleCpuPercent`). */
  idleCpuPercent: number;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ is 100 on Linux). */
const TICKS = 100;

interface Proc {
  pid: number;
  ppid: number;
  ticks: number;
  java: boolean;
}

/** Every process on the machine with its parent and CPU ticks (utime + stime). */
export function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(join('/proc', name, 'stat'), 'utf8');
      // The command name is in parentheses and may contain spaces: split after the last ')'.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      out.push({ pid: Number(name), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), java: comm === 'java' });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** The pids of a process and all its descendants. */
export function tree(root: number, all: Proc[]): Set<number> {
  const pids = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!pids.has(p.pid) && pids.has(p.ppid)) {
        pids.add(p.pid);
        grew = true;
      }
    }
  }
  return pids;
}

/** Runs `npm start -- --in-memory` and samples its idle CPU over `seconds` after `settleSeconds`. */
export async function measureIdle(options: { seconds: number; settleSeconds?: number; log: (line: string) => void }): Promise<IdleResult> {
  const port = await freePort();
  const child = spawn('npm', ['start', '--', '--in-memory', '--quiet', '--port', String(port)], { cwd: ROOT, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  try {
    const deadline = Date.now() + 120_000;
    while (!output.includes('samverkan is running')) {
      if (child.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
      if (Date.now() > deadline) throw new Error(`npm start did not come up in 120 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, (options.settleSeconds ?? 5) * 1000));
    options.log(`idle: sampling the CPU of npm start for ${options.seconds} s`);
    const sample = () => {
      const all = processes();
      const pids = tree(child.pid as number, all);
      const mine = all.filter((p) => pids.has(p.pid));
      return new Map(mine.map((p) => [p.pid, p]));
    };
    const before = sample();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, options.seconds * 1000));
    const after = sample();
    const elapsed = (performance.now() - t0) / 1000;
    let runtime = 0;
    let dynamo = 0;
    for (const [pid, p] of after) {
      const d = p.ticks - (before.get(pid)?.ticks ?? 0);
      if (p.java) dynamo += d;
      else runtime += d;
    }
    const pct = (ticks: number) => round((ticks / TICKS / elapsed) * 100, 1);
    const runtimeCpuPercent = pct(runtime);
    const dynamoCpuPercent = pct(dynamo);
    return { seconds: round(elapsed, 1), runtimeCpuPercent, dynamoCpuPercent, idleCpuPercent: Math.max(runtimeCpuPercent, dynamoCpuPercent) };
  } finally {
    // SIGTERM to the group: npm start stops the network, which stops DynamoDB Local.
    try {
      process.kill(-(child.pid as number), 'SIGTERM');
    } catch {
      /* already gone */
    }
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => {
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {
          /* gone */
        }
        resolve();
      }, 15_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
