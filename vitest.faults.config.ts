import { defineConfig } from 'vitest/config';

// `npm run test:faults`: the fault suite (test/faults, docs/faults.md). Scenarios run one at a time:
// each starts its own nodes, nginx and Redis and injects faults on a timetable, which concurrent
// scenarios on two cores would skew. FAULTS_PROFILE=long for the longer profile.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    globalSetup: ['test/helpers/global-services.ts', 'test/faults/summary.ts'],
  },
});
