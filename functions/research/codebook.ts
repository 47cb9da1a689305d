/**
 * The codebook of a study's datasets, generated from the row schemas (the same zod schemas the
 * consumer validates every row with): per table its source events, per column its type, whether
 * it may be null, and its meaning. `npm run research:codebook -- --study <id>` prints it and
 * writes `codebook.md` and `codebook.json` next to the dataset (`.data/lake/research/<study>/`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { StudyConfig } from '../../studies/schema.ts';
import { loadStudies } from '../../studies/load.ts';
import { retentionEnds } from '../../studies/schema.ts';
import { columnsOf, sourceEventsOf, type Column } from './columns.ts';
import type { TableName } from './rows.ts';
import { tablesOf } from './tables.ts';

/** A study's codebook as data. */
export interface Codebook {
  study: { id: string; title: string; institution: string; legalBasis: string; start: string; end: string; retainedUntil: string };
  pseudonym: string;
  tables: Array<{ table: TableName; sourceEvents: string[]; partitionedBy: string; columns: Column[] }>;
}

/** Builds the codebook of a study. */
export function codebookOf(study: StudyConfig): Codebook {
  return {
    study: { id: study.id, title: study.title, institution: study.institution, legalBasis: study.legalBasis, start: study.start, end: study.end, retainedUntil: retentionEnds(study) },
    pseudonym: 'person, person_a, person_b: HMAC-SHA256(study key, member id), hex. The key is the platform’s, one per study; researchers never receive it, and two studies cannot be linked.',
    tables: tablesOf(study).map((table) => ({ table, sourceEvents: sourceEventsOf(table), partitionedBy: 'month (YYYY-MM)', columns: columnsOf(table) })),
  };
}

/** The codebook as Markdown. */
export function codebookMarkdown(book: Codebook): string {
  const lines = [
    `# Codebook: ${book.study.title}`,
    '',
    `Study \`${book.study.id}\` (${book.study.institution}), legal basis \`${book.study.legalBasis}\`, ${book.study.start} – ${book.study.end}; rows kept until ${book.study.retainedUntil}.`,
    '',
    `Pseudonyms: ${book.pseudonym}`,
    '',
    'Generated from the row schemas (functions/research/rows.ts); do not edit.',
  ];
  for (const t of book.tables) {
    lines.push('', `## ${t.table}`, '', `Source events: ${t.sourceEvents.map((e) => `\`${e}\``).join(', ')}. Partitioned by ${t.partitionedBy}.`, '', '| column | type | meaning |', '|---|---|---|');
    for (const c of t.columns) lines.push(`| \`${c.name}\` | ${c.type}${c.nullable ? ' (nullable)' : ''} | ${c.description.replaceAll('|', '\\|')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `codebook.md` and `codebook.json` into the study's folder of the lake. */
export function writeCodebook(lakeDir: string, study: StudyConfig): string {
  const dir = join(lakeDir, 'research', study.id);
  mkdirSync(dir, { recursive: true });
  const book = codebookOf(study);
  writeFileSync(join(dir, 'codebook.json'), `${JSON.stringify(book, null, 2)}\n`);
  writeFileSync(join(dir, 'codebook.md'), codebookMarkdown(book));
  return dir;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({ options: { study: { type: 'string' }, format: { type: 'string', default: 'md' }, 'data-dir': { type: 'string' }, 'studies-dir': { type: 'string' } } });
  const root = join(import.meta.dirname, '..', '..');
  const study = loadStudies(values['studies-dir'] ?? join(root, 'studies')).find((s) => s.id === values.study);
  if (!study) {
    console.error(`--study: no study "${values.study ?? ''}" in studies/ (usage: npm run research:codebook -- --study <id> [--format md|json])`);
    process.exit(2);
  }
  const dir = writeCodebook(join(values['data-dir'] ?? process.env.SAMVERKAN_DATA_DIR ?? join(root, '.data'), 'lake'), study);
  process.stdout.write(values.format === 'json' ? `${JSON.stringify(codebookOf(study), null, 2)}\n` : codebookMarkdown(codebookOf(study)));
  console.error(`codebook written to ${dir}/codebook.{md,json}`);
}
