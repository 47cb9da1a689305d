/**
 * `npx tsx bench/profile-top.ts <file.cpuprofile>… [--top 25]`: the functions with the most self
 * time in V8 CPU profiles (from `node --cpu-prof`), and the share of each package / source folder.
 * How docs/performance.md's profiles were read.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Self time (ms) per node id, from the samples and their time deltas. */
export function selfTimes(p: Profile): Map<number, number> {
  const out = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) out.set(samples[i] as number, (out.get(samples[i] as number) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0) / 1000);
  return out;
}

/** Where a frame's code comes from: a package, a project folder, or node/V8 itself. */
export function areaOf(url: string): string {
  if (!url) return '(V8/native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  if (url.startsWith('node:')) return 'node:internals';
  const own = /\/(functions|local|events|hubs|bench|infra|studies)\/([^/]+)/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

const args = process.argv.slice(2);
const topIdx = args.indexOf('--top');
const top = topIdx >= 0 ? Number(args[topIdx + 1]) : 25;
const files = args.filter((a, i) => !a.startsWith('--') && (topIdx < 0 || i !== topIdx + 1));
for (const file of files) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const self = selfTimes(p);
  const byNode = new Map(p.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const area = new Map<string, number>();
  let all = 0;
  for (const [id, ms] of self) {
    const n = byNode.get(id);
    if (!n) continue;
    all += ms;
    const { functionName, url, lineNumber } = n.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(functions|local|bench|events)\//, '$1/')}:${lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + ms);
    const a = areaOf(url);
    area.set(a, (area.get(a) ?? 0) + ms);
  }
  const pct = (ms: number) => `${((ms / all) * 100).toFixed(1)} %`;
  console.log(`\n${file}: ${(all / 1000).toFixed(1)} s sampled`);
  console.log('  by area:');
  for (const [k, v] of [...area].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`    ${pct(v).padStart(7)}  ${k}`);
  console.log('  by function (self):');
  for (const [k, v] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`    ${pct(v).padStart(7)}  ${k}`);
}
