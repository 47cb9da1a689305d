/**
 * Retention of the research datasets: when a study's retention ends (`retentionEnds()`), its rows
 * are deleted, and its pseudonym key with them (nothing can be linked to it any more). Locally:
 * `npm run research:retention` (run it daily, or before handing out data); on AWS an S3 lifecycle
 * rule on the study's prefix expires the objects on the day after (infra/research.ts).
 *
 *   npm run research:retention [-- --data-dir <dir>] [--today YYYY-MM-DD] [--dry-run]
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadStudies } from '../../studies/load.ts';
import { type StudyConfig, retentionEnds } from '../../studies/schema.ts';

/** The studies whose rows must go on `today` (YYYY-MM-DD): their retention ended before it. */
export function expiredStudies(studies: StudyConfig[], today: string): StudyConfig[] {
  return studies.filter((s) => retentionEnds(s) < today);
}

/**
 * Deletes the lake folder and the key of every expired study under `dataDir`; returns what it
 * deleted (or would delete, with `dryRun`). Idempotent.
 */
export function applyRetention(dataDir: string, studies: StudyConfig[], today: string, dryRun = false): Array<{ studyId: string; retainedUntil: string; paths: string[] }> {
  return expiredStudies(studies, today).map((s) => {
    const paths = [join(dataDir, 'lake', 'research', s.id), join(dataDir, 'research-keys', `${s.id}.key`)].filter((p) => existsSync(p));
    if (!dryRun) for (const p of paths) rmSync(p, { recursive: true, force: true });
    return { studyId: s.id, retainedUntil: retentionEnds(s), paths };
  });
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, 'studies-dir': { type: 'string' }, today: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } } });
  const root = join(import.meta.dirname, '..', '..');
  const today = values.today ?? new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Stockholm' }).format(new Date());
  const done = applyRetention(values['data-dir'] ?? process.env.SAMVERKAN_DATA_DIR ?? join(root, '.data'), loadStudies(values['studies-dir'] ?? join(root, 'studies')), today, values['dry-run']);
  for (const d of done) console.log(`${values['dry-run'] ? 'would delete' : 'deleted'} study ${d.studyId} (retained until ${d.retainedUntil}): ${d.paths.join(', ') || 'nothing left'}`);
  if (done.length === 0) console.log(`research:retention: no study's retention has ended (today ${today})`);
}
