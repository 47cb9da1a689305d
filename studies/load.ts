import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatPath } from '../hubs/load.ts';
import { instrumentProblems } from './instruments.ts';
import { StudyConfig } from './schema.ts';

/** The folder that holds the study configuration files. */
export const STUDIES_DIR = dirname(fileURLToPath(import.meta.url));

/** A study file that failed validation; `problems` name the file and each field. */
export class StudyConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid study configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'StudyConfigError';
  }
}

/** Parses and validates one study file's text; the id must match the file name. */
export function parseStudyFile(file: string, text: string, knownHubs?: ReadonlySet<string>): StudyConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new StudyConfigError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
  const result = StudyConfig.safeParse(raw);
  if (!result.success) throw new StudyConfigError(file, result.error.issues.map((i) => `${formatPath(i.path) || '(file)'}: ${i.message}`));
  const expected = basename(file, '.json');
  if (result.data.id !== expected) throw new StudyConfigError(file, [`id: "${result.data.id}" must match the file name "${expected}.json"`]);
  if (knownHubs) {
    const unknown = (result.data.hubs ?? []).map((h, i) => [h, i] as const).filter(([h]) => !knownHubs.has(h));
    if (unknown.length) throw new StudyConfigError(file, unknown.map(([h, i]) => `hubs[${i}]: no hub "${h}" in hubs/`));
  }
  const licence = instrumentProblems(result.data);
  if (licence.length) throw new StudyConfigError(file, licence);
  return result.data;
}

/** Lists the study files (`<id>.json`) in a folder, sorted by id. */
export function studyFiles(dir = STUDIES_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('_'))
    .sort()
    .map((f) => join(dir, f));
}

/** Loads and validates every study file in a folder; throws one error listing every bad file. */
export function loadStudies(dir = STUDIES_DIR, knownHubs?: ReadonlySet<string>): StudyConfig[] {
  const studies: StudyConfig[] = [];
  const errors: StudyConfigError[] = [];
  for (const file of studyFiles(dir)) {
    try {
      studies.push(parseStudyFile(file, readFileSync(file, 'utf8'), knownHubs));
    } catch (e) {
      if (e instanceof StudyConfigError) errors.push(e);
      else throw e;
    }
  }
  if (errors.length > 0) {
    const err = new Error(errors.map((e) => e.message).join('\n'));
    err.name = 'StudyConfigError';
    throw err;
  }
  return studies;
}
