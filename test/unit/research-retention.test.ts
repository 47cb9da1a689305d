import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codebookMarkdown, codebookOf, writeCodebook } from '../../functions/research/codebook.ts';
import { columnsOf } from '../../functions/research/columns.ts';
import { applyRetention } from '../../functions/research/retention.ts';
import { ROW_SCHEMAS, TABLES } from '../../functions/research/rows.ts';
import { StudyConfig } from '../../studies/schema.ts';
import { addDays, today } from '../support/dates.ts';
import { exampleStudy } from '../support/studies.ts';

const study = (id: string, end: string, months: number) => StudyConfig.parse({ ...exampleStudy(), id, start: addDays(end, -100), end, retention: { monthsAfterEnd: months } });

describe('retention', () => {
  it("deletes an expired study's rows and key, and nothing of a study still retained", () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'retention-'));
    const expired = study('old-study', addDays(today(), -40), 1); // retained until about 10 days ago
    const kept = study('new-study', addDays(today(), -40), 2);
    for (const s of [expired, kept]) {
      mkdirSync(join(dataDir, 'lake', 'research', s.id, 'visits', 'month=2026-01'), { recursive: true });
      writeFileSync(join(dataDir, 'lake', 'research', s.id, 'visits', 'month=2026-01', 'a.parquet'), 'x');
      mkdirSync(join(dataDir, 'research-keys'), { recursive: true });
      writeFileSync(join(dataDir, 'research-keys', `${s.id}.key`), 'k');
    }
    expect(applyRetention(dataDir, [expired, kept], today(), true).map((d) => d.studyId)).toEqual(['old-study']);
    expect(existsSync(join(dataDir, 'lake', 'research', 'old-study')), 'a dry run deletes nothing').toBe(true);
    const done = applyRetention(dataDir, [expired, kept], today());
    expect(done).toEqual([{ studyId: 'old-study', retainedUntil: expect.any(String), paths: [join(dataDir, 'lake', 'research', 'old-study'), join(dataDir, 'research-keys', 'old-study.key')] }]);
    expect(existsSync(join(dataDir, 'lake', 'research', 'old-study'))).toBe(false);
    expect(existsSync(join(dataDir, 'research-keys', 'old-study.key'))).toBe(false);
    expect(existsSync(join(dataDir, 'lake', 'research', 'new-study', 'visits'))).toBe(true);
    expect(existsSync(join(dataDir, 'research-keys', 'new-study.key'))).toBe(true);
    expect(applyRetention(dataDir, [expired, kept], today())[0]?.paths, 'again: nothing left').toEqual([]);
  });

  it('keeps a study on the last day of its retention', () => {
    const s = StudyConfig.parse({ ...exampleStudy(), id: 'edge', start: addDays(today(), -50), end: addDays(today(), -10), retention: { until: today() } });
    expect(applyRetention(mkdtempSync(join(tmpdir(), 'retention-')), [s], today())).toEqual([]);
    expect(applyRetention(mkdtempSync(join(tmpdir(), 'retention-')), [s], addDays(today(), 1)).map((d) => d.studyId)).toEqual(['edge']);
  });
});

describe('the codebook', () => {
  it('describes every column of every table of the study, from the row schemas, with the source events', () => {
    const s = StudyConfig.parse({ ...exampleStudy(), id: 'cb-study' });
    const book = codebookOf(s);
    expect(book.tables.map((t) => t.table)).toEqual(TABLES);
    for (const t of book.tables) {
      expect(t.columns.map((c) => c.name)).toEqual(Object.keys(ROW_SCHEMAS[t.table].shape));
      for (const c of t.columns) expect(c.description, `${t.table}.${c.name}`).not.toBe('');
      expect(t.sourceEvents.length).toBeGreaterThan(0);
    }
    expect(columnsOf('visits').find((c) => c.name === 'remote_worker')).toMatchObject({ type: 'boolean', nullable: true });
    expect(columnsOf('visits').find((c) => c.name === 'duration_minutes')).toMatchObject({ type: 'int', nullable: false });
    const md = codebookMarkdown(book);
    expect(md).toMatch(/\| `duration_minutes` \| int \| The length of the visit rounded to the nearest 15 minutes/);
    const dir = writeCodebook(mkdtempSync(join(tmpdir(), 'lake-')), s);
    expect(existsSync(join(dir, 'codebook.md')) && existsSync(join(dir, 'codebook.json'))).toBe(true);
  });
});
