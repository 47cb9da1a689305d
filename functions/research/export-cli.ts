/**
 * `npm run research:export -- --study <id> --spec studies/exports/<name>.json --out <file>`: the
 * way results leave the research environment as a file (docs/research.md, "Exports"). The spec
 * declares a tabulation (tabulation.ts), never SQL; the tool writes the SQL, knows each cell's
 * people exactly, suppresses cells of fewer than 5 people or dominated by one person, refuses an
 * export whose organisation type/hub/month/county combination holds fewer than 5 people, writes
 * CSV or Parquet and records the export in the study's journal.
 *
 *   --spec <file.json>         the tabulation spec (studies/exports/*.json)
 *   --out <file>               where to write; without it the checked table is shown on screen only
 *   --format csv|parquet       default from --out's extension (.parquet → parquet, else csv)
 *   --data-dir <dir>           the local data folder (default .data/ or $SAMVERKAN_DATA_DIR)
 *
 * Exit codes: 0 written (or shown), 2 a bad spec or option (the fields named; nothing written),
 * 3 refused by the disclosure check (nothing written; the refusal is in the journal).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadHubs } from '../../hubs/load.ts';
import { loadStudies } from '../../studies/load.ts';
import { differencing, exportCsv, journalFile, readJournal, record, sha256, tabulate, writeParquet } from './export.ts';
import { StudyLake } from './lake.ts';
import { tablesOf } from './tables.ts';
import { parseSpec } from './tabulation.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const USAGE = 'Usage: npm run research:export -- --study <id> --spec <file.json> [--out <file.csv|file.parquet>] [--format csv|parquet]\n';

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s), now: () => Date = () => new Date()): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options: { study: { type: 'string' }, spec: { type: 'string' }, out: { type: 'string' }, format: { type: 'string' }, 'data-dir': { type: 'string' }, 'studies-dir': { type: 'string' } } }).values;
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const fail = (message: string, code = 2) => {
    err(message);
    return code;
  };
  if (!values.study || !values.spec) return fail(USAGE);
  const format = String(values.format ?? (String(values.out ?? '').endsWith('.parquet') ? 'parquet' : 'csv'));
  if (format !== 'csv' && format !== 'parquet') return fail(`--format: csv or parquet (got "${format}")\n`);
  if (values.format && !values.out) return fail('--format needs --out <file>: without --out the table is shown on screen\n');
  const study = loadStudies(String(values['studies-dir'] ?? join(ROOT, 'studies'))).find((s) => s.id === values.study);
  if (!study) return fail(`--study: no study "${values.study}" in studies/\n`);
  const specFile = String(values.spec);
  if (!existsSync(specFile)) return fail(`--spec: no file ${specFile}\n`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(specFile, 'utf8'));
  } catch (e) {
    return fail(`--spec: ${specFile} is not JSON: ${(e as Error).message}\n`);
  }
  const parsed = parseSpec(json, study, study.hubs ?? loadHubs().map((h) => h.id));
  if (!parsed.ok) return fail(`${specFile}: the spec is not valid; nothing was exported\n${parsed.issues.map((i) => `  ${i.path}: ${i.message}\n`).join('')}`);
  const spec = parsed.spec;
  const dataDir = String(values['data-dir'] ?? process.env.SAMVERKAN_DATA_DIR ?? join(ROOT, '.data'));
  const lakeDir = join(dataDir, 'lake');
  const target = values.out ? resolve(String(values.out)) : undefined;
  // An export leaves the lake: written inside it, it would become rows of the study's own tables.
  const inLake = target ? relative(resolve(lakeDir), target) : '..';
  if (target && !inLake.startsWith('..') && !isAbsolute(inLake)) return fail(`--out: ${target} is inside the research lake ${resolve(lakeDir)}; write the export elsewhere\n`);
  if (target && !existsSync(dirname(target))) return fail(`--out: the folder ${dirname(target)} does not exist\n`);
  const lake = await StudyLake.open(lakeDir, study.id, tablesOf(study));
  try {
    const result = await tabulate(lake, spec);
    if (!result.ok) {
      if (target) record(lakeDir, { at: now().toISOString(), study: study.id, specFile: resolve(specFile), spec, outcome: 'refused', reason: result.reason });
      return fail(`Refused by the disclosure check: ${result.reason}\nNothing was exported.\n`, 3);
    }
    if (!target) {
      out(`${table(result.columns, result.rows)}\n`);
      err(`${result.cells} cell(s), ${result.suppressed} suppressed. Shown on screen only: give --out <file> to export (journalled)\n`);
      return 0;
    }
    rmSync(target, { force: true });
    if (format === 'csv') writeFileSync(target, exportCsv(result.columns, result.rows));
    else await writeParquet(lake, target, result.columns, result.types, result.rows);
    const hash = sha256(readFileSync(target));
    const pairs = differencing(readJournal(lakeDir, study.id), spec);
    record(lakeDir, { at: now().toISOString(), study: study.id, specFile: resolve(specFile), spec, outcome: 'written', out: target, format, sha256: hash, cells: result.cells, suppressed: result.suppressed, ...(pairs.length ? { differencing: pairs } : {}) });
    if (pairs.length) err(`Note: earlier exports could be differenced with this one (${pairs.map((e) => `${e.out}: ${e.why}, ${e.at}`).join('; ')}): do not publish differences of them; the journal names them together for the data steward\n`);
    err(`${target}: ${result.cells} cell(s), ${result.suppressed} suppressed; sha256 ${hash}; journalled in ${journalFile(lakeDir, study.id)}\n`);
    return 0;
  } finally {
    lake.close();
  }
}

function table(columns: string[], rows: Record<string, unknown>[]): string {
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => text(r[c])))), `(${rows.length} rows)`].join('\n');
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
