import { defineConfig } from 'vitest/config';

/**
 * Two projects in one run (`npm test` runs both and ends with `N passed, N failed`):
 * - unit: test/unit, no database: no global setup, nothing started;
 * - integration: test/integration, one throwaway PostgreSQL and one MariaDB for the whole project
 *   (test/global-setup.ts).
 * One project alone: `npx vitest run --project unit`.
 */
export default defineConfig({
  test: {
    // Integration tests start real database servers; two cores are shared by everything.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['./test/global-setup.ts'],
        },
      },
    ],
  },
});
