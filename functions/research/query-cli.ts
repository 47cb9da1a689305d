/**
 * `npm run research:query -- --study <id> "<SQL>"` — SQL (DuckDB) over the local research lake,
 * each of the study's tables a view (docs/research.md, "SQL").
 *
 *   --file <query.sql>           read the SQL from a file (e.g. studies/queries/*.sql)
 *   --data-dir <dir>             the local data folder (default .data/ or $SAMVERKAN_DATA_DIR)
 *   --unchecked                  show row-level results without the on-screen check
 *
 * Results are shown on screen only, inside the research environment: free SQL never leaves as a
 * file. `--format csv|parquet` and `--out` are refused and point to `npm run research:export`,
 * whose declared tabulations are checked exactly (docs/research.md, "Exports"). Unless
 * `--unchecked`, a result passes the on-screen check (functions/research/disclosure.ts), which
 * catches honest mistakes: results must be aggregated with `count(DISTINCT person) AS n_people`;
 * small and dominated cells are suppressed; a result whose organisation type/hub/month/county
 * combination holds fewer than 5 people is refused.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadStudies } from '../../studies/load.ts';
import { tablesOf } from './tables.ts';
import { checkDisclosure, MIN_PEOPLE, PEOPLE_COLUMN } from './disclosure.ts';
import { writeCodebook } from './codebook.ts';
import { PIECE, StudyLake } from './lake.ts';
import type { TableName } from './rows.ts';

const ROOT = join(import.meta.dirname, '..', '..');

const fail = (err: (s: string) => void, message: string, code: number) => {
  err(message);
  return code;
};

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { study: { type: 'string' }, file: { type: 'string' }, format: { type: 'string', default: 'table' }, out: { type: 'string' }, 'data-dir': { type: 'string' }, 'studies-dir': { type: 'string' }, unchecked: { type: 'boolean', default: false } },
  });
  const sql = (values.file ? readFileSync(values.file, 'utf8') : positionals.join(' ')).trim();
  const format = values.format ?? 'table';
  if (format !== 'table' || values.out) {
    return fail(err, `research:query shows results on screen only: free SQL never leaves the research environment as a file (${values.out ? '--out' : `--format ${format}`} refused). Export a declared tabulation instead, checked exactly: npm run research:export -- --study <id> --spec studies/exports/<name>.json --out <file.csv|file.parquet> (docs/research.md, "Exports")\n`, 2);
  }
  if (!values.study || !sql) return fail(err, 'Usage: npm run research:query -- --study <id> [--unchecked] "<SQL>" | --file <query.sql>\n', 2);
  const study = loadStudies(values['studies-dir'] ?? join(ROOT, 'studies')).find((s) => s.id === values.study);
  if (!study) return fail(err, `--study: no study "${values.study}" in studies/\n`, 2);
  const dataDir = values['data-dir'] ?? process.env.SAMVERKAN_DATA_DIR ?? join(ROOT, '.data');
  writeCodebook(join(dataDir, 'lake'), study);
  const lake = await StudyLake.open(join(dataDir, 'lake'), study.id, tablesOf(study));
  try {
    let result: { columns: string[]; rows: Record<string, unknown>[] };
    try {
      result = await lake.query(sql);
    } catch (e) {
      return fail(err, `SQL error: ${(e as Error).message}\nTables: ${lake.tables.join(', ')} (npm run research:codebook -- --study ${study.id})\n`, 1);
    }
    let rows = result.rows;
    if (!values.unchecked) {
      const populations = new Map<string, number>();
      for (const r of rows) {
        const combination = Object.fromEntries(['organisation_type', 'hub', 'month', 'county'].filter((k) => result.columns.includes(k)).map((k) => [k, r[k]]));
        const id = JSON.stringify(combination);
        if (Object.keys(combination).length && !populations.has(id)) populations.set(id, await lake.population(combination));
      }
      const checked = checkDisclosure(rows, result.columns, (c) => populations.get(JSON.stringify(c)) ?? 0);
      if (!checked.ok) return fail(err, `Refused by the disclosure check: ${checked.reason}\n`, 3);
      const leak = await pseudonymIn(lake, rows);
      if (leak) return fail(err, `Refused by the disclosure check: column "${leak}" holds a pseudonym or part of one; pseudonyms never leave the research environment\n`, 3);
      const fake = await fakePeopleCounts(join(dataDir, 'lake'), study.id, tablesOf(study), sql, result.columns);
      if (fake) return fail(err, `Refused by the disclosure check: column "${fake}" does not count distinct people (with every person made one of four, it still counts more than four): use count(DISTINCT person)\n`, 3);
      rows = checked.rows;
      if (checked.suppressed) err(`${checked.suppressed} cell(s) suppressed (fewer than 5 people, or one person over 50 %)\n`);
    }
    out(`${toTable(result.columns, rows)}\n`);
    return 0;
  } finally {
    lake.close();
  }
}

/** The first column with a string value that holds 8 or more characters of a pseudonym of the study. */
async function pseudonymIn(lake: StudyLake, rows: Record<string, unknown>[]): Promise<string | undefined> {
  let pieces: Set<string> | undefined;
  for (const r of rows) {
    for (const [column, v] of Object.entries(r)) {
      if (typeof v !== 'string') continue;
      for (const run of v.toLowerCase().match(/[0-9a-f]{8,}/g) ?? []) {
        pieces ??= await lake.pseudonymPieces();
        for (let i = 0; i + PIECE <= run.length; i++) if (pieces.has(run.slice(i, i + PIECE))) return column;
      }
    }
  }
  return undefined;
}

/**
 * Runs the query again with every pseudonym replaced by one of four look-alike values: a column that
 * counts distinct people (`n_people`, `n_…`) is then at most 4 in every row. One that is not (a
 * constant, `count(*)`, a sum, or an expression that inflates small counts, e.g. `CASE WHEN
 * count(DISTINCT person) < 5 THEN 9 …`) is a claim the check cannot trust, so the result is refused.
 * Four, so that any way of mapping a true 1–4 to 5 or more shows here.
 */
async function fakePeopleCounts(lakeDir: string, studyId: string, tables: TableName[], sql: string, columns: string[]): Promise<string | undefined> {
  const counts = columns.filter((c) => c === PEOPLE_COLUMN || c.startsWith('n_'));
  if (counts.length === 0) return undefined;
  const masked = await StudyLake.open(lakeDir, studyId, tables, Array.from({ length: MIN_PEOPLE - 1 }, () => randomBytes(32).toString('hex')));
  try {
    const { rows } = await masked.query(sql);
    return counts.find((c) => rows.some((r) => Number(r[c] ?? 0) > MIN_PEOPLE - 1));
  } finally {
    masked.close();
  }
}

function toTable(columns: string[], rows: Record<string, unknown>[]): string {
  const text = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => text(r[c])))), `(${rows.length} rows)`].join('\n');
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2));
}
