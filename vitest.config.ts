import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The attack suite (npm run test:attack), the fault suite (npm run test:faults) and the benchmark
    // smoke run (npm run test:bench-smoke, ~50 s of load generation) have their own commands; CI runs them.
    exclude: ['test/attack/**', 'test/faults/**', 'test/bench-smoke.test.ts', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more workers only make the real servers in each test fight for CPU.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-services.ts'],
  },
});
