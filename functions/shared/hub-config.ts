import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { hubFiles, loadHubs, parseHubFile } from '../../hubs/load.ts';
import type { HubConfig } from '../../hubs/schema.ts';

/**
 * The folder of hub files inside a function: `HUBS_DIR` relative to the Lambda task root
 * (the bundle carries a copy of `hubs/*.json`), or to the working directory locally.
 */
export function hubsDir(env = process.env): string {
  const dir = env.HUBS_DIR ?? 'hubs';
  return isAbsolute(dir) ? dir : join(env.LAMBDA_TASK_ROOT ?? process.cwd(), dir);
}

/** Loads one hub's validated config by id. */
export function loadHub(hubId: string, dir = hubsDir()): HubConfig {
  const file = join(dir, `${hubId}.json`);
  if (!existsSync(file)) throw new Error(`No hub file ${file}`);
  return parseHubFile(file, readFileSync(file, 'utf8'));
}

/** Loads every hub's validated config. */
export function loadAllHubs(dir = hubsDir()): HubConfig[] {
  return hubFiles(dir).length ? loadHubs(dir) : [];
}
