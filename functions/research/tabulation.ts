/**
 * Declared tabulations: the only way research results leave the research environment as a file
 * (`npm run research:export`, docs/research.md, "Exports"). A tabulation spec names a source
 * table, the categorical dimensions to group by, filters on dimensions, person attributes joined
 * from `visits`, and measures (people, rows, sum or mean of a numeric column). It holds no SQL:
 * this module writes the SQL from whitelists, so the tool knows each cell's people by lineage
 * (the person column of every row in the cell) and the disclosure check
 * (`protectCells()` in disclosure.ts) is exact. Pure: no DuckDB, no files.
 */
import * as z from 'zod';
import { INSTRUMENTS } from '../../studies/instruments.ts';
import type { StudyConfig } from '../../studies/schema.ts';
import { ROW_SCHEMAS, type TableName } from './rows.ts';
import { tablesOf } from './tables.ts';

type Kind = 'string' | 'boolean';

/** A source a tabulation may read: a study table, or one derived from them by this module. */
interface Source {
  /** The study tables it reads (the study must have them). */
  needs: TableName[];
  /** The categorical columns a tabulation may group and filter by, with their type. */
  dimensions: Record<string, Kind>;
  /** The numeric columns a sum or mean may take. */
  numeric: string[];
  /** The rows as SQL over the lake's views: `row_id`, `person`, the dimensions and numeric columns. */
  sql: () => string;
  /** What a row is (for the journal and the docs). */
  row: string;
}

const PLACE: Record<string, Kind> = { hub: 'string', county: 'string', month: 'string' };

/** The public-sector organisation types (DESIGN.md). */
const PUBLIC = ['state-agency', 'municipality', 'region', 'county-board', 'public-company', 'university'];
/** A derived dimension `sector`: business (a business or business partner), public, or other (also unknown). */
const sector = (business: string) => `CASE WHEN ${business} THEN 'business' WHEN organisation_type IN (${PUBLIC.map((t) => `'${t}'`).join(', ')}) THEN 'public' ELSE 'other' END AS sector`;
/** The values of the derived dimensions, to refuse a misspelt filter value. */
const DERIVED_VALUES: Record<string, string[]> = { sector: ['business', 'public', 'other'] };

/**
 * A survey score per answered instrument (complete answers only), scored as the instrument says:
 * WHO-5 the sum × 4 (0–100); the other scales the mean of their items, reversed items turned
 * (min + max − value). The weak-ties counts are items, not a score: tabulate `survey_answers`.
 */
function scoresSql(): string {
  const parts = INSTRUMENTS.filter((ins) => ins.scale && ins.items.every((i) => i.kind === 'scale')).map((ins) => {
    const scale = ins.scale as { min: number; max: number };
    const reversed = ins.items.filter((i) => i.kind === 'scale' && i.reversed).map((i) => `'${i.id}'`);
    const value = reversed.length ? `CASE WHEN item IN (${reversed.join(', ')}) THEN ${scale.min + scale.max} - value ELSE value END` : 'value';
    const score = ins.id === 'who-5' ? `sum(${value}) * 4` : `avg(${value})`;
    return `SELECT answer AS row_id, any_value(person) AS person, any_value(hub) AS hub, any_value(county) AS county, any_value(month) AS month, any_value(trigger) AS trigger, '${ins.id}' AS instrument, CAST(${score} AS DOUBLE) AS score FROM survey_answers WHERE instrument = '${ins.id}' AND value IS NOT NULL GROUP BY answer HAVING count(DISTINCT item) = ${ins.items.length}`;
  });
  return parts.join(' UNION ALL ');
}

/** The sources and what may be done with them. Never a person, a row id, a hash, a date or a week. */
export const SOURCES: Record<string, Source> = {
  visits: {
    needs: ['visits'],
    row: 'a visit',
    dimensions: { ...PLACE, time_band: 'string', organisation_type: 'string', sector: 'string', membership: 'string', remote_worker: 'boolean', auto_closed: 'boolean' },
    numeric: ['duration_minutes'],
    sql: () => `SELECT *, ${sector("organisation_type = 'business' OR membership = 'business-partner'")} FROM visits`,
  },
  bookings: {
    needs: ['bookings'],
    row: 'a booking made, cancelled or released as a no-show',
    dimensions: { ...PLACE, resource_type: 'string', status: 'string' },
    numeric: ['lead_days'],
    sql: () => 'SELECT * FROM bookings',
  },
  event_participation: {
    needs: ['event_participation'],
    row: 'a registration, waitlisting, cancellation or attendance',
    dimensions: { ...PLACE, kind: 'string', action: 'string', business: 'boolean', organisation_type: 'string', sector: 'string', from_outside_hub: 'boolean' },
    numeric: [],
    sql: () => `SELECT *, ${sector('business')} FROM event_participation`,
  },
  co_presence: {
    needs: ['co_presence'],
    row: 'a pair of members in the same hub on a day, once a week (both members are people of the cell; rows counts pairs)',
    dimensions: { ...PLACE, cross_organisation: 'boolean', sector_pair: 'string' },
    numeric: [],
    sql: () => 'SELECT * EXCLUDE (person_a, person_b), person_a AS person FROM co_presence UNION ALL SELECT * EXCLUDE (person_a, person_b), person_b AS person FROM co_presence',
  },
  consents: {
    needs: ['consents'],
    row: 'a consent change',
    dimensions: { ...PLACE, scope: 'string', state: 'string', channel: 'string', text_version: 'string' },
    numeric: [],
    sql: () => 'SELECT * FROM consents',
  },
  survey_answers: {
    needs: ['survey_answers'],
    row: 'an answered item (a chosen option of a multi-select item)',
    dimensions: { ...PLACE, instrument: 'string', item: 'string', choice: 'string', trigger: 'string' },
    numeric: ['value'],
    sql: () => 'SELECT * FROM survey_answers',
  },
  survey_invitations: {
    needs: ['survey_invitations', 'survey_answers'],
    row: 'an invitation sent; `answered` whether it was answered',
    dimensions: { ...PLACE, trigger: 'string', answered: 'boolean' },
    numeric: ['instruments'],
    sql: () => 'SELECT i.*, EXISTS (SELECT 1 FROM survey_answers a WHERE a.answer = i.invitation) AS answered FROM survey_invitations i',
  },
  survey_scores: {
    needs: ['survey_answers'],
    row: 'a complete answer of a scale instrument, scored (WHO-5: sum × 4, 0–100; the others: the mean of the items, reversed items turned)',
    dimensions: { ...PLACE, instrument: 'string', trigger: 'string' },
    numeric: ['score'],
    sql: scoresSql,
  },
};

/**
 * Attributes of a person taken from `visits` and joined to another source's rows by the person:
 * a declared join, for questions such as WHO-5 by remote worker.
 */
export const PERSON_ATTRIBUTES: Record<string, { kind: Kind; sql: string; meaning: string }> = {
  remote_worker: {
    kind: 'boolean',
    sql: 'SELECT person, CASE WHEN bool_or(remote_worker) THEN true WHEN bool_or(NOT remote_worker) THEN false END AS remote_worker FROM visits GROUP BY person',
    meaning: 'true if any of the person’s visits says remote worker, false if any says not (and none says so), null when unknown or no visit',
  },
  organisation_type: {
    kind: 'string',
    sql: 'SELECT person, arg_max(organisation_type, date) AS organisation_type FROM visits GROUP BY person',
    meaning: 'the organisation type of the person’s latest visit; null when no visit',
  },
};

/** The measures a tabulation may ask for. `people` (distinct persons) is always in the output. */
export const Measure = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('people') }).strict(),
  z.object({ kind: z.literal('rows') }).strict(),
  z.object({ kind: z.enum(['sum', 'mean']), column: z.string().min(1).max(64) }).strict(),
]);
export type Measure = z.infer<typeof Measure>;

const FilterValue = z.union([z.string().max(64), z.boolean(), z.null()]);

/** A tabulation spec as written (`studies/exports/<name>.json`). */
export const TabulationSpec = z
  .object({
    title: z.string().min(3).max(200),
    /** The seed question it answers, for the reader and the data steward. */
    question: z.string().min(3).max(1000).optional(),
    table: z.string().min(1).max(64),
    personAttributes: z.array(z.string().min(1).max(64)).max(2).default([]),
    dimensions: z.array(z.string().min(1).max(64)).max(5).default([]),
    filters: z.record(z.string().min(1).max(64), z.array(FilterValue).min(1).max(50)).default({}),
    measures: z.array(Measure).min(1).max(10),
  })
  .strict();
export type TabulationSpec = z.infer<typeof TabulationSpec>;

/** A problem in a spec, naming its field (`dimensions[1]`, `filters.remote_worker[0]`). */
export interface SpecIssue {
  path: string;
  message: string;
}

const pathOf = (p: readonly PropertyKey[]) => p.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '');

/** The allowed values of a column with an enum in its row schema (to refuse a misspelt filter value). */
function enumOf(table: string, column: string): unknown[] | undefined {
  const schema = ROW_SCHEMAS[table as TableName];
  if (!schema) return undefined;
  const json = z.toJSONSchema(schema, { io: 'output' }) as { properties?: Record<string, { enum?: unknown[]; anyOf?: { enum?: unknown[]; const?: unknown }[] }> };
  const p = json.properties?.[column];
  if (!p) return undefined;
  if (p.enum) return p.enum;
  const parts = p.anyOf?.filter((a) => a.enum || a.const !== undefined);
  return parts?.length ? parts.flatMap((a) => a.enum ?? [a.const]) : undefined;
}

/**
 * The validated spec of a study, or every problem with its field. With `hubs` (the ids of the hubs
 * the study follows), a hub filter naming another is refused rather than giving an empty export.
 */
export function parseSpec(input: unknown, study: Pick<StudyConfig, 'id' | 'datasets'>, hubs?: readonly string[]): { ok: true; spec: TabulationSpec } | { ok: false; issues: SpecIssue[] } {
  const parsed = TabulationSpec.safeParse(input);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => ({ path: pathOf(i.path) || '(spec)', message: i.message })) };
  const spec = parsed.data;
  const issues: SpecIssue[] = [];
  // A key the parsed record cannot hold (`__proto__`) would vanish and export as if unfiltered: name it instead.
  const rawFilters = (input as { filters?: unknown }).filters;
  if (rawFilters && typeof rawFilters === 'object') for (const k of Object.keys(rawFilters)) if (!Object.hasOwn(spec.filters, k)) issues.push({ path: `filters.${k}`, message: `"${k}" is not a dimension of ${spec.table}` });
  const source = Object.hasOwn(SOURCES, spec.table) ? SOURCES[spec.table] : undefined;
  if (!source) return { ok: false, issues: [{ path: 'table', message: `Not a table that can be tabulated: one of ${Object.keys(SOURCES).join(', ')}` }] };
  const has = tablesOf(study);
  const missing = source.needs.filter((t) => !has.includes(t));
  if (missing.length) issues.push({ path: 'table', message: `Study "${study.id}" does not have the table(s) ${missing.join(', ')}` });
  if (spec.personAttributes.length && !has.includes('visits')) issues.push({ path: 'personAttributes', message: `Person attributes come from visits, which study "${study.id}" does not have` });
  const columns: Record<string, Kind> = { ...source.dimensions };
  spec.personAttributes.forEach((a, i) => {
    const attribute = Object.hasOwn(PERSON_ATTRIBUTES, a) ? PERSON_ATTRIBUTES[a] : undefined;
    if (!attribute) issues.push({ path: `personAttributes[${i}]`, message: `Not a person attribute: one of ${Object.keys(PERSON_ATTRIBUTES).join(', ')}` });
    else if (a in source.dimensions || source.numeric.includes(a)) issues.push({ path: `personAttributes[${i}]`, message: `${spec.table} has its own "${a}": use it as a dimension` });
    else if (spec.personAttributes.indexOf(a) !== i) issues.push({ path: `personAttributes[${i}]`, message: 'Named twice' });
    else columns[a] = attribute.kind;
  });
  const allowed = `one of ${Object.keys(columns).join(', ')}`;
  const why = (c: string) => (c === 'person' || c.startsWith('person_') || c === 'row_id' ? ' (row-level: never a dimension)' : c === 'date' || c === 'week' ? ' (too fine-grained: use month)' : source.numeric.includes(c) ? ' (numeric: use it in a sum or mean measure)' : '');
  spec.dimensions.forEach((d, i) => {
    if (!Object.hasOwn(columns, d)) issues.push({ path: `dimensions[${i}]`, message: `"${d}" is not a dimension of ${spec.table}${why(d)}: ${allowed}` });
    else if (spec.dimensions.indexOf(d) !== i) issues.push({ path: `dimensions[${i}]`, message: `"${d}" named twice` });
  });
  for (const [column, values] of Object.entries(spec.filters)) {
    const kind = Object.hasOwn(columns, column) ? columns[column] : undefined;
    if (!kind) {
      issues.push({ path: `filters.${column}`, message: `"${column}" is not a dimension of ${spec.table}${why(column)}: ${allowed}` });
      continue;
    }
    const known: readonly unknown[] | undefined = (column === 'hub' ? hubs : undefined) ?? DERIVED_VALUES[column] ?? enumOf(spec.table, column) ?? (column === 'organisation_type' ? enumOf('visits', 'organisation_type') : undefined);
    values.forEach((v, i) => {
      if (v !== null && typeof v !== kind) issues.push({ path: `filters.${column}[${i}]`, message: `A ${kind} (or null)` });
      else if (column === 'month' && v !== null && !/^\d{4}-\d{2}$/.test(String(v))) issues.push({ path: `filters.${column}[${i}]`, message: 'A month, YYYY-MM' });
      else if (known && v !== null && !known.includes(v)) issues.push({ path: `filters.${column}[${i}]`, message: `One of ${known.join(', ')}` });
    });
  }
  spec.measures.forEach((m, i) => {
    if ((m.kind === 'sum' || m.kind === 'mean') && !source.numeric.includes(m.column)) {
      issues.push({ path: `measures[${i}].column`, message: source.numeric.length ? `"${m.column}" is not a numeric column of ${spec.table}: ${source.numeric.join(', ')}` : `${spec.table} has no numeric column: only people and rows` });
    }
  });
  const names = spec.measures.map(measureName);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) issues.push({ path: `measures[${i}]`, message: 'The same measure twice' });
  });
  return issues.length ? { ok: false, issues } : { ok: true, spec };
}

/** The output column of a measure. */
export function measureName(m: Measure): string {
  return m.kind === 'people' || m.kind === 'rows' ? m.kind : `${m.kind}_${m.column}`;
}

const lit = (v: string | boolean | null) => (v === null ? 'NULL' : typeof v === 'boolean' ? String(v) : `'${v.replaceAll("'", "''")}'`);
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** The rows of the spec as SQL: `row_id`, `person`, its dimensions, its numeric columns, filters applied. */
export function rowsSql(spec: TabulationSpec): string {
  const source = SOURCES[spec.table] as Source;
  const joins = spec.personAttributes.map((a, i) => `LEFT JOIN (${PERSON_ATTRIBUTES[a]?.sql}) a${i} ON a${i}.person = s.person`);
  const pick = (c: string) => (spec.personAttributes.includes(c) ? `a${spec.personAttributes.indexOf(c)}.${ident(c)}` : `s.${ident(c)}`);
  const numeric = [...new Set(spec.measures.flatMap((m) => (m.kind === 'sum' || m.kind === 'mean' ? [m.column] : [])))];
  const where = Object.entries(spec.filters).map(([c, values]) => {
    const some = values.filter((v) => v !== null);
    const parts = [...(some.length ? [`${pick(c)} IN (${some.map(lit).join(', ')})`] : []), ...(values.includes(null) ? [`${pick(c)} IS NULL`] : [])];
    return `(${parts.join(' OR ')})`;
  });
  const cols = ['s.row_id AS row_id', 's.person AS person', ...spec.dimensions.map((d) => `${pick(d)} AS ${ident(d)}`), ...numeric.map((c) => `s.${ident(c)} AS ${ident(`v_${c}`)}`)];
  return `SELECT ${cols.join(', ')} FROM (${source.sql()}) s ${joins.join(' ')} WHERE s.person IS NOT NULL${where.length ? ` AND ${where.join(' AND ')}` : ''}`;
}

/**
 * The cells of the spec as SQL, one row per combination of its dimensions present in the data:
 * the dimensions, `people` (distinct persons, exact), `rows`, and per numeric column its sum, its
 * count of values and the largest share of one person in it (`top_<column>`), and `top_rows`,
 * the largest share of the cell's rows that is one person's.
 */
export function cellsSql(spec: TabulationSpec): string {
  const dims = spec.dimensions.map(ident);
  const numeric = [...new Set(spec.measures.flatMap((m) => (m.kind === 'sum' || m.kind === 'mean' ? [m.column] : [])))];
  const by = dims.length ? `GROUP BY ${dims.join(', ')}` : '';
  const perPerson = [...dims, 'person', 'count(DISTINCT row_id) AS r', ...numeric.flatMap((c) => [`sum(${ident(`v_${c}`)}) AS ${ident(`s_${c}`)}`, `count(${ident(`v_${c}`)}) AS ${ident(`k_${c}`)}`])];
  const cell = [
    ...dims,
    'count(*) AS people',
    'max(r) AS top_r',
    ...numeric.flatMap((c) => [`sum(${ident(`s_${c}`)}) AS ${ident(`sum_${c}`)}`, `sum(${ident(`k_${c}`)}) AS ${ident(`count_${c}`)}`, `max(abs(${ident(`s_${c}`)})) / nullif(sum(abs(${ident(`s_${c}`)})), 0) AS ${ident(`top_${c}`)}`]),
  ];
  const rowCount = `SELECT ${[...dims, 'count(DISTINCT row_id) AS rows'].join(', ')} FROM base ${by}`;
  // A dimension may be null (no value): the cells join on IS NOT DISTINCT FROM, not on equality.
  const joined = dims.length ? `c JOIN n ON ${dims.map((d) => `c.${d} IS NOT DISTINCT FROM n.${d}`).join(' AND ')}` : 'c, n';
  return `WITH base AS (${rowsSql(spec)}),
per_person AS (SELECT ${perPerson.join(', ')} FROM base GROUP BY ${[...dims, 'person'].join(', ')}),
c AS (SELECT ${cell.join(', ')} FROM per_person ${by}),
n AS (${rowCount})
SELECT c.*, n.rows, c.top_r / n.rows AS top_rows FROM ${joined} ORDER BY ${dims.length ? dims.map((d) => `c.${d} NULLS LAST`).join(', ') : '1'}`;
}

/** Key dimensions of the combination rule present in the spec: as dimensions (one value per cell) or filters (a set of values). */
export function combinationKeys(spec: TabulationSpec, keys: readonly string[]): { dimensions: string[]; filters: Record<string, (string | boolean | null)[]> } {
  return {
    dimensions: spec.dimensions.filter((d) => keys.includes(d)),
    filters: Object.fromEntries(Object.entries(spec.filters).filter(([c]) => keys.includes(c) && !spec.dimensions.includes(c))),
  };
}
