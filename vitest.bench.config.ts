import { defineConfig } from 'vitest/config';

// `npm run test:bench-smoke`: the benchmark's smoke profile against both servers (~50 s of load, ~40 s more for the cluster scenarios),
// kept out of `npm test` so that the suite stays quick; CI runs it.
export default defineConfig({
  test: {
    include: ['test/bench-smoke.test.ts'],
    testTimeout: 400_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
