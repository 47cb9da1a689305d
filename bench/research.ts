/**
 * Issue 13 part 5: a DuckDB query over 10^6 pseudonymised visit rows in the local lake's shape
 * (`research/<study>/visits/month=YYYY-MM/*.parquet`, the columns of `columnsOf('visits')`, as
 * local/firehose.ts writes them), read through the same view `npm run research:query` uses
 * (functions/research/lake.ts: hive partitions, duplicates dropped by row_id): visits and distinct
 * people by hub, ISO week and organisation type.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { columnsOf } from '../functions/research/columns.ts';
import { StudyLake } from '../functions/research/lake.ts';
import { quantile, round } from './stats.ts';

export interface ResearchResult {
  rows: number;
  parquetFiles: number;
  writeMs: number;
  /** Median of the runs. */
  researchQueryMs: number;
  /** The same query straight over the Parquet files, without the view's dedup by row_id (where the time goes). */
  withoutDedupMs: number;
  groups: number;
}

const DUCK: Record<string, string> = { string: 'VARCHAR', int: 'INTEGER', bigint: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN' };

/** The bench query: visits and distinct people by hub, ISO week and organisation type. */
export const RESEARCH_QUERY = `SELECT hub, strftime(CAST(date AS DATE), '%G-W%V') AS week, organisation_type, count(*) AS visits, count(DISTINCT person) AS people
FROM visits GROUP BY ALL ORDER BY ALL`;

/** Writes `rows` visit rows over the last twelve months and times the query (`runs` times, median). */
export async function measureResearchQuery(options: { rows: number; runs: number; log: (line: string) => void }): Promise<ResearchResult> {
  const lakeDir = mkdtempSync(join(tmpdir(), 'samverkan-bench-lake-'));
  try {
    const dir = join(lakeDir, 'research', 'bench-study', 'visits');
    mkdirSync(dir, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    // Every column of the table, generated: 6 hubs, 3,000 pseudonyms, the seed's organisation types.
    const gen: Record<string, string> = {
      row_id: `md5(i::VARCHAR)`,
      person: `md5('p' || (i % 3000)::VARCHAR)`,
      hub: `['lulea','boden','pitea','kiruna','gallivare','skelleftea'][1 + i % 6]`,
      county: `'25'`,
      date: `strftime(current_date - INTERVAL (i % 365) DAY, '%Y-%m-%d')`,
      month: `strftime(current_date - INTERVAL (i % 365) DAY, '%Y-%m')`,
      time_band: `['before-09','09-12','12-15','15-18'][1 + i % 4]`,
      duration_minutes: `15 * (i % 24)`,
      organisation_type: `['business','municipality','state-agency','region','university','association'][1 + (i // 7) % 6]`,
      membership: `['member','guest'][1 + i % 2]`,
      remote_worker: `CASE WHEN i % 5 = 0 THEN NULL ELSE i % 3 = 0 END`,
      auto_closed: `i % 10 = 0`,
    };
    const cols = columnsOf('visits');
    const select = cols.map((c) => `CAST(${gen[c.name] ?? 'NULL'} AS ${DUCK[c.type]}) AS "${c.name}"`).join(', ');
    const t0 = performance.now();
    await conn.run(`COPY (SELECT ${select} FROM range(${options.rows}) t(i)) TO '${dir}' (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (month), OVERWRITE_OR_IGNORE)`);
    const writeMs = performance.now() - t0;
    const files = Number((await conn.runAndReadAll(`SELECT count(*) AS n FROM glob('${dir}/**/*.parquet')`)).getRowObjectsJS()[0]?.n ?? 0);
    conn.closeSync();
    options.log(`research: ${options.rows} visit rows in ${files} Parquet files; querying`);
    const times: number[] = [];
    let groups = 0;
    for (let i = 0; i < options.runs; i++) {
      const lake = await StudyLake.open(lakeDir, 'bench-study', ['visits']);
      const t = performance.now();
      const { rows } = await lake.query(RESEARCH_QUERY);
      times.push(performance.now() - t);
      groups = rows.length;
      lake.conn.closeSync();
    }
    const plain = await (await DuckDBInstance.create(':memory:')).connect();
    await plain.run(`CREATE VIEW visits AS SELECT * FROM read_parquet('${dir}/**/*.parquet', hive_partitioning = true, union_by_name = true)`);
    const t1 = performance.now();
    await plain.runAndReadAll(RESEARCH_QUERY);
    const withoutDedupMs = performance.now() - t1;
    plain.closeSync();
    return { rows: options.rows, parquetFiles: files, writeMs: round(writeMs, 0), researchQueryMs: round(quantile(times, 0.5), 0), withoutDedupMs: round(withoutDedupMs, 0), groups };
  } finally {
    rmSync(lakeDir, { recursive: true, force: true });
  }
}
