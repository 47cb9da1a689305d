/**
 * `npm run research:export` on a crafted lake (Parquet files written here with DuckDB, in the
 * layout of the local lake): each disclosure rule at its boundary (4 vs 5 people, a dominated
 * cell, a refused combination), specs that name what may not leave (refused with the field named,
 * nothing written), the CSV and Parquet output and the journal.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { columnsOf } from '../../functions/research/columns.ts';
import { main as researchExport } from '../../functions/research/export-cli.ts';
import { journalFile } from '../../functions/research/export.ts';
import type { TableName } from '../../functions/research/rows.ts';
import { parseSpec } from '../../functions/research/tabulation.ts';
import { writeStudies } from '../support/studies.ts';
import { addDays, today } from '../support/dates.ts';

const STUDY = 'export-unit';
const DATE = addDays(today(), -3);
const MONTH = DATE.slice(0, 7);
const hex = (s: string) => createHash('sha256').update(s).digest('hex');
const P = (n: number | string) => hex(`person-${n}`);
let seq = 0;

const DUCK: Record<string, string> = { string: 'VARCHAR', int: 'INTEGER', bigint: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN' };

/** Writes rows of a table as one Parquet file of the study's lake (the month a partition, not a column). */
async function writeTable(lakeDir: string, table: TableName, rows: Record<string, unknown>[]) {
  const dir = join(lakeDir, 'research', STUDY, table, `month=${MONTH}`);
  mkdirSync(dir, { recursive: true });
  const cols = columnsOf(table).filter((c) => c.name !== 'month');
  const json = join(dir, `rows-${seq}.json`);
  writeFileSync(json, rows.map((r) => JSON.stringify(r)).join('\n'));
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`COPY (SELECT ${cols.map((c) => `"${c.name}"`).join(', ')} FROM read_json('${json}', format = 'newline_delimited', columns = {${cols.map((c) => `"${c.name}": '${DUCK[c.type]}'`).join(', ')}})) TO '${join(dir, `rows-${seq++}.parquet`)}' (FORMAT parquet)`);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const visit = (person: number | string, o: Record<string, unknown> = {}) => ({
  row_id: hex(`row-${seq}-${Math.random()}`),
  person: P(person),
  hub: 'umea',
  county: 'Västerbottens län',
  date: DATE,
  time_band: '09-12',
  duration_minutes: 60,
  organisation_type: 'municipality',
  membership: 'member',
  remote_worker: false,
  auto_closed: false,
  ...o,
});

let dataDir: string;
let studiesDir: string;
let specDir: string;

beforeAll(async () => {
  studiesDir = writeStudies([{ id: STUDY }]);
  dataDir = mkdtempSync(join(tmpdir(), 'research-export-'));
  specDir = mkdtempSync(join(tmpdir(), 'research-specs-'));
  const lakeDir = join(dataDir, 'lake');
  const visits = [
    // before-09: 5 people, one visit each. 09-12: 4 people. 12-15: 5 people, one of them 10 visits of 14.
    ...[1, 2, 3, 4, 5].map((p) => visit(p, { time_band: 'before-09' })),
    ...[6, 7, 8, 9].map((p) => visit(p, { time_band: '09-12' })),
    ...[10, 11, 12, 13].map((p) => visit(p, { time_band: '12-15' })),
    ...Array.from({ length: 10 }, () => visit(14, { time_band: '12-15' })),
    // 15-18: 5 people, one with 600 of 660 minutes (a dominated sum), one visit each (rows not dominated).
    ...[15, 16, 17, 18].map((p) => visit(p, { time_band: '15-18', duration_minutes: 15 })),
    visit(19, { time_band: '15-18', duration_minutes: 600 }),
    // Boden: 4 people in the study; Luleå: 5 (as two organisation types, for the filter).
    ...[20, 21, 22, 23].map((p) => visit(p, { hub: 'boden', county: 'Norrbottens län', time_band: 'after-18' })),
    ...[24, 25, 26].map((p) => visit(p, { hub: 'lulea', county: 'Norrbottens län', time_band: 'after-18', organisation_type: 'region', remote_worker: true })),
    ...[27, 28].map((p) => visit(p, { hub: 'lulea', county: 'Norrbottens län', time_band: 'after-18', organisation_type: 'business', remote_worker: null })),
  ];
  await writeTable(lakeDir, 'visits', visits);
  // WHO-5: people 1–5 answered (1–3 remote workers by their visits? no: 24–26 are), scored sum × 4.
  const answers = [24, 25, 26, 27, 28, 1, 2, 3, 4, 5].flatMap((p, i) =>
    ['cheerful', 'calm', 'active', 'rested', 'interest'].map((item) => ({
      row_id: hex(`answer-${p}-${item}`),
      person: P(p),
      answer: hex(`answer-${p}`),
      study: STUDY,
      hub: 'umea',
      county: 'Västerbottens län',
      instrument: 'who-5',
      item,
      value: i < 5 ? 5 : 2,
      choice: null,
      trigger: 'visit',
      week: '2026-W40',
    })),
  );
  await writeTable(lakeDir, 'survey_answers', answers);
  // Co-presence: person 1 paired with 2, 3, 4 (4 people), and 5 with 6 (2 more): 6 people, 4 pairs.
  const pairs = [
    [1, 2],
    [1, 3],
    [1, 4],
    [5, 6],
  ].map(([a, b]) => ({ row_id: hex(`pair-${a}-${b}`), week: '2026-W40', hub: 'umea', county: 'Västerbottens län', person_a: P(a as number), person_b: P(b as number), cross_organisation: true, sector_pair: 'business+public' }));
  await writeTable(lakeDir, 'co_presence', pairs);
});

const spec = (name: string, body: unknown) => {
  const file = join(specDir, `${name}.json`);
  writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
};

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await researchExport(['--study', STUDY, '--data-dir', dataDir, '--studies-dir', studiesDir, ...args], (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join(''), err: err.join('') };
}

const csvRows = (text: string) => {
  const [head, ...lines] = text.trimEnd().split('\r\n');
  const cols = (head ?? '').split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
};

const journal = () => (existsSync(journalFile(join(dataDir, 'lake'), STUDY)) ? readFileSync(journalFile(join(dataDir, 'lake'), STUDY), 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : []);

describe('research:export, exact disclosure control of declared tabulations', () => {
  it('suppresses a cell of 4 people and keeps one of 5; a cell where one person has over 50 % of the rows or of a sum is suppressed whole', async () => {
    const file = spec('by-time-band', { title: 'Visits by time band', table: 'visits', dimensions: ['time_band'], measures: [{ kind: 'people' }, { kind: 'rows' }, { kind: 'sum', column: 'duration_minutes' }] });
    const out = join(dataDir, 'by-time-band.csv');
    const res = await run('--spec', file, '--out', out);
    expect(res.code, res.err).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('time_band,people,rows,sum_duration_minutes,suppressed\r\n')).toBe(true);
    expect(csvRows(text)).toEqual([
      { time_band: '09-12', people: '', rows: '', sum_duration_minutes: '', suppressed: 'fewer than 5 people' },
      { time_band: '12-15', people: '', rows: '', sum_duration_minutes: '', suppressed: 'one person over 50 %' },
      { time_band: '15-18', people: '', rows: '', sum_duration_minutes: '', suppressed: 'one person over 50 %' },
      { time_band: 'after-18', people: '9', rows: '9', sum_duration_minutes: '540', suppressed: '' },
      { time_band: 'before-09', people: '5', rows: '5', sum_duration_minutes: '300', suppressed: '' },
    ]);
    // Dominance is per measure asked for: people only, and the 12-15 and 15-18 cells are published.
    const people = await run('--spec', spec('people-only', { title: 'People by time band', table: 'visits', dimensions: ['time_band'], measures: [{ kind: 'people' }] }));
    expect(people.code, people.err).toBe(0);
    expect(people.out).toMatch(/12-15\s+5\s*\n/);
    expect(people.out).toMatch(/15-18\s+5\s*\n/);
  });

  it('refuses the export when a combination of organisation type, hub, month and county holds fewer than 5 people, naming it; 5 is enough', async () => {
    const byHub = spec('by-hub', { title: 'Visits by hub', table: 'visits', dimensions: ['hub', 'month'], measures: [{ kind: 'people' }] });
    const out = join(dataDir, 'by-hub.csv');
    const res = await run('--spec', byHub, '--out', out);
    expect([res.code, res.err]).toEqual([3, expect.stringContaining(`The combination hub=boden, month=${MONTH} holds fewer than 5 people`)]);
    expect(existsSync(out), 'nothing written').toBe(false);
    expect(journal().at(-1)).toMatchObject({ outcome: 'refused', spec: { title: 'Visits by hub' }, reason: expect.stringContaining('hub=boden') });
    // Filtered to Luleå (5 people): allowed. A filter on a key dimension is part of the combination:
    // Luleå's region people are 3.
    const lulea = await run('--spec', spec('lulea', { title: 'Luleå', table: 'visits', dimensions: ['hub'], filters: { hub: ['lulea'] }, measures: [{ kind: 'people' }] }));
    expect(lulea.code, lulea.err).toBe(0);
    expect(lulea.out).toMatch(/lulea\s+5/);
    const region = await run('--spec', spec('region', { title: 'Region in Luleå', table: 'visits', dimensions: ['hub'], filters: { hub: ['lulea'], organisation_type: ['region'] }, measures: [{ kind: 'people' }] }));
    expect([region.code, region.err]).toEqual([3, expect.stringContaining('organisation_type=region, hub=lulea holds fewer than 5 people')]);
  });

  it('refuses a spec naming a forbidden column or a bad field, naming each, and writes nothing', async () => {
    const bad = [
      [{ title: 'Who', table: 'visits', dimensions: ['person'], measures: [{ kind: 'people' }] }, 'dimensions[0]: "person" is not a dimension of visits (row-level: never a dimension)'],
      [{ title: 'Rows', table: 'visits', dimensions: ['row_id'], measures: [{ kind: 'rows' }] }, 'dimensions[0]: "row_id" is not a dimension of visits (row-level'],
      [{ title: 'Days', table: 'visits', dimensions: ['date'], measures: [{ kind: 'rows' }] }, 'dimensions[0]: "date" is not a dimension of visits (too fine-grained'],
      [{ title: 'Pairs', table: 'co_presence', dimensions: ['person_a'], measures: [{ kind: 'people' }] }, 'dimensions[0]: "person_a" is not a dimension of co_presence (row-level'],
      [{ title: 'Reversed', table: 'visits', dimensions: ['reverse(person)'], measures: [{ kind: 'people' }] }, 'dimensions[0]: "reverse(person)" is not a dimension of visits'],
      [{ title: 'SQL', table: 'visits', sql: 'SELECT person FROM visits', measures: [{ kind: 'people' }] }, '(spec): Unrecognized key: "sql"'],
      [{ title: 'Table', table: 'visits; DROP', measures: [{ kind: 'people' }] }, 'table: Not a table that can be tabulated'],
      [{ title: 'Mean', table: 'visits', measures: [{ kind: 'mean', column: 'hub' }] }, 'measures[0].column: "hub" is not a numeric column of visits: duration_minutes'],
      [{ title: 'Max', table: 'visits', measures: [{ kind: 'max', column: 'duration_minutes' }] }, 'measures[0].kind'],
      [{ title: 'Filter', table: 'visits', filters: { remote_worker: ['yes'] }, measures: [{ kind: 'people' }] }, 'filters.remote_worker[0]: A boolean (or null)'],
      [{ title: 'Filter', table: 'visits', filters: { time_band: ['morning'] }, measures: [{ kind: 'people' }] }, 'filters.time_band[0]: One of before-09, 09-12'],
      [{ title: 'Filter', table: 'visits', filters: { hub: ['umeå'] }, measures: [{ kind: 'people' }] }, 'filters.hub[0]: One of '],
      [{ title: 'Filter', table: 'visits', filters: { person: [P(1)] }, measures: [{ kind: 'people' }] }, 'filters.person: "person" is not a dimension of visits (row-level'],
      [{ title: 'Join', table: 'survey_answers', personAttributes: ['person'], measures: [{ kind: 'people' }] }, 'personAttributes[0]: Not a person attribute'],
      [{ table: 'visits', measures: [] }, 'title: '],
    ] as const;
    const before = journal().length;
    for (const [body, message] of bad) {
      const out = join(dataDir, 'bad.csv');
      const res = await run('--spec', spec('bad', body), '--out', out);
      expect([res.code, res.err], JSON.stringify(body)).toEqual([2, expect.stringContaining(message)]);
      expect(res.err).toContain('nothing was exported');
      expect(existsSync(out)).toBe(false);
    }
    // A key a parsed record cannot hold is named, not dropped (it exported unfiltered).
    const proto = await run('--spec', spec('proto', '{"title":"Proto","table":"visits","filters":{"__proto__":["x"]},"measures":[{"kind":"people"}]}'), '--out', join(dataDir, 'bad.csv'));
    expect([proto.code, proto.err]).toEqual([2, expect.stringContaining('filters.__proto__: "__proto__" is not a dimension of visits')]);
    // Not into the lake (it would become rows of the study's tables), not into a folder that is not there.
    const good = spec('good', { title: 'By hub', table: 'visits', dimensions: ['hub'], measures: [{ kind: 'people' }] });
    const intoLake = join(dataDir, 'lake', 'research', STUDY, 'visits', 'evil.parquet');
    expect(await run('--spec', good, '--out', intoLake)).toMatchObject({ code: 2, err: expect.stringContaining('is inside the research lake') });
    expect(existsSync(intoLake)).toBe(false);
    expect(await run('--spec', good, '--out', join(dataDir, 'no-such-folder', 'x.csv'))).toMatchObject({ code: 2, err: expect.stringContaining('does not exist') });
    const broken = await run('--spec', spec('broken', '{"title": '), '--out', join(dataDir, 'bad.csv'));
    expect([broken.code, broken.err]).toEqual([2, expect.stringContaining('is not JSON')]);
    expect(journal().length, 'a bad spec is not an export').toBe(before);
  });

  it('writes Parquet as well, and journals each export with its spec, time and output hash', async () => {
    const file = spec('parquet', { title: 'Visits before nine', table: 'visits', dimensions: ['time_band'], filters: { time_band: ['before-09'] }, measures: [{ kind: 'people' }, { kind: 'mean', column: 'duration_minutes' }] });
    const out = join(dataDir, 'before-09.parquet');
    const res = await run('--spec', file, '--out', out);
    expect(res.code, res.err).toBe(0);
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      const rows = (await conn.runAndReadAll(`SELECT * FROM read_parquet('${out}')`)).getRowObjectsJson();
      expect(rows).toEqual([{ time_band: 'before-09', people: '5', mean_duration_minutes: 60, suppressed: '' }]);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
    const entry = journal().at(-1);
    expect(entry).toMatchObject({ study: STUDY, outcome: 'written', out, format: 'parquet', cells: 1, suppressed: 0, spec: { title: 'Visits before nine' }, specFile: file });
    expect(entry.sha256).toBe(createHash('sha256').update(readFileSync(out)).digest('hex'));
    expect(Date.now() - Date.parse(entry.at)).toBeLessThan(60_000);
  });

  it('names earlier exports that could be differenced with a new one in the journal: other filters, or a coarser or finer tabulation', async () => {
    const body = (hubs: string[], dimensions = ['membership', 'time_band']) => ({ title: 'Visits after six', table: 'visits', dimensions, filters: { hub: hubs, time_band: ['after-18'] }, measures: [{ kind: 'people' }] });
    const both = join(dataDir, 'after-18-both.csv');
    const again = join(dataDir, 'after-18-again.csv');
    expect((await run('--spec', spec('both', body(['boden', 'lulea'])), '--out', both)).code).toBe(0);
    expect(journal().at(-1).differencing).toBeUndefined();
    const same = await run('--spec', spec('again', body(['lulea', 'boden'])), '--out', again);
    expect(journal().at(-1).differencing, 'the same filters in another order are the same export').toBeUndefined();
    expect(same.err).not.toMatch(/Note/);
    const one = await run('--spec', spec('one', body(['lulea'])), '--out', join(dataDir, 'after-18-lulea.csv'));
    expect(one.code, one.err).toBe(0);
    expect(one.err).toContain(`Note: earlier exports could be differenced with this one (${both}: other filters`);
    expect(journal().at(-1).differencing).toEqual([
      { at: expect.any(String), out: both, why: 'other filters', dimensions: ['membership', 'time_band'], filters: { hub: ['boden', 'lulea'], time_band: ['after-18'] } },
      { at: expect.any(String), out: again, why: 'other filters', dimensions: ['membership', 'time_band'], filters: { hub: ['lulea', 'boden'], time_band: ['after-18'] } },
    ]);
    // A total of the finer export: the same filters, one dimension fewer.
    const total = await run('--spec', spec('total', body(['boden', 'lulea'], ['time_band'])), '--out', join(dataDir, 'after-18-total.csv'));
    expect(total.code, total.err).toBe(0);
    // (It is also the same tabulation as the earlier by-time-band exports, with other filters.)
    const pairs = journal().at(-1).differencing.map((e: { out: string; why: string }) => [e.out, e.why]);
    expect(pairs.filter(([, why]: string[]) => why !== 'other filters')).toEqual([
      [both, 'finer'],
      [again, 'finer'],
    ]);
    expect(pairs).toContainEqual([join(dataDir, 'by-time-band.csv'), 'other filters']);
  });

  it('joins a declared person attribute (WHO-5 score by remote worker) and counts both people of a co-presence pair', async () => {
    const who5 = await run('--spec', spec('who5', { title: 'WHO-5 by remote work', table: 'survey_scores', personAttributes: ['remote_worker'], dimensions: ['remote_worker'], filters: { instrument: ['who-5'] }, measures: [{ kind: 'people' }, { kind: 'mean', column: 'score' }] }));
    expect(who5.code, who5.err).toBe(0);
    // 24–26 remote (score 100), 27–28 unknown (100), 1–5 not remote (40): the unknown cell has 2 people.
    expect(who5.out.split('\n').slice(2, 5).map((l) => l.split(/\s+/).filter(Boolean))).toEqual([
      ['false', '5', '40'],
      ['true', 'fewer', 'than', '5', 'people'],
      ['fewer', 'than', '5', 'people'],
    ]);
    const pairs = await run('--spec', spec('pairs', { title: 'Co-presence', table: 'co_presence', dimensions: ['sector_pair'], measures: [{ kind: 'people' }] }));
    expect(pairs.code, pairs.err).toBe(0);
    expect(pairs.out).toMatch(/business\+public\s+6/);
    // Rows are pairs: person 1 is in 3 of 4, over half: suppressed.
    const rows = await run('--spec', spec('pair-rows', { title: 'Co-presence pairs', table: 'co_presence', dimensions: ['sector_pair'], measures: [{ kind: 'rows' }] }));
    expect(rows.out).toMatch(/business\+public\s+one person over 50 %/);
  });

  it('parses the spec with no SQL anywhere: every identifier comes from a whitelist', () => {
    const study = { id: STUDY, datasets: ['visits' as const] };
    expect(parseSpec({ title: 'x y', table: 'survey_answers', measures: [{ kind: 'rows' }] }, study)).toMatchObject({ ok: false, issues: [{ path: 'table', message: expect.stringContaining('does not have the table(s) survey_answers') }] });
    expect(parseSpec({ title: 'x y', table: 'visits', dimensions: ['hub', 'hub'], measures: [{ kind: 'rows' }] }, study)).toMatchObject({ ok: false, issues: [{ path: 'dimensions[1]' }] });
    expect(parseSpec({ title: 'x y', table: 'visits', filters: { hub: ["umea' OR 1=1 --"] }, measures: [{ kind: 'rows' }] }, study).ok, 'a value is a quoted literal, whatever it holds').toBe(true);
  });
});
