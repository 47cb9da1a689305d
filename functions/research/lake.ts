/**
 * DuckDB over the local research lake (`.data/lake/research/<study>/<table>/month=YYYY-MM/*.parquet`,
 * the layout of the S3 lake): each of a study's tables is a view (hive partitioning, union by
 * name, duplicates of a redelivered event dropped by `row_id`). Used by `npm run research:query`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { columnsOf } from './columns.ts';
import { KEY_DIMENSIONS } from './disclosure.ts';
import { TABLES, type TableName } from './rows.ts';

const DUCK: Record<string, string> = { string: 'VARCHAR', int: 'INTEGER', bigint: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN' };
const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
/** The length of a pseudonym piece that gives a result away (8 hex characters: 1 in 4 billion by chance). */
export const PIECE = 8;

const hasParquet = (dir: string): boolean =>
  existsSync(dir) && readdirSync(dir, { withFileTypes: true }).some((e) => (e.isDirectory() ? hasParquet(join(dir, e.name)) : e.name.endsWith('.parquet')));

/** A study's tables as DuckDB views over the lake. */
export class StudyLake {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
    readonly tables: TableName[],
  ) {}

  /**
   * Opens the lake of one study: a view per table (an empty one with the right columns when no file
   * exists yet). With `maskPeople`, every pseudonym column holds one of those values instead (chosen
   * by a hash of the pseudonym): the disclosure check re-runs a query so to see that its people counts
   * really count people.
   */
  static async open(lakeDir: string, studyId: string, tables: TableName[] = TABLES, maskPeople?: readonly string[]): Promise<StudyLake> {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    for (const table of tables) {
      const dir = join(lakeDir, 'research', studyId, table);
      const source = hasParquet(dir)
        ? `SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY row_id) AS rn FROM read_parquet(${quote(`${dir}/**/*.parquet`)}, hive_partitioning = true, union_by_name = true)) WHERE rn = 1`
        : `SELECT ${columnsOf(table).map((c) => `CAST(NULL AS ${DUCK[c.type]}) AS "${c.name}"`).join(', ')} WHERE false`;
      const people = columnsOf(table).filter((c) => c.name === 'person' || c.name.startsWith('person_'));
      const mask = (column: string) => `CASE hash("${column}") % ${maskPeople?.length ?? 1} ${(maskPeople ?? []).map((v, i) => `WHEN ${i} THEN ${quote(v)}`).join(' ')} END`;
      const masked = maskPeople?.length && people.length ? `SELECT * REPLACE (${people.map((c) => `${mask(c.name)} AS "${c.name}"`).join(', ')}) FROM (${source})` : source;
      await conn.run(`CREATE VIEW "${table}" AS ${masked}`);
    }
    return new StudyLake(instance, conn, tables);
  }

  /** Runs SQL; returns the column names and the rows (numbers as numbers, other values as text). */
  async query(sql: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
    const reader = await this.conn.runAndReadAll(sql);
    const plain = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v === null || typeof v !== 'object' ? v : String(v));
    const rows = reader.getRowObjectsJS().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])));
    return { columns: reader.columnNames(), rows };
  }

  /** Every 8-character piece of every pseudonym in the study (to find a pseudonym, or part of one, in a result). */
  async pseudonymPieces(): Promise<Set<string>> {
    const cols = this.tables.flatMap((t) => columnsOf(t).filter((c) => c.name === 'person' || c.name.startsWith('person_')).map((c) => `SELECT DISTINCT "${c.name}" AS p FROM "${t}"`));
    const pieces = new Set<string>();
    if (cols.length === 0) return pieces;
    const { rows } = await this.query(`SELECT DISTINCT p FROM (${cols.join(' UNION ALL ')}) WHERE p IS NOT NULL`);
    for (const r of rows) {
      const p = String(r.p);
      for (let i = 0; i + PIECE <= p.length; i++) pieces.add(p.slice(i, i + PIECE));
    }
    return pieces;
  }

  /** The number of distinct people in the study with the given values of organisation type, hub, month and county. */
  async population(combination: Record<string, unknown>): Promise<number> {
    const keys = Object.keys(combination).filter((k) => (KEY_DIMENSIONS as readonly string[]).includes(k));
    const parts = this.tables
      .filter((t) => t !== 'co_presence')
      .filter((t) => keys.every((k) => columnsOf(t).some((c) => c.name === k)))
      .map((t) => `SELECT person, ${keys.map((k) => `CAST("${k}" AS VARCHAR) AS "${k}"`).join(', ') || '1 AS one'} FROM "${t}"`);
    if (parts.length === 0) return 0;
    const where = keys.map((k) => (combination[k] === null ? `"${k}" IS NULL` : `"${k}" = ${quote(String(combination[k]))}`)).join(' AND ') || 'true';
    const { rows } = await this.query(`SELECT count(DISTINCT person) AS n FROM (${parts.join(' UNION ALL ')}) WHERE ${where}`);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * The number of distinct people in the study (every table, both people of a co-presence pair)
   * whose rows have, for each given column, one of the given values (null: no value).
   */
  async peopleWith(values: Record<string, readonly unknown[]>): Promise<number> {
    const keys = Object.keys(values);
    const sources = this.tables.flatMap((t) => {
      const cols = columnsOf(t).map((c) => c.name);
      if (!keys.every((k) => cols.includes(k))) return [];
      const people = cols.filter((c) => c === 'person' || c.startsWith('person_'));
      return people.map((p) => `SELECT "${p}" AS person${keys.map((k) => `, CAST("${k}" AS VARCHAR) AS "${k}"`).join('')} FROM "${t}"`);
    });
    if (sources.length === 0) return 0;
    const where = keys.map((k) => {
      const vs = values[k] ?? [];
      const some = vs.filter((v) => v !== null && v !== undefined).map((v) => quote(String(v)));
      return `(${[...(some.length ? [`"${k}" IN (${some.join(', ')})`] : []), ...(vs.some((v) => v === null || v === undefined) ? [`"${k}" IS NULL`] : [])].join(' OR ') || 'false'})`;
    });
    const { rows } = await this.query(`SELECT count(DISTINCT person) AS n FROM (${sources.join(' UNION ALL ')}) WHERE person IS NOT NULL${where.length ? ` AND ${where.join(' AND ')}` : ''}`);
    return Number(rows[0]?.n ?? 0);
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
