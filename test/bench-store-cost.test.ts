// Smoke run of `bench/store-cost.ts` (bench/README.md), tiny sizes, so the tool
// cannot rot. No figure is asserted beyond being measured at all.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

it('[BENCH-STORE] store-cost measures every mode and burst size on a real store', () => {
  const run = spawnSync(process.execPath, ['bench/store-cost.ts', '--conversations', '20', '--messages', '100', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  const out = JSON.parse(run.stdout) as { bursts: number[]; figures: Record<string, Record<string, { cpu: number; wall: number }>> };
  expect(Object.keys(out.figures)).toEqual(['memory', 'wal', 'durable']);
  for (const mode of Object.values(out.figures)) {
    expect(Object.keys(mode).map(Number)).toEqual(out.bursts);
    for (const cell of Object.values(mode)) {
      expect(cell.cpu).toBeGreaterThan(0);
      expect(cell.wall).toBeGreaterThan(0);
    }
  }
}, 90_000);
