import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Runs vitest on the fixtures with only the summary reporter; returns its closing line. */
function summaryOfFixtures(): Promise<string> {
  const cli = join(process.cwd(), 'node_modules', 'vitest', 'vitest.mjs');
  const config = join(process.cwd(), 'test', 'fixtures', 'summary-reporter', 'vitest.config.ts');
  return new Promise((resolve) => {
    // The fixtures fail on purpose, so vitest exits with 1: read its output either way.
    execFile(process.execPath, [cli, 'run', '--config', config], { env: { ...process.env, FORCE_COLOR: '0', CI: '1' } }, (_err, stdout) => {
      resolve(stdout.trim().split('\n').at(-1) ?? '');
    });
  });
}

describe('the CI summary line', () => {
  it('counts the tests of a failed beforeAll as failed, not skipped (of a suite or of a whole file)', async () => {
    // Fixtures: a suite whose beforeAll throws (2 tests), a file whose beforeAll throws (2 tests),
    // one passing test and one skipped on purpose.
    expect(await summaryOfFixtures()).toBe('1 passed, 4 failed, 1 skipped');
  }, 60_000);
});
