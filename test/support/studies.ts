import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STUDIES_DIR } from '../../studies/load.ts';
import type { StudyConfigInput } from '../../studies/schema.ts';
import { addDays, today } from './dates.ts';

/** The shipped example study, as written in its file. */
export function exampleStudy(): StudyConfigInput {
  return JSON.parse(readFileSync(join(STUDIES_DIR, 'samverkanshubbar-i-norr.json'), 'utf8')) as StudyConfigInput;
}

/**
 * Writes study files to a fresh folder for a test network (`startTestNetwork({ studiesDir })`):
 * each is the example study with the given changes, running from 30 days ago to a year ahead
 * unless the changes say otherwise.
 */
export function writeStudies(studies: Array<Partial<StudyConfigInput> & { id: string }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'studies-'));
  for (const s of studies) {
    const study = { ...exampleStudy(), start: addDays(today(), -30), end: addDays(today(), 365), ...s };
    writeFileSync(join(dir, `${s.id}.json`), JSON.stringify(study, null, 2));
  }
  return dir;
}
