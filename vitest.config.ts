import { defineConfig } from 'vitest/config';

/**
 * Tests are grouped as the sources are: test/unit/<layer>/ (one directory per src/ directory),
 * test/integration/ (the built CLI, simulations, cross-checks with Debian's tools), test/lab/ (network
 * namespaces, real peers). The lab runs after the others and one file at a time: its processes time
 * software timestamps, and two labs (or a lab beside a busy unit suite) on a 2-core machine measure
 * each other's load rather than Syntonic.
 */
const shared = {
  // Lists the suites skipped for a missing peer at the end of the run (test/support/peers.ts).
  globalSetup: ['test/support/skippedSummary.ts'],
  pool: 'forks' as const,
  testTimeout: 60_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'unit+integration',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
          poolOptions: { forks: { maxForks: 2, minForks: 1 } },
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'lab',
          include: ['test/lab/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
