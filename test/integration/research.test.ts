/**
 * The research datasets end to end, over HTTP against DynamoDB Local and the local runtime: a
 * consent given → rows under the study pseudonym appear as Parquet in the local lake; a
 * withdrawal → no later rows; two studies' pseudonyms differ; no written file holds a name,
 * e-mail, member code, member id or exact timestamp.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as researchQuery } from '../../functions/research/query-cli.ts';
import type { LocalNetwork } from '../../local/network.ts';
import { api, startTestNetwork } from '../support/network.ts';
import { writeStudies } from '../support/studies.ts';

const HUB = 'umea';
const base = `/api/hubs/${HUB}`;
const ONE = 'r-one';
const TWO = 'r-two';

let network: LocalNetwork;
let call: ReturnType<typeof api>;
let staff: string;
let dataDir: string;
let studiesDir: string;
const people: Array<{ id: string; name: string; email: string; memberCode: string }> = [];

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });

async function rows(study: string, table: string): Promise<Record<string, unknown>[]> {
  const dir = join(network.lakeDir, 'research', study, table);
  let files: string[];
  try {
    files = filesUnder(dir).filter((f) => f.endsWith('.parquet'));
  } catch {
    return [];
  }
  if (files.length === 0) return [];
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet('${dir}/**/*.parquet', hive_partitioning = true, union_by_name = true)`);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

const key = (study: string) => Buffer.from(readFileSync(join(dataDir, 'research-keys', `${study}.key`), 'utf8').trim(), 'hex');
const pseudonymOf = (study: string, memberId: string) => createHmac('sha256', key(study)).update(memberId).digest('hex');

async function member(name: string, organisationId: string) {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}@example.se`;
  const res = await call('POST', `${base}/members`, { token: staff, body: { name, email, organisationId, membership: 'member', employerMunicipality: '0180' } });
  expect(res.status, res.text).toBe(201);
  const m = { id: res.json.id as string, name, email, memberCode: res.json.memberCode as string };
  people.push(m);
  return m;
}

async function consent(memberId: string, studyId: string, scope: string, state: 'given' | 'withdrawn') {
  const res = await call('POST', `${base}/members/${memberId}/consents`, { token: staff, body: { studyId, scope, state, textVersion: '2026-01' } });
  expect(res.status, res.text).toBe(201);
}

async function visit(memberId: string) {
  const inRes = await call('POST', `${base}/check-ins`, { token: staff, body: { memberId } });
  expect(inRes.status, inRes.text).toBe(201);
  const outRes = await call('POST', `${base}/check-ins/${inRes.json.visitId}/check-out`, { token: staff });
  expect(outRes.status, outRes.text).toBe(200);
}

beforeAll(async () => {
  studiesDir = writeStudies([{ id: ONE }, { id: TWO }]);
  dataDir = mkdtempSync(join(tmpdir(), 'research-data-'));
  network = await startTestNetwork({ studiesDir, dataDir, lakeFlushMs: 50 });
  call = api(network);
  staff = await network.token('staff', HUB);
}, 300_000); // synthesizes the templates for the test's studies

afterAll(async () => {
  await network?.stop();
});

describe('the research datasets in the local lake', () => {
  let anna: { id: string };
  let bo: { id: string };
  let cia: { id: string };

  it('has rows of consenting members only, under each study pseudonym', async () => {
    const region = await call('POST', `${base}/organisations`, { token: staff, body: { name: 'Region Västerbotten', type: 'region' } });
    const business = await call('POST', `${base}/organisations`, { token: staff, body: { name: 'Norrländsk Konsult AB', type: 'business' } });
    anna = await member('Anna Forskningsdeltagare', region.json.id);
    bo = await member('Bo Samtyckesson', business.json.id);
    cia = await member('Cia Utanförsson', region.json.id);
    for (const study of [ONE, TWO]) {
      await consent(anna.id, study, 'usage', 'given');
      await consent(anna.id, study, 'co-presence', 'given');
    }
    await consent(bo.id, ONE, 'usage', 'given');
    await consent(bo.id, ONE, 'co-presence', 'given');
    await network.idle();
    for (const m of [anna, bo, cia]) await visit(m.id);
    await network.idle();

    const one = await rows(ONE, 'visits');
    const two = await rows(TWO, 'visits');
    expect(one.map((r) => r.person).sort()).toEqual([pseudonymOf(ONE, anna.id), pseudonymOf(ONE, bo.id)].sort());
    expect(two.map((r) => r.person)).toEqual([pseudonymOf(TWO, anna.id)]);
    expect(pseudonymOf(ONE, anna.id)).not.toBe(pseudonymOf(TWO, anna.id));
    // Rows come in no defined order: Anna's row (a public-sector employee of another municipality).
    const annas = one.find((r) => r.person === pseudonymOf(ONE, anna.id));
    expect(annas).toMatchObject({ hub: HUB, county: 'Västerbottens län', duration_minutes: 0, remote_worker: true });
    expect(String(annas?.month)).toMatch(/^\d{4}-\d{2}$/);
    const pairs = await rows(ONE, 'co_presence');
    expect(pairs).toEqual([expect.objectContaining({ cross_organisation: true, sector_pair: 'business+public' })]);
    expect(await rows(TWO, 'co_presence'), 'Bo did not consent to study two').toEqual([]);
    const consents = await rows(ONE, 'consents');
    expect(consents.filter((r) => r.person === pseudonymOf(ONE, anna.id)).map((r) => r.scope).sort()).toEqual(['co-presence', 'usage']);
  });

  it('writes no later row of a member who withdrew', async () => {
    await consent(anna.id, ONE, 'usage', 'withdrawn');
    await network.idle();
    await visit(anna.id);
    await visit(bo.id);
    await network.idle();
    const one = await rows(ONE, 'visits');
    expect(one.filter((r) => r.person === pseudonymOf(ONE, anna.id))).toHaveLength(1);
    expect(one.filter((r) => r.person === pseudonymOf(ONE, bo.id))).toHaveLength(2);
    expect((await rows(TWO, 'visits')).filter((r) => r.person === pseudonymOf(TWO, anna.id)), 'study two still has her consent').toHaveLength(2);
    expect((await rows(ONE, 'consents')).some((r) => r.person === pseudonymOf(ONE, anna.id) && r.state === 'withdrawn')).toBe(true);
  });

  it('holds no name, e-mail, member code, member id or exact timestamp in any written file', async () => {
    const files = filesUnder(network.lakeDir);
    expect(files.filter((f) => f.endsWith('.parquet')).length).toBeGreaterThan(3);
    const forbidden = people.flatMap((p) => [p.name, p.email, p.memberCode, p.id]);
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      for (const file of files) {
        const raw = readFileSync(file, 'latin1');
        const decoded = JSON.stringify((await conn.runAndReadAll(`SELECT * FROM read_parquet('${file}')`)).getRowObjectsJson());
        for (const text of [raw, decoded]) {
          for (const f of forbidden) expect(text.includes(f), `${file} contains ${f}`).toBe(false);
          expect(text, file).not.toMatch(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/);
        }
      }
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
    expect(readdirSync(join(dataDir, 'research-keys')).sort()).toEqual([`${ONE}.key`, `${TWO}.key`]);
  });

  it('answers SQL over the lake with npm run research:query, through the disclosure check unless --unchecked', async () => {
    const run = async (...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await researchQuery(['--study', ONE, '--data-dir', dataDir, '--studies-dir', studiesDir, ...args], (s) => out.push(s), (s) => err.push(s));
      return { code, out: out.join(''), err: err.join('') };
    };
    const unchecked = await run('--unchecked', 'SELECT person, duration_minutes FROM visits ORDER BY person');
    expect(unchecked.code, unchecked.err).toBe(0);
    expect(unchecked.out).toContain(pseudonymOf(ONE, bo.id));
    expect(unchecked.out).toMatch(/\(3 rows\)/);
    const rowLevel = await run('SELECT person FROM visits');
    expect([rowLevel.code, rowLevel.err]).toEqual([3, expect.stringMatching(/n_people/)]);
    const small = await run('SELECT count(DISTINCT person) AS n_people, count(*) AS visits FROM visits');
    expect(small.code, small.err).toBe(0);
    expect(small.out).toBe('n_people  visits\n--------  ------\n\n(1 rows)\n');
    expect(small.err).toMatch(/1 cell\(s\) suppressed/);
    const byHub = await run('SELECT hub, count(DISTINCT person) AS n_people FROM visits GROUP BY hub');
    expect([byHub.code, byHub.err]).toEqual([3, expect.stringMatching(/hub=umea holds fewer than 5 people/)]);
    // What an outside tester got past the check before: a claimed n_people, and pseudonyms under another name.
    const claimed = await run('SELECT duration_minutes, 9 AS n_people FROM visits');
    expect([claimed.code, claimed.out, claimed.err]).toEqual([3, '', expect.stringMatching(/column "n_people" does not count distinct people/)]);
    const counted = await run('SELECT count(DISTINCT person) AS n_people, 7 AS n_business FROM visits');
    expect([counted.code, counted.err]).toEqual([3, expect.stringMatching(/column "n_business" does not count distinct people/)]);
    const inflated = await run('SELECT CASE WHEN count(DISTINCT person) < 5 THEN 9 * count(DISTINCT person) ELSE count(DISTINCT person) END AS n_people FROM visits');
    expect([inflated.code, inflated.err], "a true 1–4 turned into 5 or more").toEqual([3, expect.stringMatching(/column "n_people" does not count distinct people/)]);
    for (const sql of ['SELECT substr(person, 1, 10) AS who, count(DISTINCT person) AS n_people FROM visits GROUP BY 1', 'SELECT upper(left(person, 63)) AS p, count(DISTINCT person) AS n_people FROM visits GROUP BY 1', "SELECT 'x' || substr(person, 20, 9) AS p, count(DISTINCT person) AS n_people FROM visits GROUP BY 1"]) {
      const hidden = await run(sql);
      expect([hidden.code, hidden.out, hidden.err], sql).toEqual([3, '', expect.stringMatching(/holds a pseudonym or part of one/)]);
    }
    // Free SQL never leaves as a file, checked or not: research:export is the way out.
    for (const args of [['--format', 'csv'], ['--format', 'parquet', '--out', join(dataDir, 'q.parquet')], ['--out', join(dataDir, 'q.csv')], ['--format', 'csv', '--unchecked']]) {
      const file = await run(...args, 'SELECT count(DISTINCT person) AS n_people FROM visits');
      expect([file.code, file.out, file.err], args.join(' ')).toEqual([2, '', expect.stringContaining('npm run research:export')]);
    }
    expect(readdirSync(dataDir).filter((f) => f.startsWith('q.')), 'nothing written').toEqual([]);
    for (const file of ['meeting-other-organisations', 'remote-public-workers', 'events-bringing-sectors-together']) {
      const res = await run('--unchecked', '--file', join(import.meta.dirname, '..', '..', 'studies', 'queries', `${file}.sql`));
      expect(res.code, `${file}: ${res.err}`).toBe(0);
    }
    expect(readFileSync(join(network.lakeDir, 'research', ONE, 'codebook.md'), 'utf8')).toMatch(/## visits/);
  });
});
