import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The attack suite has its own command (npm run test:attack) and config.
    exclude: ['test/attack/**', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more workers only make the real servers in each test fight for CPU.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-services.ts'],
  },
});
