import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more workers only make the real servers in each test fight for CPU.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-services.ts'],
  },
});
