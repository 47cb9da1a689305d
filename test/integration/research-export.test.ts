/**
 * The research questions after a simulated month (local/simulate, through the real API of a local
 * runtime with `--simulation`, DynamoDB Local and the local lake): every shipped tabulation spec
 * (`studies/exports/*.json`) exports through `npm run research:export`, exactly checked, with a
 * journal entry per file; every example query (`studies/queries/*.sql`) passes the on-screen check
 * of `npm run research:query` (the first month of a simulation is a few days long: a query per hub
 * and month was refused there); and no query result leaves as a file.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as researchExport } from '../../functions/research/export-cli.ts';
import { journalFile } from '../../functions/research/export.ts';
import { main as researchQuery } from '../../functions/research/query-cli.ts';
import { addDays } from '../../functions/reporting/periods.ts';
import { loadStarterOrganisations } from '../../hubs/organisations.ts';
import type { LocalNetwork } from '../../local/network.ts';
import { buildPlan } from '../../local/simulate/plan.ts';
import { researchSimulation } from '../../local/simulate/research.ts';
import { runPlan, simulationStatus } from '../../local/simulate/run.ts';
import { HUBS, openDay } from '../support/report-events.ts';
import { startTestNetwork } from '../support/network.ts';
import { writeStudies } from '../support/studies.ts';

const STUDY = 'norr-export';
const ROOT = join(import.meta.dirname, '..', '..');
const SPECS = readdirSync(join(ROOT, 'studies', 'exports')).filter((f) => f.endsWith('.json'));
const QUERIES = readdirSync(join(ROOT, 'studies', 'queries')).filter((f) => f.endsWith('.sql'));

describe('research exports after a simulated month', () => {
  let network: LocalNetwork;
  let dataDir: string;
  let studiesDir: string;
  let outDir: string;
  // A month up to the last day every hub was open, as `npm run simulate -- --months 1` takes it:
  // from the day after the same date a month before, so its first calendar month is a few days long.
  const to = openDay(1);
  const from = (() => {
    const d = new Date(`${to}T12:00:00Z`);
    d.setUTCMonth(d.getUTCMonth() - 1);
    return addDays(d.toISOString().slice(0, 10), 1);
  })();

  beforeAll(async () => {
    // The example study as shipped (sampling, rate limit), started before the simulated month.
    studiesDir = writeStudies([{ id: STUDY, start: addDays(from, -10) }]);
    dataDir = mkdtempSync(join(tmpdir(), 'research-export-sim-'));
    outDir = mkdtempSync(join(tmpdir(), 'research-export-out-'));
    network = await startTestNetwork({ simulation: true, studiesDir, dataDir, lakeFlushMs: 50 });
    // Two hubs: Boden, the small one whose first few days held fewer than 5 people, and Umeå.
    const hubs = HUBS.filter((h) => h.id === 'umea' || h.id === 'boden');
    const plan = buildPlan({ seed: 20261128, from, to, hubs, organisations: loadStarterOrganisations('hubs'), volume: 0.4 });
    const { mailDir } = await simulationStatus(network.url);
    const research = researchSimulation({ seed: 20261128, mailDir: mailDir as string, hubs });
    await runPlan(plan, { url: network.url, afterDay: research.afterDay });
    await network.idle();
  }, 1_200_000);
  afterAll(() => network?.stop());

  const args = ['--study', STUDY, '--data-dir', '', '--studies-dir', ''];
  const withDirs = () => args.map((a, i) => (i === 3 ? dataDir : i === 5 ? studiesDir : a));

  it('exports every shipped spec, exactly checked: no published cell of fewer than 5 people, each file journalled with its hash', async () => {
    expect(SPECS.length).toBeGreaterThanOrEqual(5);
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      for (const [i, spec] of SPECS.entries()) {
        const out = join(outDir, spec.replace(/\.json$/, i % 2 ? '.parquet' : '.csv'));
        const err: string[] = [];
        const code = await researchExport([...withDirs(), '--spec', join(ROOT, 'studies', 'exports', spec), '--out', out], () => {}, (s) => err.push(s));
        expect(code, `${spec}: ${err.join('')}`).toBe(0);
        const rows = (await conn.runAndReadAll(`SELECT * FROM ${out.endsWith('.csv') ? 'read_csv' : 'read_parquet'}('${out}')`)).getRowObjectsJson() as Record<string, unknown>[];
        expect(rows.length, spec).toBeGreaterThan(0);
        for (const r of rows) {
          if (r.suppressed) expect(r.people ?? null, spec).toBeNull();
          else expect(Number(r.people), `${spec}: ${JSON.stringify(r)}`).toBeGreaterThanOrEqual(5);
        }
        expect(Object.keys(rows[0] ?? {}).some((c) => c.startsWith('person') || c === 'row_id'), spec).toBe(false);
      }
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
    const journal = readFileSync(journalFile(network.lakeDir, STUDY), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(journal.map((e) => e.outcome)).toEqual(SPECS.map(() => 'written'));
    for (const e of journal) expect(e.sha256).toBe(createHash('sha256').update(readFileSync(e.out)).digest('hex'));
  });

  it('runs every example query through the on-screen check (none refused), and none leaves as a file', async () => {
    for (const q of QUERIES) {
      const out: string[] = [];
      const err: string[] = [];
      const code = await researchQuery([...withDirs(), '--file', join(ROOT, 'studies', 'queries', q)], (s) => out.push(s), (s) => err.push(s));
      expect(code, `${q}: ${err.join('')}`).toBe(0);
      expect(out.join(''), q).toMatch(/\(\d+ rows\)/);
      const file = join(outDir, `${q}.csv`);
      expect(await researchQuery([...withDirs(), '--file', join(ROOT, 'studies', 'queries', q), '--format', 'csv', '--out', file], () => {}, () => {})).toBe(2);
      expect(existsSync(file)).toBe(false);
    }
  });
});
