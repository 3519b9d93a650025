import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The attack suite (npm run test:attack) and the benchmark smoke run (npm run test:bench-smoke,
    // ~50 s of load generation) have their own commands; CI runs both.
    exclude: ['test/attack/**', 'test/bench-smoke.test.ts', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more workers only make the real servers in each test fight for CPU.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-services.ts'],
  },
});
