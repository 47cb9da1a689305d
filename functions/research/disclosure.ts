/**
 * Statistical disclosure control (docs/research.md, "Disclosure control"). Pure. Two checks:
 * {@link protectCells} is the exact check of a declared tabulation, the only way results leave the
 * research environment as a file (`npm run research:export`); {@link checkDisclosure} is the
 * on-screen check of free SQL results (`npm run research:query`), which catches honest mistakes
 * only. The query tool gives the latter the result rows and a way to count the people behind a
 * combination of organisation type, hub, month and county:
 *
 * - A result row is a cell. It must say how many distinct people it is about (`n_people`,
 *   `count(DISTINCT person)`); a result without that column is refused (row-level data never
 *   leaves).
 * - A cell of fewer than {@link MIN_PEOPLE} people is suppressed: its measures become null.
 * - Every other `n_…` column is a count of distinct people too (e.g. `n_business`): a value of
 *   1–4 is suppressed, and with it the row's other `n_…` counts (so that it is not `n_people` minus
 *   them). Every `n_…` column must really count distinct people: the query tool re-runs the query
 *   with all pseudonyms made one, where such a count is at most 1, and refuses it otherwise; and it
 *   refuses a result with any 8 characters of a pseudonym in it.
 * - A cell where one person makes up more than {@link MAX_DOMINANCE} of the measure (the query's
 *   `top_share` column, the largest share of one person) is suppressed too.
 * - The export is refused when a combination of organisation type, hub, month and county in the
 *   result (those of the four it has as columns) holds fewer than {@link MIN_PEOPLE} people in
 *   the study: such a result, with another, could single someone out by differencing.
 */

/** The fewest distinct people a published cell may be about. */
export const MIN_PEOPLE = 5;
/** The largest share of a cell one person may make up. */
export const MAX_DOMINANCE = 0.5;
/** The column of distinct people every result must have. */
export const PEOPLE_COLUMN = 'n_people';
/** The optional column with the largest share of one person in the cell's measure (0–1). */
export const DOMINANCE_COLUMN = 'top_share';
/** The columns whose combinations must each hold enough people. */
export const KEY_DIMENSIONS = ['organisation_type', 'hub', 'month', 'county'] as const;

export type Cell = Record<string, unknown>;

/** What the check decided. */
export type DisclosureResult =
  | { ok: true; rows: Cell[]; suppressed: number }
  | { ok: false; reason: string };

/**
 * Checks a result: suppresses small and dominated cells, refuses row-level results and results
 * with a small key combination. `dimensions` are the result's grouping columns (kept as they
 * are); every other column is a measure (nulled when its cell is suppressed). `population`
 * counts the study's distinct people with the given key-dimension values.
 */
export function checkDisclosure(rows: Cell[], columns: string[], population: (combination: Record<string, unknown>) => number): DisclosureResult {
  if (!columns.includes(PEOPLE_COLUMN)) {
    return { ok: false, reason: `A result leaving the research environment must be aggregated and say how many people each row is about: add "count(DISTINCT person) AS ${PEOPLE_COLUMN}" (and GROUP BY)` };
  }
  for (const c of columns) if (/^person/.test(c) || c === 'row_id') return { ok: false, reason: `Column "${c}" is row-level (a pseudonym or row id): aggregate it away` };
  const keys = KEY_DIMENSIONS.filter((d) => columns.includes(d));
  if (keys.length > 0) {
    const seen = new Set<string>();
    for (const row of rows) {
      const combination = Object.fromEntries(keys.map((k) => [k, row[k]]));
      const id = JSON.stringify(combination);
      if (seen.has(id)) continue;
      seen.add(id);
      const n = population(combination);
      if (n < MIN_PEOPLE) return { ok: false, reason: `The combination ${keys.map((k) => `${k}=${String(row[k])}`).join(', ')} holds ${n < 1 ? 'no' : 'fewer than 5'} people in the study: group more coarsely` };
    }
  }
  const dimensions = new Set(columns.filter((c) => c !== PEOPLE_COLUMN && c !== DOMINANCE_COLUMN && rows.every((r) => r[c] === null || typeof r[c] !== 'number')));
  let suppressed = 0;
  const out = rows.map((row) => {
    const people = Number(row[PEOPLE_COLUMN]);
    const share = row[DOMINANCE_COLUMN] === undefined || row[DOMINANCE_COLUMN] === null ? 0 : Number(row[DOMINANCE_COLUMN]);
    if (Number.isFinite(people) && people >= MIN_PEOPLE && share <= MAX_DOMINANCE) {
      const small = columns.filter((c) => c !== PEOPLE_COLUMN && c.startsWith('n_') && typeof row[c] === 'number' && (row[c] as number) > 0 && (row[c] as number) < MIN_PEOPLE);
      if (small.length === 0) return row;
      // The other counts of people go too: with n_people and them shown, the small one would be a
      // subtraction away (n_people − n_public = n_business when the two make up everyone).
      const withheld = columns.filter((c) => c !== PEOPLE_COLUMN && c.startsWith('n_') && typeof row[c] === 'number');
      suppressed += withheld.length;
      return { ...row, ...Object.fromEntries(withheld.map((c) => [c, null])) };
    }
    suppressed++;
    return Object.fromEntries(columns.map((c) => [c, dimensions.has(c) ? row[c] : null]));
  });
  return { ok: true, rows: out, suppressed };
}

/** One cell of a declared tabulation as the tool computed it (functions/research/tabulation.ts, `cellsSql`). */
export interface TabulatedCell {
  /** The cell's dimension values. */
  dimensions: Record<string, unknown>;
  /** Distinct people in the cell, from the person column of its rows: exact. */
  people: number;
  /** The measures, by output column (`rows`, `sum_<column>`, `mean_<column>`). */
  measures: Record<string, number | null>;
  /** The largest share of one person in each measure that is a magnitude (rows, a sum or a mean), 0–1. */
  topShares: Record<string, number | null>;
}

/** A published cell: dimensions, people and measures, empty where suppressed, and why. */
export type ProtectedRow = Record<string, unknown> & { suppressed: string };

/** Why a cell of a tabulation is suppressed. */
export const SUPPRESSED = { small: `fewer than ${MIN_PEOPLE} people`, dominated: `one person over ${MAX_DOMINANCE * 100} %` } as const;

/**
 * The disclosure check of a declared tabulation, exact because the tool computed every number
 * from the rows' person column (docs/research.md, "Exports"):
 * - the export is refused when a combination of the key dimensions it shows (organisation type,
 *   hub, month, county: those it groups by, each with the cell's value, and those it filters on,
 *   with the set of values kept) holds fewer than {@link MIN_PEOPLE} people in the study;
 * - a cell of fewer than {@link MIN_PEOPLE} people is suppressed: people and measures empty;
 * - a cell where one person makes up more than {@link MAX_DOMINANCE} of a measure (rows, a sum or
 *   a mean) is suppressed whole.
 * There are no totals or margins, so no secondary suppression is needed: no published number is a
 * sum of a suppressed one and others.
 */
export function protectCells(
  cells: TabulatedCell[],
  measureNames: string[],
  population: (cell: TabulatedCell) => { combination: string; people: number } | undefined,
): { ok: true; rows: ProtectedRow[]; suppressed: number } | { ok: false; reason: string } {
  for (const cell of cells) {
    const p = population(cell);
    if (p && p.people < MIN_PEOPLE) return { ok: false, reason: `The combination ${p.combination} holds ${p.people < 1 ? 'no' : `fewer than ${MIN_PEOPLE}`} people in the study: group more coarsely or filter less narrowly` };
  }
  let suppressed = 0;
  const rows = cells.map((cell): ProtectedRow => {
    const small = cell.people < MIN_PEOPLE;
    const dominated = !small && Object.values(cell.topShares).some((s) => s !== null && s > MAX_DOMINANCE);
    if (small || dominated) {
      suppressed++;
      return { ...cell.dimensions, people: null, ...Object.fromEntries(measureNames.map((m) => [m, null])), suppressed: small ? SUPPRESSED.small : SUPPRESSED.dominated };
    }
    return { ...cell.dimensions, people: cell.people, ...Object.fromEntries(measureNames.map((m) => [m, cell.measures[m] ?? null])), suppressed: '' };
  });
  return { ok: true, rows, suppressed };
}
