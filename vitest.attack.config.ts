import { defineConfig } from 'vitest/config';

// `npm run test:attack`: the black-box attack suite (test/attack), each file against its own server process.
export default defineConfig({
  test: {
    include: ['test/attack/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
