// Smoke run of `bench/reports.ts` (bench/README.md), tiny sizes, both engines, so the tool cannot
// rot. The figures are the benchmark's; here only that every report ran and counted the seed.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

it('[BENCH-REPORTS] bench:reports seeds both engines and times every report on them', () => {
  const run = spawnSync(process.execPath, ['bench/reports.ts', '--conversations', '730', '--messages-per', '2', '--runs', '1', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.status, run.stderr).toBe(0);
  const out = JSON.parse(run.stdout) as {
    messages: number;
    results: Array<{ engine: string; cases: Array<{ name: string; conversations: number; medianMs: number }> }>;
  };
  expect(out.messages).toBe(1460);
  expect(out.results.map((r) => r.engine)).toEqual(['sqlite', 'postgres']);
  for (const r of out.results) {
    expect(r.cases.map((c) => c.name)).toEqual(['30 days', '7 days', '30 days, one agent', '365 days']);
    // Two conversations a day: 30 days hold about 60 of them, the year all 730.
    const [month, , , year] = r.cases;
    expect(month.conversations).toBeGreaterThanOrEqual(58);
    expect(month.conversations).toBeLessThanOrEqual(62);
    expect(year.conversations).toBeGreaterThanOrEqual(728);
    for (const c of r.cases) expect(c.medianMs).toBeGreaterThan(0);
  }
}, 150_000);
