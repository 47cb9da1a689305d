/**
 * Runs a declared tabulation (tabulation.ts) over a study's lake and applies the exact disclosure
 * check (`protectCells()` in disclosure.ts); writes the result as CSV or Parquet and records every
 * export in the study's journal (docs/research.md, "Exports"). Used by `npm run research:export`.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEY_DIMENSIONS, protectCells, type ProtectedRow, type TabulatedCell } from './disclosure.ts';
import type { StudyLake } from './lake.ts';
import { cellsSql, combinationKeys, measureName, PERSON_ATTRIBUTES, SOURCES, type TabulationSpec } from './tabulation.ts';

/** A checked tabulation: its columns and rows (suppressed cells empty), or why it is refused. */
export type Tabulation = { ok: true; columns: string[]; types: Record<string, 'VARCHAR' | 'BOOLEAN' | 'BIGINT' | 'DOUBLE'>; rows: ProtectedRow[]; cells: number; suppressed: number } | { ok: false; reason: string };

const round = (v: unknown, digits = 2): number | null => (v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Math.round(Number(v) * 10 ** digits) / 10 ** digits);

/** Computes the cells of a spec over the lake and checks them. */
export async function tabulate(lake: StudyLake, spec: TabulationSpec): Promise<Tabulation> {
  const { rows } = await lake.query(cellsSql(spec));
  const names = spec.measures.filter((m) => m.kind !== 'people').map(measureName);
  const cells: TabulatedCell[] = rows.map((r) => {
    const measures: Record<string, number | null> = {};
    const topShares: Record<string, number | null> = {};
    for (const m of spec.measures) {
      if (m.kind === 'rows') {
        measures.rows = Number(r.rows);
        topShares.rows = round(r.top_rows, 6);
      } else if (m.kind === 'sum' || m.kind === 'mean') {
        const sum = r[`sum_${m.column}`];
        const count = Number(r[`count_${m.column}`] ?? 0);
        measures[measureName(m)] = m.kind === 'sum' ? round(sum) : count > 0 ? round(Number(sum) / count) : null;
        topShares[measureName(m)] = round(r[`top_${m.column}`], 6);
      }
    }
    return { dimensions: Object.fromEntries(spec.dimensions.map((d) => [d, r[d] ?? null])), people: Number(r.people), measures, topShares };
  });
  const keys = combinationKeys(spec, KEY_DIMENSIONS);
  const populations = new Map<string, number>();
  const combinationOf = (cell: TabulatedCell) => {
    const values: Record<string, unknown[]> = { ...keys.filters, ...Object.fromEntries(keys.dimensions.map((d) => [d, [cell.dimensions[d]]])) };
    const label = Object.entries(values)
      .map(([k, vs]) => `${k}=${vs.map((v) => (v === null ? '(none)' : String(v))).join('|')}`)
      .join(', ');
    return { values, label };
  };
  for (const cell of cells) {
    const { values, label } = combinationOf(cell);
    if (Object.keys(values).length && !populations.has(label)) populations.set(label, await lake.peopleWith(values));
  }
  const checked = protectCells(cells, names, (cell) => {
    const { values, label } = combinationOf(cell);
    return Object.keys(values).length ? { combination: label, people: populations.get(label) ?? 0 } : undefined;
  });
  if (!checked.ok) return checked;
  const source = SOURCES[spec.table];
  const kindOf = (d: string) => source?.dimensions[d] ?? PERSON_ATTRIBUTES[d]?.kind;
  const types: Record<string, 'VARCHAR' | 'BOOLEAN' | 'BIGINT' | 'DOUBLE'> = {
    ...Object.fromEntries(spec.dimensions.map((d) => [d, kindOf(d) === 'boolean' ? ('BOOLEAN' as const) : ('VARCHAR' as const)])),
    people: 'BIGINT',
    ...Object.fromEntries(names.map((n) => [n, n === 'rows' ? ('BIGINT' as const) : ('DOUBLE' as const)])),
    suppressed: 'VARCHAR',
  };
  return { ok: true, columns: [...spec.dimensions, 'people', ...names, 'suppressed'], types, rows: checked.rows, cells: cells.length, suppressed: checked.suppressed };
}

/** The rows as CSV for analysis tools: RFC 4180 (comma, CRLF, quoted where needed), UTF-8 without a byte order mark. */
export function exportCsv(columns: string[], rows: Record<string, unknown>[]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `${[columns, ...rows.map((r) => columns.map((c) => r[c]))].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

/** Writes the rows as Parquet with the given column types (DuckDB's COPY). */
export async function writeParquet(lake: StudyLake, file: string, columns: string[], types: Record<string, string>, rows: Record<string, unknown>[]): Promise<void> {
  const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const lit = (v: unknown, type: string) => (v === null || v === undefined ? `CAST(NULL AS ${type})` : type === 'VARCHAR' ? q(String(v)) : type === 'BOOLEAN' ? String(Boolean(v)) : `CAST(${Number(v)} AS ${type})`);
  const select = rows.length
    ? rows.map((r) => `SELECT ${columns.map((c) => `${lit(r[c], types[c] ?? 'VARCHAR')} AS "${c}"`).join(', ')}`).join(' UNION ALL ')
    : `SELECT ${columns.map((c) => `CAST(NULL AS ${types[c] ?? 'VARCHAR'}) AS "${c}"`).join(', ')} WHERE false`;
  await lake.conn.run(`COPY (${select}) TO ${q(file)} (FORMAT parquet)`);
}

/** One line of a study's export journal: what left the research environment, when, and its hash. */
export interface JournalEntry {
  at: string;
  study: string;
  specFile: string;
  spec: TabulationSpec;
  outcome: 'written' | 'refused';
  out?: string;
  format?: 'csv' | 'parquet';
  sha256?: string;
  cells?: number;
  suppressed?: number;
  reason?: string;
  /**
   * Earlier exports that could be differenced with this one, which the tool does not check: the
   * same table and person attributes, and either the same dimensions with other filters, or the
   * same filters with fewer dimensions (a coarser export is a total of a finer one) or more.
   * Named here so that the data steward reviews them together.
   */
  differencing?: { at: string; out: string; why: 'other filters' | 'coarser' | 'finer'; dimensions: string[]; filters: TabulationSpec['filters'] }[];
}

/** The journal of a study's exports, for its data steward: `<lake>/research/<study>/exports/journal.jsonl`. */
export function journalFile(lakeDir: string, studyId: string): string {
  return join(lakeDir, 'research', studyId, 'exports', 'journal.jsonl');
}

/** Appends an entry to the study's journal. */
export function record(lakeDir: string, entry: JournalEntry): void {
  const file = journalFile(lakeDir, entry.study);
  mkdirSync(join(file, '..'), { recursive: true });
  appendFileSync(file, `${JSON.stringify(entry)}\n`);
}

/** The SHA-256 of a file's bytes, hex. */
export const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** The study's journal, oldest first (empty when none yet). */
export function readJournal(lakeDir: string, studyId: string): JournalEntry[] {
  const file = journalFile(lakeDir, studyId);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as JournalEntry);
}

const sorted = (filters: TabulationSpec['filters']) => JSON.stringify(Object.entries(filters).sort(([a], [b]) => a.localeCompare(b)).map(([k, vs]) => [k, [...vs].map(String).sort()]));

/** Earlier written exports that could be differenced with this spec (see {@link JournalEntry.differencing}). */
export function differencing(journal: JournalEntry[], spec: TabulationSpec): NonNullable<JournalEntry['differencing']> {
  const same = (t: TabulationSpec) => JSON.stringify([t.table, [...t.personAttributes].sort()]) === JSON.stringify([spec.table, [...spec.personAttributes].sort()]);
  const within = (a: string[], b: string[]) => a.every((d) => b.includes(d));
  const out: NonNullable<JournalEntry['differencing']> = [];
  for (const e of journal) {
    if (e.outcome !== 'written' || !e.out || !same(e.spec)) continue;
    const sameFilters = sorted(e.spec.filters) === sorted(spec.filters);
    const sameDims = within(e.spec.dimensions, spec.dimensions) && within(spec.dimensions, e.spec.dimensions);
    const why = sameDims && !sameFilters ? 'other filters' : sameFilters && !sameDims && within(e.spec.dimensions, spec.dimensions) ? 'coarser' : sameFilters && !sameDims && within(spec.dimensions, e.spec.dimensions) ? 'finer' : undefined;
    if (why) out.push({ at: e.at, out: e.out, why, dimensions: e.spec.dimensions, filters: e.spec.filters });
  }
  return out;
}
