import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { synthVariants } from '../../scripts/synth-variants.ts';

const run = promisify(execFile);
const hasCfnLint = (() => {
  try {
    execFileSync('cfn-lint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// CI (`.ci/run`, `npm run lint:cfn`) lints every template; this test lints the national stack and one
// hub of each variant, where cfn-lint is installed (it is a Python tool, not an npm dependency).
describe.skipIf(!hasCfnLint)('cfn-lint', () => {
  it('finds no errors in the national and a hub template, with hubs in the national account and in other accounts', async () => {
    const files = synthVariants(mkdtempSync(join(tmpdir(), 'cfn-lint-'))).filter((f) => /(samverkan-national|samverkan-hub-umea|samverkan-hub-lulea)\.template\.json$/.test(f));
    expect(files.length).toBe(6);
    const res = await run('cfn-lint', ['--format', 'parseable', '-t', ...files], { timeout: 600_000 }).catch((e: { stdout: string; code: number }) => ({ stdout: e.stdout, code: e.code }));
    const errors = res.stdout.split('\n').filter((l) => /:E\d{4}:/.test(l));
    expect(errors).toEqual([]);
  }, 660_000);
});
