import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Lists the suites skipped for a missing peer at the end of the run (test/support/peers.ts).
    globalSetup: ['test/support/skippedSummary.ts'],
    // Namespace tests create and remove network namespaces; never run two files at once
    // that touch the same kernel objects, and keep the 2-core CI machine responsive.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
