// Smoke run of `bench/store-cost-postgres.ts` (bench/README.md), tiny sizes, so the tool
// cannot rot: it starts its own durable PostgreSQL, seeds, and measures both nodes counts.
// No figure is asserted beyond being measured at all.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

it('[BENCH-STORE-PG] store-cost-postgres measures every node count and concurrency on a real PostgreSQL', () => {
  const run = spawnSync(
    process.execPath,
    ['bench/store-cost-postgres.ts', '--conversations', '20', '--concurrency', '1,4', '--nodes', '1,2', '--seconds', '1', '--rounds', '1', '--json'],
    { cwd: ROOT, encoding: 'utf8', timeout: 90_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  // stdout is the figures' one JSON line and nothing else (log lines go to stderr).
  const lines = run.stdout.split('\n').filter((l) => l !== '');
  expect(lines, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toHaveLength(1);
  const out = JSON.parse(lines[0]) as { figures: Array<{ impl: string; nodes: number; concurrency: number; perSecond: number; p50: number; p99: number; cpu: number }> };
  expect(out.figures.map((f) => `${f.impl} ${f.nodes} ${f.concurrency}`)).toEqual(['this 1 1', 'this 1 4', 'this 2 1', 'this 2 4']);
  for (const f of out.figures) {
    expect(f.perSecond).toBeGreaterThan(0);
    expect(f.p99).toBeGreaterThanOrEqual(f.p50);
    expect(f.cpu).toBeGreaterThan(0);
  }
}, 120_000);
