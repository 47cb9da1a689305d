import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmulator } from '../../local/dynamodb/emulator.ts';
import { synthTemplates } from '../../local/synth.ts';
import { loadIdp } from '../../local/idp.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    templatesFile: string;
    dataDir: string;
  }
}

/** Starts one in-memory DynamoDB Local and synthesizes the templates once for the whole run. */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'samverkan-test-'));
  const emulator = await startEmulator({ inMemory: true });
  await loadIdp(join(dir, 'data', 'local-idp'));
  const templatesFile = join(dir, 'templates.json');
  writeFileSync(templatesFile, JSON.stringify(synthTemplates()));
  project.provide('dynamoEndpoint', emulator.endpoint);
  project.provide('templatesFile', templatesFile);
  project.provide('dataDir', dir);
  return async () => {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
