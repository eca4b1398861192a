/**
 * The test runner's settings: every file under test/ named *.test.ts, in forked workers (native modules and
 * real child processes), two at a time for the two cores. No setting here changes what a test
 * checks: no retries, no mocks, no global setup.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: keep the heavy end-to-end files from starving each other.
    maxWorkers: 2,
  },
});
