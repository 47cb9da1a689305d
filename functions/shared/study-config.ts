import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { loadStudies } from '../../studies/load.ts';
import type { StudyConfig } from '../../studies/schema.ts';

/**
 * The folder of study files inside a function: `STUDIES_DIR` (default `studies`) relative to the
 * Lambda task root (the bundle carries a copy of `studies/*.json`), or to the working directory locally.
 */
export function studiesDir(env = process.env): string {
  const dir = env.STUDIES_DIR ?? 'studies';
  return isAbsolute(dir) ? dir : join(env.LAMBDA_TASK_ROOT ?? process.cwd(), dir);
}

/** Loads every study's validated config (none when the folder is missing). */
export function loadAllStudies(dir = studiesDir()): StudyConfig[] {
  return existsSync(dir) ? loadStudies(dir) : [];
}
