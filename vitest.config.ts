import os from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One embedded Postgres + a migrated template for the whole run (test/helpers/global-setup.ts);
    // each file clones its own database with createTestDatabase() (test/helpers/db.ts).
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    // Vitest's default leaves one core idle; integration files mostly wait on Postgres, so use them all (≥ 2).
    maxWorkers: Math.max(2, os.availableParallelism()),
    fileParallelism: true,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
