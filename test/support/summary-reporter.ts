import type { Reporter, TestCase, TestModule, TestSuite } from 'vitest/node';

/**
 * Prints the plain closing line `N passed, N failed[, N skipped]` that CI reads, after
 * vitest's own report. A test that never ran because a `beforeAll` of its suite or file
 * threw counts as failed (vitest reports it as skipped): only tests skipped on purpose
 * (`skip`, `todo`, not selected by `only` or `-t`) are skipped.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed' || blockedBySetup(test)) failed++;
        else skipped++;
      }
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) failed++;
    }
    failed += unhandledErrors.length;
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}

/** A test meant to run that did not, because a hook of a suite or file around it threw. */
function blockedBySetup(test: TestCase): boolean {
  if (test.options.mode !== 'run' && test.options.mode !== 'only') return false;
  for (let p: TestSuite | TestModule = test.parent; ; p = p.parent) {
    // A suite's or file's own errors are its hooks' (and collection's), not its tests'.
    if (p.errors().length > 0) return true;
    if (p.type === 'module') return false;
  }
}
