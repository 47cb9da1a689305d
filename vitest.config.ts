import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration files start their own runtime (HTTP server, function workers) against one shared
    // DynamoDB Local; two cores do best with two files at a time.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
