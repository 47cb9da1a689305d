import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { HubConfig } from './schema.ts';

/** The folder that holds the shipped hub configuration files. */
export const HUBS_DIR = dirname(fileURLToPath(import.meta.url));

/** A hub file that failed validation; `problems` name the file and each field. */
export class HubConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid hub configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'HubConfigError';
  }
}

/** Formats a zod issue path as `resources[2].capacity`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

function issuesToProblems(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${formatPath(i.path) || '(file)'}: ${i.message}`);
}

/** Parses and validates one hub file's text; the id must match the file name. */
export function parseHubFile(file: string, text: string): HubConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new HubConfigError(file, [`not valid JSON: ${(e as Error).message}`]);
  }
  const result = HubConfig.safeParse(raw);
  if (!result.success) throw new HubConfigError(file, issuesToProblems(result.error.issues));
  const expected = basename(file, '.json');
  if (result.data.id !== expected) {
    throw new HubConfigError(file, [`id: "${result.data.id}" must match the file name "${expected}.json"`]);
  }
  return result.data;
}

/** Lists the hub files (`<id>.json`) in a folder, sorted by id. */
export function hubFiles(dir = HUBS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.startsWith('_'))
    .sort()
    .map((f) => join(dir, f));
}

/** Loads and validates every hub file in a folder; throws one error listing every bad file. */
export function loadHubs(dir = HUBS_DIR): HubConfig[] {
  const hubs: HubConfig[] = [];
  const errors: HubConfigError[] = [];
  for (const file of hubFiles(dir)) {
    try {
      hubs.push(parseHubFile(file, readFileSync(file, 'utf8')));
    } catch (e) {
      if (e instanceof HubConfigError) errors.push(e);
      else throw e;
    }
  }
  if (errors.length > 0) {
    const err = new Error(errors.map((e) => e.message).join('\n'));
    err.name = 'HubConfigError';
    throw err;
  }
  return hubs;
}
