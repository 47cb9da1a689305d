/**
 * `npm run audit:disclosure [-- --seeds 1,2,3,6]`: the linear-programming attacker on the seeded
 * reports of the suppression test (test/support/disclosure.ts). Every published number of every
 * `period` and `hub` filter of a range becomes a constraint (equal to a number, 1–4 for "<5", at
 * least 0 for ".."), and HiGHS finds the least and most each hidden count of 1–4 people can be:
 * where they meet, the count is pinned by bounds over several levels at once, though no
 * subtraction gives it. Not part of `npm test`: it is a measurement of what the suppression rules
 * do not cover yet (docs/reporting.md, "What it does not cover"), and it takes about a minute.
 * Exits 1 when anything is pinned or derived.
 */
import { parseArgs } from 'node:util';
import { attack } from '../test/support/disclosure.ts';

const { values } = parseArgs({ options: { seeds: { type: 'string', default: '1,2,3,6' }, all: { type: 'boolean', default: false } } });
const seeds = (values.seeds ?? '').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
if (seeds.length === 0) {
  console.error('--seeds: give seeds as positive integers, e.g. --seeds 1,2,3,6');
  process.exit(2);
}
const byMeasure: Record<string, number> = {};
const lines: string[] = [];
let sensitive = 0;
const shownAs = { number: 0, small: 0, withheld: 0 };
const started = performance.now();
for (const seed of seeds) {
  const r = await attack(seed, { lp: true });
  sensitive += r.sensitive;
  for (const k of ['number', 'small', 'withheld'] as const) shownAs[k] += r.shownAs[k];
  for (const d of r.derived) {
    lines.push(`seed ${seed}: ${d}`);
    const measure = /^\S+ \S+ (\S+)/.exec(d)?.[1] ?? '?';
    byMeasure[measure] = (byMeasure[measure] ?? 0) + 1;
  }
  for (const p of r.problems) lines.push(`seed ${seed}: problem: ${p}`);
  console.log(`seed ${seed}: ${r.sensitive} counts of 1–4 people to protect, ${r.derived.length} derived or pinned, ${r.problems.length} other problems`);
}
const cells = shownAs.number + shownAs.small + shownAs.withheld;
const share = (n: number) => `${((100 * n) / cells).toFixed(1)} %`;
console.log(`\n${cells} published cells: ${shownAs.number} numbers (${share(shownAs.number)}), ${shownAs.small} "<5" (${share(shownAs.small)}), ${shownAs.withheld} ".." (${share(shownAs.withheld)})`);
console.log(`${lines.length} findings over ${seeds.length} seeded ranges (${sensitive} counts of 1–4 people), ${Math.round((performance.now() - started) / 1000)} s`);
if (Object.keys(byMeasure).length) console.table(byMeasure);
for (const l of values.all ? lines : lines.slice(0, 30)) console.log(l);
if (!values.all && lines.length > 30) console.log(`… and ${lines.length - 30} more (--all)`);
process.exit(lines.length > 0 ? 1 : 0);
